import { multiaddr } from '@multiformats/multiaddr'
import { createMemoryHistoryStore, createRoomId, Room } from '@p2p-chat/shared'
import { waitFor } from '@p2p-chat/shared/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { historyOf, tcpAddr, useTestResources } from './helpers.js'

const { relay: startRelay, chatPeer } = useTestResources()
let rooms: Room[] = []
afterEach(() => { rooms.forEach(r => { r.leave() }); rooms = [] })

describe('catching up while the room talks', () => {
  // the soak's newcomers had every line of the last 5 minutes within 15 s in only a quarter of joins: this is the
  // plainest form of that (one talker, a line every 50 ms, newcomers one after another), and it holds
  it('a newcomer has every line said before it had a route, from the relay', async () => {
    const relay = await startRelay()
    const { node: alice, key: aliceKey } = await chatPeer()
    await alice.dial(multiaddr(tcpAddr(relay.relay)))
    const roomId = createRoomId()
    const talker = new Room(alice, { roomId, name: () => 'Alice', privateKey: aliceKey, history: { store: createMemoryHistoryStore(), sync: historyOf(alice) } })
    rooms.push(talker)
    talker.join()
    await waitFor(() => relay.relay.rooms().includes(talker.topic))
    const said: Array<{ text: string, at: number }> = []
    let n = 0
    const timer = setInterval(() => {
      const text = `line ${n++}`
      said.push({ text, at: Date.now() })
      void talker.send(text)
    }, 50)
    try {
      const misses: string[][] = []
      for (let round = 0; round < 3; round++) {
        await new Promise(resolve => setTimeout(resolve, 700))
        const { node: bob, key: bobKey } = await chatPeer()
        const room = new Room(bob, { roomId, name: () => 'Bob', privateKey: bobKey, history: { store: createMemoryHistoryStore(), sync: historyOf(bob) } })
        rooms.push(room)
        const heard = new Set<string>()
        room.addEventListener('chat', evt => { heard.add(evt.detail.text) })
        let routedAt: number | undefined
        bob.services.pubsub.addEventListener('subscription-change', evt => {
          if (evt.detail.subscriptions.some(s => s.topic === room.topic && s.subscribe)) routedAt ??= Date.now()
        })
        room.join()
        await bob.dial(multiaddr(tcpAddr(relay.relay)))
        await waitFor(() => routedAt != null)
        await new Promise(resolve => setTimeout(resolve, 3000))
        const owed = said.filter(l => l.at < routedAt!).map(l => l.text)
        expect(owed.length).toBeGreaterThan(0)
        misses.push(owed.filter(t => !heard.has(t)))
        room.leave()
        rooms = rooms.filter(r => r !== room)
        await bob.stop()
      }
      // what each newcomer lacks of what was said before its route (none, when the relay's history works)
      expect(misses).toEqual([[], [], []])
    } finally {
      clearInterval(timer)
    }
  }, 60_000)
})
