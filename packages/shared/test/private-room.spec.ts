import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { privateRoomCodec, readRoomData } from '../src/chat/room-codec.js'
import { createMessageId } from '../src/codec.js'
import { MAX_MULTIADDR_BYTES, MAX_NAME_BYTES, MAX_PEER_ID_BYTES, MAX_PRESENCE_DIRECT, MAX_PRESENCE_MULTIADDRS } from '../src/constants.js'
import {
  createRoomSecret, derivePrivateRoom, ENVELOPE_IV_BYTES, isRoomSecret, MAX_PRIVATE_ENVELOPE_BYTES,
  MAX_PRIVATE_PLAINTEXT_BYTES, openRoomData, parseRoomSecret, PRIVATE_ROOM_TOPIC_PREFIX, privateRoomTopic,
  privateTopicIdFromTopic, readEnvelopeHeader, ROOM_SECRET_LENGTH, sealRoomData, encodeDepartureEnvelope
} from '../src/private-room/index.js'
import { PrivateEnvelope } from '../src/proto/private.js'
import { RoomMessage } from '../src/proto/room.js'
import { createRoomId } from '../src/room.js'

const roomId = createRoomId()
const secret = createRoomSecret()
const text = 'the plan is in the shed, key under the third pot'
// an encoded room message as a member would seal it (unsigned here: sealing does not look inside)
const plaintext = RoomMessage.encode({ version: 1, chat: { id: createMessageId(), name: 'alice', text, timestamp: 1_700_000_000_000n, author: new Uint8Array(0), signature: new Uint8Array(0), replyTo: '', reactTo: '', extendedSignature: new Uint8Array(0) } })

function contains (haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.byteLength <= haystack.byteLength; i++) {
    for (let j = 0; j < needle.byteLength; j++) {
      if (haystack[i + j] !== needle[j]) continue outer
    }
    return true
  }
  return false
}

/** The envelope with one field changed, re-encoded. */
function tamper (bytes: Uint8Array, change: (envelope: PrivateEnvelope) => void): Uint8Array {
  const envelope = PrivateEnvelope.decode(bytes)
  change(envelope)
  return PrivateEnvelope.encode(envelope)
}

function flip (bytes: Uint8Array<ArrayBuffer>, index = 0): Uint8Array<ArrayBuffer> {
  const copy = bytes.slice()
  copy[index] = copy[index]! ^ 1
  return copy
}

describe('room secrets', () => {
  it('are 43 base64url characters, 32 random bytes, different every time', () => {
    const a = createRoomSecret()
    expect(a).toMatch(new RegExp(`^[A-Za-z0-9_-]{${ROOM_SECRET_LENGTH}}$`))
    expect(isRoomSecret(a)).toBe(true)
    expect(parseRoomSecret(a)).toBe(a)
    expect(createRoomSecret()).not.toBe(a)
  })

  it('refuses anything else with InvalidRoomSecretError', async () => {
    const canonical = 'A'.repeat(ROOM_SECRET_LENGTH)
    for (const bad of ['', canonical.slice(1), `${canonical}A`, `${canonical.slice(1)}+`, `${canonical}=`, `${canonical.slice(1)}B`]) {
      expect(isRoomSecret(bad), bad).toBe(false)
      expect(() => parseRoomSecret(bad)).toThrow(expect.objectContaining({ name: 'InvalidRoomSecretError' }))
    }
    await expect(derivePrivateRoom(roomId, 'not a secret')).rejects.toThrow(expect.objectContaining({ name: 'InvalidRoomSecretError' }))
    await expect(derivePrivateRoom('not a room', secret)).rejects.toThrow(expect.objectContaining({ name: 'InvalidRoomIdError' }))
  })
})

