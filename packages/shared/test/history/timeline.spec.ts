import { describe, expect, it } from 'vitest'
import { compareRecords, mergeTimeline } from '../../src/history/index.js'

const item = (id: string, timestamp: number, text = ''): { id: string, timestamp: number, text: string } => ({ id: id.padStart(32, '0'), timestamp, text })

describe('timeline order', () => {
  it('compares by timestamp, then id', () => {
    expect(compareRecords(item('b', 1), item('a', 2))).toBe(-1)
    expect(compareRecords(item('b', 2), item('a', 2))).toBe(1)
    expect(compareRecords(item('a', 2), item('a', 2))).toBe(0)
  })

  it('merges two timelines in order, each id once, keeping the first one\'s item', () => {
    const shown = [item('a', 1, 'shown'), item('c', 3)]
    const synced = [item('d', 2), item('a', 1, 'synced'), item('b', 3), item('d', 2)]
    expect(mergeTimeline(shown, synced)).toEqual([item('a', 1, 'shown'), item('d', 2), item('b', 3), item('c', 3)])
    expect(shown).toHaveLength(2)
    expect(mergeTimeline([], [item('z', 9), item('y', 1)])).toEqual([item('y', 1), item('z', 9)])
  })
})
