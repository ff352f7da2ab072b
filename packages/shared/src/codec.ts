import { publicKeyFromProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromMultihash, peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import * as Digest from 'multiformats/hashes/digest'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import {
  CHAT_EXTENDED_SIGNATURE_DOMAIN, CHAT_SIGNATURE_DOMAIN, ED25519_SIGNATURE_BYTES, MAX_CLOCK_SKEW_MS, MAX_FILE_BYTES, MAX_KNOWN_AUTHORS, MAX_MULTIADDR_BYTES, MAX_NAME_BYTES,
  MAX_PEER_ID_BYTES, MAX_PRESENCE_DIRECT, MAX_PRESENCE_MULTIADDRS, MAX_REACTION_BYTES, MAX_ROOM_MESSAGE_BYTES, MAX_TEXT_BYTES, MESSAGE_ID_HEX_LENGTH, ROOM_MESSAGE_VERSION
} from './constants.js'
import { AuthorMismatchError, InvalidMessageError, InvalidNameError, InvalidSignatureError, MessageTooLargeError, UnsupportedVersionError } from './errors.js'
import { validateFileOffer } from './file/offer.js'
import { checkChatIdentity } from './identity.js'
import { ChatMessage, RoomMessage } from './proto/room.js'
import { setMostRecent } from './util/most-recent.js'
import { utf8Length } from './util/utf8.js'
import type { FileOffer } from './file/offer.js'
import type { FileOffer as WireFileOffer } from './proto/room.js'
import type { PrivateKey, PublicKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export { utf8Length }
export type { FileOffer }

/** A line of chat as the application sees it. */
export interface Chat {
  /** 32 lowercase hex characters, unique per message */
  id: string
  /** the author's display name when sending (a label, not an identity) */
  name: string
  text: string
  /** milliseconds since the Unix epoch, author's clock */
  timestamp: number
  /** the id of the line this one answers */
  replyTo?: string
  /** set: this line is a reaction to the line with this id, and its text is the reaction (an emoji or a word) */
  reactTo?: string
  /** a file offered to the room; the text names it for peers that cannot show it ({@link attachmentFallback}) */
  attachment?: FileOffer
}

/** A member's announcement of itself in a room. */
export interface Presence {
  name: string
  /** where the member can be dialed: its `/p2p-circuit/webrtc` addresses */
  multiaddrs: Multiaddr[]
  /** a newcomer's first announcement: members answer with their own */
  hello: boolean
  /** set on a typing notice: true while the member types, false once it stopped */
  typing?: boolean
  /**
   * The peers (peer id strings) subscribed to the room that the member holds a proven direct connection to, relays
   * included: they have its lines from its flood publish, so a forwarder only tells them of those ({@link RoomLinks})
   */
  direct?: string[]
}

/** Limits a room applies beyond the protocol's own. */
export interface RoomLimits {
  /**
   * Largest file a line may offer, in bytes: the room's limit.
   *
   * @default MAX_FILE_BYTES (no limit of the room's own: what a relay checks)
   */
  maxFileSize?: number
}

/** How {@link decodeRoomMessage} reads a room message; every field has a default. */
export interface RoomMessageReadOptions {
  /** The time a line's timestamp is checked against, ms since the epoch. @default Date.now() */
  now?: number
  /** @default {} */
  limits?: RoomLimits
  /**
   * The peer id that published the bytes, when they arrived live in a gossipsub message signed by that peer's key
   * and gossipsub has verified that signature (StrictSign, as every P2P Chat peer runs it). A chat line must then
   * be that peer's ({@link AuthorMismatchError}), and its own signatures are checked for form only, not verified:
   * the message's signature covers the same bytes on the same topic, so verifying them again proves nothing more
   * (docs/PROTOCOL.md, "Signed chat lines"). Without it (a line from history sync, from a store) they are verified.
   */
  publisher?: string
}

export type RoomEvent =
  /** `author`: the peer id whose key signed the line */
  | { type: 'chat', chat: Chat, author: string }
  | { type: 'presence', presence: Presence }
  /**
   * a relay says `peer` left the room (`RoomMessage.departure`; believe it only from a relay of that peer's) after
   * its message with the gossipsub seqno `after` (absent: the relay had none)
   */
  | { type: 'departure', peer: string, after?: bigint }

const encoder = new TextEncoder()

/** A new random message id: 16 bytes in lowercase hex. */
export function createMessageId (): string {
  return uint8ArrayToString(crypto.getRandomValues(new Uint8Array(MESSAGE_ID_HEX_LENGTH / 2)), 'base16')
}

/**
 * Checks chat text before it is sent, so the composer can refuse it with a clear reason.
 * Throws {@link InvalidMessageError} for empty text and {@link MessageTooLargeError} above {@link MAX_TEXT_BYTES}.
 */
export function validateText (text: string): void {
  if (text.trim() === '') {
    throw new InvalidMessageError('A message cannot be empty')
  }
  const size = utf8Length(text)
  if (size > MAX_TEXT_BYTES) {
    throw new MessageTooLargeError(`The message is ${size} bytes; the limit is ${MAX_TEXT_BYTES} bytes`, size, MAX_TEXT_BYTES)
  }
}

/**
 * Characters a display name may not hold, anywhere in it: C0 and C1 control characters and DEL (they would
 * drive a terminal: clear it, rewrite lines, set its title or clipboard), bidirectional overrides, embeddings
 * and isolates (U+202A–U+202E, U+2066–U+2069: they reorder what is shown after them, so "alice" could be
 * spoofed), and invisible characters (U+200B–U+200F, U+2060, U+FEFF: two different names would look alike).
 */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const FORBIDDEN_NAME_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/u

/**
 * Checks a display name: 1 to {@link MAX_NAME_BYTES} bytes after trimming, and none of the control, bidirectional
 * or invisible characters listed in {@link FORBIDDEN_NAME_CHARACTERS}. Returns the trimmed name. Throws
 * {@link InvalidNameError} or {@link MessageTooLargeError}.
 */
export function validateName (name: string): string {
  const forbidden = FORBIDDEN_NAME_CHARACTERS.exec(name)
  if (forbidden != null) {
    const code = forbidden[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')
    throw new InvalidNameError(`A display name cannot hold control, bidirectional or invisible characters (U+${code})`)
  }
  const trimmed = name.trim()
  if (trimmed === '') {
    throw new InvalidNameError('A display name cannot be empty')
  }
  const size = utf8Length(trimmed)
  if (size > MAX_NAME_BYTES) {
    throw new MessageTooLargeError(`The name is ${size} bytes; the limit is ${MAX_NAME_BYTES} bytes`, size, MAX_NAME_BYTES)
  }
  return trimmed
}

const MESSAGE_ID_PATTERN = new RegExp(`^[0-9a-f]{${MESSAGE_ID_HEX_LENGTH}}$`)

/** Whether a value is a message id: {@link MESSAGE_ID_HEX_LENGTH} lowercase hex characters. */
export function isMessageId (value: unknown): value is string {
  return typeof value === 'string' && MESSAGE_ID_PATTERN.test(value)
}

/** Checks a message id (chat or direct): 32 lowercase hex characters. Throws {@link InvalidMessageError}. */
export function validateMessageId (id: string): void {
  if (!isMessageId(id)) {
    throw new InvalidMessageError(`A message id must be ${MESSAGE_ID_HEX_LENGTH} lowercase hex characters`)
  }
}

/**
 * Checks a message timestamp: a positive integer of ms, at most {@link MAX_CLOCK_SKEW_MS} ahead of `now`.
 * Throws {@link InvalidMessageError}.
 */
export function validateTimestamp (timestamp: number, now = Date.now()): void {
  if (!Number.isSafeInteger(timestamp) || timestamp <= 0) {
    throw new InvalidMessageError('A message timestamp must be a positive integer')
  }
  if (timestamp > now + MAX_CLOCK_SKEW_MS) {
    throw new InvalidMessageError('A message timestamp is too far in the future')
  }
}

/** A uint64 off the wire (a timestamp, a size) as a number; anything beyond safe integers becomes -1, which is invalid. */
export function timestampFromWire (timestamp: bigint): number {
  return timestamp > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(timestamp)
}

/** Checks a reaction: 1 to {@link MAX_REACTION_BYTES} bytes, not only whitespace. Throws the codec's typed errors. */
export function validateReaction (reaction: string): void {
  if (reaction.trim() === '') {
    throw new InvalidMessageError('A reaction cannot be empty')
  }
  const size = utf8Length(reaction)
  if (size > MAX_REACTION_BYTES) {
    throw new MessageTooLargeError(`The reaction is ${size} bytes; the limit is ${MAX_REACTION_BYTES}`, size, MAX_REACTION_BYTES)
  }
}

/** Whether a line carries anything a peer of the first version skips (so its extended signature is required). */
function isExtended (chat: Chat): boolean {
  return chat.replyTo != null || chat.reactTo != null || chat.attachment != null
}

/**
 * Checks every field of a chat line: id, name, text, time, and what it answers, reacts to or offers (a reaction
 * neither answers nor offers anything, and its text is at most {@link MAX_REACTION_BYTES}; a file is at most
 * `maxFileSize`). Throws {@link InvalidMessageError} or {@link MessageTooLargeError}.
 */
function checkChat (chat: Chat, now: number, maxFileSize: number): void {
  validateMessageId(chat.id)
  validateName(chat.name)
  validateText(chat.text)
  validateTimestamp(chat.timestamp, now)
  for (const target of [chat.replyTo, chat.reactTo]) {
    if (target != null) {
      validateMessageId(target)
      if (target === chat.id) {
        throw new InvalidMessageError('A line cannot answer or react to itself')
      }
    }
  }
  if (chat.reactTo != null) {
    if (chat.replyTo != null || chat.attachment != null) {
      throw new InvalidMessageError('A reaction neither answers a line nor offers a file')
    }
    validateReaction(chat.text)
  }
  if (chat.attachment != null) {
    validateFileOffer(chat.attachment, maxFileSize)
  }
}

function checkPresence (presence: { name: string, multiaddrs: Uint8Array[], direct: Uint8Array[] }): void {
  validateName(presence.name)
  if (presence.multiaddrs.length > MAX_PRESENCE_MULTIADDRS) {
    throw new InvalidMessageError(`A presence may carry at most ${MAX_PRESENCE_MULTIADDRS} multiaddrs`)
  }
  for (const bytes of presence.multiaddrs) {
    if (bytes.byteLength > MAX_MULTIADDR_BYTES) {
      throw new MessageTooLargeError('A multiaddr in the presence is too large', bytes.byteLength, MAX_MULTIADDR_BYTES)
    }
  }
  checkDirect(presence.direct)
}

/** Checks a list of direct peers as a presence (or a private room's envelope) carries it. */
function checkDirect (direct: Uint8Array[]): void {
  if (direct.length > MAX_PRESENCE_DIRECT) {
    throw new InvalidMessageError(`A presence may name at most ${MAX_PRESENCE_DIRECT} direct peers`)
  }
  for (const bytes of direct) {
    if (bytes.byteLength > MAX_PEER_ID_BYTES) {
      throw new MessageTooLargeError('A peer id in the presence is too large', bytes.byteLength, MAX_PEER_ID_BYTES)
    }
  }
}

/**
 * A presence's direct peers (`Presence.direct`, or a private room's `PrivateEnvelope.direct`) as they go on the
 * wire: binary peer ids, the first {@link MAX_PRESENCE_DIRECT}.
 */
export function directToWire (peers: readonly string[]): Array<Uint8Array<ArrayBuffer>> {
  return peers.slice(0, MAX_PRESENCE_DIRECT).map(peer => peerIdFromString(peer).toMultihash().bytes)
}

/**
 * A presence's direct peers as peer id strings, checked: at most {@link MAX_PRESENCE_DIRECT}, each a peer id of at
 * most {@link MAX_PEER_ID_BYTES}. Throws {@link InvalidMessageError} or {@link MessageTooLargeError}.
 */
export function directFromWire (direct: Uint8Array[]): string[] {
  checkDirect(direct)
  try {
    return direct.map(bytes => peerIdFromMultihash(Digest.decode(bytes)).toString())
  } catch (err) {
    throw new InvalidMessageError(`Presence names an invalid direct peer: ${(err as Error).message}`)
  }
}

function encode (message: RoomMessage): Uint8Array {
  const bytes = RoomMessage.encode(message)
  if (bytes.byteLength > MAX_ROOM_MESSAGE_BYTES) {
    throw new MessageTooLargeError(`The encoded message is ${bytes.byteLength} bytes; the limit is ${MAX_ROOM_MESSAGE_BYTES}`, bytes.byteLength, MAX_ROOM_MESSAGE_BYTES)
  }
  return bytes
}

/**
 * What a chat line's author signs: a domain, the topic and the line re-encoded without its signatures (see
 * room.proto): fields 1–5 for the first signature, fields 1–5 and 7–9 for the extended one. Each is what any
 * proto3 encoder writes for those fields, in field order; a peer re-encodes what it decoded to check it.
 */
function signedPart (domain: string, topic: string, unsigned: Uint8Array): Uint8Array {
  const domainBytes = encoder.encode(domain)
  const topicBytes = encoder.encode(topic)
  const out = new Uint8Array(domainBytes.byteLength + 1 + topicBytes.byteLength + 1 + unsigned.byteLength)
  out.set(domainBytes, 0)
  out.set(topicBytes, domainBytes.byteLength + 1)
  out.set(unsigned, domainBytes.byteLength + topicBytes.byteLength + 2)
  return out
}

function offerToWire (offer: FileOffer): WireFileOffer {
  return {
    id: uint8ArrayFromString(offer.id, 'base16'),
    name: offer.name,
    size: BigInt(offer.size),
    mime: offer.mime,
    width: offer.width ?? 0,
    height: offer.height ?? 0
  }
}

function offerFromWire (offer: WireFileOffer): FileOffer {
  return {
    id: uint8ArrayToString(offer.id, 'base16'),
    name: offer.name,
    size: timestampFromWire(offer.size),
    mime: offer.mime,
    ...(offer.width !== 0 || offer.height !== 0 ? { width: offer.width, height: offer.height } : {})
  }
}

/**
 * Encodes a chat line for a room topic, validating every field first, and signs it with the author's key for
 * that topic (a line cannot be replayed into another room). A line that answers, reacts or offers a file is
 * signed twice: once over fields 1–5, which peers of the first version check, and once over the whole line.
 */
export async function encodeChat (chat: Chat, topic: string, privateKey: PrivateKey, now = Date.now(), limits: RoomLimits = {}): Promise<Uint8Array> {
  checkChat(chat, now, limits.maxFileSize ?? MAX_FILE_BYTES)
  const none = new Uint8Array(0)
  const legacy: ChatMessage = {
    id: chat.id,
    name: chat.name,
    text: chat.text,
    timestamp: BigInt(chat.timestamp),
    author: new Uint8Array(publicKeyToProtobuf(privateKey.publicKey)),
    signature: none,
    replyTo: '',
    reactTo: '',
    extendedSignature: none
  }
  const signature = new Uint8Array(await privateKey.sign(signedPart(CHAT_SIGNATURE_DOMAIN, topic, ChatMessage.encode(legacy))))
  if (!isExtended(chat)) {
    return encode({ version: ROOM_MESSAGE_VERSION, chat: { ...legacy, signature } })
  }
  const extended: ChatMessage = {
    ...legacy,
    replyTo: chat.replyTo ?? '',
    reactTo: chat.reactTo ?? '',
    attachment: chat.attachment == null ? undefined : offerToWire(chat.attachment)
  }
  const extendedSignature = new Uint8Array(await privateKey.sign(signedPart(CHAT_EXTENDED_SIGNATURE_DOMAIN, topic, ChatMessage.encode(extended))))
  return encode({ version: ROOM_MESSAGE_VERSION, chat: { ...extended, signature, extendedSignature } })
}

/** Checks one signature; throws {@link InvalidSignatureError} unless `key` made it over `data`. */
async function checkSignature (key: PublicKey, data: Uint8Array, signature: Uint8Array, which: string): Promise<void> {
  let valid
  try {
    valid = await key.verify(data, signature)
  } catch (err) {
    // a signature of the wrong length for the key type (Ed25519's verify throws rather than answer false)
    throw new InvalidSignatureError(`A chat line's ${which} cannot be checked: ${(err as Error).message}`)
  }
  if (!valid) {
    throw new InvalidSignatureError(`A chat line's ${which} does not match its author and topic`)
  }
}

/**
 * Authors' keys and peer ids by the key bytes lines carry, the most recent {@link MAX_KNOWN_AUTHORS}: a room's lines
 * come from a few authors, and decoding the key and naming its peer id anew for every line (a thousand in a history
 * sync) cost more than the rest of the line's checks.
 */
const knownAuthors = new Map<string, { key: PublicKey, author: string }>()

/** The author a chat line's key bytes name; throws {@link InvalidSignatureError} (or an identity error) for none. */
function chatAuthor (bytes: Uint8Array): { key: PublicKey, author: string } {
  const id = uint8ArrayToString(bytes, 'base64')
  let known = knownAuthors.get(id)
  if (known == null) {
    try {
      const key = publicKeyFromProtobuf(bytes)
      // a key of a type peer ids do not support (ECDSA) names no author
      known = { key, author: peerIdFromPublicKey(key).toString() }
    } catch (err) {
      throw new InvalidSignatureError(`A chat line's author key does not decode to a peer id: ${(err as Error).message}`)
    }
    checkChatIdentity(known.key, 'A chat line\'s author')
  }
  setMostRecent(knownAuthors, id, known, MAX_KNOWN_AUTHORS)
  return known
}

/**
 * Checks a chat line's signatures for the topic: the first over fields 1–5 always, the extended one over fields
 * 1–5 and 7–9 whenever the line carries it, and it must when `extended`. Returns the author's peer id or throws
 * {@link InvalidSignatureError}. With `publisher` (see {@link RoomMessageReadOptions.publisher}) the line must be
 * by it ({@link AuthorMismatchError}) and its signatures are checked for form only.
 */
async function checkChatSignatures (message: ChatMessage, topic: string, extended: boolean, publisher?: string): Promise<string> {
  const { key, author } = chatAuthor(message.author)
  if (extended && message.extendedSignature.byteLength === 0) {
    throw new InvalidSignatureError('A chat line that answers, reacts or offers a file carries no extended signature')
  }
  if (publisher != null) {
    if (author !== publisher) {
      throw new AuthorMismatchError(`a chat line by ${author} published by ${publisher}`)
    }
    const extendedBytes = message.extendedSignature.byteLength
    if (message.signature.byteLength !== ED25519_SIGNATURE_BYTES || (extendedBytes !== 0 && extendedBytes !== ED25519_SIGNATURE_BYTES)) {
      throw new InvalidSignatureError(`A chat line carries a signature that is not ${ED25519_SIGNATURE_BYTES} bytes long, as an Ed25519 signature is`)
    }
    return author
  }
  const none = new Uint8Array(0)
  const legacy = ChatMessage.encode({ ...message, signature: none, replyTo: '', reactTo: '', attachment: undefined, extendedSignature: none })
  await checkSignature(key, signedPart(CHAT_SIGNATURE_DOMAIN, topic, legacy), message.signature, 'signature')
  if (message.extendedSignature.byteLength > 0) {
    const line = ChatMessage.encode({ ...message, signature: none, extendedSignature: none })
    await checkSignature(key, signedPart(CHAT_EXTENDED_SIGNATURE_DOMAIN, topic, line), message.extendedSignature, 'extended signature')
  }
  return author
}

/**
 * A departure's peer id, read from the wire (its multihash's bytes, as a presence's direct peers go). Throws
 * {@link MessageTooLargeError} over {@link MAX_PEER_ID_BYTES} and {@link InvalidMessageError} for anything else that
 * is not a peer id.
 */
export function peerFromWire (bytes: Uint8Array): string {
  if (bytes.byteLength > MAX_PEER_ID_BYTES) {
    throw new MessageTooLargeError('A peer id in the message is too large', bytes.byteLength, MAX_PEER_ID_BYTES)
  }
  try {
    return peerIdFromMultihash(Digest.decode(bytes)).toString()
  } catch (err) {
    throw new InvalidMessageError(`The message names an invalid peer id: ${(err as Error).message}`)
  }
}

/**
 * Encodes a relay's departure notice for a public room: `peer` has left it, after its message with the gossipsub
 * seqno `after` (see {@link RoomEvent}).
 */
export function encodeDeparture (peer: string, after = 0n): Uint8Array {
  return encode({ version: ROOM_MESSAGE_VERSION, departure: { peer: peerIdFromString(peer).toMultihash().bytes, after } })
}

/** Encodes a presence announcement for a room topic. */
export function encodePresence (presence: Presence): Uint8Array {
  const multiaddrs = presence.multiaddrs.slice(0, MAX_PRESENCE_MULTIADDRS).map(ma => ma.bytes)
  const direct = directToWire(presence.direct ?? [])
  checkPresence({ name: presence.name, multiaddrs, direct })
  return encode({
    version: ROOM_MESSAGE_VERSION,
    presence: { name: presence.name, multiaddrs, hello: presence.hello, typing: presence.typing, direct }
  })
}

function chatFromWire (wire: ChatMessage): Chat {
  return {
    id: wire.id,
    name: wire.name,
    text: wire.text,
    timestamp: timestampFromWire(wire.timestamp),
    ...(wire.replyTo !== '' ? { replyTo: wire.replyTo } : {}),
    ...(wire.reactTo !== '' ? { reactTo: wire.reactTo } : {}),
    ...(wire.attachment != null ? { attachment: offerFromWire(wire.attachment) } : {})
  }
}

/**
 * Decodes and validates bytes from a room topic, and checks a chat line's signatures for that topic (verifies them
 * unless `options.publisher` says a verified gossipsub signature covers them). Throws
 * {@link MessageTooLargeError}, {@link UnsupportedVersionError}, {@link InvalidMessageError} (or its kind
 * {@link InvalidNameError}), {@link InvalidSignatureError} or, with a publisher, {@link AuthorMismatchError};
 * never anything else.
 */
export async function decodeRoomMessage (bytes: Uint8Array, topic: string, options: RoomMessageReadOptions = {}): Promise<RoomEvent> {
  const { now = Date.now(), limits = {}, publisher } = options
  if (bytes.byteLength > MAX_ROOM_MESSAGE_BYTES) {
    throw new MessageTooLargeError(`Room message of ${bytes.byteLength} bytes is over the limit`, bytes.byteLength, MAX_ROOM_MESSAGE_BYTES)
  }
  let message: RoomMessage
  try {
    message = RoomMessage.decode(bytes, { limits: { presence: { multiaddrs: MAX_PRESENCE_MULTIADDRS, direct: MAX_PRESENCE_DIRECT } } })
  } catch (err) {
    throw new InvalidMessageError(`Room message does not decode: ${(err as Error).message}`)
  }
  if (message.version !== ROOM_MESSAGE_VERSION) {
    throw new UnsupportedVersionError(`Room message version ${message.version} is not supported (expected ${ROOM_MESSAGE_VERSION})`)
  }
  if ([message.chat, message.presence, message.departure].filter(part => part != null).length !== 1) {
    throw new InvalidMessageError('A room message carries exactly one of chat, presence and departure')
  }
  if (message.departure != null) {
    const { peer, after } = message.departure
    return { type: 'departure', peer: peerFromWire(peer), ...(after > 0n ? { after } : {}) }
  }
  if (message.chat != null) {
    const chat = chatFromWire(message.chat)
    checkChat(chat, now, limits.maxFileSize ?? MAX_FILE_BYTES)
    return { type: 'chat', chat, author: await checkChatSignatures(message.chat, topic, isExtended(chat), publisher) }
  }
  const presence = message.presence!
  checkPresence(presence)
  let multiaddrs: Multiaddr[]
  try {
    multiaddrs = presence.multiaddrs.map(bytes => multiaddr(bytes))
  } catch (err) {
    throw new InvalidMessageError(`Presence carries an invalid multiaddr: ${(err as Error).message}`)
  }
  return {
    type: 'presence',
    presence: {
      name: presence.name,
      multiaddrs,
      hello: presence.hello,
      ...(presence.typing != null ? { typing: presence.typing } : {}),
      direct: directFromWire(presence.direct)
    }
  }
}

/**
 * A chat line's id and timestamp, or `undefined` for anything else, read without validating or verifying
 * anything: only for bytes that {@link decodeRoomMessage} (a topic validator) has accepted already.
 */
export function readChatLabel (bytes: Uint8Array): { id: string, timestamp: number } | undefined {
  const { chat } = RoomMessage.decode(bytes, { limits: { presence: { multiaddrs: MAX_PRESENCE_MULTIADDRS, direct: MAX_PRESENCE_DIRECT } } })
  return chat == null ? undefined : { id: chat.id, timestamp: timestampFromWire(chat.timestamp) }
}

/**
 * A chat line and its author, or `undefined` for anything else, read without validating or verifying anything:
 * only for bytes that {@link decodeRoomMessage} (a topic validator) has accepted already.
 */
export function readChatLine (bytes: Uint8Array): { chat: Chat, author: string } | undefined {
  const { chat } = RoomMessage.decode(bytes, { limits: { presence: { multiaddrs: MAX_PRESENCE_MULTIADDRS, direct: MAX_PRESENCE_DIRECT } } })
  return chat == null ? undefined : { chat: chatFromWire(chat), author: chatAuthor(chat.author).author }
}
