import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { RoomMembers } from '../src/chat/members.js'
import { LARGE_ROOM_NEIGHBOURS, MAX_DIRECT_MEMBERS } from '../src/constants.js'
import type { RoomNode } from '../src/chat/peer-pinger.js'
import type { PeerId } from '@libp2p/interface'

/** Each of `ids` as a node knowing all the others as members (only its peer id is read). */
function viewsOf (ids: PeerId[]): Map<string, RoomMembers> {
  const views = new Map<string, RoomMembers>()
  for (const self of ids) {
    const members = new RoomMembers({ peerId: self } as unknown as RoomNode, { memberExpiry: 40_000, noDirectRouteNotice: 20_000, onNotice: () => {} })
    ids.filter(id => !id.equals(self)).forEach(id => members.touch(id.toString(), 'm'))
    views.set(self.toString(), members)
  }
  return views
}

describe('which members a member connects to directly', () => {
  it('everyone in a small room; in a large one its ring neighbours, the same pairs from both sides, a connected whole', async () => {
    const ids = await Promise.all(Array.from({ length: 16 }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
    const small = viewsOf(ids.slice(0, MAX_DIRECT_MEMBERS + 1))
    for (const members of small.values()) {
      expect(members.ids().filter(id => members.isNeighbour(id))).toHaveLength(MAX_DIRECT_MEMBERS)
    }
    const large = viewsOf(ids)
    const pairs = new Set<string>()
    for (const [self, members] of large) {
      const neighbours = members.ids().filter(id => members.isNeighbour(id))
      expect(neighbours).toHaveLength(LARGE_ROOM_NEIGHBOURS)
      for (const other of neighbours) {
        // symmetric: the other side picks this pair too
        expect(large.get(other)!.isNeighbour(self)).toBe(true)
        pairs.add([self, other].sort().join())
      }
    }
    expect(pairs.size).toBe(16 * LARGE_ROOM_NEIGHBOURS / 2)
    // every member reaches every other over direct connections alone (the room survives its relay)
    const reached = new Set([ids[0]!.toString()])
    for (let grew = true; grew;) {
      grew = false
      for (const pair of pairs) {
        const [a, b] = pair.split(',') as [string, string]
        if (reached.has(a) !== reached.has(b)) { reached.add(a); reached.add(b); grew = true }
      }
    }
    expect(reached.size).toBe(16)
  })
})
