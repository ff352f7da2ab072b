import { ADMISSION_PACE_INTERVAL_MS, ADMISSION_PACE_SAMPLE_MS, DEFAULT_ADMISSION_DELAY_MS, DEFAULT_MAX_PENDING_CONNECTIONS } from './constants.js'

export interface AdmissionPaceInit {
  /** most handshakes under way at once, and how many the relay starts with @default DEFAULT_MAX_PENDING_CONNECTIONS */
  maxSlots?: number
  /**
   * ms of event-loop delay in a window above which the slots are halved; 0 keeps them at `maxSlots`
   * @default DEFAULT_ADMISSION_DELAY_MS
   */
  targetDelayMs?: number
  /** ms between two adjustments @default ADMISSION_PACE_INTERVAL_MS */
  intervalMs?: number
  /** ms between two samples of the event loop's delay @default ADMISSION_PACE_SAMPLE_MS */
  sampleMs?: number
  /** called when slots were added, to let connections waiting in line start */
  onGrow?: () => void
}

/**
 * How many inbound handshakes the relay lets run at once, paced by its own event loop.
 *
 * A handshake's cost is CPU (Noise's key agreement, signatures) and round trips. When the CPU is the limit, every
 * handshake under way adds tasks the event loop runs before anything else waiting (a `/healthz` request, a relayed
 * frame): with 16 at once on loopback, `/healthz` waited up to 245 ms (p99) while clients arrived, with 2 at once 64
 * to 107 ms, and the relay served the clients as fast. When round trips are the limit (real networks), the CPU is
 * idle between a handshake's messages, and more at once serve more clients a second. So the slots follow the
 * event loop: a timer samples how late it fires, and after each window the slots are halved when the worst delay
 * was over `targetDelayMs`, and one is added (up to `maxSlots`) when it was within it and every slot was taken.
 */
export class AdmissionPace {
  readonly maxSlots: number
  readonly targetDelayMs: number
  private readonly intervalMs: number
  private readonly sampleMs: number
  private readonly onGrow: () => void
  private current: number
  private saturated = false
  private timer?: ReturnType<typeof setTimeout>
  private expected = 0
  private windowStart = 0
  private windowDelay = 0

  constructor (init: AdmissionPaceInit = {}) {
    this.maxSlots = Math.max(1, init.maxSlots ?? DEFAULT_MAX_PENDING_CONNECTIONS)
    this.targetDelayMs = init.targetDelayMs ?? DEFAULT_ADMISSION_DELAY_MS
    this.intervalMs = init.intervalMs ?? ADMISSION_PACE_INTERVAL_MS
    this.sampleMs = init.sampleMs ?? ADMISSION_PACE_SAMPLE_MS
    this.onGrow = init.onGrow ?? (() => {})
    this.current = this.maxSlots
  }

  /** handshakes that may be under way at once now */
  get slots (): number {
    return this.current
  }

  /** A connection found every slot taken (it waits in line): the slots may grow at the next adjustment. */
  full (): void {
    this.saturated = true
  }

  /** Starts sampling the event loop (nothing when `targetDelayMs` is 0). */
  start (): void {
    if (this.targetDelayMs <= 0 || this.timer != null) return
    this.windowStart = performance.now()
    this.windowDelay = 0
    this.schedule(this.windowStart)
  }

  stop (): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  /**
   * One window's worst event-loop delay, in ms: over the target, the slots are halved (at least one stays);
   * within it, one is added if every slot was taken.
   */
  adjust (delayMs: number): void {
    const before = this.current
    if (delayMs > this.targetDelayMs) {
      this.current = Math.max(1, Math.floor(this.current / 2))
    } else if (this.saturated) {
      this.current = Math.min(this.maxSlots, this.current + 1)
    }
    this.saturated = false
    if (this.current > before) this.onGrow()
  }

  private schedule (now: number): void {
    this.expected = now + this.sampleMs
    this.timer = setTimeout(this.sample, this.sampleMs)
    this.timer.unref()
  }

  private readonly sample = (): void => {
    const now = performance.now()
    this.windowDelay = Math.max(this.windowDelay, now - this.expected)
    if (now - this.windowStart >= this.intervalMs) {
      this.adjust(this.windowDelay)
      this.windowStart = now
      this.windowDelay = 0
    }
    this.schedule(now)
  }
}
