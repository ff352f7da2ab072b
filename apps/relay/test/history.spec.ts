import { setImmediate } from 'node:timers/promises'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import {
  createMemoryHistoryStore, createMessageId, createRoomId, createRoomSecret, derivePrivateRoom, encodeChat, encodePresence, parseRoomPreview,
  ROOM_PREVIEW_ELEMENT_ID, ROOM_PREVIEW_MAX_LINES, ROOM_PREVIEW_PAGE_ID, roomTopic, sealRoomData
} from '@p2p-chat/shared'
import { waitFor } from '@p2p-chat/shared/testing'
import { describe, expect, it } from 'vitest'
import { HistoryKeeper } from '../src/history.js'
import { createRelay } from '../src/index.js'
import { historyOf, tcpAddr, useTestResources } from './helpers.js'
import type { TestRelay } from './helpers.js'
import type { GossipSub, GossipsubMessage } from '@libp2p/gossipsub'
import type { Chat, RoomNode } from '@p2p-chat/shared'

const { relay: startRelay, chatPeer } = useTestResources()

async function setup (overrides = {}): Promise<{ relay: TestRelay, peer: RoomNode, key: Awaited<ReturnType<typeof generateKeyPair>> }> {
  const relay = await startRelay(overrides)
  const { node: peer, key } = await chatPeer()
  await peer.dial(multiaddr(tcpAddr(relay.relay)))
  return { relay, peer, key }
}

/** Subscribes, waits until the relay follows the topic, publishes each message in turn. */
async function publish (peer: RoomNode, relay: TestRelay, topic: string, messages: Uint8Array[]): Promise<void> {
  peer.services.pubsub.subscribe(topic)
  await waitFor(() => peer.services.pubsub.getSubscribers(topic).some(p => p.equals(relay.relay.node.peerId)))
  for (const data of messages) {
    await peer.services.pubsub.publish(topic, data)
  }
}

