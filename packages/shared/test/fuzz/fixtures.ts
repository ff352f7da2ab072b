import { generateKeyPairFromSeed, privateKeyFromProtobuf, privateKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { encodeChat, encodePresence } from '../../src/codec.js'
import { derivePrivateRoom, sealRoomData } from '../../src/private-room/index.js'
import { roomTopic } from '../../src/room.js'
import { withDeterministicRandom } from '../../src/testing/index.js'
import type { Chat } from '../../src/codec.js'
import type { PrivateRoomKeys } from '../../src/private-room/index.js'
import type { PeerId, PrivateKey } from '@libp2p/interface'

/**
 * Seed messages for the fuzzers: real messages made by the real codecs from fixed keys, ids and times, so that a
 * FUZZ_SEED replays the same cases on any machine on any day.
 */

/** Every refusal decodeRoomMessage documents. */
export const ROOM_MESSAGE_ERRORS = ['MessageTooLargeError', 'UnsupportedVersionError', 'InvalidMessageError', 'InvalidNameError', 'InvalidSignatureError', 'UnsupportedIdentityError']
/** ...and those of private envelopes. */
export const ENVELOPE_ERRORS = ['MessageTooLargeError', 'UnsupportedVersionError', 'InvalidEnvelopeError']

export const ROOM_ID = 'aaaaaaaaaaaaaaaaaaaaaaaaaa'
export const TOPIC = roomTopic(ROOM_ID)
/** A room secret for the private-room seeds (a throwaway, like every key here). */
export const ROOM_SECRET = uint8ArrayToString(new Uint8Array(32).fill(4), 'base64url')
/** Messages are checked against a fixed clock, so a run does not depend on when it runs. */
export const NOW = 1_780_000_000_000

/** A 1024-bit RSA key (protobuf): RSA authors put DER in front of every decoder of keys. */
const RSA_KEY = 'CAAS4QQwggJdAgEAAoGBANQKvtKyBq9EZR8PeB3+SC0C4VyFaktZTe1bmKx33aFctSQzG0mfYESW+gT6SHC0B7NVXBG6F52Q1TDVOn5v0vsxdAb+MiuZ+5+uv+alF1CllJgjoGZSgrAKTl9fsq8uVG0JVVSeyRcHp5Its6FZeHThybpYDMlR/WB6VwT3pnY7AgMBAAECgYB/Eo13IP9Gi9t5+MBIYToJ138M/ltMGpHL3CervA3TBQb9Ua9ZuKxtjnj5ALDm8cznmREbAoXihIhuwmpSmVs63P+n3dxjxZKnMDn3WBbQymmSKut5/9JaFV8GMUwNlMBWx8rpXq4iRpKAyCv2hFrZeoujt+5BrsrC4ro1w8UheQJBAO4ZT93UJrd7ztyqsurWBDHUu32T+gqI1iykufccIn6Hq/FirZLXSYnbUahPo1tqJmlcdMmqn2P0d5sf+xYufl0CQQDj++qXHp6Yh1Uqb2p6xhtHHg1B+lKXWgOIGSyjaadE23FUh4udTWVaXDPvyAcxpq6knNA01LP9gYerk+E6Kw13AkEAhcPcteChm8XH0vtnpz1zf9dnOkbvXAnCYbRt8eFxk6p/NA7fOzcOTo/T0X5kZVA+okTaLA5am9pVc+ZEtxKJ1QJACUDcUK3pef9kMYi8JaeMy+IoX5ktaP86TXfYG/nZ1C2j9+5YeFX/2x8K7JyNzjIZvIyw1rQbahqrywcBiT7eGQJBAOX69tj9fSgdyFdZIXghPAdeekCuZFehdrXTPUiqoDl6Fyh1mRwUcbB0seZo/RvcJoHm8+NT+TrTd9As8cgfbP8'

/**
 * Fixed keys of every type a peer id can have: two Ed25519 (P2P Chat identities), one secp256k1 and one RSA (whose
 * lines and messages are refused with UnsupportedIdentityError).
 */
export async function fixedKeys (): Promise<PrivateKey[]> {
  return [
    await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(1)),
    await generateKeyPairFromSeed('Ed25519', new Uint8Array(32).fill(2)),
    privateKeyFromRaw(new Uint8Array(32).fill(3)),
    privateKeyFromProtobuf(uint8ArrayFromString(RSA_KEY, 'base64'))
  ]
}

/** A fixed message id: `n` in hex. */
export function fixedId (n: number): string {
  return n.toString(16).padStart(32, 'a')
}

