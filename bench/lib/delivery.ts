/**
 * The soak's ledger of honest traffic: which member was in which room when, which chat lines were said and who
 * received each one when, which direct messages were acknowledged, and whether each newcomer caught up on what
 * its room said before it came. Everything is tallied per interval of the run (by when it was said or when the
 * newcomer arrived), so that a delivery problem shows when it started.
 */

/** A line counts as delivered to a member that receives it (live or through a history sync) within this. */
export const DEFAULT_LINE_DEADLINE_MS = 10_000
/** A newcomer should catch up on the lines its room said in this long before it got its route into the room. */
export const DEFAULT_CATCH_UP_WINDOW_MS = 5 * 60_000
/** ...within this long after getting that route. */
export const DEFAULT_CATCH_UP_DEADLINE_MS = 15_000
/** A direct message not acknowledged within this counts as failed (the protocol's own timeout is 10 s). */
export const DEFAULT_DM_DEADLINE_MS = 15_000

export interface DeliveryLedgerInit {
  /** when the run started (ms since the epoch): interval 0 starts here */
  start: number
  intervalMs: number
  /** @default DEFAULT_LINE_DEADLINE_MS */
  lineDeadlineMs?: number
  /** @default DEFAULT_CATCH_UP_WINDOW_MS */
  catchUpWindowMs?: number
  /** @default DEFAULT_CATCH_UP_DEADLINE_MS */
  catchUpDeadlineMs?: number
  /** @default DEFAULT_DM_DEADLINE_MS */
  dmDeadlineMs?: number
}

/** What happened in one interval of the run. */
export interface IntervalTally {
  /** honest lines said in the interval that some other honest member was there to hear */
  lines: number
  /** ...that every such member received within the deadline */
  delivered: number
  /** (line, member) pairs expected, and received within the deadline */
  receipts: number
  received: number
  /** ...received, but after the deadline */
  late: number
  /** direct messages sent between honest members that stayed, and acknowledged */
  dms: number
  dmsAcked: number
  /** newcomers that got a route into their room (and stayed until checked), and those that caught up fully */
  newcomers: number
  caughtUp: number
  /** lines those newcomers should have caught up on, and those they got in time */
  catchUpLines: number
  catchUpLinesGot: number
}

/** An honest chat line as said. */
export interface SaidLine {
  id: string
  room: number
  /** the author's peer id */
  author: string
  at: number
}

/** A direct message between two honest members and how it ended. */
export interface SentDm {
  from: string
  to: string
  at: number
  /** acknowledged with OK */
  acked: boolean
  /** the error's name when it was not */
  error?: string
}

interface MemberRecord {
  id: string
  room: number
  routedAt?: number
  leftAt?: number
  /** line id → when it arrived */
  received: Map<string, number>
  catchUpChecked: boolean
}

function emptyTally (): IntervalTally {
  return { lines: 0, delivered: 0, receipts: 0, received: 0, late: 0, dms: 0, dmsAcked: 0, newcomers: 0, caughtUp: 0, catchUpLines: 0, catchUpLinesGot: 0 }
}

/** See the module comment. Call {@link evaluate} now and then: it settles what is due and forgets what is done. */
export class DeliveryLedger {
  private readonly start: number
  private readonly intervalMs: number
  private readonly lineDeadline: number
  private readonly catchUpWindow: number
  private readonly catchUpDeadline: number
  private readonly dmDeadline: number
  private readonly members = new Map<string, MemberRecord>()
  /** every honest member that ever joined: kept after {@link members} forgets one, since its lines are still owed */
  private readonly honest = new Set<string>()
  /** lines not yet settled, oldest first */
  private pending: SaidLine[] = []
  /** each room's lines of the last catch-up window, oldest first */
  private readonly recent = new Map<number, SaidLine[]>()
  private pendingDms: SentDm[] = []
  private readonly tallies: IntervalTally[] = []
  /** failed direct messages left out because one side left meanwhile; reasons of the others */
  dmsLeftOut = 0
  readonly dmErrors = new Map<string, number>()
  /** honest lines said by a member that left before anyone could hear them, or into a room nobody else was in */
  linesUnheard = 0
  /** the catch-ups of each room, over the whole run */
  readonly catchUps = new Map<number, { newcomers: number, caughtUp: number, lines: number, got: number }>()

  constructor (init: DeliveryLedgerInit) {
    this.start = init.start
    this.intervalMs = init.intervalMs
    this.lineDeadline = init.lineDeadlineMs ?? DEFAULT_LINE_DEADLINE_MS
    this.catchUpWindow = init.catchUpWindowMs ?? DEFAULT_CATCH_UP_WINDOW_MS
    this.catchUpDeadline = init.catchUpDeadlineMs ?? DEFAULT_CATCH_UP_DEADLINE_MS
    this.dmDeadline = init.dmDeadlineMs ?? DEFAULT_DM_DEADLINE_MS
  }

  /** A member joined `room` (before it has a route into it). */
  joined (id: string, room: number): void {
    this.members.set(id, { id, room, received: new Map(), catchUpChecked: false })
    this.honest.add(id)
  }

  /** The member's room has a route: the relay is in the room, as the member sees it. */
  routed (id: string, at: number): void {
    const member = this.members.get(id)
    if (member != null && member.routedAt == null) {
      member.routedAt = at
    }
  }

  left (id: string, at: number): void {
    const member = this.members.get(id)
    if (member != null) {
      member.leftAt ??= at
    }
  }

