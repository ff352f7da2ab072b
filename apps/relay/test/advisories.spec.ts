/**
 * The public js-libp2p advisories that touch the relay's stack, replayed against a real relay by real libp2p peers
 * on loopback. Each test names its advisory, sends the attack, and asserts what an operator would notice: the
 * relay still carries a room message between two honest peers and still grants a reservation, memory stays
 * bounded, nothing crashed. Our pinned versions contain every fix (fixed in → pinned): @libp2p/gossipsub 15.0.23
 * (4f8r), 16.0.0 (cwc9) and 16.0.5 (c3gv) → 17.1.1; @libp2p/kad-dht 16.2.6 → 16.4.5 (32mq); @libp2p/circuit-relay-v2
 * 4.2.9 → 4.2.13 (x787); @libp2p/crypto 5.1.22 → 5.1.23 (rvfr); @libp2p/webrtc's ufrag check (js-libp2p#3584) is in
 * 6.0.33 (x3m2). These tests keep them fixed.
 */
import { createHmac } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { getEventListeners } from 'node:events'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { crc32 } from 'node:zlib'
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { RPC } from '@libp2p/gossipsub/message'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createMessageId, createRoomId, encodeChat, encodePresence, roomTopic } from '@p2p-chat/shared'
import { waitFor } from '@p2p-chat/shared/testing'
import { describe, expect, it } from 'vitest'
import { bigEndian, GOSSIPSUB_PROTOCOLS as GOSSIPSUB, gossipStream, rawPeer, signedMessage } from './attackers.js'
import { LOAD_TEST_TIMEOUT_MS, tcpAddr, useTestResources } from './helpers.js'
import { clientFrom, refusals, reserve, Status } from './limits-helpers.js'
import type { GossipStream, RawPeerInit } from './attackers.js'
import type { TestRelay } from './helpers.js'
import type { DhtClient } from './limits-helpers.js'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface'

const { relay, client, track } = useTestResources()

/** Heap the relay process may keep after an attack and a full GC, beyond what it held before (MiB). */
const HEAP_BOUND_MIB = 32

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Heap in use after a full garbage collection, in MiB. */
function heapAfterGc (): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed / 2 ** 20
}

/** An attacking peer (see {@link rawPeer}), stopped after the test. */
async function attacker (from = '127.0.0.1', init: RawPeerInit = {}): Promise<Libp2p> {
  return track(await rawPeer(from, init))
}

/** Opens a gossipsub stream from `node` to the relay; `send` writes one RPC frame on it. */
async function gossipTo (node: Libp2p, r: TestRelay): Promise<GossipStream> {
  return gossipStream(node, multiaddr(tcpAddr(r.relay)))
}

/** Resolves once the relay has handled `count` subscription RPCs from `peer` (RPCs on one stream are handled in order). */
async function subscriptionRpcs (r: TestRelay, peer: PeerId, count: number): Promise<void> {
  let seen = 0
  const done = new Promise<void>(resolve => {
    const listener = (evt: CustomEvent<{ peerId: PeerId }>): void => {
      if (evt.detail.peerId.equals(peer) && ++seen === count) {
        r.relay.node.services.pubsub.removeEventListener('subscription-change', listener)
        resolve()
      }
    }
    r.relay.node.services.pubsub.addEventListener('subscription-change', listener)
  })
  await done
}

/** A chat line of `topic` signed by `key`. */
async function chatLine (topic: string, key: PrivateKey, text: string): Promise<Uint8Array> {
  return encodeChat({ id: createMessageId(), name: 'honest', text, timestamp: Date.now() }, topic, key)
}

/** Two honest peers that are not connected to each other meet in a new room through the relay; one speaks, the other hears it. */
async function roomStillCarries (r: TestRelay): Promise<void> {
  const key = await generateKeyPair('Ed25519')
  const [a, b] = [await client(key), await client()]
  const topic = roomTopic(createRoomId())
  for (const c of [a, b]) {
    c.services.pubsub.subscribe(topic)
    await c.dial(multiaddr(tcpAddr(r.relay)))
  }
  await waitFor(() => r.relay.rooms().includes(topic))
  await waitFor(() => a.services.pubsub.getSubscribers(topic).length > 0 && b.services.pubsub.getSubscribers(topic).length > 0)
  const heard = new Promise<Uint8Array>(resolve => {
    b.services.pubsub.addEventListener('message', evt => { if (evt.detail.topic === topic) resolve(evt.detail.data) })
  })
  const line = await chatLine(topic, key, 'still carried')
  await a.services.pubsub.publish(topic, line)
  expect(Buffer.from(await heard).equals(line)).toBe(true)
}

