import { describe, expect, it } from 'vitest'
import { isBadRequestFrame, streamError } from '../src/util/stream-errors.js'

const named = (name: string): Error => Object.assign(new Error(name), { name })

describe('streamError', () => {
  it('tells a timeout, an early end, a bad frame and a broken stream apart', () => {
    expect(streamError(named('AbortError'), AbortSignal.abort())).toBe('timeout')
    expect(streamError(named('UnexpectedEOFError'))).toBe('closed')
    for (const name of ['InvalidDataLengthError', 'InvalidDataLengthLengthError', 'InvalidMessageLengthError', 'StreamBufferError']) {
      expect(streamError(named(name)), name).toBe('bad-frame')
    }
    expect(streamError(named('StreamResetError'), new AbortController().signal)).toBe('broken')
  })

  it('counts a request as bad for its own frame, not for a full buffer or a broken stream', () => {
    expect(isBadRequestFrame(named('InvalidMessageLengthError'))).toBe(true)
    expect(isBadRequestFrame(named('StreamBufferError'))).toBe(false)
    expect(isBadRequestFrame(named('StreamResetError'))).toBe(false)
    expect(isBadRequestFrame(undefined)).toBe(false)
  })
})
