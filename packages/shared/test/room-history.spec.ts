import { generateKeyPair } from '@libp2p/crypto/keys'
import { describe, expect, it, vi } from 'vitest'
import { publicRoomCodec } from '../src/chat/room-codec.js'
import { RoomHistory } from '../src/chat/room-history.js'
import { createMessageId, encodeChat } from '../src/codec.js'
import { createMemoryHistoryStore } from '../src/history/memory.js'
import { createRoomId } from '../src/room.js'
import type { Chat } from '../src/codec.js'

describe('RoomHistory', () => {
  it('keeps lines in the background: one write for what comes in one task, and one for what arrives while it runs; nothing to keep keeps nothing', async () => {
    const codec = publicRoomCodec(createRoomId())
    const store = createMemoryHistoryStore()
    const writes: number[] = []
    const add = store.add.bind(store)
    let release = (): void => {}
    const held = new Promise<void>(resolve => { release = resolve })
    store.add = async records => { writes.push(records.length); await held; return add(records) }
    const history = new RoomHistory({ codec, store })
    const key = await generateKeyPair('Ed25519')
    const lines = await Promise.all(['one', 'two', 'three'].map(async (text, i) => {
      const chat = { id: createMessageId(), name: 'alice', text, timestamp: Date.now() + i }
      return { chat, data: await encodeChat(chat, codec.topic, key) }
    }))

    history.keepLater()
    await history.written()
    expect(writes).toEqual([])
    // after the task that hands lines over (which shows them), in one write
    history.keepLater(lines[0]!)
    history.keepLater(lines[1]!)
    expect(writes).toEqual([])
    await vi.waitFor(() => { expect(writes).toEqual([2]) })
    history.keepLater(lines[2]!)
    history.keepLater()
    release()
    await history.written()
    expect(writes).toEqual([2, 1])
    expect((await history.load()).map(line => line.text)).toEqual(['one', 'two', 'three'])
  })

  it('with a keeping delay, writes a line after a quiet spell at once and gathers those that follow it within the delay into one write; written() writes them without waiting it out', async () => {
    const codec = publicRoomCodec(createRoomId())
    const store = createMemoryHistoryStore()
    const writes: number[] = []
    const add = store.add.bind(store)
    store.add = async records => { writes.push(records.length); return add(records) }
    // longer than the test may take: only written() can make the later writes happen
    const history = new RoomHistory({ codec, store, keepDelay: 60_000 })
    const key = await generateKeyPair('Ed25519')
    const line = async (text: string): Promise<{ chat: Chat, data: Uint8Array }> => {
      const chat = { id: createMessageId(), name: 'alice', text, timestamp: Date.now() }
      return { chat, data: await encodeChat(chat, codec.topic, key) }
    }

    // the first line of a quiet room is written at once: a reload right after it finds it kept
    history.keepLater(await line('one'))
    await vi.waitFor(() => { expect(writes).toEqual([1]) })
    // lines seen in different tasks soon after (without a delay, two writes)
    history.keepLater(await line('two'))
    await new Promise(resolve => setTimeout(resolve, 50))
    history.keepLater(await line('three'))
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(writes).toEqual([1])
    // a peer asks for the room's history: what waits is written now
    await history.written()
    expect(writes).toEqual([1, 2])
    expect((await history.load()).map(line => line.text)).toEqual(['one', 'two', 'three'])
  })
})
