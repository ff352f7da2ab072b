import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { PING_PROTOCOL, ping } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { connectionKind, directPaths } from '../src/chat/direct-paths.js'
import { waitFor } from '../src/testing/index.js'
import { createPlainNode, loopbackOptions } from './helpers.js'
import type { DirectPaths } from '../src/chat/direct-paths.js'
import type { Libp2p, PeerId } from '@libp2p/interface'

describe('direct paths', () => {
  const nodes: Libp2p[] = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async node => node.stop()))
  })

  async function checker (): Promise<Libp2p<{ directPaths: DirectPaths }>> {
    const node = await createLibp2p({ ...loopbackOptions(), services: { directPaths: directPaths({ checkTimeout: 500 }), identify: identify(), ping: ping() } })
    nodes.push(node)
    return node
  }

  function events (node: Libp2p<{ directPaths: DirectPaths }>): { change: PeerId[], unproven: PeerId[] } {
    const seen = { change: [] as PeerId[], unproven: [] as PeerId[] }
    node.services.directPaths.addEventListener('change', evt => seen.change.push(evt.detail))
    node.services.directPaths.addEventListener('unproven', evt => seen.unproven.push(evt.detail))
    return seen
  }

  it('counts a direct connection once identify\'s exchange crossed it, and no longer once it closed', async () => {
    const a = await checker()
    const b = await createLibp2p({ ...loopbackOptions(), services: { identify: identify() } })
    nodes.push(b)
    const seen = events(a)
    expect(connectionKind(a, b.peerId)).toBe('relayed')
    await a.dial(b.getMultiaddrs())
    await waitFor(() => seen.change.length === 1)
    expect(seen.change[0]!.equals(b.peerId)).toBe(true)
    expect(connectionKind(a, b.peerId)).toBe('direct')

    await a.hangUp(b.peerId)
    await waitFor(() => seen.change.length === 2)
    expect(connectionKind(a, b.peerId)).toBe('relayed')
    expect(seen.unproven).toEqual([])
  })

  it('closes a direct connection on which nothing comes back, and never counts it', async () => {
    const a = await checker()
    // a peer without identify that takes the ping stream and never echoes: a connection that carries nothing back
    const silent = await createPlainNode()
    nodes.push(silent)
    await silent.handle(PING_PROTOCOL, () => {})
    const seen = events(a)
    const connection = await a.dial(silent.getMultiaddrs())
    expect(connection.direct).toBe(true)
    await waitFor(() => seen.unproven.length === 1)
    expect(seen.unproven[0]!.equals(silent.peerId)).toBe(true)
    await waitFor(() => a.getConnections(silent.peerId).length === 0)
    expect(connectionKind(a, silent.peerId)).toBe('relayed')
    expect(seen.change).toEqual([])
  })

  it('without identify, counts a peer once a ping stream\'s protocol negotiation crossed the connection', async () => {
    const a = await checker()
    const plain = await createPlainNode()
    nodes.push(plain)
    const seen = events(a)
    await a.dial(plain.getMultiaddrs())
    await waitFor(() => seen.change.length === 1)
    expect(connectionKind(a, plain.peerId)).toBe('direct')
  })

  it('closes the relayed connections to a peer once a direct one to it is proven', async () => {
    const relay = await createLibp2p({
      ...loopbackOptions(),
      services: { identify: identify(), relay: circuitRelayServer() }
    })
    const withCircuits = (): Parameters<typeof createLibp2p>[0] => {
      const options = loopbackOptions()
      return { ...options, transports: [...options.transports!, circuitRelayTransport()], addresses: { listen: ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit'] } }
    }
    const a = await createLibp2p({ ...withCircuits(), services: { directPaths: directPaths({ checkTimeout: 500 }), identify: identify(), ping: ping() } })
    const b = await createLibp2p({ ...withCircuits(), services: { identify: identify(), ping: ping() } })
    nodes.push(relay, a, b)
    await b.dial(relay.getMultiaddrs())
    await waitFor(() => b.getMultiaddrs().some(ma => ma.toString().includes('/p2p-circuit')), 10_000)
    const relayed = await a.dial(multiaddr(`${relay.getMultiaddrs()[0]!.toString()}/p2p-circuit/p2p/${b.peerId.toString()}`))
    expect(relayed.limits).toBeDefined()

    const seen = events(a)
    await a.dial(b.getMultiaddrs().filter(ma => !ma.toString().includes('/p2p-circuit')))
    await waitFor(() => seen.change.length === 1)
    await waitFor(() => relayed.status === 'closed')
    expect(a.getConnections(b.peerId).every(c => c.limits == null)).toBe(true)
    expect(connectionKind(a, b.peerId)).toBe('direct')
  })
})
