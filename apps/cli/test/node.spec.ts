import { createServer } from 'node:net'
import { multiaddr } from '@multiformats/multiaddr'
import { KAD_DHT_PROTOCOL } from '@p2p-chat/shared'
import { waitFor } from '@p2p-chat/shared/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { formatReservations, formatStatus, reservedRelays } from '../src/status.js'
import { startBareRelay, startCliNode } from './helpers.js'
import type { TestNode } from './helpers.js'
import type { Multiaddr } from '@multiformats/multiaddr'

const HOP = '/libp2p/circuit/relay/0.2.0/hop'
const has = (proto: string) => (ma: Multiaddr): boolean => ma.getComponents().some(c => c.name === proto)
/** A plain TCP address (not WebSockets over TCP). */
const isPlainTcp = (ma: Multiaddr): boolean => has('tcp')(ma) && !has('ws')(ma)

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
    for (const pick of [isPlainTcp, has('quic-v1'), has('ws')]) {
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
    // what the terminal prints as the reservation comes, and as it goes
    const short = relay.node.peerId.toString().slice(-6)
    expect(formatReservations([], reservedRelays(peer.node))).toEqual([`* reserved a slot on relay …${short}: peers can reach you through it`])
    expect(formatReservations(reservedRelays(peer.node), reservedRelays(peer.node))).toEqual([])
    expect(formatReservations(reservedRelays(peer.node), [])).toEqual([`* the reservation on relay …${short} ended`])
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

  it('asks a connected AutoNAT server without running identify again on the connection', async () => {
    const a = await start()
    const b = await start()
    const connection = await a.node.dial(b.node.getMultiaddrs()[0]!)
    // identify's own exchange on the new connection has started; count the identify streams a opens after it
    const identifies: string[] = []
    const newStream = connection.newStream.bind(connection)
    connection.newStream = async (protocols, options) => {
      if ([protocols].flat().includes('/ipfs/id/1.0.0')) {
        identifies.push(new Date().toISOString())
      }
      return newStream(protocols, options)
    }
    // b is an AutoNAT server: a asks it 0.5 s after identify, and again when its own addresses change
    await new Promise(resolve => setTimeout(resolve, 3_000))
    // the check takes the address b sees a at from identify's exchange on the connection; it ran identify again,
    // which made the registrar announce b again, so the check started over 0.5 s later: an identify every 0.5 s
    expect(identifies).toEqual([])
  })

  it('stays a DHT client with a public relay\'s /p2p-circuit/webrtc address, and serves once reachability says public', async () => {
    const { node } = await start()
    const relay = (await start()).node.peerId
    // what a NATed peer holds once it reserved on a public relay (kad-dht's own switch took it for public)
    await node.peerStore.merge(node.peerId, {
      multiaddrs: [multiaddr(`/ip4/11.0.0.1/tcp/4001/p2p/${relay}/p2p-circuit/webrtc/p2p/${node.peerId}`)]
    })
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(node.services.dht.getMode()).toBe('client')
    node.services.reachability.dispatchEvent(new CustomEvent('change', { detail: { reachability: 'public', reason: 'verified' } }))
    await waitFor(() => node.services.dht.getMode() === 'server', 5_000, 'DHT server mode')
    node.services.reachability.dispatchEvent(new CustomEvent('change', { detail: { reachability: 'private', reason: 'not dialled back' } }))
    await waitFor(() => node.services.dht.getMode() === 'client', 5_000, 'DHT client mode')
  })

  it('a forced dial (DCUtR\'s direct one) is not held up by a dial to the same peer still under way', async () => {
    const target = await start()
    const client = await start()
    // a TCP port that accepts and never answers: a dial to it hangs in the handshake, as a WebRTC dial through a
    // relay hangs while ICE fails
    const silent = createServer(() => {})
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve))
    try {
      const port = (silent.address() as { port: number }).port
      const stalled = new AbortController()
      let pendingSettled = false
      const pending = client.node.dial(multiaddr(`/ip4/127.0.0.1/tcp/${port}/p2p/${target.node.peerId}`), { signal: stalled.signal })
        .finally(() => { pendingSettled = true })
      pending.catch(() => {})
      const tcp = target.node.getMultiaddrs().find(isPlainTcp)!
      const connection = await client.node.dial(tcp, { force: true })
      expect(connection.remotePeer.equals(target.node.peerId)).toBe(true)
      expect(tcp.toString()).toContain(connection.remoteAddr.toString().split('/p2p/')[0])
      expect(pendingSettled).toBe(false)
      stalled.abort()
      await expect(pending).rejects.toThrow()
    } finally {
      silent.close()
    }
  })

  it('takes its reservation on a relay when the connection its request went over closes under it', async () => {
    // as a terminal peer's AutoNAT server closes the connection it dialled back to a relay that asked, which the
    // reservation request may have been opened on: the relay refused nothing, and the peer has another connection
    let closedOne = false
    const relay = await startBareRelay({
      reservations: {
        allowReservation: (peer, addr) => {
          if (closedOne) {
            return true
          }
          closedOne = true
          relay.getConnections(peer).find(c => c.remoteAddr.equals(addr))?.abort(new Error('closed under the request'))
          return false
        }
      }
    })
    try {
      const peer = await start()
      const [first] = relay.getMultiaddrs()
      await peer.node.dial(first!)
      await peer.node.dial(first!, { force: true })
      await waitFor(() => reservedRelays(peer.node).includes(relay.peerId.toString()), 10_000, 'a reservation on the relay')
      expect(closedOne).toBe(true)
      expect(relay.services.relay.reservations.has(peer.node.peerId)).toBe(true)
    } finally {
      await relay.stop()
    }
  })

  it('takes a burst of relayed connections at once, though all come from the relay\'s address (members upgrading to a newcomer)', async () => {
    const relay = await start({ relayServer: true })
    const newcomer = await start()
    const relayTcp = relay.node.getMultiaddrs().find(isPlainTcp)!
    await newcomer.node.dial(relayTcp)
    await waitFor(() => reservedRelays(newcomer.node).includes(relay.node.peerId.toString()), 10_000, 'a reservation on the relay')
    const members = await Promise.all(Array.from({ length: 12 }, async () => start()))
    for (const member of members) {
      await member.node.dial(relayTcp)
    }
    const circuit = relayTcp.encapsulate(`/p2p-circuit/p2p/${newcomer.node.peerId}`)
    // a connection the newcomer refuses fails its dial: libp2p's default (5 a second from one address) let 5 of
    // these in and refused 7
    const dials = await Promise.allSettled(members.map(async m => m.node.dial(circuit, { signal: AbortSignal.timeout(10_000) })))
    expect(dials.filter(d => d.status === 'rejected').map(d => String(d.reason))).toEqual([])
  })
})
