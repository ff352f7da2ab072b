/** What the browser lets this page do with notifications; `unsupported`: it has no Notification API. */
export type NotificationAccess = NotificationPermission | 'unsupported'

/** A line older than this (ms, by its author's clock) is counted unread but never notified: it is a catch-up. */
export const NOTIFY_MAX_AGE_MS = 60_000

/** Something that arrived: counted unread while the page is hidden; notified when it is worth it. */
export interface Arrival {
  /** the notification's title, e.g. "Ana mentioned you" */
  title: string
  body: string
  /** one notification per tag: a newer one replaces it */
  tag: string
  /** notify (a mention, a private message), not only count */
  notify: boolean
  /** ms since the epoch, author's clock */
  timestamp: number
}

/**
 * Unread counts and notifications. While the page is hidden every line and private message that arrives is
 * counted (the title shows it) and mentions and private messages raise a notification, if people allowed it —
 * asked by a button ({@link requestPermission}), never on load. Showing the page again clears the count.
 */
export class Notifier {
  #access = $state<NotificationAccess>(typeof Notification === 'undefined' ? 'unsupported' : Notification.permission)
  #hidden = $state(document.visibilityState === 'hidden')
  #unread = $state(0)
  readonly #onSeen: () => void

  readonly #onVisibility = (): void => {
    this.#hidden = document.visibilityState === 'hidden'
    if (!this.#hidden && this.#unread > 0) {
      this.#unread = 0
      this.#onSeen()
    }
  }

  /** @param onSeen - the page was shown again after something arrived: everything is read */
  constructor (onSeen: () => void = () => {}) {
    this.#onSeen = onSeen
  }

  /** whether notifications are allowed, refused, not asked yet, or impossible here */
  get access (): NotificationAccess { return this.#access }
  /** lines and private messages that arrived since the page was hidden */
  get unread (): number { return this.#unread }

  start (): void {
    document.addEventListener('visibilitychange', this.#onVisibility)
  }

  stop (): void {
    document.removeEventListener('visibilitychange', this.#onVisibility)
  }

  /** Asks the browser for permission to notify (call it from a click). */
  async requestPermission (): Promise<void> {
    if (this.#access === 'unsupported') {
      return
    }
    this.#access = await Notification.requestPermission()
  }

  /** Something arrived; returns whether it counts as unread (the page is hidden). */
  arrived (arrival: Arrival): boolean {
    if (!this.#hidden) {
      return false
    }
    this.#unread++
    if (arrival.notify && this.#access === 'granted' && Date.now() - arrival.timestamp < NOTIFY_MAX_AGE_MS) {
      try {
        new Notification(arrival.title, { body: arrival.body, tag: arrival.tag })
      } catch {
        // some browsers allow notifications only from a service worker: the title's count still tells
      }
    }
    return true
  }
}