export interface RoomSeeds {
  keys: PrivateKey[]
  authors: PeerId[]
  /** encoded room messages: a chat line by each key, a reply, a reaction, an attachment, presences and a typing notice */
  encoded: Uint8Array[]
  /** the chat lines among them, as `[id, timestamp, bytes]` */
  lines: Array<{ id: string, timestamp: number, bytes: Uint8Array }>
  /** what each author really signed: `${author}/${id}` → the line */
  signed: Map<string, Chat>
}

/**
 * Real messages of {@link TOPIC}: a chat line signed by each fixed key, a reply, a reaction and a file offer,
 * presences with and without addresses, and a typing notice.
 */
export async function roomSeeds (): Promise<RoomSeeds> {
  const keys = await fixedKeys()
  const authors = keys.map(peerIdFromPrivateKey)
  const encoded: Uint8Array[] = []
  const lines: RoomSeeds['lines'] = []
  const signed = new Map<string, Chat>()
  const texts = [['alice', 'hi'], ['bob', 'é'.repeat(2048)], ['  carol  ', 'multi\nline\u0000text'], ['😀'.repeat(16), 'x'.repeat(4096)]]
  for (const [i, key] of keys.entries()) {
    const [name, text] = texts[i % texts.length]!
    const chat: Chat = { id: fixedId(i + 1), name: name!, text: text!, timestamp: NOW - 60_000 + i }
    const bytes = await encodeChat(chat, TOPIC, key, NOW)
    encoded.push(bytes)
    lines.push({ id: chat.id, timestamp: chat.timestamp, bytes })
    signed.set(`${authors[i]!.toString()}/${chat.id}`, chat)
  }
  // a reply, a reaction and an image offer (signed twice: fields 1-5, and the whole line)
  const extended: Array<Omit<Chat, 'id' | 'timestamp' | 'name'>> = [
    { text: 'yes', replyTo: fixedId(1) },
    { text: '👍🏽', reactTo: fixedId(2) },
    { text: '📎 photo.jpg (2.1 MB)', attachment: { id: 'ab'.repeat(32), name: 'photo.jpg', size: 2_100_000, mime: 'image/jpeg', width: 4032, height: 3024 } }
  ]
  for (const [i, fields] of extended.entries()) {
    const chat: Chat = { ...fields, id: fixedId(keys.length + i + 1), name: 'dora', timestamp: NOW - 30_000 + i }
    const bytes = await encodeChat(chat, TOPIC, keys[i]!, NOW)
    encoded.push(bytes)
    lines.push({ id: chat.id, timestamp: chat.timestamp, bytes })
    signed.set(`${authors[i]!.toString()}/${chat.id}`, chat)
  }
  const relay = authors[0]!.toString()
  encoded.push(encodePresence({ name: 'alice', multiaddrs: [], hello: true }))
  encoded.push(encodePresence({ name: 'alice', multiaddrs: [], hello: false, typing: true }))
  encoded.push(encodePresence({
    name: 'bob',
    multiaddrs: [
      multiaddr(`/ip4/127.0.0.1/tcp/4001/p2p/${relay}/p2p-circuit/webrtc/p2p/${authors[1]!.toString()}`),
      multiaddr(`/dns4/relay.example/tcp/443/tls/ws/p2p/${relay}/p2p-circuit`)
    ],
    hello: false
  }))
  return { keys, authors, encoded, lines, signed }
}

/** The private room of {@link ROOM_ID} and {@link ROOM_SECRET}. */
export async function privateRoomKeys (): Promise<PrivateRoomKeys> {
  return derivePrivateRoom(ROOM_ID, ROOM_SECRET)
}

export interface PrivateSeeds {
  keys: PrivateRoomKeys
  /** sealed envelopes: every room seed, chat lines under their own id and time, presences ephemeral */
  sealed: Uint8Array[]
  /** what each envelope holds: id → header and plaintext */
  opened: Map<string, { timestamp: number, ephemeral: boolean, direct: string[], plaintext: Uint8Array }>
}

/**
 * {@link roomSeeds} sealed for the private room, with a fixed stream of random ivs (so always the same bytes);
 * presences name the seeds' authors as their direct peers.
 */
export async function privateSeeds (room: RoomSeeds): Promise<PrivateSeeds> {
  const keys = await privateRoomKeys()
  const opened: PrivateSeeds['opened'] = new Map()
  const sealed = await withDeterministicRandom(1, async () => {
    const out: Uint8Array[] = []
    for (const [i, plaintext] of room.encoded.entries()) {
      const line = room.lines.find(l => l.bytes === plaintext)
      const header = line == null
        ? { id: fixedId(100 + i), timestamp: NOW - i, ephemeral: true, direct: room.authors.slice(0, i % 3).map(String) }
        : { id: line.id, timestamp: line.timestamp, ephemeral: false, direct: [] }
      out.push(await sealRoomData(keys, plaintext, header))
      opened.set(header.id, { ...header, plaintext })
    }
    return out
  })
  return { keys, sealed, opened }
}
