/** What `lpStream` throws for a frame with a bad or oversized length, or for more unread bytes than allowed. */
const BAD_FRAME_ERRORS = new Set(['InvalidDataLengthError', 'InvalidDataLengthLengthError', 'InvalidMessageLengthError', 'StreamBufferError'])

/**
 * How an exchange over a stream failed, read from the error the stream threw:
 * - `timeout`: the exchange's own timeout fired;
 * - `closed`: the peer ended the stream before it said all it should (`UnexpectedEOFError`);
 * - `bad-frame`: a frame with a bad or oversized length, or more unread bytes than allowed;
 * - `broken`: anything else: the stream or its connection failed.
 */
export type StreamFailure = 'timeout' | 'closed' | 'bad-frame' | 'broken'

/**
 * Classifies what went wrong in one exchange over a length-prefixed stream, for the protocol services (direct
 * messages, history sync, files) to turn into their own typed errors.
 */
export function streamError (err: Error, timeoutSignal?: AbortSignal): StreamFailure {
  if (timeoutSignal?.aborted === true) {
    return 'timeout'
  }
  if (err.name === 'UnexpectedEOFError') {
    return 'closed'
  }
  return BAD_FRAME_ERRORS.has(err.name) ? 'bad-frame' : 'broken'
}

/**
 * Whether reading a request failed on the request's own frame (a bad or oversized length): the server answers
 * that as an invalid request. A full read buffer (`StreamBufferError`) is not a bad frame, and neither is a broken
 * stream.
 */
export function isBadRequestFrame (err: unknown): boolean {
  const name = (err as Error | undefined)?.name ?? ''
  return BAD_FRAME_ERRORS.has(name) && name !== 'StreamBufferError'
}
