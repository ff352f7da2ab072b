import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { connect } from 'node:net'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createMessageId, createRoomId, createRoomSecret, decodeRoomMessage, derivePrivateRoom, encodeChat, encodeDeparture, encodePresence, parseRelayInfo, privateTopicIdFromTopic, readEnvelopeHeader, RELAY_INFO_ELEMENT_ID, roomTopic, sealRoomData } from '@p2p-chat/shared'
import { waitFor } from '@p2p-chat/shared/testing'
import { freePorts } from '@p2p-chat/shared/testing/ports'
import { describe, expect, it } from 'vitest'
import { createRelay } from '../src/index.js'
import { tcpAddr, useTestResources } from './helpers.js'
import type { TestClient } from './helpers.js'
import type { StreamMiddleware } from '@libp2p/interface'


const { relay, client } = useTestResources()

function portOf (addr: string): number {
  return Number(multiaddr(addr).getComponents().find(c => c.name === 'tcp' || c.name === 'udp')!.value)
}

describe('relay', () => {
  it('tells browsers how to reach it at GET /api/relay', async () => {
    const { relay: r } = await relay()
    const response = await fetch(new URL('/api/relay', r.url))
    expect(response.status).toBe(200)
    const body = await response.json() as { peerId: string, multiaddrs: string[], iceServers: string[] }
    expect(body.peerId).toBe(r.node.peerId.toString())
    expect(body.multiaddrs.some(a => a.includes('/ws/p2p/'))).toBe(true)
    expect(body.multiaddrs.some(a => a.includes('/webrtc-direct/certhash/'))).toBe(true)
    expect(body.multiaddrs.some(a => /\/tcp\/\d+\/p2p\//.test(a))).toBe(true)
    expect(body.multiaddrs.some(a => /\/udp\/\d+\/quic-v1\/p2p\//.test(a))).toBe(true)
    expect(body.iceServers).toEqual([])
  })

  it('listens on an IPv6 address: /api/relay gives /ip6/ multiaddrs, and a peer connects over them', async () => {
    const { relay: r } = await relay({ host: '::1' })
    expect(new URL(r.url).hostname).toBe('[::1]')
    const { multiaddrs } = await (await fetch(new URL('/api/relay', r.url))).json() as { multiaddrs: string[] }
    for (const kind of [/\/tcp\/\d+\/p2p\//, /\/tcp\/\d+\/ws\/p2p\//, /\/udp\/\d+\/webrtc-direct\//, /\/udp\/\d+\/quic-v1\/p2p\//]) {
      expect(multiaddrs.filter(a => kind.test(a)), String(kind)).toEqual([expect.stringMatching(/^\/ip6\/::1\//)])
    }
    const c = await client()
    const connection = await c.dial(multiaddr(multiaddrs.find(a => /\/tcp\/\d+\/p2p\//.test(a))!))
    expect(connection.remoteAddr.toString()).toMatch(/^\/ip6\/::1\/tcp\//)
    await waitFor(() => r.health().connections === 1)
    expect((await fetch(new URL('/healthz', r.url))).status).toBe(200)
    await c.hangUp(connection.remotePeer)
    await waitFor(() => r.health().connections === 0)
  })

  it('keeps its peer id and addresses across restarts', async () => {
    // ports from below the ephemeral range: one from port 0 can be handed to another test's socket while stopped
    const [tcpPort, wsPort, quicPort] = await freePorts(3) as [number, number, number]
    const first = await relay({ tcpPort, wsPort, quicPort })
    const info = first.relay.info()
    await first.relay.stop()
    // WebRTC-direct on a new port: a stopped WebRTC-direct listener (node-datachannel's UDP mux) keeps its port
    // until the process exits (see patches/@libp2p__webrtc*), so this in-process restart could not rebind it (a
    // real restart is a new process). Its certhash, from the keychain, is what must survive.
    const again = await createRelay({ ...first.options, tcpPort, wsPort, webrtcDirectPort: 0, quicPort })
    await again.start()
    try {
      expect(again.node.peerId.toString()).toBe(info.peerId)
      const anyWebrtcPort = (addrs: string[]): string[] => addrs.map(a => a.replace(/\/udp\/\d+\/webrtc-direct\//, '/udp/*/webrtc-direct/')).sort()
      expect(anyWebrtcPort(again.info().multiaddrs)).toEqual(anyWebrtcPort(info.multiaddrs))
    } finally {
      await again.stop()
    }
  })

  it('serves the web app: files, the app for room links, immutable assets, no path escape', async () => {
    const { relay: r } = await relay()
    const home = await fetch(r.url)
    expect(await home.text()).toContain('<title>P2P Chat</title>')
    const room = await fetch(new URL(`/r/${createRoomId()}`, r.url))
    expect(room.status).toBe(200)
    const page = await room.text()
    expect(page).toContain('<title>P2P Chat</title>')
    // the page carries /api/relay's answer, so it can dial at once
    const inline = new RegExp(`<script type="application/json" id="${RELAY_INFO_ELEMENT_ID}">(.*?)</script>`).exec(page)
    expect(parseRelayInfo(JSON.parse(inline![1]!))).toEqual(await (await fetch(new URL('/api/relay', r.url))).json())
    const asset = await fetch(new URL('/assets/app-123.js', r.url))
    expect(asset.headers.get('cache-control')).toContain('immutable')
    expect(asset.headers.get('content-type')).toContain('javascript')
    const escape = await fetch(new URL('/%2e%2e/%2e%2e/package.json', r.url))
    expect(await escape.text()).not.toContain('"name"')
    expect((await fetch(r.url, { method: 'POST' })).status).toBe(405)
    // compressed for clients that accept it (fetch decodes it again)
    const br = await fetch(new URL('/assets/app-123.js', r.url), { headers: { 'accept-encoding': 'br' } })
    expect(br.headers.get('content-encoding')).toBe('br')
    expect(await br.text()).toBe('console.log(1)')
    const plain = await fetch(new URL('/assets/app-123.js', r.url), { headers: { 'accept-encoding': 'identity' } })
    expect(plain.headers.get('content-encoding')).toBeNull()
  })

  it('survives garbage on every port and dropped handshakes, and keeps serving peers', async () => {
    const { relay: r } = await relay()
    const ports = r.info().multiaddrs.filter(a => a.includes('/tcp/')).map(portOf)
    ports.push(Number(new URL(r.url).port))
    for (const port of ports) {
      for (const payload of [randomBytes(4096), Buffer.from('/multistream/1.0.0\n'), Buffer.from('\x13/multistream/1.0.0\n\x10/noise\n')]) {
        await new Promise<void>(resolve => {
          const socket = connect(port, '127.0.0.1', () => { socket.end(payload) })
          socket.on('error', () => { resolve() })
          socket.on('close', () => { resolve() })
          setTimeout(() => { socket.destroy(); resolve() }, 500)
        })
      }
    }
    const udp = createSocket('udp4')
    const udpPort = portOf(r.info().multiaddrs.find(a => a.includes('webrtc-direct'))!)
    await new Promise<void>(resolve => udp.send(randomBytes(1200), udpPort, '127.0.0.1', () => { resolve() }))
    udp.close()

    const c = await client()
    const connection = await c.dial(multiaddr(tcpAddr(r)))
    expect(connection.status).toBe('open')
    expect(await c.services.ping.ping(r.node.peerId)).toBeGreaterThanOrEqual(0)
    expect((await fetch(new URL('/api/relay', r.url))).status).toBe(200)
  })

  it('joins the rooms its peers join and carries messages between peers that are not connected', async () => {
    const { relay: r } = await relay()
    const aKey = await generateKeyPair('Ed25519')
    const [a, b] = [await client(aKey), await client()]
    const topic = roomTopic(createRoomId())
    for (const c of [a, b]) {
      c.services.pubsub.subscribe(topic)
      await c.dial(multiaddr(tcpAddr(r)))
    }
    await waitFor(() => r.rooms().includes(topic))
    await waitFor(() => a.services.pubsub.getSubscribers(topic).length > 0 && b.services.pubsub.getSubscribers(topic).length > 0)
    expect(a.getConnections(b.peerId)).toHaveLength(0)

    const received: Uint8Array[] = []
    b.services.pubsub.addEventListener('message', evt => { if (evt.detail.topic === topic) received.push(evt.detail.data) })
    const good = await encodeChat({ id: createMessageId(), name: 'a', text: 'through the relay', timestamp: Date.now() }, topic, aKey)
    await a.services.pubsub.publish(topic, Uint8Array.from([1, 2, 3]))
    await a.services.pubsub.publish(topic, good)
    await waitFor(() => received.length > 0)
    // the malformed message was refused by the relay's validator (which penalised its sender); only the good one arrived
    await waitFor(() => r.node.services.pubsub.getScore(a.peerId.toString()) < 0)
    expect(received.map(d => Buffer.from(d).toString('hex'))).toEqual([Buffer.from(good).toString('hex')])
  })

  it('opens no gossipsub stream of its own to a peer in no room, and one as soon as the peer joins a room', async () => {
    const { relay: r } = await relay()
    const c = await client()
    await c.dial(multiaddr(tcpAddr(r)))
    const meshsub = (direction: 'inbound' | 'outbound'): number => r.node.getConnections(c.peerId)
      .flatMap(conn => conn.streams).filter(s => s.protocol?.startsWith('/meshsub/') === true && s.direction === direction && s.status === 'open').length
    // the peer's own gossipsub stream to the relay
    await waitFor(() => meshsub('inbound') === 1)
    // stock gossipsub would open the relay's stream back at once
    await new Promise(resolve => setTimeout(resolve, 500))
    expect(meshsub('outbound')).toBe(0)

    const topic = roomTopic(createRoomId())
    c.services.pubsub.subscribe(topic)
    await waitFor(() => meshsub('outbound') === 1)
    // the relay follows the room and tells the peer so over its new stream
    await waitFor(() => c.services.pubsub.getSubscribers(topic).some(p => p.equals(r.node.peerId)))
  })

  it('tells a peer of the rooms it follows only if the peer is in them, whenever the peer joins', async () => {
    const { relay: r } = await relay()
    const [a, b, c] = [await client(), await client(), await client()]
    const [roomA, roomB, roomC, later] = [roomTopic(createRoomId()), roomTopic(createRoomId()), roomTopic(createRoomId()), roomTopic(createRoomId())]
    const seesRelay = (peer: TestClient, topic: string): boolean => peer.services.pubsub.getSubscribers(topic).some(p => p.equals(r.node.peerId))
    for (const [peer, topic] of [[a, roomA], [b, roomB], [c, roomC]] as const) {
      peer.services.pubsub.subscribe(topic)
      await peer.dial(multiaddr(tcpAddr(r)))
      await waitFor(() => seesRelay(peer, topic))
    }
    // a joins another room: the relay's answer comes on the stream that would have carried room B's and C's
    a.services.pubsub.subscribe(later)
    await waitFor(() => seesRelay(a, later))
    expect(seesRelay(a, roomB) || seesRelay(a, roomC)).toBe(false)
    expect(seesRelay(b, roomA) || seesRelay(c, roomA)).toBe(false)

    // c joins a room the relay follows already: it is told at once
    c.services.pubsub.subscribe(roomA)
    await waitFor(() => seesRelay(c, roomA))
  })

  it('opens its gossipsub stream to a peer again when the first one failed, so the peer still hears of its room', async () => {
    const { relay: r } = await relay()
    const c = await client()
    const topic = roomTopic(createRoomId())
    // the relay's first outbound gossipsub stream fails as it opens (as one whose negotiation timed out on a
    // busy peer does): without another try, the peer would never hear that the relay follows its room
    let failed = 0
    const failFirst: StreamMiddleware = (stream, connection, next) => {
      if (stream.direction === 'outbound' && failed === 0) {
        failed++
        throw new Error('the first outbound gossipsub stream fails')
      }
      next(stream, connection)
    }
    for (const protocol of r.node.services.pubsub.protocols) r.node.use(protocol, failFirst)
    c.services.pubsub.subscribe(topic)
    await c.dial(multiaddr(tcpAddr(r)))
    await waitFor(() => c.services.pubsub.getSubscribers(topic).some(p => p.equals(r.node.peerId)))
    expect(failed).toBe(1)
  })

  it('penalises the gossipsub score of a peer that sends invalid room messages, and no one else', async () => {
    const { relay: r } = await relay()
    const goodKey = await generateKeyPair('Ed25519')
    const [bad, good] = [await client(), await client(goodKey)]
    const topic = roomTopic(createRoomId())
    for (const c of [bad, good]) {
      c.services.pubsub.subscribe(topic)
      await c.dial(multiaddr(tcpAddr(r)))
    }
    await waitFor(() => r.rooms().includes(topic) && bad.services.pubsub.getSubscribers(topic).length > 0)
    for (let i = 0; i < 3; i++) {
      await bad.services.pubsub.publish(topic, Uint8Array.from([i, 2, 3]))
    }
    await good.services.pubsub.publish(topic, await encodeChat({ id: createMessageId(), name: 'good', text: 'hello', timestamp: Date.now() }, topic, goodKey))
    const score = (peer: TestClient): number => r.node.services.pubsub.getScore(peer.peerId.toString())
    await waitFor(() => score(bad) <= -30)
    expect(score(good)).toBeGreaterThanOrEqual(0)
  })

  it('tells a room that a peer left it, after which of its messages, when the peer unsubscribes or disconnects, public or private; nobody else may say so', async () => {
    const { relay: r } = await relay()
    const cKey = await generateKeyPair('Ed25519')
    const [a, b, c] = [await client(), await client(), await client(cKey)]
    const topic = roomTopic(createRoomId())
    const privateRoom = await derivePrivateRoom(createRoomId(), createRoomSecret())
    const { topic: privateTopic } = privateRoom
    for (const peer of [a, b, c]) {
      peer.services.pubsub.subscribe(topic)
      peer.services.pubsub.subscribe(privateTopic)
      await peer.dial(multiaddr(tcpAddr(r)))
    }
    await waitFor(() => [topic, privateTopic].every(t => r.node.services.pubsub.getSubscribers(t).length === 3))
    /** the departures b hears: "<topic> <who left> by <publisher> after <seqno>" */
    const departures: string[] = []
    /** the seqno of c's last message b heard, by topic */
    const lastOfC = new Map<string, bigint>()
    b.services.pubsub.addEventListener('message', evt => {
      const { topic: on, data } = evt.detail
      if (evt.detail.type !== 'signed' || (on !== topic && on !== privateTopic)) return
      if (evt.detail.from.equals(c.peerId)) lastOfC.set(on, evt.detail.sequenceNumber)
      const by = evt.detail.from.equals(r.node.peerId) ? 'the relay' : evt.detail.from.toString()
      const names = new Map([[a.peerId.toString(), 'a'], [b.peerId.toString(), 'b'], [c.peerId.toString(), 'c']])
      const name = (peer: string): string => names.get(peer) ?? peer
      if (privateTopicIdFromTopic(on) != null) {
        const { departed, departedAfter } = readEnvelopeHeader(data)
        if (departed != null) departures.push(`private ${name(departed)} by ${by} after ${departedAfter ?? 'none'}`)
        return
      }
      void decodeRoomMessage(data, on).then(event => {
        if (event.type === 'departure') departures.push(`public ${name(event.peer)} by ${by} after ${event.after ?? 'none'}`)
      }, () => {})
    })
    // c says something in both rooms (its second public line is its last), a in neither, once it knows the relay is in them
    await waitFor(() => [topic, privateTopic].every(t => c.services.pubsub.getSubscribers(t).some(p => p.equals(r.node.peerId))), 5_000, 'the relay in c\'s rooms')
    for (const text of ['one', 'two']) {
      await c.services.pubsub.publish(topic, await encodeChat({ id: createMessageId(), name: 'c', text, timestamp: Date.now() }, topic, cKey))
    }
    await c.services.pubsub.publish(privateTopic, await sealRoomData(privateRoom, encodePresence({ name: 'c', multiaddrs: [], hello: true }), { ephemeral: true }))
    await waitFor(() => lastOfC.size === 2, 5_000, 'c\'s messages')

    // a says c left: the relay passes on no departure but its own
    await a.services.pubsub.publish(topic, encodeDeparture(c.peerId.toString()))
    // a leaves the public room, and stays in the private one
    a.services.pubsub.unsubscribe(topic)
    await waitFor(() => departures.length === 1, 5_000, 'a\'s departure')
    // c's page is gone: it was in both rooms
    await c.hangUp(r.node.peerId)
    await waitFor(() => departures.length === 3, 5_000, 'c\'s departures')
    expect(departures.sort()).toEqual([
      `private c by the relay after ${lastOfC.get(privateTopic)}`,
      'public a by the relay after none',
      `public c by the relay after ${lastOfC.get(topic)}`
    ])
  })

  it('leaves a room once no connected peer is in it', async () => {
    const { relay: r } = await relay()
    const c = await client()
    const topic = roomTopic(createRoomId())
    c.services.pubsub.subscribe(topic)
    await c.dial(multiaddr(tcpAddr(r)))
    await waitFor(() => r.rooms().includes(topic))
    await c.hangUp(r.node.peerId)
    await waitFor(() => r.node.services.pubsub.getSubscribers(topic).length === 0)
    r.sweepRooms()
    expect(r.rooms()).not.toContain(topic)
  })
})
