import { describe, expect, it } from 'vitest'
import { CreditWindow } from '../../src/file/credit-window.js'

/**
 * Takes `chunks` chunks one every `everyMs` (a sink that writes at that pace); returns the most ever in flight,
 * all granted, and each credit.
 */
function drain (window: CreditWindow, chunks: number, everyMs: number, initial: number): { most: number, granted: number, grants: number[] } {
  let granted = initial
  let most = Math.min(initial, chunks)
  const grants: number[] = []
  for (let n = 1; n <= chunks; n++) {
    const more = window.taken(n * everyMs)
    if (more > 0) grants.push(more)
    granted += more
    most = Math.max(most, Math.min(granted, chunks) - n)
  }
  return { most, granted, grants }
}

describe('file transfer credit window', () => {
  it('keeps about targetMs of the sink\'s rate in flight: a slow sink holds 10 chunks, not the whole window', () => {
    // a chunk every 100 ms: 10 a second
    const { most, granted } = drain(new CreditWindow({ initial: 4, max: 32, targetMs: 1000, chunks: 200, now: 0 }), 200, 100, 4)
    expect(most).toBe(10)
    expect(granted).toBe(200)
  })

  it('opens to the whole window for a sink that keeps up, and grants in halves of it', () => {
    const { most, granted, grants } = drain(new CreditWindow({ initial: 4, max: 32, targetMs: 1000, chunks: 1000, now: 0 }), 1000, 0.5, 4)
    expect(most).toBe(32)
    expect(granted).toBe(1000)
    // 2 at a time (half the start's 4) until a whole window was taken, then open: a credit for every 16 chunks taken, as a
    // fixed window of 32 sends
    const opened = grants.findIndex(more => more > 2)
    expect(grants.slice(0, opened).every(more => more === 2)).toBe(true)
    expect(opened * 2).toBeLessThanOrEqual(32)
    expect(grants.slice(opened + 1, -1).every(more => more === 16)).toBe(true)
  })

  it('starts with the request\'s window, grants no chunk past the file\'s last, and never fewer than 4 in flight', () => {
    expect(drain(new CreditWindow({ initial: 4, max: 32, targetMs: 1000, chunks: 3, now: 0 }), 3, 1, 4)).toMatchObject({ most: 3, granted: 4 })
    // a sink so slow that a second holds under one chunk still gets 4 at a time
    expect(drain(new CreditWindow({ initial: 4, max: 32, targetMs: 1000, chunks: 40, now: 0 }), 40, 5000, 4).most).toBe(4)
    // a window smaller than the start: never more than it
    expect(drain(new CreditWindow({ initial: 2, max: 2, targetMs: 1000, chunks: 40, now: 0 }), 40, 1, 2).most).toBe(2)
  })
})
