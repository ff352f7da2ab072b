/**
 * Private rooms: a room link may carry a secret in its URL fragment (`/r/<roomId>#<secret>`), which browsers never
 * send to a server. Members derive from it (and the room id) the room's gossipsub topic and an AES-256-GCM key, and
 * publish only sealed {@link PrivateEnvelope}s: the relay, and anyone else without the secret, can neither read a
 * message nor make one that members accept, and cannot tell which room id a topic belongs to. The envelope's id and
 * timestamp stay readable ({@link readEnvelopeHeader}), so history can be stored, deduplicated and ordered as
 * ciphertext. Works wherever WebCrypto does (browsers, Node 20+).
 *
 * @example
 *
 * ```ts
 * import { createRoomSecret, derivePrivateRoom, sealRoomData, openRoomData, encodeChat } from '@p2p-chat/shared'
 *
 * const secret = createRoomSecret() // put it in the link: `/r/${roomId}#${secret}`
 * const keys = await derivePrivateRoom(roomId, secret)
 *
 * await pubsub.publish(keys.topic, await sealRoomData(keys, encodeChat(chat)))
 *
 * // on receipt: throws DecryptionError for anything not sealed by a member
 * const { id, timestamp, plaintext } = await openRoomData(keys, bytes)
 * ```
 */

import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { createMessageId, timestampFromWire, validateMessageId } from '../codec.js'
import { InvalidRoomIdError, MessageTooLargeError, UnsupportedVersionError } from '../errors.js'
import { PrivateEnvelope } from '../proto/private.js'
import { parseRoomId } from '../room.js'
import {
  ENVELOPE_ID_BYTES, ENVELOPE_IV_BYTES, ENVELOPE_TAG_BYTES, MAX_PRIVATE_ENVELOPE_BYTES, MAX_PRIVATE_PLAINTEXT_BYTES,
  PRIVATE_ROOM_FILES_BYTES, PRIVATE_ROOM_FILES_INFO, PRIVATE_ROOM_KEY_INFO, PRIVATE_ROOM_TOPIC_INFO, PRIVATE_ROOM_TOPIC_PREFIX, PRIVATE_ROOM_VERSION,
  PRIVATE_TOPIC_ID_BYTES, PRIVATE_TOPIC_ID_LENGTH, ROOM_SECRET_BYTES, ROOM_SECRET_LENGTH
} from './constants.js'
import { DecryptionError, InvalidEnvelopeError, InvalidRoomSecretError } from './errors.js'

export * from './constants.js'
export * from './errors.js'

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

/** The readable part of an envelope: enough to store, deduplicate and order it without the key. */
export interface EnvelopeHeader {
  /** 32 lowercase hex characters */
  id: string
  /** milliseconds since the Unix epoch, author's clock (not checked against this peer's clock) */
  timestamp: number
  /** an announcement (presence) that is not kept as history */
  ephemeral: boolean
}

export interface OpenedRoomData extends EnvelopeHeader {
  plaintext: Uint8Array
}

export interface SealOptions {
  /**
   * The envelope id, 32 lowercase hex characters: the message id in history.
   *
   * @default a new random id (createMessageId())
   */
  id?: string
  /**
   * Milliseconds since the Unix epoch.
   *
   * @default Date.now()
   */
  timestamp?: number
  /**
   * An announcement nobody keeps as history (presence), rather than a chat line.
   *
   * @default false
   */
  ephemeral?: boolean
}

