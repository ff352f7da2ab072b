import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { PING_PROTOCOL, ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { byteStream } from '@libp2p/utils'
import { webRTC } from '@libp2p/webrtc'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { connectionKind, directPaths } from '../src/chat/direct-paths.js'
import { waitFor } from '../src/testing/index.js'
import { isWebRTCAddr } from '../src/util/multiaddrs.js'
import { loopbackOptions } from './helpers.js'
import type { DirectPaths } from '../src/chat/direct-paths.js'
import type { Identify } from '@libp2p/identify'
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Libp2pOptions } from 'libp2p'

/** identify's protocol id (`@libp2p/identify` does not export it) */
const IDENTIFY_PROTOCOL = '/ipfs/id/1.0.0'

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

  it('counts a connection opened by a Noise handshake from its opening, before anything runs on it, and no longer once it closed', async () => {
    const a = await checker()
    const b = await createLibp2p({ ...loopbackOptions(), services: { identify: identify() } })
    nodes.push(b)
    const seen = events(a)
    // what a room reads when the connection is reported: its first word about the peer (mDNS on a LAN)
    const atOpen: string[] = []
    a.addEventListener('connection:open', evt => { atOpen.push(connectionKind(a, evt.detail.remotePeer)) })
    expect(connectionKind(a, b.peerId)).toBe('relayed')
    await a.dial(b.getMultiaddrs())
    expect(atOpen).toEqual(['direct'])
    expect(seen.change.map(String)).toEqual([b.peerId.toString()])

    await a.hangUp(b.peerId)
    await waitFor(() => seen.change.length === 2)
    expect(connectionKind(a, b.peerId)).toBe('relayed')
    expect(seen.unproven).toEqual([])
  })

  it('checked again, keeps a proven connection that still answers and closes one that no longer does, without calling it an upgrade that failed', async () => {
    // what a room does on a member's hello: the member may be a new node under the same peer id (its page reloaded)
    const a = await checker()
    const b = await createLibp2p({ ...loopbackOptions(), services: { identify: identify(), ping: ping() } })
    nodes.push(b)
    const seen = events(a)
    await a.dial(b.getMultiaddrs())
    expect(connectionKind(a, b.peerId)).toBe('direct')

    // it answers (as libp2p's ping does, counted): kept, twice the check timeout after the check's ping came
    let pings = 0
    await b.unhandle(PING_PROTOCOL)
    await b.handle(PING_PROTOCOL, async stream => {
      pings++
      const bytes = byteStream(stream)
      await bytes.write(await bytes.read({ bytes: 32 }))
      await stream.close()
    })
    a.services.directPaths.recheck(b.peerId)
    await waitFor(() => pings === 1, 5_000, 'the check\'s ping')
    await new Promise(resolve => setTimeout(resolve, 1_000))
    expect(connectionKind(a, b.peerId)).toBe('direct')
    expect(seen.change).toHaveLength(1)

    // it takes the ping and never answers, as a connection to a page that is gone: closed
    await b.unhandle(PING_PROTOCOL)
    await b.handle(PING_PROTOCOL, () => { pings++ })
    a.services.directPaths.recheck(b.peerId)
    await waitFor(() => connectionKind(a, b.peerId) === 'relayed', 5_000, 'the silent connection closed')
    expect(pings).toBe(2)
    expect(a.getConnections(b.peerId)).toEqual([])
    expect(seen.change).toHaveLength(2)
    expect(seen.unproven).toEqual([])
  })

  it('checked again for a peer that disowns it, closes a connection older than twice the check timeout at once, and checks a younger one by a round trip', async () => {
    // a hello that does not name this node: the peer's node is new (a page reloaded), unless the connection is so
    // young that the peer may not have proven it yet when it said hello
    const a = await checker()
    const b = await createLibp2p({ ...loopbackOptions(), services: { identify: identify() } })
    nodes.push(b)
    const seen = events(a)
    let pings = 0
    await b.handle(PING_PROTOCOL, async stream => {
      pings++
      const bytes = byteStream(stream)
      await bytes.write(await bytes.read({ bytes: 32 }))
      await stream.close()
    })
    const connection = await a.dial(b.getMultiaddrs())
    a.services.directPaths.recheck(b.peerId, { disowned: true })
    await waitFor(() => pings === 1, 5_000, 'the young connection\'s round trip')
    expect(connection.status).toBe('open')

    await new Promise(resolve => setTimeout(resolve, 1_100))
    a.services.directPaths.recheck(b.peerId, { disowned: true })
    await waitFor(() => connection.status !== 'open', 5_000, 'the old connection closed')
    // closed although it would have answered: no round trip was tried
    expect(pings).toBe(1)
    expect(connectionKind(a, b.peerId)).toBe('relayed')
    expect(seen.unproven).toEqual([])
  })

  describe('a WebRTC connection (no handshake of libp2p\'s own), signalled through a relay', () => {
    /** A checker reachable at its `/p2p-circuit/webrtc` address through a relay; resolves with that address. */
    async function webrtcChecker (checkTimeout = 500, connectionMonitor = true): Promise<{ checker: Libp2p<{ directPaths: DirectPaths }>, addr: Multiaddr }> {
      const relay = await createLibp2p({ ...loopbackOptions(), services: { identify: identify(), relay: circuitRelayServer() } })
      nodes.push(relay)
      const node = await createLibp2p({
        ...webrtcOptions(),
        connectionMonitor: { enabled: connectionMonitor },
        addresses: { listen: ['/p2p-circuit', '/webrtc'] },
        services: { directPaths: directPaths({ checkTimeout }), identify: identify(), ping: ping() }
      })
      nodes.push(node)
      await node.dial(relay.getMultiaddrs())
      const addr = await waitFor(() => node.getMultiaddrs().find(ma => isWebRTCAddr(ma)), 10_000, 'a reservation')
      return { checker: node, addr }
    }

    /**
     * A peer that dials WebRTC through the relay and listens on nothing. Without `answersIdentify` it runs
     * identify (the relay transport needs it) but does not answer it, as a client of someone else's might not.
     */
    async function dialler (answersIdentify: boolean): Promise<Libp2p<{ identify: Identify }>> {
      const node = await createLibp2p({ ...webrtcOptions(), services: { identify: identify() } })
      nodes.push(node)
      if (!answersIdentify) {
        await node.unhandle(IDENTIFY_PROTOCOL)
      }
      return node
    }

    function webrtcOptions (): Omit<Libp2pOptions, 'services'> {
      return {
        transports: [tcp(), circuitRelayTransport(), webRTC({ rtcConfiguration: { iceServers: [] } })],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        connectionGater: { denyDialMultiaddr: () => false }
      }
    }

    it('counts it once identify\'s exchange crossed it, not before', async () => {
      const { checker, addr } = await webrtcChecker()
      const peer = await dialler(true)
      const seen = events(checker)
      const atOpen: string[] = []
      checker.addEventListener('connection:open', evt => {
        if (evt.detail.remotePeer.equals(peer.peerId) && evt.detail.direct) {
          atOpen.push(connectionKind(checker, peer.peerId))
        }
      })
      const connection = await peer.dial(addr)
      expect(connection.direct).toBe(true)
      await waitFor(() => seen.change.length === 1, 10_000)
      expect(atOpen).toEqual(['relayed'])
      expect(connectionKind(checker, peer.peerId)).toBe('direct')
    })

    it('closes one on which nothing comes back, and never counts it', async () => {
      const { checker, addr } = await webrtcChecker()
      // identify unanswered, and a ping stream taken and never echoed: a connection that carries nothing back
      const silent = await dialler(false)
      await silent.handle(PING_PROTOCOL, () => {})
      const seen = events(checker)
      await silent.dial(addr)
      await waitFor(() => seen.unproven.length === 1, 10_000)
      expect(seen.unproven[0]!.equals(silent.peerId)).toBe(true)
      await waitFor(() => checker.getConnections(silent.peerId).every(c => !c.direct))
      expect(connectionKind(checker, silent.peerId)).toBe('relayed')
      expect(seen.change).toEqual([])
    })

    it('closes a direct twin nothing has crossed as soon as another direct connection to the peer carries data', async () => {
      // each connection is pinged 5 s after it opened, and closed 5 s later if no echo came; libp2p's connection
      // monitor is off, so that only this service can close the first one
      const { checker, addr } = await webrtcChecker(5_000, false)
      // identify unanswered on both connections; pings echoed on the second only: nothing ever crosses the first
      const peer = await dialler(false)
      const silentOn: Connection[] = []
      await peer.handle(PING_PROTOCOL, async (stream, connection) => {
        if (silentOn.includes(connection)) {
          return
        }
        const bytes = byteStream(stream)
        await bytes.write(await bytes.read({ bytes: 32 }))
        await stream.close()
      })
      const seen = events(checker)
      silentOn.push(await peer.dial(addr))
      const twin = await waitFor(() => checker.getConnections(peer.peerId).find(c => c.direct), 10_000, 'the first WebRTC connection')
      // the peer dials again beside the first, as a dialler that gave up on it would
      await peer.dial(addr, { force: true })
      await waitFor(() => seen.change.length === 1, 15_000, 'the second connection proven')
      expect(connectionKind(checker, peer.peerId)).toBe('direct')
      await waitFor(() => twin.status !== 'open', 5_000, 'the twin closed')
      const open = checker.getConnections(peer.peerId).filter(c => c.direct && c.status === 'open')
      expect(open).toHaveLength(1)
      expect(open[0]).not.toBe(twin)
      // closed for its twin, not by its own check (that would have told the room to upgrade again)
      expect(seen.unproven).toEqual([])
    })

    it('identify unanswered, counts it once a ping stream\'s protocol negotiation crossed it', async () => {
      const { checker, addr } = await webrtcChecker()
      const plain = await dialler(false)
      const seen = events(checker)
      await plain.dial(addr)
      await waitFor(() => seen.change.length === 1, 10_000)
      expect(connectionKind(checker, plain.peerId)).toBe('direct')
    })
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
