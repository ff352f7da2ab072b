import { peerIdFromString } from '@libp2p/peer-id'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { createMessageId, directFromWire, directToWire, peerFromWire, timestampFromWire, validateMessageId } from '../codec.js'
import { MAX_PRESENCE_DIRECT } from '../constants.js'
import { MessageTooLargeError, UnsupportedVersionError } from '../errors.js'
import { PrivateEnvelope } from '../proto/private.js'
import {
  ENVELOPE_ID_BYTES, ENVELOPE_IV_BYTES, ENVELOPE_TAG_BYTES, MAX_PRIVATE_ENVELOPE_BYTES, MAX_PRIVATE_PLAINTEXT_BYTES, PRIVATE_ROOM_VERSION
} from './constants.js'
import { DecryptionError, InvalidEnvelopeError } from './errors.js'
import type { PrivateRoomKeys } from './keys.js'

const encoder = new TextEncoder()

/** The readable part of an envelope: enough to store, deduplicate and order it without the key. */
export interface EnvelopeHeader {
  /** 32 lowercase hex characters */
  id: string
  /** milliseconds since the Unix epoch, author's clock (not checked against this peer's clock) */
  timestamp: number
  /** an announcement (presence) that is not kept as history */
  ephemeral: boolean
  /**
   * An announcement's direct peers (peer id strings; none for a chat line): read in the clear by a relay, to forward
   * the sender's lines to them only as an IHAVE, and by members in place of the sealed `Presence.direct`
   */
  direct: string[]
  /** set on a relay's departure notice (`PrivateEnvelope.departed`): the peer id of the peer that left; nothing is sealed */
  departed?: string
  /** on a departure notice: `PrivateEnvelope.departed_after`, absent when 0 (see `RoomMessage.departure.after`) */
  departedAfter?: bigint
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
  /**
   * An announcement's direct peers (peer id strings), put in the clear beside the ciphertext (see private.proto);
   * a chat line names none.
   *
   * @default none
   */
  direct?: readonly string[]
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

/** Only an announcement names direct peers. */
function checkDirectKind (ephemeral: boolean, direct: Uint8Array[]): void {
  if (!ephemeral && direct.length > 0) {
    throw new InvalidEnvelopeError('Only an announcement (ephemeral) names direct peers')
  }
}

function checkTimestamp (timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp <= 0) {
    throw new InvalidEnvelopeError('An envelope timestamp must be a positive integer of milliseconds')
  }
}

/**
 * Encrypts and authenticates `plaintext` (an encoded room message) for the room, and returns the encoded envelope
 * to publish on `keys.topic`. Throws {@link MessageTooLargeError} above {@link MAX_PRIVATE_PLAINTEXT_BYTES},
 * InvalidMessageError for a malformed `id` and {@link InvalidEnvelopeError} for a malformed `timestamp` or direct
 * peers on a chat line (`ephemeral` unset).
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
  const direct = directToWire(options.direct ?? [])
  checkDirectKind(ephemeral, direct)
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
    ephemeral,
    direct
  })
}

/**
 * A relay's departure notice for a private room, which it cannot seal: `peer` has left the room, after its message
 * with the gossipsub seqno `after` (see private.proto, `departed`). Its id is new and its time now.
 */
export function encodeDepartureEnvelope (peer: string, after = 0n): Uint8Array {
  return PrivateEnvelope.encode({
    version: PRIVATE_ROOM_VERSION,
    id: crypto.getRandomValues(new Uint8Array(ENVELOPE_ID_BYTES)),
    timestamp: BigInt(Date.now()),
    iv: new Uint8Array(0),
    ciphertext: new Uint8Array(0),
    ephemeral: true,
    direct: [],
    departed: peerIdFromString(peer).toMultihash().bytes,
    departedAfter: after
  })
}

