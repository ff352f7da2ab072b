import { describe, expect, it } from 'vitest'
import { INVALID_MESSAGE_PENALTY, INVALID_MESSAGE_WINDOW_MS } from '../src/constants.js'
import { InvalidMessageScores } from '../src/pubsub.js'

describe('invalid-message scores', () => {
  it('penalises each invalid message within the window, per peer, then forgets', () => {
    const scores = new InvalidMessageScores()
    const t = 1_000_000
    scores.record('a', t)
    scores.record('a', t + 1)
    expect(scores.score('a', t + 2)).toBe(-2 * INVALID_MESSAGE_PENALTY)
    expect(scores.score('b', t + 2)).toBe(0)
    expect(scores.score('a', t + 1 + INVALID_MESSAGE_WINDOW_MS)).toBe(0)
  })
})
