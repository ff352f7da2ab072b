import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import {
  createMessageId, decodeRoomMessage, encodeChat, encodePresence, validateName, validateText
} from '../src/codec.js'
import { MAX_PRESENCE_MULTIADDRS, MAX_ROOM_MESSAGE_BYTES, MAX_TEXT_BYTES } from '../src/constants.js'
import { RoomMessage } from '../src/proto/room.js'

const chat = { id: createMessageId(), name: 'alice', text: 'hello <b>world</b> 🌍', timestamp: 1_700_000_000_000 }

describe('room message codec', () => {
  it('round-trips a chat message', () => {
    expect(decodeRoomMessage(encodeChat(chat))).toEqual({ type: 'chat', chat })
  })

  it('round-trips a presence with multiaddrs', () => {
    const addr = multiaddr('/ip4/127.0.0.1/tcp/4002/ws/p2p/12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf/p2p-circuit/webrtc')
    const event = decodeRoomMessage(encodePresence({ name: 'bob', multiaddrs: [addr], hello: true }))
    expect(event.type).toBe('presence')
    if (event.type !== 'presence') return
    expect(event.presence.name).toBe('bob')
    expect(event.presence.hello).toBe(true)
    expect(event.presence.multiaddrs.map(String)).toEqual([addr.toString()])
  })

  it('creates distinct 32-hex-character ids', () => {
    const a = createMessageId()
    expect(a).toMatch(/^[0-9a-f]{32}$/)
    expect(createMessageId()).not.toBe(a)
  })

  it('refuses text over the limit with MessageTooLargeError carrying the sizes', () => {
    const text = 'é'.repeat(MAX_TEXT_BYTES / 2 + 1)
    expect(() => validateText(text)).toThrow(expect.objectContaining({ name: 'MessageTooLargeError', size: MAX_TEXT_BYTES + 2, limit: MAX_TEXT_BYTES }))
    expect(() => encodeChat({ ...chat, text })).toThrow(expect.objectContaining({ name: 'MessageTooLargeError' }))
    expect(() => validateText('a'.repeat(MAX_TEXT_BYTES))).not.toThrow()
  })

  it('refuses empty text and names', () => {
    expect(() => validateText('   ')).toThrow(expect.objectContaining({ name: 'InvalidMessageError' }))
    expect(() => validateName(' ')).toThrow(expect.objectContaining({ name: 'InvalidMessageError' }))
    expect(validateName('  bob  ')).toBe('bob')
  })

  it('rejects garbage bytes with InvalidMessageError', () => {
    expect(() => decodeRoomMessage(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(expect.objectContaining({ name: 'InvalidMessageError' }))
  })

  it('rejects an unknown version with UnsupportedVersionError', () => {
    const bytes = RoomMessage.encode({ version: 99, chat: { ...chat, timestamp: BigInt(chat.timestamp) } })
    expect(() => decodeRoomMessage(bytes)).toThrow(expect.objectContaining({ name: 'UnsupportedVersionError' }))
  })

  it('rejects a message with neither or both payloads', () => {
    expect(() => decodeRoomMessage(RoomMessage.encode({ version: 1 }))).toThrow(expect.objectContaining({ name: 'InvalidMessageError' }))
    const both = RoomMessage.encode({ version: 1, chat: { ...chat, timestamp: BigInt(chat.timestamp) }, presence: { name: 'x', multiaddrs: [], hello: false } })
    expect(() => decodeRoomMessage(both)).toThrow(expect.objectContaining({ name: 'InvalidMessageError' }))
  })

  it('rejects oversized encodings before decoding them', () => {
    expect(() => decodeRoomMessage(new Uint8Array(MAX_ROOM_MESSAGE_BYTES + 1))).toThrow(expect.objectContaining({ name: 'MessageTooLargeError' }))
  })

  it('rejects a decoded chat that breaks the schema rules', () => {
    const encodeRaw = (c: Partial<typeof chat>): Uint8Array => RoomMessage.encode({ version: 1, chat: { ...chat, ...c, timestamp: BigInt(c.timestamp ?? chat.timestamp) } })
    expect(() => decodeRoomMessage(encodeRaw({ id: 'not-hex' }))).toThrow(expect.objectContaining({ name: 'InvalidMessageError' }))
    expect(() => decodeRoomMessage(encodeRaw({ timestamp: Date.now() + 3_600_000 }))).toThrow(expect.objectContaining({ name: 'InvalidMessageError' }))
    expect(() => decodeRoomMessage(encodeRaw({ text: 'x'.repeat(MAX_TEXT_BYTES + 1) }))).toThrow(expect.objectContaining({ name: 'MessageTooLargeError' }))
    expect(() => decodeRoomMessage(encodeRaw({ name: '' }))).toThrow(expect.objectContaining({ name: 'InvalidMessageError' }))
  })

  it('rejects presence with too many or invalid multiaddrs', () => {
    const many = RoomMessage.encode({ version: 1, presence: { name: 'x', multiaddrs: Array.from({ length: MAX_PRESENCE_MULTIADDRS + 1 }, () => multiaddr('/ip4/1.2.3.4/tcp/1').bytes), hello: false } })
    expect(() => decodeRoomMessage(many)).toThrow(expect.objectContaining({ name: 'InvalidMessageError' }))
    const bad = RoomMessage.encode({ version: 1, presence: { name: 'x', multiaddrs: [Uint8Array.from([0xee, 0xee, 0xee])], hello: false } })
    expect(() => decodeRoomMessage(bad)).toThrow(expect.objectContaining({ name: 'InvalidMessageError' }))
  })
})
