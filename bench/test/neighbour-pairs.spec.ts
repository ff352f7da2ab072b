import { isDirectPair } from '@p2p-chat/shared'
import { describe, expect, it } from 'vitest'
import { neighbourPairs } from '../metrics/latency.ts'
import type { RoomView } from '../metrics/latency.ts'

/** Members `m00`…: each page's view, with `direct(a, b)` deciding the route `a`'s peers list shows for `b`. */
function views (n: number, direct: (a: string, b: string) => boolean): RoomView[] {
  const ids = Array.from({ length: n }, (_, i) => `m${String(i).padStart(2, '0')}`)
  return ids.map(self => ({ self, routes: new Map(ids.filter(id => id !== self).map(id => [id, direct(self, id) ? 'direct' : 'relayed'])) }))
}

describe('neighbourPairs', () => {
  it('in a room of up to 9 every pair connects directly', () => {
    expect(neighbourPairs(views(8, () => true))).toEqual({ direct: 28, expected: 28 })
    expect(neighbourPairs(views(8, (a, b) => a !== 'm07' && b !== 'm07'))).toEqual({ direct: 21, expected: 28 })
  })

  it('in a larger room only ring neighbours count: a member without its neighbours is not made up for by surplus pairs elsewhere', () => {
    const ring = Array.from({ length: 10 }, (_, i) => `m${String(i).padStart(2, '0')}`)
    expect(neighbourPairs(views(10, (a, b) => isDirectPair(ring, a, b)))).toEqual({ direct: 20, expected: 20 })
    // the first members connected to everyone while the room was small; the last one has no direct connection:
    // the peers lists show more direct badges than the ring's 20 pairs, but 4 of those pairs are missing
    const room = views(10, (a, b) => a !== 'm09' && b !== 'm09')
    const badges = room.reduce((sum, view) => sum + [...view.routes.values()].filter(route => route === 'direct').length, 0) / 2
    expect(badges).toBeGreaterThan(20)
    expect(neighbourPairs(room)).toEqual({ direct: 16, expected: 20 })
  })

  it('a pair counts once both sides show it direct, and not while a page\'s own id is unknown', () => {
    expect(neighbourPairs(views(3, (a, b) => a < b))).toEqual({ direct: 0, expected: 3 })
    const room = views(3, () => true)
    room[0] = { ...room[0]!, self: '' }
    expect(neighbourPairs(room)).toEqual({ direct: 1, expected: 3 })
  })
})
