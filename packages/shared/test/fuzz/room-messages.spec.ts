import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { peerIdFromString } from '@libp2p/peer-id'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { publicRoomCodec, readRoomData } from '../../src/chat/room-codec.js'
import { decodeRoomMessage, utf8Length } from '../../src/codec.js'
import {
  DEFAULT_MAX_FILE_BYTES, MAX_IMAGE_DIMENSION, MAX_MULTIADDR_BYTES, MAX_NAME_BYTES, MAX_PEER_ID_BYTES, MAX_PRESENCE_DIRECT, MAX_PRESENCE_MULTIADDRS,
  ROOM_MESSAGE_VERSION
} from '../../src/constants.js'
import { RoomMessage } from '../../src/proto/room.js'
import { roomMessageValidator } from '../../src/pubsub.js'
import { expectTypedError, fuzz, fuzzTestTimeout, outcomeOf, settle, wireInput } from '../../src/testing/index.js'
import { NOW, ROOM_ID, ROOM_MESSAGE_ERRORS, roomSeeds, TOPIC } from './fixtures.js'
import type { RoomEvent } from '../../src/codec.js'
import type { RoomSeeds } from './fixtures.js'
import type { Message } from '@libp2p/gossipsub'

/** Room messages built field by field with edge-case values (no valid signature): the validators' side. */
function fieldValues (seeds: RoomSeeds): fc.Arbitrary<Uint8Array> {
  const text = fc.oneof(fc.string({ maxLength: 80, unit: 'binary' }), fc.constantFrom('', ' ', '\t\n', 'x'.repeat(4097), 'é'.repeat(2049), 'n'.repeat(65)))
  const bytes = fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.constantFrom(...seeds.keys.map(k => new Uint8Array(publicKeyToProtobuf(k.publicKey)))))
  const id = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }), fc.constant('A'.repeat(32)))
  const size = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constantFrom(0n, 1n, BigInt(DEFAULT_MAX_FILE_BYTES) + 1n, 2n ** 53n))
  const attachment = fc.record({
    id: fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 32, maxLength: 32 })),
    name: fc.oneof(text, fc.constantFrom('photo.jpg', '../etc/passwd', 'a\u0000b', '.', 'n'.repeat(256))),
    size,
    mime: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('image/png', 'IMAGE/PNG', 'text/plain; charset=utf-8', 'image/', `a/${'b'.repeat(127)}`)),
    width: fc.oneof(fc.nat(), fc.constantFrom(0, 1, MAX_IMAGE_DIMENSION + 1)),
    height: fc.oneof(fc.nat(), fc.constantFrom(0, 1, MAX_IMAGE_DIMENSION + 1))
  })
  const chat = fc.record({
    id,
    name: text,
    text,
    timestamp: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constantFrom(0n, 1n, BigInt(NOW), BigInt(NOW + 5 * 60_000 + 1), 2n ** 53n)),
    author: bytes,
    signature: fc.uint8Array({ maxLength: 80 }),
    replyTo: fc.oneof(fc.constant(''), id),
    reactTo: fc.oneof(fc.constant(''), id),
    attachment: fc.option(attachment, { nil: undefined }),
    extendedSignature: fc.uint8Array({ maxLength: 80 })
  })
  const presence = fc.record({
    name: text,
    multiaddrs: fc.array(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: MAX_MULTIADDR_BYTES + 1, maxLength: MAX_MULTIADDR_BYTES + 2 })), { maxLength: MAX_PRESENCE_MULTIADDRS + 2 }),
    hello: fc.boolean(),
    typing: fc.option(fc.boolean(), { nil: undefined }),
    // peer ids (the seeds' keys' multihashes), random bytes, and ones over the size limit
    direct: fc.array(fc.oneof(
      fc.constantFrom(...seeds.authors.map(peer => Uint8Array.from(peer.toMultihash().bytes))),
      fc.uint8Array({ maxLength: 40 }),
      fc.uint8Array({ minLength: MAX_PEER_ID_BYTES + 1, maxLength: MAX_PEER_ID_BYTES + 2 })
    ), { maxLength: MAX_PRESENCE_DIRECT + 2 })
  })
  return fc.record({
    version: fc.oneof(fc.constant(ROOM_MESSAGE_VERSION), fc.nat()),
    chat: fc.option(chat, { nil: undefined }),
    presence: fc.option(presence, { nil: undefined })
  }).map(message => RoomMessage.encode(message))
}

