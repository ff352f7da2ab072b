import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { publicRoomCodec } from '../src/chat/room-codec.js'
import { verifyRoomLines } from '../src/chat/room-history.js'
import { createMessageId, encodeChat, encodePresence } from '../src/codec.js'
import { ROOM_PREVIEW_MAX_BYTES, ROOM_PREVIEW_MAX_LINES } from '../src/constants.js'
import { formatRoomPreview, parseRoomPreview } from '../src/room-preview.js'
import { createRoomId, roomTopic } from '../src/room.js'

describe('a room preview', async () => {
  const key = await generateKeyPair('Ed25519')
  const author = peerIdFromPrivateKey(key).toString()
  const roomId = createRoomId()
  const line = async (text: string, topic = roomTopic(roomId)): Promise<Uint8Array> =>
    encodeChat({ id: createMessageId(), name: 'alice', text, timestamp: Date.now() }, topic, key)

  it('carries the newest lines that fit, oldest first, and reads back as written', async () => {
    const lines = await Promise.all(Array.from({ length: ROOM_PREVIEW_MAX_LINES + 3 }, async (_, i) => line(`line ${i}`)))
    const text = formatRoomPreview(roomId, lines)
    expect(text).not.toContain('<')
    const preview = parseRoomPreview(text)
    expect(preview.roomId).toBe(roomId)
    expect(preview.lines).toEqual(lines.slice(-ROOM_PREVIEW_MAX_LINES))

    // large lines: as many of the newest as fit the byte bound
    const large = await Promise.all(Array.from({ length: 20 }, async (_, i) => line(`${i} ${'x'.repeat(4000)}`)))
    const fitting = parseRoomPreview(formatRoomPreview(roomId, large)).lines
    expect(fitting.length).toBe(Math.floor(ROOM_PREVIEW_MAX_BYTES / large[0]!.byteLength))
    expect(fitting).toEqual(large.slice(-fitting.length))
  })

  it('is refused, with a typed error, when it is not a preview within the bounds', () => {
    const id = JSON.stringify(roomId)
    for (const text of [
      'not json', 'null', '[]', `{"roomId":${id}}`, '{"roomId":"nope","lines":[]}', `{"roomId":${id},"lines":[1]}`,
      `{"roomId":${id},"lines":["@@@"]}`, JSON.stringify({ roomId, lines: Array(ROOM_PREVIEW_MAX_LINES + 1).fill('') }),
      JSON.stringify({ roomId, lines: [Buffer.alloc(ROOM_PREVIEW_MAX_BYTES + 1).toString('base64')] })
    ]) {
      expect(() => parseRoomPreview(text), text.slice(0, 60)).toThrow(expect.objectContaining({ name: 'InvalidRoomPreviewError' }))
    }
    expect(() => formatRoomPreview('../etc', [])).toThrow(expect.objectContaining({ name: 'InvalidRoomPreviewError' }))
  })

  it('shows only lines that verify as the room\'s: a changed byte, another room\'s line or a presence is dropped', async () => {
    const good = await line('kept')
    const tampered = await line('changed')
    tampered[tampered.length - 1]! ^= 1
    const otherRoom = await line('elsewhere', roomTopic(createRoomId()))
    const presence = encodePresence({ name: 'alice', multiaddrs: [], hello: true })
    const shown = await verifyRoomLines(publicRoomCodec(roomId), [good, tampered, otherRoom, presence].map(data => ({ data })))
    expect(shown.map(chat => [chat.text, chat.from])).toEqual([['kept', author]])
  })
})
