import { describe, expect, it } from 'vitest'
import { Refusals } from '../src/refusals.js'

describe('refusals', () => {
  it('are counted by kind and passed on to the counter', () => {
    const passed: string[] = []
    const refusals = new Refusals({ refused: kind => passed.push(kind) })
    refusals.refuse('connection-rate', 'from %a', '/ip4/127.0.0.1/tcp/1')
    refusals.refuse('connection-rate', 'from %a', '/ip4/127.0.0.1/tcp/2')
    refusals.refuse('rooms-per-peer', 'peer %p', 'x')
    expect(refusals.totals).toEqual({ 'connection-rate': 2, 'rooms-per-peer': 1 })
    expect(passed).toEqual(['connection-rate', 'connection-rate', 'rooms-per-peer'])
  })
})
