import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { derivePrivateRoom, isRoomSecret, privateTopicIdFromTopic } from '../../src/private-room/index.js'
import { isRoomTopic } from '../../src/pubsub.js'
import { isRoomId, parseRoute, roomIdFromTopic, roomPath } from '../../src/room.js'
import { fuzz, fuzzTestTimeout, outcomeOf, settle } from '../../src/testing/index.js'
import { ROOM_ID, ROOM_SECRET } from './fixtures.js'

/** Pieces of what a pasted link, a URL fragment or a gossipsub topic may hold. */
const piece = fc.oneof(
  fc.constantFrom(ROOM_ID, ROOM_SECRET, ROOM_ID.toUpperCase(), ROOM_SECRET.slice(1), `${ROOM_SECRET}A`, '/', '/r/', 'r', '%', '%2F', '%E0%A4%A', '%61',
    '..', '#', '?', '/index.html', '/p2p-chat/room/1/', '/p2p-chat/private/1/', '\u0000', 'é', '😀'),
  fc.string({ maxLength: 12 })
)
const text = fc.array(piece, { maxLength: 6 }).map(parts => parts.join(''))
/** Paths as links have them: mostly /r/ and something. */
const path = fc.oneof({ weight: 3, arbitrary: text.map(t => `/r/${t}`) }, { weight: 1, arbitrary: text })

describe('fuzz: room links, secrets and topics', () => {
  it('parseRoute and the topic readers never throw; what they accept is a room id a page can use', async () => {
    await fuzz('room-link', path, (value) => {
      const route = parseRoute(value)
      expect(['home', 'room', 'invalid']).toContain(route.page)
      if (route.page === 'room') {
        expect(isRoomId(route.roomId)).toBe(true)
        expect(roomPath(route.roomId)).toBe(`/r/${route.roomId}`)
      }
      const room = roomIdFromTopic(value)
      const topicId = privateTopicIdFromTopic(value)
      expect(room == null || isRoomId(room)).toBe(true)
      expect(isRoomTopic(value)).toBe(room != null || topicId != null)
      return route.page
    }, { runs: 5000 })
  }, fuzzTestTimeout())

  it('a room secret from a link is refused with InvalidRoomSecretError (or InvalidRoomIdError) only', async () => {
    const likely = (value: string): fc.Arbitrary<string> => fc.oneof({ weight: 1, arbitrary: fc.constant(value) }, { weight: 2, arbitrary: text })
    await fuzz('room-secret', fc.tuple(likely(ROOM_ID), likely(ROOM_SECRET)), async ([roomId, secret]) => {
      const settled = await settle(async () => derivePrivateRoom(roomId, secret), ['InvalidRoomSecretError', 'InvalidRoomIdError'])
      expect(settled.ok).toBe(isRoomId(roomId) && isRoomSecret(secret))
      return outcomeOf(settled)
    }, { runs: 2000 })
  }, fuzzTestTimeout())
})