/** What a room message decoder may say: a refusal, or an event that keeps every promise the schema makes. */
function checkEvent (event: RoomEvent, seeds: RoomSeeds): void {
  if (event.type === 'chat') {
    // the signature covers every field: an accepted line is one its author really signed, unchanged
    const original = seeds.signed.get(`${event.author}/${event.chat.id}`)
    expect(original, 'an accepted chat line was signed by its author').toBeDefined()
    expect(event.chat).toEqual(original)
    return
  }
  if (event.type === 'departure') {
    // a departure names a peer id
    expect(peerIdFromString(event.peer).toString()).toBe(event.peer)
    return
  }
  const { name, multiaddrs, direct = [] } = event.presence
  expect(name.trim()).not.toBe('')
  expect(utf8Length(name.trim())).toBeLessThanOrEqual(MAX_NAME_BYTES)
  expect(multiaddrs.length).toBeLessThanOrEqual(MAX_PRESENCE_MULTIADDRS)
  // every direct peer a presence names is a peer id
  expect(direct.length).toBeLessThanOrEqual(MAX_PRESENCE_DIRECT)
  direct.forEach(peer => { expect(peerIdFromString(peer).toString()).toBe(peer) })
}

describe('fuzz: room messages (public rooms and presence)', () => {
  let seeds: RoomSeeds
  let input: fc.Arbitrary<Uint8Array>

  beforeAll(async () => {
    seeds = await roomSeeds()
    input = fc.oneof({ weight: 4, arbitrary: wireInput(fc.constantFrom(...seeds.encoded)) }, { weight: 1, arbitrary: fieldValues(seeds) })
  })

  it('decodeRoomMessage refuses with its typed errors only, and accepts only what an author signed', async () => {
    await fuzz('room-message', input, async (bytes) => {
      const settled = await settle(async () => decodeRoomMessage(bytes, TOPIC, { now: NOW }), ROOM_MESSAGE_ERRORS)
      if (settled.ok) {
        checkEvent(settled.value, seeds)
      }
      return outcomeOf(settled)
    }, { runs: 3000 })
  }, fuzzTestTimeout())

  it('readRoomData with the gossip sender refuses forged authors with AuthorMismatchError', async () => {
    const codec = publicRoomCodec(ROOM_ID)
    const senders = fc.constantFrom(...seeds.authors.map(String))
    await fuzz('room-data', fc.tuple(input, senders), async ([bytes, from]) => {
      const settled = await settle(async () => readRoomData(codec, bytes, from), [...ROOM_MESSAGE_ERRORS, 'AuthorMismatchError'])
      if (settled.ok && settled.value.type === 'chat') {
        expect(settled.value.author).toBe(from)
      }
      return outcomeOf(settled)
    }, { runs: 1500 })
  }, fuzzTestTimeout())

  it('the room topic validator never throws: it accepts only well-formed lines from their own author', async () => {
    const rejected: Error[] = []
    const validate = roomMessageValidator((_peer, reason) => { rejected.push(reason) })
    const delivered = fc.record({ data: input, from: fc.nat({ max: seeds.authors.length - 1 }), signed: fc.boolean() })
    await fuzz('room-validator', delivered, async ({ data, from, signed }) => {
      const message = (signed
        ? { type: 'signed', from: seeds.authors[from]!, topic: TOPIC, data, sequenceNumber: 1n, signature: new Uint8Array(64), key: seeds.keys[from]!.publicKey }
        : { type: 'unsigned', topic: TOPIC, data }) as Message
      rejected.length = 0
      const result = await validate(seeds.authors[0]!, message)
      if (result === TopicValidatorResult.Accept) {
        // gossipsub verified the message's signature by `from` before asking: the line's own are checked for form
        const event = await decodeRoomMessage(data, TOPIC, { publisher: seeds.authors[from]!.toString() })
        expect(signed).toBe(true)
        if (event.type === 'chat') {
          expect(event.author).toBe(seeds.authors[from]!.toString())
        }
        return 'Accept'
      } else {
        expect(result).toBe(TopicValidatorResult.Reject)
        expect(rejected).toHaveLength(1)
        expectTypedError(rejected[0], [...ROOM_MESSAGE_ERRORS, 'AuthorMismatchError'])
        return `Reject (${rejected[0]!.name})`
      }
    }, { runs: 1500 })
  }, fuzzTestTimeout())
})
