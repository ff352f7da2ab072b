import { generateKeyPair } from '@libp2p/crypto/keys'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { Room } from '../src/chat/room.js'
import { chatPeerServices } from '../src/chat/services.js'
import { createMemoryHistoryStore } from '../src/history/memory.js'
import { createRoomId, isRoomTopic } from '../src/index.js'
import { loopbackOptions, waitFor } from './helpers.js'
import type { RoomNode } from '../src/chat/peer-pinger.js'
import type { HistorySyncClient } from '../src/chat/room-history.js'
import type { HistoryRecord, HistoryStore, HistorySync } from '../src/history/index.js'
import type { RoomChat } from '../src/index.js'

describe('Room', () => {
  /** a room member's node, with the history-sync service it runs */
  type MemberNode = RoomNode & { services: { history: HistorySync } }
  const nodes: MemberNode[] = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async node => node.stop()))
  })

  async function member (store: HistoryStore): Promise<MemberNode> {
    const node = await createLibp2p({
      ...loopbackOptions(),
      privateKey: await generateKeyPair('Ed25519'),
      services: chatPeerServices({ history: { store, serves: isRoomTopic } })
    }) as unknown as MemberNode
    nodes.push(node)
    return node
  }

  it('leave() cancels a catch-up under way: what arrives afterwards is neither kept nor shown', async () => {
    const roomId = createRoomId()
    // Bob has two lines of the room, and answers history requests only when told to: a slow peer
    let release!: () => void
    const released = new Promise<void>(resolve => { release = resolve })
    let asked = false
    const bobStore = createMemoryHistoryStore()
    const slowList: HistoryStore['list'] = async (topic, options) => {
      asked = true
      await released
      return bobStore.list(topic, options)
    }
    const slowStore = new Proxy(bobStore, {
      get: (target, key) => {
        const value: unknown = key === 'list' ? slowList : Reflect.get(target, key)
        return typeof value === 'function' && key !== 'list' ? value.bind(target) : value
      }
    })
    const bob = await member(slowStore)
    const bobRoom = new Room(bob, { roomId, name: () => 'bob', privateKey: await generateKeyPair('Ed25519'), history: { store: slowStore } })
    await bobRoom.send('one')
    await bobRoom.send('two')
    expect(await bobStore.list(bobRoom.topic)).toHaveLength(2)

    const aliceStore = createMemoryHistoryStore()
    const alice = await member(aliceStore)
    // Alice's history-sync client, watched: did her request end, and why
    let settled: 'answered' | 'aborted' | undefined
    const sync: HistorySyncClient = {
      sync: async (peerId, topic, options) => {
        try {
          const records: HistoryRecord[] = await alice.services.history.sync(peerId, topic, options)
          settled = 'answered'
          return records
        } catch (err) {
          settled = options.signal?.aborted === true ? 'aborted' : 'answered'
          throw err
        }
      }
    }
    const room = new Room(alice, { roomId, name: () => 'alice', privateKey: await generateKeyPair('Ed25519'), history: { store: aliceStore, sync } })
    const shown: RoomChat[] = []
    room.addEventListener('chat', evt => shown.push(evt.detail))
    bobRoom.join()
    room.join()
    await alice.dial(bob.getMultiaddrs())
    await waitFor(() => asked, 10_000)

    room.leave()
    release()
    await waitFor(() => settled != null, 10_000)
    expect(settled).toBe('aborted')
    expect(shown).toEqual([])
    expect(await aliceStore.list(room.topic)).toEqual([])
    bobRoom.leave()
  })
})
