import { FILE_RATE_PERIOD_MS, FILE_START_WINDOW_CHUNKS } from './constants.js'

export interface CreditWindowInit {
  /** chunks the request let the server send before any credit */
  initial: number
  /** most chunks in flight */
  max: number
  /** ms of the measured rate kept in flight */
  targetMs: number
  /** chunks the transfer has in all: nothing is granted past the last */
  chunks: number
  /** when (ms) the first chunk is awaited from: the rate's first period starts there */
  now: number
}

/**
 * The requester's side of a file transfer's flow control: which credits to grant as chunks are written.
 *
 * What is granted and not yet received is in flight, queued somewhere between the server's stream and this
 * sink, ahead of anything else sent on the connection. It is kept to about `targetMs` of the rate the sink has
 * been taking chunks at (measured over periods of {@link FILE_RATE_PERIOD_MS}, or of a whole window if that
 * comes sooner), at least {@link FILE_START_WINDOW_CHUNKS}, at most `max`: a fast path gets the whole window, a
 * slow one (a phone, a busy machine, a thin uplink) no more than it drains in about `targetMs`. A credit is sent
 * once half the target has arrived, so a fast transfer sends one for every half window, as a fixed window does.
 */
export class CreditWindow {
  private readonly max: number
  private readonly targetMs: number
  private readonly chunks: number
  private target: number
  private granted: number
  private received = 0
  private periodStart: number
  private periodChunks = 0

  constructor (init: CreditWindowInit) {
    this.max = Math.max(1, init.max)
    this.targetMs = init.targetMs
    this.chunks = init.chunks
    this.granted = init.initial
    this.target = init.initial
    this.periodStart = init.now
  }

  /** A chunk was written to the sink at `now` (ms). Returns the chunks to grant now, 0 for none. */
  taken (now: number): number {
    this.received++
    this.periodChunks++
    const elapsed = now - this.periodStart
    // a period ends after its time, or sooner once it took a whole window (a fast path opens at once)
    if (elapsed >= FILE_RATE_PERIOD_MS || this.periodChunks >= this.max) {
      const perMs = this.periodChunks / elapsed
      this.target = Math.min(this.max, Math.max(FILE_START_WINDOW_CHUNKS, Math.ceil(perMs * this.targetMs)))
      this.periodStart = now
      this.periodChunks = 0
    }
    const outstanding = this.granted - this.received
    if (this.granted >= this.chunks || outstanding > this.target / 2) {
      return 0
    }
    const more = Math.min(this.target - outstanding, this.chunks - this.granted)
    this.granted += more
    return more
  }
}
