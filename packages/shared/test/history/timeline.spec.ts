import { describe, expect, it } from 'vitest'
import { compareRecords, Timeline } from '../../src/history/index.js'

const item = (id: string, timestamp: number, text = ''): { id: string, timestamp: number, text: string } => ({ id: id.padStart(32, '0'), timestamp, text })

describe('timeline order', () => {
  it('compares by timestamp, then id', () => {
    expect(compareRecords(item('b', 1), item('a', 2))).toBe(-1)
    expect(compareRecords(item('b', 2), item('a', 2))).toBe(1)
    expect(compareRecords(item('a', 2), item('a', 2))).toBe(0)
  })

  it('a timeline keeps its items in order, each id once (the first one added), the newest `max`', () => {
    const timeline = new Timeline<ReturnType<typeof item>>(4)
    expect(timeline.add(item('a', 1, 'shown'), item('c', 3))).toBe(true)
    const before = timeline.items
    expect(timeline.add(item('d', 2), item('a', 1, 'synced'), item('b', 3), item('d', 2))).toBe(true)
    expect(timeline.items).toEqual([item('a', 1, 'shown'), item('d', 2), item('b', 3), item('c', 3)])
    expect(before).toHaveLength(2)
    expect(timeline.add(item('a', 1, 'again'))).toBe(false)
    // a live line sorts last; the oldest goes beyond the bound, and its id may come back
    timeline.add(item('e', 4))
    expect(timeline.items).toEqual([item('d', 2), item('b', 3), item('c', 3), item('e', 4)])
    expect(timeline.add(item('a', 5))).toBe(true)
    expect(timeline.items.at(-1)).toEqual(item('a', 5))
  })

  it('an item is updated in place; the array is a new one', () => {
    const timeline = new Timeline<ReturnType<typeof item>>()
    timeline.add(item('a', 1), item('b', 2))
    const before = timeline.items
    expect(timeline.update(item('a', 1).id, line => ({ ...line, text: 'sent' }))).toBe(true)
    expect(timeline.items).toEqual([item('a', 1, 'sent'), item('b', 2)])
    expect(before[0]).toEqual(item('a', 1))
    expect(timeline.update(item('z', 1).id, line => line)).toBe(false)
  })
})
