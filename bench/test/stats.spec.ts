import { describe, expect, it } from 'vitest'
import { median, midMedian } from '../lib/stats.ts'

describe('midMedian', () => {
  it('is the middle value of an odd count, whatever the order', () => {
    expect(midMedian([2.3, 0.8, 1.1])).toBe(1.1)
    expect(midMedian([5])).toBe(5)
  })

  it('is the mean of the middle two of an even count, where the nearest-rank median takes the lower', () => {
    expect(midMedian([1.5, 0.9])).toBeCloseTo(1.2)
    expect(median([1.5, 0.9])).toBe(0.9)
    expect(midMedian([4, 1, 3, 2])).toBe(2.5)
  })

  it('is not a number for no values', () => {
    expect(midMedian([])).toBeNaN()
  })
})
