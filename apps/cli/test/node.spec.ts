import { KAD_DHT_PROTOCOL } from '@p2p-chat/shared'
import { waitFor } from '@p2p-chat/shared/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { formatStatus, reservedRelays } from '../src/status.js'
import { startCliNode } from './helpers.js'
import type { TestNode } from './helpers.js'
import type { Multiaddr } from '@multiformats/multiaddr'

const HOP = '/libp2p/circuit/relay/0.2.0/hop'
const has = (proto: string) => (ma: Multiaddr): boolean => ma.getComponents().some(c => c.name === proto)

describe('terminal peer node (loopback)', () => {
  const started: TestNode[] = []
  const start = async (...args: Parameters<typeof startCliNode>): Promise<TestNode> => {
    const node = await startCliNode(...args)
    started.push(node)
    return node
  }
  afterEach(async () => {
    await Promise.all(started.splice(0).map(async n => n.cleanup()))
  })

  it('listens on TCP and QUIC and dials TCP, QUIC and WebSockets', async () => {
    const server = await start({ listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/udp/0/quic-v1', '/ip4/127.0.0.1/tcp/0/ws'] })
    const client = await start()
    const addrs = server.node.getMultiaddrs()
    expect(client.node.getMultiaddrs().some(has('quic-v1'))).toBe(true)
    for (const pick of [(ma: Multiaddr) => has('tcp')(ma) && !has('ws')(ma), has('quic-v1'), has('ws')]) {
      const connection = await client.node.dial(addrs.find(pick)!, { force: true })
      expect(pick(connection.remoteAddr), connection.remoteAddr.toString()).toBe(true)
      await connection.close()
    }
  })

  it('with relayServer, is a relay: a peer that connects sees the hop protocol and reserves a slot on it', async () => {
    const relay = await start({ relayServer: true })
    const plain = await start()
    const peer = await start()
    await peer.node.dial(plain.node.getMultiaddrs()[0]!)
    await peer.node.dial(relay.node.getMultiaddrs()[0]!)
    await waitFor(() => reservedRelays(peer.node).includes(relay.node.peerId.toString()), 10_000, 'a reservation on the relay')
    expect((await peer.node.peerStore.get(relay.node.peerId)).protocols).toContain(HOP)
    expect((await peer.node.peerStore.get(plain.node.peerId)).protocols).not.toContain(HOP)
    expect(reservedRelays(peer.node)).not.toContain(plain.node.peerId.toString())
    expect(relay.node.services.relay?.reservations.has(peer.node.peerId)).toBe(true)
    expect(formatStatus(peer.node)).toContain(`relays reserved on: …${relay.node.peerId.toString().slice(-6)}`)
  })

  it('runs the P2P Chat DHT as `dht`, a client until an address is verified public; reachability unknown on loopback', async () => {
    const a = await start()
    const b = await start()
    await a.node.dial(b.node.getMultiaddrs()[0]!)
    expect(a.node.services.dht.getMode()).toBe('client')
    await waitFor(async () => (await a.node.peerStore.get(b.node.peerId)).protocols.includes('/libp2p/autonat/1.0.0'), 5_000, 'identify')
    expect((await a.node.peerStore.get(b.node.peerId)).protocols).not.toContain(KAD_DHT_PROTOCOL)
    expect(a.node.services.reachability.status.reachability).toBe('unknown')
    const status = formatStatus(a.node)
    expect(status).toContain('* reachability: unknown')
    expect(status).toContain('* DHT: client')
    expect(status).toMatch(/\* connections: 1 direct, 0 relayed/)
  })
})
