import { describe, expect, it } from 'vitest'
import { DeliveryLedger } from '../lib/delivery.ts'

describe('DeliveryLedger', () => {
  it('a newcomer that gets a line by a member who left long before is caught up: the line is still owed and counts', () => {
    const ledger = new DeliveryLedger({ start: 0, intervalMs: 60_000 })
    ledger.joined('ana', 0)
    ledger.routed('ana', 1_000)
    ledger.said({ id: 'line-1', room: 0, author: 'ana', at: 2_000 })
    ledger.left('ana', 3_000)
    // long after Ana left, the ledger forgets her as a member…
    ledger.evaluate(60_000)
    // …but her line is owed to whoever comes within the catch-up window, and it comes from history
    ledger.joined('ben', 0)
    ledger.routed('ben', 61_000)
    expect(ledger.isHonest('ana')).toBe(true)
    ledger.received('ben', 'line-1', 62_000)
    ledger.evaluate(120_000)
    const [first, second] = ledger.intervals()
    expect(first).toMatchObject({ newcomers: 0 })
    expect(second).toMatchObject({ newcomers: 1, caughtUp: 1, catchUpLines: 1, catchUpLinesGot: 1 })
  })

  it('a newcomer that misses an owed line is not caught up', () => {
    const ledger = new DeliveryLedger({ start: 0, intervalMs: 60_000 })
    ledger.joined('ana', 0)
    ledger.routed('ana', 1_000)
    ledger.said({ id: 'line-1', room: 0, author: 'ana', at: 2_000 })
    ledger.said({ id: 'line-2', room: 0, author: 'ana', at: 2_500 })
    ledger.joined('ben', 0)
    ledger.routed('ben', 10_000)
    ledger.received('ben', 'line-2', 11_000)
    ledger.evaluate(60_000)
    // Ana came to an empty room (nothing owed: caught up); Ben missed one of her two lines
    expect(ledger.intervals()[0]).toMatchObject({ newcomers: 2, caughtUp: 1, catchUpLines: 2, catchUpLinesGot: 1 })
    expect(ledger.isHonest('mallory')).toBe(false)
  })
})