/** Decodes an envelope and checks every field but the ciphertext's authenticity. */
function decodeEnvelope (bytes: Uint8Array): PrivateEnvelope {
  if (bytes.byteLength > MAX_PRIVATE_ENVELOPE_BYTES) {
    throw new MessageTooLargeError(`Private envelope of ${bytes.byteLength} bytes is over the limit`, bytes.byteLength, MAX_PRIVATE_ENVELOPE_BYTES)
  }
  let envelope: PrivateEnvelope
  try {
    envelope = PrivateEnvelope.decode(bytes, { limits: { direct: MAX_PRESENCE_DIRECT } })
  } catch (err) {
    throw new InvalidEnvelopeError(`Private envelope does not decode: ${(err as Error).message}`)
  }
  if (envelope.version !== PRIVATE_ROOM_VERSION) {
    throw new UnsupportedVersionError(`Private envelope version ${envelope.version} is not supported (expected ${PRIVATE_ROOM_VERSION})`)
  }
  if (envelope.id.byteLength !== ENVELOPE_ID_BYTES) {
    throw new InvalidEnvelopeError(`A private envelope id is ${ENVELOPE_ID_BYTES} bytes`)
  }
  if (envelope.departed.byteLength > 0) {
    if (envelope.iv.byteLength > 0 || envelope.ciphertext.byteLength > 0 || envelope.direct.length > 0 || !envelope.ephemeral) {
      throw new InvalidEnvelopeError('A departure notice is ephemeral and carries no iv, ciphertext or direct peers')
    }
  } else if (envelope.departedAfter !== 0n) {
    throw new InvalidEnvelopeError('Only a departure notice carries departed_after')
  } else if (envelope.iv.byteLength !== ENVELOPE_IV_BYTES) {
    throw new InvalidEnvelopeError(`A private envelope iv is ${ENVELOPE_IV_BYTES} bytes`)
  } else if (envelope.ciphertext.byteLength < ENVELOPE_TAG_BYTES) {
    throw new InvalidEnvelopeError('A private envelope ciphertext is shorter than its authentication tag')
  }
  checkTimestamp(timestampFromWire(envelope.timestamp))
  checkDirectKind(envelope.ephemeral, envelope.direct)
  return envelope
}

/**
 * The readable fields of an envelope {@link decodeEnvelope} accepted, its direct peers read unless `readDirect` is
 * false (left empty); a malformed peer id is an {@link InvalidEnvelopeError}.
 */
function headerOf (envelope: PrivateEnvelope, readDirect = true): EnvelopeHeader {
  let direct: string[] = []
  try {
    if (readDirect) direct = directFromWire(envelope.direct)
  } catch (err) {
    throw new InvalidEnvelopeError(`A private envelope names an invalid direct peer: ${(err as Error).message}`)
  }
  const header: EnvelopeHeader = { id: uint8ArrayToString(envelope.id, 'base16'), timestamp: timestampFromWire(envelope.timestamp), ephemeral: envelope.ephemeral, direct }
  if (envelope.departed.byteLength > 0) {
    try {
      header.departed = peerFromWire(envelope.departed)
    } catch (err) {
      throw new InvalidEnvelopeError(`A departure notice names an invalid peer: ${(err as Error).message}`)
    }
    if (envelope.departedAfter > 0n) {
      header.departedAfter = envelope.departedAfter
    }
  }
  return header
}

export interface ReadEnvelopeHeaderOptions {
  /**
   * Read an announcement's direct peers (a peer id string each, made from its bytes): a keeper of history, which
   * stores lines only, leaves them (the header's `direct` is then empty).
   *
   * @default true
   */
  direct?: boolean
}

/**
 * Reads an envelope's readable fields without the key, for a peer that stores history it cannot read or forwards
 * an announcement's sender's lines. Nothing here is authenticated by the key: only a member's {@link openRoomData}
 * proves the id, timestamp and kind (the direct peers only gossipsub's signature). Throws
 * {@link MessageTooLargeError}, UnsupportedVersionError or {@link InvalidEnvelopeError}.
 */
export function readEnvelopeHeader (bytes: Uint8Array, options: ReadEnvelopeHeaderOptions = {}): EnvelopeHeader {
  return headerOf(decodeEnvelope(bytes), options.direct)
}

/**
 * Opens an envelope published on `keys.topic`. Throws {@link DecryptionError} unless a holder of this room's secret
 * sealed it for this topic and nothing in it changed since, and {@link MessageTooLargeError},
 * UnsupportedVersionError or {@link InvalidEnvelopeError} before trying when it is malformed. A relay's departure
 * notice has nothing sealed in it: it is returned with `departed` set and an empty plaintext (only gossipsub's
 * signature, by the relay, stands for it).
 */
export async function openRoomData (keys: PrivateRoomKeys, bytes: Uint8Array): Promise<OpenedRoomData> {
  const envelope = decodeEnvelope(bytes)
  const header = headerOf(envelope)
  if (header.departed != null) {
    return { ...header, plaintext: new Uint8Array(0) }
  }
  const timestamp = header.timestamp
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
  return { ...header, plaintext: new Uint8Array(plaintext) }
}
