import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import { publicRoomCodec } from '../src/chat/room-codec.js'
import { RoomHistory } from '../src/chat/room-history.js'
import { createMessageId, encodeChat } from '../src/codec.js'
import { createMemoryHistoryStore } from '../src/history/memory.js'
import { createRoomId } from '../src/room.js'

describe('RoomHistory', () => {
  it('keeps lines in the background, one write for what arrives while another runs; nothing to keep keeps nothing', async () => {
    const codec = publicRoomCodec(createRoomId())
    const store = createMemoryHistoryStore()
    const writes: number[] = []
    const add = store.add.bind(store)
    store.add = async records => { writes.push(records.length); return add(records) }
    const history = new RoomHistory({ codec, store })
    const key = await generateKeyPair('Ed25519')
    const lines = await Promise.all(['one', 'two', 'three'].map(async (text, i) => {
      const chat = { id: createMessageId(), name: 'alice', text, timestamp: Date.now() + i }
      return { chat, data: await encodeChat(chat, codec.topic, key) }
    }))

    history.keepLater()
    await history.written()
    history.keepLater(lines[0]!)
    history.keepLater(lines[1]!, lines[2]!)
    history.keepLater()
    await history.written()
    expect(writes).toEqual([1, 2])
    expect((await history.load()).map(line => line.text)).toEqual(['one', 'two', 'three'])
  })
})
