import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { ROOM_ID_BYTES, ROOM_ID_LENGTH, ROOM_TOPIC_PREFIX } from './constants.js'
import { InvalidRoomIdError } from './errors.js'

const ROOM_ID_PATTERN = new RegExp(`^[a-z2-7]{${ROOM_ID_LENGTH}}$`)

/** A new random room id: 128 bits, lowercase base32 (26 characters). */
export function createRoomId (): string {
  const bytes = crypto.getRandomValues(new Uint8Array(ROOM_ID_BYTES))
  return uint8ArrayToString(bytes, 'base32')
}

export function isRoomId (value: string): boolean {
  return ROOM_ID_PATTERN.test(value)
}

/** Returns the id unchanged, or throws {@link InvalidRoomIdError}. */
export function parseRoomId (value: string): string {
  if (!isRoomId(value)) {
    throw new InvalidRoomIdError(`"${value.slice(0, 64)}" is not a room id: expected ${ROOM_ID_LENGTH} characters a-z and 2-7`)
  }
  return value
}

/** The gossipsub topic that carries a room. */
export function roomTopic (roomId: string): string {
  return `${ROOM_TOPIC_PREFIX}${parseRoomId(roomId)}`
}

/** The room id of a room topic, or `undefined` for any other topic. */
export function roomIdFromTopic (topic: string): string | undefined {
  if (!topic.startsWith(ROOM_TOPIC_PREFIX)) {
    return undefined
  }
  const id = topic.slice(ROOM_TOPIC_PREFIX.length)
  return isRoomId(id) ? id : undefined
}

/** Path of a room's page in the web app: `/r/<roomId>`. */
export function roomPath (roomId: string): string {
  return `/r/${parseRoomId(roomId)}`
}

/**
 * What a location path names: the home page, a room, or something that is not a valid room link.
 */
export type Route =
  | { page: 'home' }
  | { page: 'room', roomId: string }
  | { page: 'invalid', reason: string }

export function parseRoute (pathname: string): Route {
  if (pathname === '/' || pathname === '' || pathname === '/index.html') {
    return { page: 'home' }
  }
  const match = /^\/r\/([^/]*)\/?$/.exec(pathname)
  if (match == null) {
    return { page: 'invalid', reason: `There is no page at ${pathname.slice(0, 80)}.` }
  }
  let id: string
  try {
    id = decodeURIComponent(match[1] ?? '')
  } catch {
    id = match[1] ?? ''
  }
  if (!isRoomId(id)) {
    return { page: 'invalid', reason: `"${id.slice(0, 64)}" is not a valid room id. A room link ends in /r/ followed by ${ROOM_ID_LENGTH} letters a-z and digits 2-7.` }
  }
  return { page: 'room', roomId: id }
}