/** A fresh peer (from its own loopback address) still gets a circuit-relay reservation. */
async function reservationStillGranted (r: TestRelay, from: string): Promise<void> {
  const c = track(await clientFrom({ from }))
  await c.dial(multiaddr(tcpAddr(r.relay)))
  expect((await reserve(c, r.relay.node.peerId)).status).toBe(Status.OK)
}

async function stillServes (r: TestRelay, from: string): Promise<void> {
  await roomStillCarries(r)
  await reservationStillGranted(r, from)
}

/** Bytes in the relay's data directory (its datastore and history). */
async function dataDirBytes (dir: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      total += (await stat(join(entry.parentPath, entry.name))).size
    }
  }
  return total
}

/**
 * An RSA public key (protobuf: KeyType RSA, then DER) whose SEQUENCE and INTEGER claim 2^31 - 1 bytes in a
 * 13-byte blob: a DER reader that trusts the claimed length loops (and allocates) that many times.
 */
const LYING_RSA_KEY = Uint8Array.from([0x08, 0x00, 0x12, 0x0d, 0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x00])

describe('public advisories replayed against the relay', () => {
  it('GHSA-4f8r-922h-2vgv (gossipsub subscription flood): 200,000 unique topics from one peer leave at most ~1,000 on record, none after it leaves; heap bounded', async () => {
    const r = await relay()
    const heapBefore = heapAfterGc()
    const bad = await attacker('127.0.0.2')
    const { send } = await gossipTo(bad, r)
    const frames = 50
    const perFrame = 4000
    const handled = subscriptionRpcs(r, bad.peerId, frames)
    for (let f = 0; f < frames; f++) {
      const subscriptions = Array.from({ length: perFrame }, (_, i) => ({ subscribe: true, topic: `f${f}-${i}` }))
      // among them, rooms: the relay follows at most --max-rooms-per-peer (32) of them for this peer
      subscriptions.push(...Array.from({ length: 10 }, () => ({ subscribe: true, topic: roomTopic(createRoomId()) })))
      await send({ subscriptions })
    }
    await handled
    const pubsub = r.relay.node.services.pubsub
    const recorded = Array.from({ length: frames * perFrame }, (_, n) => `f${Math.floor(n / perFrame)}-${n % perFrame}`)
      .filter(topic => pubsub.getSubscribers(topic).length > 0).length
    // gossipsub 17 charges each topic its length + 1 KiB against a 1 MiB budget per peer
    expect(recorded).toBeLessThanOrEqual(1024)
    expect(r.relay.rooms().length).toBeLessThanOrEqual(32)
    expect(heapAfterGc() - heapBefore).toBeLessThan(HEAP_BOUND_MIB)

    await bad.stop()
    await waitFor(() => pubsub.getSubscribers('f0-0').length === 0)
    await stillServes(r, '127.0.0.3')
    expect(heapAfterGc() - heapBefore).toBeLessThan(HEAP_BOUND_MIB)
  })

  it('GHSA-cwc9-cp4j-mcvv (gossipsub IHAVE/IWANT flood): an IHAVE of 6,000 ids is dropped whole, unread; three peers streaming IHAVE and IWANT of 5,000 ids each do not stop the room', async () => {
    const r = await relay()
    const heaps: number[] = []
    const topic = roomTopic(createRoomId())
    const hex = (id: Uint8Array): string => Buffer.from(id).toString('hex')
    const random = (n: number): Uint8Array[] => Array.from({ length: n }, () => crypto.getRandomValues(new Uint8Array(20)))
    for (const from of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
      // it speaks gossipsub (through identify), so the relay opens a stream to it and asks for the ids it advertises
      const bad = await attacker(from, { identify: true })
      const asked = new Set<string>()
      let relayStream = false
      await bad.handle(GOSSIPSUB, async (stream) => {
        relayStream = true
        const lp = lpStream(stream, { maxDataLength: 1 << 20 })
        try {
          while (true) {
            const rpc = RPC.decode(await lp.read())
            rpc.control?.iwant.forEach(w => { w.messageIDs.forEach(id => asked.add(hex(id))) })
          }
        } catch (err) {
          stream.abort(err as Error)
        }
      })
      const { send } = await gossipTo(bad, r)
      await send({ subscriptions: [{ subscribe: true, topic }] })
      await waitFor(() => relayStream && r.relay.rooms().includes(topic))
      const handled = subscriptionRpcs(r, bad.peerId, 1)
      const control = (ihave: Uint8Array[], iwant: Uint8Array[]): Partial<RPC> => ({ control: { ihave: [{ topicID: topic, messageIDs: ihave }], iwant: [{ messageIDs: iwant }], graft: [], prune: [], idontwant: [] } })
      // over the decode limit (5,000 ids): gossipsub < 16 read and answered it, now the whole frame is dropped
      const oversized = random(6000)
      await send(control(oversized, []))
      const advertised: Uint8Array[] = []
      for (let f = 0; f < 20; f++) {
        const ids = random(5000)
        advertised.push(...ids)
        await send(control(ids, []))
      }
      // a subscription after the flood: once the relay has handled it, it has handled every frame before it
      await send({ subscriptions: [{ subscribe: true, topic: `${topic}-done` }] })
      await handled
      const valid = new Set(advertised.map(hex))
      await waitFor(() => asked.size > 0)
      expect(oversized.filter(id => asked.has(hex(id)))).toEqual([])
      expect([...asked].every(id => valid.has(id))).toBe(true)
      // gone, with its handler (whose closure would keep this test's own sets of ids in the heap measured below)
      await bad.unhandle(GOSSIPSUB)
      await bad.stop()
      heaps.push(heapAfterGc())
    }
    // what the relay holds once they are gone does not grow with their number (the first one warms up the
    // code paths and buffers every later one reuses)
    expect(heaps[2]! - heaps[0]!).toBeLessThan(HEAP_BOUND_MIB / 2)
    await stillServes(r, '127.0.0.5')
  }, LOAD_TEST_TIMEOUT_MS)

  it('GHSA-32mq-hpph-xfvr (kad-dht PUT_VALUE disk fill): 40 records of 64 KiB under keys with no namespace are not stored; the data dir does not grow by them', async () => {
    const r = await relay()
    const writer: DhtClient = track(await clientFrom({ dht: true, from: '127.0.0.2' }))
    const reader: DhtClient = track(await clientFrom({ dht: true, from: '127.0.0.3' }))
    for (const c of [writer, reader]) {
      await c.dial(multiaddr(tcpAddr(r.relay)))
    }
    const before = await dataDirBytes(r.options.dataDir)
    const value = new Uint8Array(64 * 1024).fill(0xab)
    // keys that split into fewer than three parts on "/": kad-dht < 16.2.6 stored them without any validator
    const keys = Array.from({ length: 40 }, (_, i) => i % 2 === 0 ? Uint8Array.from([0x01, 0x02, i]) : new TextEncoder().encode(`/x${i}`))
    for (const key of keys) {
      // the writer's own put fails (no server took the record); what counts is what the relay kept
      await drain(writer.services.dht.put(key, value, { signal: AbortSignal.timeout(5000) })).catch(() => [])
    }
    // the same writer's PUT_VALUE of a public-key record reaches the relay, which refuses it (counted): so did the others
    const someone = await generateKeyPair('Ed25519')
    await drain(writer.services.dht.put(Uint8Array.from([...new TextEncoder().encode('/pk/'), ...peerIdFromPrivateKey(someone).toMultihash().bytes]), publicKeyToProtobuf(someone.publicKey), { signal: AbortSignal.timeout(5000) })).catch(() => [])
    await waitFor(async () => (await refusals(r, 'dht-record')).counted >= 1)
    for (const key of keys.slice(0, 4)) {
      const events = await drain(reader.services.dht.get(key, { signal: AbortSignal.timeout(5000) })).catch(() => [])
      expect(events.map(e => e.name)).not.toContain('VALUE')
    }
    // 40 × 64 KiB is 2.5 MiB; what the relay wrote meanwhile (peer store, logs) is far less
    expect(await dataDirBytes(r.options.dataDir) - before).toBeLessThan(512 * 1024)
    await stillServes(r, '127.0.0.4')
  })

  it('GHSA-x787-gh7p-hmq7 (circuit relay listener leak): 300 refreshes of one reservation leave one abort listener, not 300', async () => {
    const r = await relay()
    const heapBefore = heapAfterGc()
    const c = track(await clientFrom({ from: '127.0.0.2' }))
    await c.dial(multiaddr(tcpAddr(r.relay)))
    for (let i = 0; i < 300; i++) {
      expect((await reserve(c, r.relay.node.peerId)).status).toBe(Status.OK)
    }
    const reservation = (r.relay.node.services.relay as CircuitRelayService).reservations.get(c.peerId)
    expect(reservation).toBeDefined()
    expect(getEventListeners(reservation!.signal, 'abort').length).toBeLessThanOrEqual(2)
    await stillServes(r, '127.0.0.3')
    expect(heapAfterGc() - heapBefore).toBeLessThan(HEAP_BOUND_MIB)
  })

  it('GHSA-c3gv-825q-fvmp (gossipsub RSA `from` spoofing): a message claiming an RSA member\'s peer id, signed with another key, is not delivered; the same message under the sender\'s own id is', async () => {
    const r = await relay()
    const topic = roomTopic(createRoomId())
    const victim = peerIdFromPrivateKey(await generateKeyPair('RSA', 2048))
    // the spoofer's own identity is Ed25519: the relay refuses a peer whose identity is not (PROTOCOL.md)
    const mallet = await generateKeyPair('Ed25519')
    const listener = await client()
    listener.services.pubsub.subscribe(topic)
    await listener.dial(multiaddr(tcpAddr(r.relay)))
    const heard: string[] = []
    listener.services.pubsub.addEventListener('message', evt => {
      if (evt.detail.topic === topic && evt.detail.type === 'signed') heard.push(evt.detail.from.toString())
    })
    const bad = await attacker('127.0.0.2', { privateKey: mallet })
    const { send } = await gossipTo(bad, r)
    await send({ subscriptions: [{ subscribe: true, topic }] })
    await waitFor(() => r.relay.rooms().includes(topic) && listener.services.pubsub.getSubscribers(topic).length > 0)
    let seqno = BigInt(Date.now()) * 1000n
    /** a gossipsub message signed with mallet's key, claiming to be from `from`, carrying mallet's key */
    const signed = async (from: PeerId, data: Uint8Array): Promise<RPC.Message> => signedMessage({ key: mallet, topic, data, seqno: ++seqno, from })
    const presence = encodePresence({ name: 'victim', multiaddrs: [], hello: true })
    await send({ messages: [await signed(victim, presence)] })
    await send({ messages: [await signed(bad.peerId, presence)] })
    // the honest control arrives; the spoof, sent before it on the same stream, never does
    await waitFor(() => heard.includes(bad.peerId.toString()))
    expect(heard).not.toContain(victim.toString())
    await stillServes(r, '127.0.0.3')
  })

  it('GHSA-rvfr-cqwq-rc4j (DER length loop): a public key whose DER claims 2 GiB, sent in identify and as a gossipsub message\'s key, is refused at once', async () => {
    const r = await relay()
    const heapBefore = heapAfterGc()
    // in identify: the relay asks every new peer who it is, and decodes the key it answers with
    const liar = await attacker('127.0.0.2')
    let answered = false
    await liar.handle('/ipfs/id/1.0.0', async (stream) => {
      // one length-prefixed Identify { publicKey (field 1) }
      stream.send(Uint8Array.from([2 + LYING_RSA_KEY.byteLength, 0x0a, LYING_RSA_KEY.byteLength, ...LYING_RSA_KEY]))
      answered = true
      await stream.close().catch(() => {})
    })
    await liar.dial(multiaddr(tcpAddr(r.relay)))
    await waitFor(() => answered)
    // in a gossipsub message's key (checked before its signature), in a room the relay follows
    const topic = roomTopic(createRoomId())
    const { send } = await gossipTo(liar, r)
    await send({ subscriptions: [{ subscribe: true, topic }] })
    await waitFor(() => r.relay.rooms().includes(topic))
    const presence = encodePresence({ name: 'liar', multiaddrs: [], hello: true })
    await send({ messages: [{ from: liar.peerId.toMultihash().bytes, data: presence, seqno: bigEndian(1n), topic, signature: new Uint8Array(256), key: LYING_RSA_KEY }] })
    // a subscription after it: once the relay has handled it, it has handled the message before it
    const handled = subscriptionRpcs(r, liar.peerId, 1)
    await send({ subscriptions: [{ subscribe: true, topic: `${topic}-done` }] })
    await handled
    await stillServes(r, '127.0.0.3')
    expect(heapAfterGc() - heapBefore).toBeLessThan(HEAP_BOUND_MIB)
  })

  it('GHSA-x3m2 (WebRTC-direct STUN crash): STUN binding requests with ufrags ICE forbids leave the relay running; a valid one starts ICE', async () => {
    const r = await relay()
    const addr = r.relay.info().multiaddrs.find(a => a.includes('/webrtc-direct/'))!
    const port = Number(multiaddr(addr).getComponents().find(c => c.name === 'udp')!.value)
    const socket = createSocket('udp4')
    socket.bind(0, '127.0.0.1')
    // the relay's ICE connectivity checks to us: the USERNAME of each binding request it sends
    const checks: string[] = []
    socket.on('message', message => {
      const username = stunUsername(message)
      if (message.readUInt16BE(0) === 0x0001 && username != null) checks.push(username)
    })
    try {
      const sendStun = async (ufrag: string): Promise<void> => {
        const packet = stunBindingRequest(`${ufrag}:${ufrag}`, ufrag)
        await new Promise<void>((resolve, reject) => {
          socket.send(packet, port, '127.0.0.1', err => { if (err == null) resolve(); else reject(err) })
        })
      }
      // too short, characters ICE forbids, over 256: each one, used as the ICE password, aborted the native stack
      const invalid = ['a', 'libp2p+webrtc+v1/x', 'libp2p+webrtc+v1/has spaces in it!!!!', `libp2p+webrtc+v1/${'x'.repeat(300)}`, 'libp2p+webrtc+v1/semi;colon;and;more;bytes', 'libp2p+webrtc+v1/ééééééééééééééééééééé']
      for (const ufrag of invalid) {
        await sendStun(ufrag)
      }
      const valid = 'libp2p+webrtc+v1/a1B2c3D4e5F6g7H8i9J0kL'
      await sendStun(valid)
      // a check's USERNAME is "<our ufrag>:<its ufrag>", both the ufrag we sent
      await waitFor(() => checks.includes(`${valid}:${valid}`))
      expect(checks.filter(username => username !== `${valid}:${valid}`)).toEqual([])
      await stillServes(r, '127.0.0.2')
    } finally {
      socket.close()
    }
  })
})

