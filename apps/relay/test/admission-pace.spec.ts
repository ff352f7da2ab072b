import { describe, expect, it } from 'vitest'
import { AdmissionPace } from '../src/admission-pace.js'

/** Keeps this thread busy for `ms`: nothing else runs, timers fire late. */
function block (ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) { /* busy */ }
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('admission pace', () => {
  it('halves the handshake slots while the event loop is late, down to one, and adds one back per window it keeps up and they were all taken', () => {
    let grown = 0
    const pace = new AdmissionPace({ maxSlots: 16, targetDelayMs: 25, onGrow: () => { grown++ } })
    expect(pace.slots).toBe(16)
    for (const expected of [8, 4, 2, 1, 1]) {
      pace.adjust(40)
      expect(pace.slots).toBe(expected)
    }
    // within the target but nobody waited: no more slots are needed
    pace.adjust(3)
    expect(pace.slots).toBe(1)
    expect(grown).toBe(0)
    for (const expected of [2, 3, 4]) {
      pace.full()
      pace.adjust(3)
      expect(pace.slots).toBe(expected)
    }
    expect(grown).toBe(3)
    // never above the most allowed
    for (let i = 0; i < 20; i++) {
      pace.full()
      pace.adjust(0)
    }
    expect(pace.slots).toBe(16)
  })

  it('measures the delay itself: a blocked event loop shrinks the slots within a window, and with 0 as the target nothing moves', async () => {
    const pace = new AdmissionPace({ maxSlots: 8, targetDelayMs: 25, intervalMs: 50, sampleMs: 5 })
    const fixed = new AdmissionPace({ maxSlots: 8, targetDelayMs: 0, intervalMs: 50, sampleMs: 5 })
    pace.start()
    fixed.start()
    try {
      await sleep(20)
      block(80)
      await sleep(30)
      expect(pace.slots).toBeLessThanOrEqual(4)
      expect(fixed.slots).toBe(8)
    } finally {
      pace.stop()
      fixed.stop()
    }
  })
})