describe('private room keys', () => {
  it('derive the same topic and a working key from the same id and secret', async () => {
    const a = await derivePrivateRoom(roomId, secret)
    const b = await derivePrivateRoom(roomId, secret)
    expect(a.topicId).toMatch(/^[a-z2-7]{26}$/)
    expect(a.topic).toBe(`${PRIVATE_ROOM_TOPIC_PREFIX}${a.topicId}`)
    expect(privateRoomTopic(a.topicId)).toBe(a.topic)
    expect(privateTopicIdFromTopic(a.topic)).toBe(a.topicId)
    expect(b.topic).toBe(a.topic)
    expect(a.key.extractable).toBe(false)
    expect(a.key.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 })
    expect((await openRoomData(b, await sealRoomData(a, plaintext))).plaintext).toEqual(plaintext)
  })

  it('give unrelated topics for another secret or another room id, none of which names the room', async () => {
    const topics = new Set([
      (await derivePrivateRoom(roomId, secret)).topic,
      (await derivePrivateRoom(roomId, createRoomSecret())).topic,
      (await derivePrivateRoom(createRoomId(), secret)).topic
    ])
    expect(topics.size).toBe(3)
    for (const topic of topics) expect(topic).not.toContain(roomId)
  })

  it('recognise only private room topics', () => {
    expect(privateTopicIdFromTopic(`/p2p-chat/room/1/${roomId}`)).toBeUndefined()
    expect(privateTopicIdFromTopic(`${PRIVATE_ROOM_TOPIC_PREFIX}UPPER`)).toBeUndefined()
    expect(() => privateRoomTopic('x')).toThrow(expect.objectContaining({ name: 'InvalidRoomIdError' }))
  })
})

