import { describe, expect, it } from 'vitest'
import { setMostRecent } from '../src/util/most-recent.js'

describe('setMostRecent', () => {
  it('keeps the most recently set entries, at most `max`, forgetting the least recent first', () => {
    const map = new Map<string, number>()
    setMostRecent(map, 'a', 1, 2)
    setMostRecent(map, 'b', 2, 2)
    setMostRecent(map, 'a', 3, 2) // set again: the most recent now
    setMostRecent(map, 'c', 4, 2)
    expect([...map]).toEqual([['a', 3], ['c', 4]])
  })
})
