import { describe, expect, it } from 'vitest'
import { TokenBuckets } from '../src/token-buckets.js'

describe('token buckets', () => {
  it('allow a burst, then the rate, per key', () => {
    const buckets = new TokenBuckets({ rate: 2, burst: 3 })
    expect([1, 2, 3, 4].map(() => buckets.take('a', 0))).toEqual([true, true, true, false])
    expect(buckets.take('b', 0)).toBe(true)
    // 2 a second: one token back after 500 ms
    expect(buckets.take('a', 499)).toBe(false)
    expect(buckets.take('a', 500)).toBe(true)
    expect(buckets.take('a', 500)).toBe(false)
  })

  it('take from several keys only if each has a token', () => {
    const buckets = new TokenBuckets({ rate: 1, burst: 1 })
    expect(buckets.take('a', 0)).toBe(true)
    expect(buckets.take(['a', 'b'], 0)).toBe(false)
    expect(buckets.take('b', 0)).toBe(true)
    // the same key twice costs one token
    expect(buckets.take(['c', 'c'], 0)).toBe(true)
  })

  it('stay bounded: refilled buckets are pruned, and the least recently used is forgotten past maxKeys', () => {
    const buckets = new TokenBuckets({ rate: 10, burst: 10, maxKeys: 100 })
    for (let i = 0; i < 1000; i++) {
      buckets.take(`peer-${i}`, 0)
    }
    expect(buckets.size).toBe(100)
    buckets.prune(50)
    expect(buckets.size).toBe(100)
    buckets.prune(100)
    expect(buckets.size).toBe(0)
  })
})