  /**
   * Whether `id` is an honest member, here now or gone (lines by anyone else are not counted). A newcomer owes
   * the lines of members who have since left too, and gets them from history.
   */
  isHonest (id: string): boolean {
    return this.honest.has(id)
  }

  /** Member `id` was shown line `lineId` (live or from a history sync) at `at`. */
  received (id: string, lineId: string, at: number): void {
    const member = this.members.get(id)
    if (member != null && !member.received.has(lineId)) {
      member.received.set(lineId, at)
    }
  }

  said (line: SaidLine): void {
    this.pending.push(line)
    const recent = this.recent.get(line.room) ?? []
    recent.push(line)
    this.recent.set(line.room, recent)
  }

  dm (dm: SentDm): void {
    this.pendingDms.push(dm)
  }

  /** The tally of each interval so far (interval i covers [start + i·intervalMs, start + (i+1)·intervalMs)). */
  intervals (): IntervalTally[] {
    return this.tallies.map(t => ({ ...t }))
  }

  /** Settles the lines, catch-ups and direct messages whose deadline has passed by `now`; forgets what is done. */
  evaluate (now: number): void {
    this.settleLines(now)
    this.settleCatchUps(now)
    this.settleDms(now)
    this.forget(now)
  }

  private tally (at: number): IntervalTally {
    const index = Math.max(0, Math.floor((at - this.start) / this.intervalMs))
    while (this.tallies.length <= index) {
      this.tallies.push(emptyTally())
    }
    return this.tallies[index]!
  }

  /** Whether `member` was in the room from `from` (it had its route) until `until` (it had not left). */
  private present (member: MemberRecord, from: number, until: number): boolean {
    return member.routedAt != null && member.routedAt <= from && (member.leftAt == null || member.leftAt >= until)
  }

  private settleLines (now: number): void {
    let settled = 0
    for (const line of this.pending) {
      const deadline = line.at + this.lineDeadline
      if (deadline > now) {
        break
      }
      settled++
      const expected = [...this.members.values()].filter(m => m.room === line.room && m.id !== line.author && this.present(m, line.at, deadline))
      if (expected.length === 0) {
        this.linesUnheard++
        continue
      }
      const tally = this.tally(line.at)
      tally.lines++
      tally.receipts += expected.length
      let inTime = 0
      for (const member of expected) {
        const at = member.received.get(line.id)
        if (at != null && at <= deadline) {
          inTime++
        } else if (at != null) {
          tally.late++
        }
      }
      tally.received += inTime
      if (inTime === expected.length) {
        tally.delivered++
      }
    }
    this.pending = this.pending.slice(settled)
  }

  private settleCatchUps (now: number): void {
    for (const member of this.members.values()) {
      if (member.catchUpChecked || member.routedAt == null || member.routedAt + this.catchUpDeadline > now) {
        continue
      }
      member.catchUpChecked = true
      const deadline = member.routedAt + this.catchUpDeadline
      if (member.leftAt != null && member.leftAt < deadline) {
        continue
      }
      const owed = (this.recent.get(member.room) ?? [])
        .filter(l => l.author !== member.id && l.at < member.routedAt! && l.at >= member.routedAt! - this.catchUpWindow)
      const got = owed.filter(l => (member.received.get(l.id) ?? Infinity) <= deadline).length
      const tally = this.tally(member.routedAt)
      const room = this.catchUps.get(member.room) ?? { newcomers: 0, caughtUp: 0, lines: 0, got: 0 }
      this.catchUps.set(member.room, room)
      tally.newcomers++
      room.newcomers++
      tally.catchUpLines += owed.length
      room.lines += owed.length
      tally.catchUpLinesGot += got
      room.got += got
      if (got === owed.length) {
        tally.caughtUp++
        room.caughtUp++
      }
    }
  }

  private settleDms (now: number): void {
    const due = this.pendingDms.filter(dm => dm.at + this.dmDeadline <= now)
    this.pendingDms = this.pendingDms.filter(dm => dm.at + this.dmDeadline > now)
    for (const dm of due) {
      const deadline = dm.at + this.dmDeadline
      const gone = [dm.from, dm.to].some(id => { const left = this.members.get(id)?.leftAt; return left != null && left < deadline })
      if (!dm.acked && gone) {
        this.dmsLeftOut++
        continue
      }
      const tally = this.tally(dm.at)
      tally.dms++
      if (dm.acked) {
        tally.dmsAcked++
      } else {
        this.dmErrors.set(dm.error ?? 'unknown', (this.dmErrors.get(dm.error ?? 'unknown') ?? 0) + 1)
      }
    }
  }

  /** Drops lines older than any catch-up still to be checked could owe, and members gone long enough. */
  private forget (now: number): void {
    const horizon = now - this.catchUpWindow - this.catchUpDeadline - this.lineDeadline
    for (const [room, lines] of this.recent) {
      const keep = lines.findIndex(l => l.at >= horizon)
      this.recent.set(room, keep < 0 ? [] : lines.slice(keep))
    }
    const longGone = now - Math.max(this.lineDeadline, this.catchUpDeadline, this.dmDeadline) * 2
    for (const [id, member] of this.members) {
      if (member.leftAt != null && member.leftAt < longGone) {
        this.members.delete(id)
      }
    }
    // a member's receipts of lines settled long ago are not needed any more
    const oldest = this.pending[0]?.at ?? now
    for (const member of this.members.values()) {
      if (member.received.size > 0 && member.catchUpChecked) {
        for (const [id, at] of member.received) {
          if (at < Math.min(oldest, horizon)) {
            member.received.delete(id)
          }
        }
      }
    }
  }
}