describe('the relay as a history peer', () => {
  it('keeps a public room\'s chat lines (not presence) and gives them to a peer catching up, also after a restart', async () => {
    const { relay, peer, key } = await setup()
    const topic = roomTopic(createRoomId())
    const lines = await Promise.all(['one', 'two'].map(async (text, i) =>
      encodeChat({ id: createMessageId(), name: 'alice', text, timestamp: Date.now() - 10 + i }, topic, key)))
    await publish(peer, relay, topic, [lines[0]!, encodePresence({ name: 'alice', multiaddrs: [], hello: true }), lines[1]!])

    await waitFor(async () => (await historyOf(peer).sync(relay.relay.node.peerId, topic)).length === 2)
    const synced = await historyOf(peer).sync(relay.relay.node.peerId, topic)
    expect(synced.map(r => Buffer.from(r.data).toString('hex'))).toEqual(lines.map(l => Buffer.from(l).toString('hex')))

    // a restart (same data dir) keeps them
    await relay.relay.stop()
    const again = await createRelay(relay.options)
    await again.start()
    try {
      const { node: newcomer } = await chatPeer()
      await newcomer.dial(multiaddr(again.info().multiaddrs.find(a => /\/tcp\/\d+\/p2p\//.test(a))!))
      expect(await historyOf(newcomer).sync(again.node.peerId, topic)).toHaveLength(2)
    } finally {
      await again.stop()
    }
  })

  it('puts a public room\'s newest lines, as signed, into the page it serves at the room\'s link; other links get none', async () => {
    const { relay, peer, key } = await setup()
    const roomId = createRoomId()
    const topic = roomTopic(roomId)
    const lines = await Promise.all(Array.from({ length: ROOM_PREVIEW_MAX_LINES + 5 }, async (_, i) =>
      encodeChat({ id: createMessageId(), name: 'alice', text: `line ${i} <b>not markup</b>`, timestamp: Date.now() - 100 + i }, topic, key)))
    await publish(peer, relay, topic, lines)
    await waitFor(async () => (await historyOf(peer).sync(relay.relay.node.peerId, topic)).length === lines.length)

    const page = async (path: string): Promise<string> => (await fetch(new URL(path, relay.relay.url))).text()
    const html = await page(`/r/${roomId}`)
    const json = new RegExp(`<script type="application/json" id="${ROOM_PREVIEW_ELEMENT_ID}">([^<]*)</script>`).exec(html)?.[1]
    const preview = parseRoomPreview(json!)
    expect(preview.roomId).toBe(roomId)
    // the newest lines, oldest first, byte for byte as published
    expect(preview.lines.map(l => Buffer.from(l).toString('hex'))).toEqual(lines.slice(-ROOM_PREVIEW_MAX_LINES).map(l => Buffer.from(l).toString('hex')))
    // and drawn as HTML before the element the app mounts into, each line's text as text
    expect(html.indexOf(ROOM_PREVIEW_PAGE_ID)).toBeGreaterThan(0)
    expect(html.indexOf(ROOM_PREVIEW_PAGE_ID)).toBeLessThan(html.indexOf('<div id="app">'))
    expect(html).toContain(`line ${lines.length - 1} &lt;b&gt;not markup&lt;/b&gt;`)
    expect(html).not.toContain('<b>not markup</b>')
    expect(html).not.toContain(`line ${lines.length - ROOM_PREVIEW_MAX_LINES - 1} `)
    // a room nobody wrote in, the home page, a link that names no room: no preview
    for (const other of [`/r/${createRoomId()}`, '/', '/r/nonsense']) {
      expect(await page(other)).not.toContain(ROOM_PREVIEW_ELEMENT_ID)
    }
  })

  it('keeps a private room\'s envelopes as they are, without announcements, and without reading them', async () => {
    const { relay, peer } = await setup()
    const keys = await derivePrivateRoom(createRoomId(), createRoomSecret())
    const chat = await sealRoomData(keys, new TextEncoder().encode('sealed line'))
    const presence = await sealRoomData(keys, new TextEncoder().encode('sealed presence'), { ephemeral: true })
    await publish(peer, relay, keys.topic, [presence, chat])

    await waitFor(async () => (await historyOf(peer).sync(relay.relay.node.peerId, keys.topic)).length === 1)
    const [kept] = await historyOf(peer).sync(relay.relay.node.peerId, keys.topic)
    expect(Buffer.from(kept!.data).equals(Buffer.from(chat))).toBe(true)
  })

  it('answers NOT_SERVED for a room it never followed nor kept, and serves a room it follows, even before any line', async () => {
    const { relay, peer } = await setup()
    const unknown = roomTopic(createRoomId())
    await expect(historyOf(peer).sync(relay.relay.node.peerId, unknown)).rejects.toMatchObject({ name: 'HistoryNotServedError' })
    const followed = roomTopic(createRoomId())
    await publish(peer, relay, followed, [])
    await waitFor(() => relay.relay.rooms().includes(followed))
    expect(await historyOf(peer).sync(relay.relay.node.peerId, followed)).toEqual([])
  })

  it('forwards typing notices but keeps none; keeps replies, reactions and file offers as the lines they are', async () => {
    const { relay, peer: alice, key } = await setup()
    const { node: bob } = await chatPeer()
    await bob.dial(multiaddr(tcpAddr(relay.relay)))
    const publicTopic = roomTopic(createRoomId())
    const keys = await derivePrivateRoom(createRoomId(), createRoomSecret())
    const heard: Array<{ topic: string, data: Uint8Array }> = []
    bob.services.pubsub.addEventListener('gossipsub:message', evt => { heard.push(evt.detail.msg) })
    for (const topic of [publicTopic, keys.topic]) {
      bob.services.pubsub.subscribe(topic)
      await waitFor(() => relay.relay.rooms().includes(topic))
    }

    const first = createMessageId()
    const line = (fields: Partial<Chat>): Chat => ({ id: createMessageId(), name: 'alice', text: '🎉', timestamp: Date.now(), ...fields })
    const typing = (active: boolean): Uint8Array => encodePresence({ name: 'alice', multiaddrs: [], hello: false, typing: active })
    // history is ordered by (timestamp, id): a millisecond apart, the two come back in the order they were said
    const said = Date.now()
    const publicLines = [
      await encodeChat(line({ replyTo: first, text: 'yes', timestamp: said }), publicTopic, key),
      await encodeChat(line({ reactTo: first, timestamp: said + 1 }), publicTopic, key)
    ]
    await publish(alice, relay, publicTopic, [typing(true), publicLines[0]!, typing(false), publicLines[1]!])
    // in a private room, a typing notice is a sealed presence marked ephemeral; a file offer (over the default
    // limit of members: the relay has none of its own) is a sealed line
    const offer = line({ text: '📎 photo.jpg (3.2 GB)', attachment: { id: 'c0'.repeat(32), name: 'photo.jpg', size: 3 * 1024 ** 3, mime: 'image/jpeg' } })
    const privateLine = await sealRoomData(keys, await encodeChat(offer, keys.topic, key), { id: offer.id, timestamp: offer.timestamp })
    await publish(alice, relay, keys.topic, [await sealRoomData(keys, typing(true), { ephemeral: true }), privateLine])

    // bob heard everything through the relay, the notices included
    await waitFor(() => heard.length === 6)
    await waitFor(async () => (await historyOf(bob).sync(relay.relay.node.peerId, keys.topic)).length === 1)
    const kept = await historyOf(bob).sync(relay.relay.node.peerId, publicTopic)
    expect(kept.map(r => Buffer.from(r.data).toString('hex'))).toEqual(publicLines.map(l => Buffer.from(l).toString('hex')))
    const [keptPrivate] = await historyOf(bob).sync(relay.relay.node.peerId, keys.topic)
    expect(Buffer.from(keptPrivate!.data).equals(Buffer.from(privateLine))).toBe(true)
  })

  it('keeps nothing and serves nothing with --history off', async () => {
    const { relay, peer, key } = await setup({ history: false })
    const topic = roomTopic(createRoomId())
    await publish(peer, relay, topic, [await encodeChat({ id: createMessageId(), name: 'a', text: 'gone', timestamp: Date.now() }, topic, key)])
    await expect(historyOf(peer).sync(relay.relay.node.peerId, topic)).rejects.toMatchObject({ name: 'HistoryNotServedError' })
  })
})

describe('the relay\'s history keeper', () => {
  /** The memory in use after a full collection (vitest runs these tests with --expose-gc). */
  const memoryAfterGc = (): number => {
    const { gc } = globalThis as { gc?: () => void }
    if (gc == null) throw new Error('run with node --expose-gc')
    // a GC frees dead ArrayBuffers' memory on a thread beside this one, and the next GC finishes that first: after
    // one, 100,000 dead 100-byte buffers may still be counted (9.6 MiB in `arrayBuffers`), after two none are
    gc()
    gc()
    const { heapUsed, arrayBuffers } = process.memoryUsage()
    return heapUsed + arrayBuffers
  }

  it('holds nothing of the lines it kept: 100,000 lines later the heap is back where it was', async () => {
    // the relay's store is SQLite; a bounded memory store keeps this test fast and measures the keeper alone
    const store = createMemoryHistoryStore({ maxMessages: 100 })
    // gossipsub's delivery event is all the keeper listens to
    const pubsub = new EventTarget()
    const keeper = new HistoryKeeper(pubsub as unknown as GossipSub, store)
    const keys = await derivePrivateRoom(createRoomId(), createRoomSecret())
    const plaintext = new TextEncoder().encode('a line of chat that the relay keeps as ciphertext')
    /** Seals and delivers `count` lines, 1,000 at a time, and lets their writes finish. */
    const deliver = async (count: number): Promise<void> => {
      for (let sent = 0; sent < count; sent += 1000) {
        const batch = await Promise.all(Array.from({ length: Math.min(1000, count - sent) }, async () => sealRoomData(keys, plaintext)))
        for (const data of batch) {
          const msg: GossipsubMessage['msg'] = { type: 'unsigned', topic: keys.topic, data }
          pubsub.dispatchEvent(new CustomEvent('gossipsub:message', { detail: { msg } }))
        }
        await setImmediate()
      }
    }
    keeper.start()
    try {
      // warm-up: the first lines compile code and fill caches, which is not what is measured
      await deliver(1000)
      const before = memoryAfterGc()
      await deliver(100_000)
      expect(await store.list(keys.topic)).toHaveLength(100)
      const grown = memoryAfterGc() - before
      expect(grown, `grew by ${(grown / 2 ** 20).toFixed(1)} MiB`).toBeLessThan(4 * 2 ** 20)
    } finally {
      await keeper.stop()
      await store.close()
    }
  }, 120_000)
})