const encoder = new TextEncoder()
const ROOM_SECRET_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${ROOM_SECRET_LENGTH}}$`)
const TOPIC_ID_PATTERN = new RegExp(`^[a-z2-7]{${PRIVATE_TOPIC_ID_LENGTH}}$`)

/** A new random room secret: 256 bits, base64url without padding (43 characters). */
export function createRoomSecret (): string {
  return uint8ArrayToString(crypto.getRandomValues(new Uint8Array(ROOM_SECRET_BYTES)), 'base64url')
}

/** Whether `value` is a room secret as {@link createRoomSecret} writes it (the one spelling of 32 bytes). */
export function isRoomSecret (value: string): boolean {
  if (!ROOM_SECRET_PATTERN.test(value)) {
    return false
  }
  try {
    // 43 characters carry 258 bits: only the spelling whose 2 spare bits are 0 is accepted
    return uint8ArrayToString(uint8ArrayFromString(value, 'base64url'), 'base64url') === value
  } catch {
    return false
  }
}

/** Returns the secret unchanged, or throws {@link InvalidRoomSecretError}. */
export function parseRoomSecret (value: string): string {
  if (!isRoomSecret(value)) {
    throw new InvalidRoomSecretError(`A room secret is ${ROOM_SECRET_LENGTH} characters A-Z, a-z, 0-9, - and _ (${ROOM_SECRET_BYTES} bytes in base64url)`)
  }
  return value
}

/** The gossipsub topic of the private room whose topic id is given. Throws InvalidRoomIdError for a malformed id. */
export function privateRoomTopic (topicId: string): string {
  if (!TOPIC_ID_PATTERN.test(topicId)) {
    throw new InvalidRoomIdError(`"${topicId.slice(0, 64)}" is not a private room topic id: expected ${PRIVATE_TOPIC_ID_LENGTH} characters a-z and 2-7`)
  }
  return `${PRIVATE_ROOM_TOPIC_PREFIX}${topicId}`
}

/** The topic id of a private room topic, or `undefined` for any other topic. */
export function privateTopicIdFromTopic (topic: string): string | undefined {
  if (!topic.startsWith(PRIVATE_ROOM_TOPIC_PREFIX)) {
    return undefined
  }
  const topicId = topic.slice(PRIVATE_ROOM_TOPIC_PREFIX.length)
  return TOPIC_ID_PATTERN.test(topicId) ? topicId : undefined
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

/** The additional data the GCM tag covers: version, timestamp, id, ephemeral and topic (see private.proto). */
function additionalData (topic: string, id: Uint8Array, timestamp: number, ephemeral: boolean): Uint8Array<ArrayBuffer> {
  const topicBytes = encoder.encode(topic)
  const aad = new Uint8Array(4 + 8 + ENVELOPE_ID_BYTES + 1 + topicBytes.byteLength)
  const view = new DataView(aad.buffer)
  view.setUint32(0, PRIVATE_ROOM_VERSION)
  view.setBigUint64(4, BigInt(timestamp))
  aad.set(id, 12)
  aad[12 + ENVELOPE_ID_BYTES] = ephemeral ? 1 : 0
  aad.set(topicBytes, 13 + ENVELOPE_ID_BYTES)
  return aad
}

function checkTimestamp (timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp <= 0) {
    throw new InvalidEnvelopeError('An envelope timestamp must be a positive integer of milliseconds')
  }
}

/**
 * Encrypts and authenticates `plaintext` (an encoded room message) for the room, and returns the encoded envelope
 * to publish on `keys.topic`. Throws {@link MessageTooLargeError} above {@link MAX_PRIVATE_PLAINTEXT_BYTES},
 * InvalidMessageError for a malformed `id` and {@link InvalidEnvelopeError} for a malformed `timestamp`.
 */
export async function sealRoomData (keys: PrivateRoomKeys, plaintext: Uint8Array, options: SealOptions = {}): Promise<Uint8Array> {
  if (plaintext.byteLength > MAX_PRIVATE_PLAINTEXT_BYTES) {
    throw new MessageTooLargeError(`The plaintext is ${plaintext.byteLength} bytes; the limit is ${MAX_PRIVATE_PLAINTEXT_BYTES}`, plaintext.byteLength, MAX_PRIVATE_PLAINTEXT_BYTES)
  }
  const idHex = options.id ?? createMessageId()
  validateMessageId(idHex)
  const timestamp = options.timestamp ?? Date.now()
  checkTimestamp(timestamp)
  const id = uint8ArrayFromString(idHex, 'base16')
  const ephemeral = options.ephemeral ?? false
  const iv = crypto.getRandomValues(new Uint8Array(ENVELOPE_IV_BYTES))
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: additionalData(keys.topic, id, timestamp, ephemeral), tagLength: ENVELOPE_TAG_BYTES * 8 },
    keys.key,
    new Uint8Array(plaintext)
  )
  return PrivateEnvelope.encode({
    version: PRIVATE_ROOM_VERSION,
    id,
    timestamp: BigInt(timestamp),
    iv,
    ciphertext: new Uint8Array(ciphertext),
    ephemeral
  })
}

/** Decodes an envelope and checks every field but the ciphertext's authenticity. */
function decodeEnvelope (bytes: Uint8Array): PrivateEnvelope {
  if (bytes.byteLength > MAX_PRIVATE_ENVELOPE_BYTES) {
    throw new MessageTooLargeError(`Private envelope of ${bytes.byteLength} bytes is over the limit`, bytes.byteLength, MAX_PRIVATE_ENVELOPE_BYTES)
  }
  let envelope: PrivateEnvelope
  try {
    envelope = PrivateEnvelope.decode(bytes)
  } catch (err) {
    throw new InvalidEnvelopeError(`Private envelope does not decode: ${(err as Error).message}`)
  }
  if (envelope.version !== PRIVATE_ROOM_VERSION) {
    throw new UnsupportedVersionError(`Private envelope version ${envelope.version} is not supported (expected ${PRIVATE_ROOM_VERSION})`)
  }
  if (envelope.id.byteLength !== ENVELOPE_ID_BYTES) {
    throw new InvalidEnvelopeError(`A private envelope id is ${ENVELOPE_ID_BYTES} bytes`)
  }
  if (envelope.iv.byteLength !== ENVELOPE_IV_BYTES) {
    throw new InvalidEnvelopeError(`A private envelope iv is ${ENVELOPE_IV_BYTES} bytes`)
  }
  if (envelope.ciphertext.byteLength < ENVELOPE_TAG_BYTES) {
    throw new InvalidEnvelopeError('A private envelope ciphertext is shorter than its authentication tag')
  }
  checkTimestamp(timestampFromWire(envelope.timestamp))
  return envelope
}

/**
 * Reads an envelope's id and timestamp without the key, for a peer that stores history it cannot read. Nothing
 * here is authenticated: only a member's {@link openRoomData} proves them. Throws {@link MessageTooLargeError},
 * UnsupportedVersionError or {@link InvalidEnvelopeError}.
 */
export function readEnvelopeHeader (bytes: Uint8Array): EnvelopeHeader {
  const envelope = decodeEnvelope(bytes)
  return { id: uint8ArrayToString(envelope.id, 'base16'), timestamp: timestampFromWire(envelope.timestamp), ephemeral: envelope.ephemeral }
}

/**
 * Opens an envelope published on `keys.topic`. Throws {@link DecryptionError} unless a holder of this room's secret
 * sealed it for this topic and nothing in it changed since, and {@link MessageTooLargeError},
 * UnsupportedVersionError or {@link InvalidEnvelopeError} before trying when it is malformed.
 */
export async function openRoomData (keys: PrivateRoomKeys, bytes: Uint8Array): Promise<OpenedRoomData> {
  const envelope = decodeEnvelope(bytes)
  const timestamp = timestampFromWire(envelope.timestamp)
  let plaintext: ArrayBuffer
  try {
    plaintext = await crypto.subtle.decrypt(
      {
        name: 'AES-GCM',
        iv: new Uint8Array(envelope.iv),
        additionalData: additionalData(keys.topic, envelope.id, timestamp, envelope.ephemeral),
        tagLength: ENVELOPE_TAG_BYTES * 8
      },
      keys.key,
      new Uint8Array(envelope.ciphertext)
    )
  } catch (err) {
    throw new DecryptionError('The envelope does not open with this room\'s key: wrong room or secret, or altered', { cause: err })
  }
  return { id: uint8ArrayToString(envelope.id, 'base16'), timestamp, ephemeral: envelope.ephemeral, plaintext: new Uint8Array(plaintext) }
}
