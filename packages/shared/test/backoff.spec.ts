import { describe, expect, it } from 'vitest'
import { backoffDelay } from '../src/util/backoff.js'

describe('backoffDelay', () => {
  it('doubles per attempt, with jitter in the upper half, up to the cap', () => {
    expect(backoffDelay(0, 1000, 30_000, () => 0)).toBe(500)
    expect(backoffDelay(0, 1000, 30_000, () => 1)).toBe(1000)
    expect(backoffDelay(3, 1000, 30_000, () => 1)).toBe(8000)
    expect(backoffDelay(20, 1000, 30_000, () => 1)).toBe(30_000)
    expect(backoffDelay(20, 1000, 30_000, () => 0)).toBe(15_000)
  })
})
