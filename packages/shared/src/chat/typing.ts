/** Who is typing in a room, as a typing notice (or its expiry) tells it. */
export interface RoomTyping {
  /** the member's peer id */
  peer: string
  /** its display name, as the notice gave it */
  name: string
  active: boolean
}

export interface TypingNoticesInit {
  /** while typing, a notice goes out at most this often (ms) */
  interval: number
  /**
   * the first notice of a draft waits this long (ms), and a line sent sooner needs none: 0 tells at once
   */
  delay: number
  /** a member last said to be typing this long ago (ms) is no longer typing */
  expiry: number
  /** tells the room that this member types (`true`) or stopped (`false`) */
  notify: (active: boolean) => void
  /** a member started or stopped typing (its notice, its line, or the expiry said so) */
  onChange: (typing: RoomTyping) => void
}

/**
 * Typing indicators, both ways. Mine: {@link typing} is called on every keystroke; the first notice goes out once
 * the draft has been typed for `delay` and then at most once per interval while it goes on; stopping sends one
 * "stopped" notice if a notice went out, and sending the line needs none (the line itself says it). A line sent
 * within the delay (a quick reply, a paste) so costs the room one message, not two: every member verifies,
 * handles and draws each notice as it does a line. Others': a member is typing from its notice until its
 * "stopped" notice, its next line, or the expiry, whichever comes first. Nothing here is kept: notices are
 * ephemeral.
 */
export class TypingNotices {
  private readonly init: TypingNoticesInit
  /** when my last "typing" notice went out; undefined while none has for this draft */
  private typingSince?: number
  /** my draft's first notice, waiting for the delay */
  private pending?: ReturnType<typeof setTimeout>
  private readonly others = new Map<string, { name: string, timer: ReturnType<typeof setTimeout> }>()

  constructor (init: TypingNoticesInit) {
    this.init = init
  }

  /** I type (`true`, on every keystroke) or stopped without sending (`false`). */
  typing (active: boolean, now = Date.now()): void {
    if (!active) {
      this.cancel()
      if (this.typingSince != null) {
        this.typingSince = undefined
        this.init.notify(false)
      }
      return
    }
    if (this.typingSince != null) {
      if (now - this.typingSince >= this.init.interval) {
        this.tell(now)
      }
      return
    }
    if (this.init.delay <= 0) {
      this.tell(now)
    } else {
      this.pending ??= setTimeout(() => {
        this.pending = undefined
        this.tell(Date.now())
      }, this.init.delay)
    }
  }

  /** I sent a line: I am no longer typing, and whoever sees the line knows it. */
  sent (): void {
    this.cancel()
    this.typingSince = undefined
  }

  /** A member's typing notice. */
  heard (peer: string, name: string, active: boolean): void {
    const known = this.others.get(peer)
    clearTimeout(known?.timer)
    if (!active) {
      this.stop(peer)
      return
    }
    const timer = setTimeout(() => { this.stop(peer) }, this.init.expiry)
    this.others.set(peer, { name, timer })
    if (known == null || known.name !== name) {
      this.init.onChange({ peer, name, active: true })
    }
  }

  /** A member's line, or the member left the room: it is no longer typing. */
  quiet (peer: string): void {
    this.stop(peer)
  }

  /** The members typing now. */
  list (): RoomTyping[] {
    return [...this.others].map(([peer, { name }]) => ({ peer, name, active: true }))
  }

  /** Forgets everyone (the room was left); tells nothing. */
  clear (): void {
    for (const { timer } of this.others.values()) {
      clearTimeout(timer)
    }
    this.others.clear()
    this.cancel()
    this.typingSince = undefined
  }

  private tell (now: number): void {
    this.typingSince = now
    this.init.notify(true)
  }

  private cancel (): void {
    clearTimeout(this.pending)
    this.pending = undefined
  }

  private stop (peer: string): void {
    const known = this.others.get(peer)
    if (known == null) {
      return
    }
    clearTimeout(known.timer)
    this.others.delete(peer)
    this.init.onChange({ peer, name: known.name, active: false })
  }
}
