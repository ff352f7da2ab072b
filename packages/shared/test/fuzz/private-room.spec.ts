import { peerIdFromString } from '@libp2p/peer-id'
import fc from 'fast-check'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { beforeAll, describe, expect, it } from 'vitest'
import { privateRoomCodec, readRoomData } from '../../src/chat/room-codec.js'
import { MAX_PEER_ID_BYTES, MAX_PRESENCE_DIRECT, MESSAGE_ID_HEX_LENGTH } from '../../src/constants.js'
import { ENVELOPE_ID_BYTES, ENVELOPE_IV_BYTES, ENVELOPE_TAG_BYTES, openRoomData, readEnvelopeHeader, sealRoomData } from '../../src/private-room/index.js'
import { PrivateEnvelope } from '../../src/proto/private.js'
import { fuzz, fuzzTestTimeout, outcomeOf, settle, wireInput } from '../../src/testing/index.js'
import { ENVELOPE_ERRORS, fixedId, NOW, privateSeeds, ROOM_MESSAGE_ERRORS, roomSeeds } from './fixtures.js'
import type { EnvelopeHeader } from '../../src/private-room/index.js'
import type { PrivateSeeds, RoomSeeds } from './fixtures.js'
import type { PeerId } from '@libp2p/interface'

const OPEN_ERRORS = [...ENVELOPE_ERRORS, 'DecryptionError']

/** Envelopes built field by field, with sizes and values at and beyond every limit; `peers` are real peer ids. */
function envelopeFields (peers: PeerId[]): fc.Arbitrary<Uint8Array> {
  const sized = (size: number): fc.Arbitrary<Uint8Array<ArrayBuffer>> => fc.oneof(
    fc.uint8Array({ minLength: size, maxLength: size }),
    fc.uint8Array({ maxLength: size + 2 })
  )
  return fc.record({
    version: fc.oneof(fc.constant(1), fc.nat()),
    id: sized(ENVELOPE_ID_BYTES),
    timestamp: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constantFrom(0n, 1n, BigInt(NOW), 2n ** 53n - 1n, 2n ** 53n)),
    iv: sized(ENVELOPE_IV_BYTES),
    ciphertext: fc.uint8Array({ maxLength: ENVELOPE_TAG_BYTES + 40 }),
    ephemeral: fc.boolean(),
    // peer ids, random bytes, and ones over the size limit
    direct: fc.array(fc.oneof(
      fc.constantFrom(...peers.map(peer => Uint8Array.from(peer.toMultihash().bytes))),
      fc.uint8Array({ maxLength: 40 }),
      fc.uint8Array({ minLength: MAX_PEER_ID_BYTES + 1, maxLength: MAX_PEER_ID_BYTES + 2 })
    ), { maxLength: MAX_PRESENCE_DIRECT + 2 })
  }).map(envelope => PrivateEnvelope.encode(envelope))
}

function checkHeader (header: EnvelopeHeader): void {
  expect(header.id).toMatch(new RegExp(`^[0-9a-f]{${MESSAGE_ID_HEX_LENGTH}}$`))
  expect(Number.isSafeInteger(header.timestamp) && header.timestamp > 0).toBe(true)
  // only an announcement names direct peers, each a peer id
  expect(header.direct.length).toBeLessThanOrEqual(header.ephemeral ? MAX_PRESENCE_DIRECT : 0)
  header.direct.forEach(peer => { expect(peerIdFromString(peer).toString()).toBe(peer) })
}

describe('fuzz: private rooms (sealed envelopes)', () => {
  let room: RoomSeeds
  let seeds: PrivateSeeds
  let input: fc.Arbitrary<Uint8Array>

  beforeAll(async () => {
    room = await roomSeeds()
    seeds = await privateSeeds(room)
    input = fc.oneof({ weight: 4, arbitrary: wireInput(fc.constantFrom(...seeds.sealed)) }, { weight: 1, arbitrary: envelopeFields(room.authors) })
  })

  it('readEnvelopeHeader (what the relay keeps) refuses with its typed errors only', async () => {
    await fuzz('envelope-header', input, async (bytes) => {
      const settled = await settle(() => readEnvelopeHeader(bytes), ENVELOPE_ERRORS)
      if (settled.ok) {
        checkHeader(settled.value)
      }
      return outcomeOf(settled)
    }, { runs: 5000 })
  }, fuzzTestTimeout())

  it('openRoomData opens only what a member sealed, unchanged, and refuses the rest with typed errors', async () => {
    await fuzz('envelope-open', input, async (bytes) => {
      const settled = await settle(async () => openRoomData(seeds.keys, bytes), OPEN_ERRORS)
      if (settled.ok) {
        // the tag covers every field but the direct peers (gossipsub's signature covers those): what opens is
        // exactly what was sealed, and its direct peers are peer ids, named by an announcement only
        const { id, plaintext, direct, ...header } = settled.value
        const original = seeds.opened.get(id)
        expect(original, 'an opened envelope was sealed by a member').toBeDefined()
        expect(header).toEqual({ timestamp: original!.timestamp, ephemeral: original!.ephemeral })
        expect(uint8ArrayEquals(plaintext, original!.plaintext)).toBe(true)
        checkHeader({ id, direct, ...header })
      }
      return outcomeOf(settled)
    }, { runs: 3000 })
  }, fuzzTestTimeout())

  it('readRoomData refuses a member\'s sealed garbage, and envelopes labelled unlike the line inside, with typed errors', async () => {
    const codec = privateRoomCodec(seeds.keys)
    // a member (who holds the key) seals a mutated room message, under the label of a real line or another one
    const sealedGarbage = fc.record({
      plaintext: wireInput(fc.constantFrom(...room.encoded)),
      label: fc.oneof(fc.constantFrom(...room.lines.map(l => ({ id: l.id, timestamp: l.timestamp }))), fc.constant({ id: fixedId(999), timestamp: NOW })),
      ephemeral: fc.boolean(),
      from: fc.constantFrom(...room.authors.map(String))
    })
    await fuzz('private-room-data', sealedGarbage, async ({ plaintext, label, ephemeral, from }) => {
      const sealed = await settle(async () => sealRoomData(seeds.keys, plaintext, { ...label, ephemeral }), ['MessageTooLargeError'])
      if (!sealed.ok) {
        return 'not sealed (too large)'
      }
      const settled = await settle(async () => readRoomData(codec, sealed.value, from), [...OPEN_ERRORS, ...ROOM_MESSAGE_ERRORS, 'AuthorMismatchError'])
      if (settled.ok && settled.value.type === 'chat') {
        expect(settled.value.author).toBe(from)
        expect({ id: settled.value.chat.id, timestamp: settled.value.chat.timestamp, ephemeral }).toEqual({ ...label, ephemeral: false })
      }
      return outcomeOf(settled)
    }, { runs: 1500 })
  }, fuzzTestTimeout())
})
