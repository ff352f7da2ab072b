import { OUTBOX_RETRY_MAX_MS, OUTBOX_RETRY_MIN_MS } from '../constants.js'
import { backoffDelay } from '../util/backoff.js'
import type { OutboxEntry } from '../history/index.js'
import type { RoomHistory } from './room-history.js'

/** One of my messages, as published. */
export interface OutgoingMessage {
  id: string
  bytes: Uint8Array
}

export interface RoomOutboxInit {
  /** publishes to the room; false when no peer could take it */
  publish: (bytes: Uint8Array) => Promise<boolean>
  /** where the waiting messages are persisted (absent: in memory only) */
  history?: RoomHistory
  /** the room's life: a room that was left sends nothing more */
  signal: AbortSignal
  /** a waiting message went out */
  onSent: (id: string) => void
  /** first wait before trying again when no peer took a message; doubles up to `retryMax` @default OUTBOX_RETRY_MIN_MS */
  retryMin?: number
  /** @default OUTBOX_RETRY_MAX_MS */
  retryMax?: number
}

/**
 * My messages written while no peer of the room could take them: they wait, persisted, in the order they were
 * written, and go out oldest first as soon as a route exists: the room flushes the outbox on each event that may
 * bring one, and the outbox tries again by itself, backing off, while messages wait. A message written while older
 * ones wait queues behind them, so the room sees my lines in order.
 */
export class RoomOutbox {
  private readonly init: RoomOutboxInit
  private readonly waiting: OutgoingMessage[] = []
  private flushing = false
  private retry?: ReturnType<typeof setTimeout>
  private attempt = 0

  constructor (init: RoomOutboxInit) {
    this.init = init
    init.signal.addEventListener('abort', () => { clearTimeout(this.retry) }, { once: true })
  }

  /** Whether messages are waiting (a new one must then queue behind them). */
  get busy (): boolean {
    return this.waiting.length > 0
  }

  /** Queues a message (persisted), and sends the queue on the next task if a route exists by then. */
  async queue (message: OutgoingMessage): Promise<void> {
    this.waiting.push(message)
    await this.init.history?.queue(message.id, message.bytes)
    // on the next task, so the caller has shown the line as pending before its `sent` event arrives
    setTimeout(() => { void this.flush() }, 0)
  }

  /** Takes back the entries kept by an earlier page or process (they were persisted already). */
  restore (entries: OutboxEntry[]): void {
    for (const entry of entries) {
      if (!this.waiting.some(m => m.id === entry.id)) {
        this.waiting.push({ id: entry.id, bytes: entry.data })
      }
    }
  }

  /** Sends the waiting messages, oldest first, while a route lasts. */
  async flush (): Promise<void> {
    if (this.flushing || this.init.signal.aborted) {
      return
    }
    this.flushing = true
    try {
      for (let next = this.waiting[0]; next != null; next = this.waiting[0]) {
        if (!await this.init.publish(next.bytes)) {
          this.retryLater()
          return
        }
        this.waiting.shift()
        await this.init.history?.sent(next.id)
        this.init.onSent(next.id)
      }
      this.attempt = 0
    } finally {
      this.flushing = false
    }
  }

  /** Tries again after a while (backing off), unless a try is due already or the room was left. */
  private retryLater (): void {
    if (this.retry != null || this.init.signal.aborted) {
      return
    }
    const delay = backoffDelay(this.attempt++, this.init.retryMin ?? OUTBOX_RETRY_MIN_MS, this.init.retryMax ?? OUTBOX_RETRY_MAX_MS)
    this.retry = setTimeout(() => {
      this.retry = undefined
      void this.flush()
    }, delay)
  }
}
