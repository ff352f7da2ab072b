import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { parseRoomId } from '../room.js'
import {
  PRIVATE_ROOM_FILES_BYTES, PRIVATE_ROOM_FILES_INFO, PRIVATE_ROOM_KEY_INFO, PRIVATE_ROOM_TOPIC_INFO, PRIVATE_TOPIC_ID_BYTES
} from './constants.js'
import { parseRoomSecret } from './secret.js'
import { privateRoomTopic } from './topic.js'

const encoder = new TextEncoder()

/** What a member derives from a private room's id and secret. Keep it in memory only. */
export interface PrivateRoomKeys {
  roomId: string
  /** derived from the secret: 26 characters a-z and 2-7 */
  topicId: string
  /** the gossipsub topic the room is published on: {@link privateRoomTopic}(topicId) */
  topic: string
  /** AES-256-GCM, not extractable, for encrypt and decrypt */
  key: CryptoKey
  /** HKDF, not extractable: each file shared in the room is sealed with a key derived from it and the file's id */
  files: CryptoKey
}

/**
 * Derives a private room's topic, key and file secret from its id and secret with HKDF-SHA256 (the room id is the
 * salt, so one secret used for two rooms gives two unrelated rooms). Throws InvalidRoomIdError or
 * {@link InvalidRoomSecretError}.
 */
export async function derivePrivateRoom (roomId: string, secret: string): Promise<PrivateRoomKeys> {
  parseRoomId(roomId)
  const ikm = new Uint8Array(uint8ArrayFromString(parseRoomSecret(secret), 'base64url'))
  const master = await crypto.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits', 'deriveKey'])
  const salt = encoder.encode(roomId)
  const topicBits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt, info: encoder.encode(PRIVATE_ROOM_TOPIC_INFO) },
    master,
    PRIVATE_TOPIC_ID_BYTES * 8
  )
  const key = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt, info: encoder.encode(PRIVATE_ROOM_KEY_INFO) },
    master,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt']
  )
  const filesBits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt, info: encoder.encode(PRIVATE_ROOM_FILES_INFO) },
    master,
    PRIVATE_ROOM_FILES_BYTES * 8
  )
  const files = await crypto.subtle.importKey('raw', filesBits, 'HKDF', false, ['deriveKey'])
  const topicId = uint8ArrayToString(new Uint8Array(topicBits), 'base32')
  return { roomId, topicId, topic: privateRoomTopic(topicId), key, files }
}