async function drain<T> (events: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = []
  for await (const event of events) {
    all.push(event)
  }
  return all
}

/** The USERNAME attribute of a STUN message, if it has one. */
function stunUsername (message: Buffer): string | undefined {
  for (let at = 20; at + 4 <= message.length;) {
    const [type, length] = [message.readUInt16BE(at), message.readUInt16BE(at + 2)]
    if (type === 0x0006) {
      return message.subarray(at + 4, at + 4 + length).toString('utf8')
    }
    at += 4 + length + ((4 - (length % 4)) % 4)
  }
  return undefined
}

/** A STUN Binding Request with USERNAME, MESSAGE-INTEGRITY (keyed with `password`) and FINGERPRINT (RFC 5389). */
function stunBindingRequest (username: string, password: string): Buffer {
  const attribute = (type: number, value: Buffer): Buffer => {
    const header = Buffer.alloc(4)
    header.writeUInt16BE(type, 0)
    header.writeUInt16BE(value.length, 2)
    return Buffer.concat([header, value, Buffer.alloc((4 - (value.length % 4)) % 4)])
  }
  const header = (bodyLength: number): Buffer => {
    const h = Buffer.alloc(20)
    h.writeUInt16BE(0x0001, 0)
    h.writeUInt16BE(bodyLength, 2)
    h.writeUInt32BE(0x2112a442, 4)
    transaction.copy(h, 8)
    return h
  }
  const transaction = Buffer.from(crypto.getRandomValues(new Uint8Array(12)))
  const user = attribute(0x0006, Buffer.from(username, 'utf8'))
  // the length in the header counts the attribute being added (24 bytes for MESSAGE-INTEGRITY, 8 for FINGERPRINT)
  const integrity = createHmac('sha1', password).update(Buffer.concat([header(user.length + 24), user])).digest()
  const withIntegrity = Buffer.concat([user, attribute(0x0008, integrity)])
  const fingerprint = Buffer.alloc(4)
  fingerprint.writeUInt32BE((crc32(Buffer.concat([header(withIntegrity.length + 8), withIntegrity])) ^ 0x5354554e) >>> 0)
  const body = Buffer.concat([withIntegrity, attribute(0x8028, fingerprint)])
  return Buffer.concat([header(body.length), body])
}
