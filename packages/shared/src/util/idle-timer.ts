/** What an {@link IdleTimer} aborts its signal with: nothing happened for its time. */
export class IdleTimeoutError extends Error {
  static override name = 'IdleTimeoutError'
  override name = 'IdleTimeoutError'
}

/**
 * A signal that aborts when nothing happened for a while: every {@link touch} starts the wait again. One signal
 * for a whole transfer, rather than a new timeout signal for each of its thousands of chunks.
 */
export class IdleTimer {
  private readonly controller = new AbortController()
  private timer?: ReturnType<typeof setTimeout>
  private ms: number

  constructor (ms: number) {
    this.ms = ms
    this.touch()
  }

  get signal (): AbortSignal {
    return this.controller.signal
  }

  /** Something happened: wait `ms` (from now on, the new wait) before aborting. */
  touch (ms = this.ms): void {
    this.ms = ms
    clearTimeout(this.timer)
    if (!this.controller.signal.aborted) {
      this.timer = setTimeout(() => { this.controller.abort(new IdleTimeoutError(`Nothing happened for ${this.ms} ms`)) }, ms)
    }
  }

  /** Stops the timer for good (the work is done). */
  clear (): void {
    clearTimeout(this.timer)
  }
}