describe('private envelopes', async () => {
  const keys = await derivePrivateRoom(roomId, secret)

  it('round-trip the plaintext, id and timestamp', async () => {
    const id = createMessageId()
    const sealed = await sealRoomData(keys, plaintext, { id, timestamp: 1_700_000_000_123 })
    expect(await openRoomData(keys, sealed)).toEqual({ id, timestamp: 1_700_000_000_123, ephemeral: false, direct: [], plaintext })
    expect(sealed.byteLength).toBeLessThanOrEqual(MAX_PRIVATE_ENVELOPE_BYTES)
  })

  it('get a random id, the current time and a new iv by default', async () => {
    const before = Date.now()
    const a = await sealRoomData(keys, plaintext)
    const b = await sealRoomData(keys, plaintext)
    const header = readEnvelopeHeader(a)
    expect(header.id).toMatch(/^[0-9a-f]{32}$/)
    expect(header.id).not.toBe(readEnvelopeHeader(b).id)
    expect(header.timestamp).toBeGreaterThanOrEqual(before)
    expect(header.timestamp).toBeLessThanOrEqual(Date.now())
    expect(PrivateEnvelope.decode(a).iv).toHaveLength(ENVELOPE_IV_BYTES)
    expect(PrivateEnvelope.decode(a).iv).not.toEqual(PrivateEnvelope.decode(b).iv)
  })

  it('do not contain the plaintext', async () => {
    const sealed = await sealRoomData(keys, plaintext)
    expect(contains(sealed, new TextEncoder().encode(text.slice(0, 12)))).toBe(false)
    expect(contains(sealed, new TextEncoder().encode('alice'))).toBe(false)
    expect(contains(plaintext, new TextEncoder().encode('alice'))).toBe(true)
  })

  it('show their id and timestamp to a reader without the key', async () => {
    const id = createMessageId()
    expect(readEnvelopeHeader(await sealRoomData(keys, plaintext, { id, timestamp: 42 }))).toEqual({ id, timestamp: 42, ephemeral: false, direct: [] })
    expect(readEnvelopeHeader(await sealRoomData(keys, plaintext, { id, timestamp: 42, ephemeral: true }))).toEqual({ id, timestamp: 42, ephemeral: true, direct: [] })
  })

  it('name an announcement\'s direct peers in the clear, for a relay without the key; a line names none', async () => {
    const peers = await Promise.all([1, 2, 3].map(async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
    const announcement = await sealRoomData(keys, plaintext, { ephemeral: true, direct: peers })
    expect(readEnvelopeHeader(announcement).direct).toEqual(peers)
    // a keeper of history, which stores lines only, leaves them unread
    expect(readEnvelopeHeader(announcement, { direct: false })).toMatchObject({ ephemeral: true, direct: [] })
    expect((await openRoomData(keys, announcement)).direct).toEqual(peers)
    await expect(sealRoomData(keys, plaintext, { direct: peers })).rejects.toThrow(expect.objectContaining({ name: 'InvalidEnvelopeError' }))
    // a line labelled with direct peers, too many of them, or one that is not a peer id: refused before the key
    const line = await sealRoomData(keys, plaintext)
    const refused = [
      tamper(line, e => { e.direct = [peerIdFromString(peers[0]!).toMultihash().bytes] }),
      tamper(announcement, e => { e.direct = Array.from({ length: MAX_PRESENCE_DIRECT + 1 }, () => e.direct[0]!) }),
      tamper(announcement, e => { e.direct = [new Uint8Array([1, 2, 3])] }),
      tamper(announcement, e => { e.direct = [new Uint8Array(MAX_PEER_ID_BYTES + 1)] })
    ]
    for (const bytes of refused) {
      expect(() => readEnvelopeHeader(bytes)).toThrow(expect.objectContaining({ name: 'InvalidEnvelopeError' }))
      await expect(openRoomData(keys, bytes)).rejects.toThrow(expect.objectContaining({ name: 'InvalidEnvelopeError' }))
    }
    // the largest presence there can be, naming the most direct peers, fits an envelope
    const largest = RoomMessage.encode({
      version: 1,
      presence: { name: 'n'.repeat(MAX_NAME_BYTES), multiaddrs: Array.from({ length: MAX_PRESENCE_MULTIADDRS }, () => new Uint8Array(MAX_MULTIADDR_BYTES)), hello: true, typing: true, direct: [] }
    })
    const many = Array.from({ length: MAX_PRESENCE_DIRECT }, () => peers[0]!)
    expect((await sealRoomData(keys, largest, { ephemeral: true, direct: many })).byteLength).toBeLessThanOrEqual(MAX_PRIVATE_ENVELOPE_BYTES)
  })

  it('refuse any change to ciphertext, iv, id, timestamp or topic with DecryptionError', async () => {
    const sealed = await sealRoomData(keys, plaintext, { timestamp: 1_700_000_000_000 })
    const changed = [
      tamper(sealed, e => { e.ciphertext = flip(e.ciphertext) }),
      tamper(sealed, e => { e.ciphertext = flip(e.ciphertext, e.ciphertext.byteLength - 1) }), // the tag
      tamper(sealed, e => { e.iv = flip(e.iv) }),
      tamper(sealed, e => { e.ephemeral = true }),
      tamper(sealed, e => { e.id = flip(e.id) }),
      tamper(sealed, e => { e.timestamp = e.timestamp + 1n })
    ]
    for (const bytes of changed) {
      await expect(openRoomData(keys, bytes)).rejects.toThrow(expect.objectContaining({ name: 'DecryptionError' }))
    }
    // the same key on another topic: an envelope replayed into another room
    await expect(openRoomData({ ...keys, topic: privateRoomTopic('a'.repeat(26)) }, sealed))
      .rejects.toThrow(expect.objectContaining({ name: 'DecryptionError' }))
  })

  it('do not open with another secret or for another room id', async () => {
    const sealed = await sealRoomData(keys, plaintext)
    for (const other of [await derivePrivateRoom(roomId, createRoomSecret()), await derivePrivateRoom(createRoomId(), secret)]) {
      await expect(openRoomData(other, sealed)).rejects.toThrow(expect.objectContaining({ name: 'DecryptionError' }))
      // even when put on this room's topic
      await expect(openRoomData({ ...other, topic: keys.topic }, sealed)).rejects.toThrow(expect.objectContaining({ name: 'DecryptionError' }))
    }
  })

  it('refuse malformed bytes before trying the key', async () => {
    const sealed = await sealRoomData(keys, plaintext)
    const malformed = [
      new Uint8Array([0xff, 0xff, 0xff]),
      tamper(sealed, e => { e.id = e.id.subarray(1) }),
      tamper(sealed, e => { e.iv = new Uint8Array(8) }),
      tamper(sealed, e => { e.ciphertext = new Uint8Array(15) }),
      tamper(sealed, e => { e.timestamp = 0n }),
      tamper(sealed, e => { e.timestamp = 2n ** 63n })
    ]
    for (const bytes of malformed) {
      expect(() => readEnvelopeHeader(bytes)).toThrow(expect.objectContaining({ name: 'InvalidEnvelopeError' }))
      await expect(openRoomData(keys, bytes)).rejects.toThrow(expect.objectContaining({ name: 'InvalidEnvelopeError' }))
    }
    const future = tamper(sealed, e => { e.version = 2 })
    expect(() => readEnvelopeHeader(future)).toThrow(expect.objectContaining({ name: 'UnsupportedVersionError' }))
    await expect(openRoomData(keys, future)).rejects.toThrow(expect.objectContaining({ name: 'UnsupportedVersionError' }))
    const huge = new Uint8Array(MAX_PRIVATE_ENVELOPE_BYTES + 1)
    expect(() => readEnvelopeHeader(huge)).toThrow(expect.objectContaining({ name: 'MessageTooLargeError' }))
  })

  it('carry a relay\'s departure notice in the clear: read without the key, read by a member as a departure; a malformed one is refused', async () => {
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const notice = encodeDepartureEnvelope(peer)
    expect(readEnvelopeHeader(notice)).toMatchObject({ ephemeral: true, direct: [], departed: peer })
    expect(await openRoomData(keys, notice)).toMatchObject({ departed: peer, plaintext: new Uint8Array(0) })
    expect(await readRoomData(privateRoomCodec(keys), notice)).toEqual({ type: 'departure', peer })
    const malformed = [
      tamper(notice, e => { e.iv = new Uint8Array(ENVELOPE_IV_BYTES) }),
      tamper(notice, e => { e.ciphertext = new Uint8Array(16) }),
      tamper(notice, e => { e.ephemeral = false }),
      tamper(notice, e => { e.direct = [e.departed] }),
      tamper(notice, e => { e.departed = Uint8Array.from([0xee, 0xee, 0xee]) })
    ]
    for (const bytes of malformed) {
      expect(() => readEnvelopeHeader(bytes)).toThrow(expect.objectContaining({ name: 'InvalidEnvelopeError' }))
    }
    // the seqno of the departed peer's last message the relay had, in the clear; only a notice carries one
    const after = encodeDepartureEnvelope(peer, 0x18a1b2c3d4e5f607n)
    expect(readEnvelopeHeader(after)).toMatchObject({ departed: peer, departedAfter: 0x18a1b2c3d4e5f607n })
    expect(await readRoomData(privateRoomCodec(keys), after)).toEqual({ type: 'departure', peer, after: 0x18a1b2c3d4e5f607n })
    const line = tamper(await sealRoomData(keys, plaintext), e => { e.departedAfter = 1n })
    expect(() => readEnvelopeHeader(line)).toThrow(expect.objectContaining({ name: 'InvalidEnvelopeError', message: 'Only a departure notice carries departed_after' }))
  })

  it('refuse to seal too much, a malformed id or timestamp', async () => {
    await expect(sealRoomData(keys, new Uint8Array(MAX_PRIVATE_PLAINTEXT_BYTES + 1))).rejects.toThrow(expect.objectContaining({ name: 'MessageTooLargeError' }))
    await expect(sealRoomData(keys, plaintext, { id: 'nope' })).rejects.toThrow(expect.objectContaining({ name: 'InvalidMessageError' }))
    await expect(sealRoomData(keys, plaintext, { timestamp: 0 })).rejects.toThrow(expect.objectContaining({ name: 'InvalidEnvelopeError' }))
    // the largest plaintext fits the envelope limit
    const largest = await sealRoomData(keys, new Uint8Array(MAX_PRIVATE_PLAINTEXT_BYTES), { timestamp: Number.MAX_SAFE_INTEGER })
    expect(largest.byteLength).toBeLessThanOrEqual(MAX_PRIVATE_ENVELOPE_BYTES)
    expect((await openRoomData(keys, largest)).plaintext).toHaveLength(MAX_PRIVATE_PLAINTEXT_BYTES)
  })
})
