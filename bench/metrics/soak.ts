/**
 * Soak: the real relay process (apps/relay, a child process on 127.0.0.1, with its shipped per-address limits)
 * for `--soak-minutes` (2 by default, a smoke check; 30 for the figure) under a realistic mix, and its memory, event loop and honesty over time.
 *
 * - Honest members (Node peers built as the browser builds its node: WebSockets, a reservation, the chat services,
 *   a DHT client; each from its own loopback address) in rooms of 2 to 20, half of them private (sealed as the app
 *   seals them: the shared `Room`). Each says a line every 3 to 60 s and now and then writes a direct message to
 *   another member of its room (through the relay: they have no WebRTC). They come and go: one member of each
 *   room stays throughout, the others stay for 6 minutes on average, and a newcomer takes the place of each one
 *   that leaves, catching up on the room's history from the relay.
 * - One abuser of each kind (bench/lib/abusers.ts): a publish flooder and an invalid-message sender in two of the
 *   honest rooms, a subscription flooder, a connection and handshake flooder, a reservation hog.
 * - Every interval (a minute): the relay's RSS, its V8 heap in use (the floor of readings every 5 s), its event-loop
 *   lag p99 (prom-client's, from its `/metrics` on the admin port), and honest delivery: the share of honest lines
 *   that reached every honest member that was in the room within 10 s. Every 5 minutes a quiet moment (nobody the
 *   soak drives says or does anything for 20 s; the protocol's own background goes on), then a full collection
 *   forced through the relay's inspector (the relay runs with `--inspect=127.0.0.1:0`; its code has no GC hook)
 *   and its V8 heap in use after it: the "heap after GC".
 * - RSS growth over the last 20 minutes (the last two thirds of a shorter run), against the 2 %. With
 *   `BENCH_SOAK_HEAP_SNAPSHOTS=<dir>`, heap snapshots of the relay go there: at the first quiet moment of that
 *   window and once everyone has left (taking one costs the relay seconds of CPU and raises its RSS: not for the
 *   run whose figures are kept).
 *
 * `BENCH_SOAK_ABUSERS=none` leaves the abusers out (a control run). Writes bench/results/soak.svg. Not part of a plain `pnpm bench`: `pnpm bench --only soak [--soak-minutes 30]` (2 minutes by default, a smoke check).
 */
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { multiaddr } from '@multiformats/multiaddr'
import { createRoomId, createRoomSecret, derivePrivateRoom, roomTopic } from '@p2p-chat/shared'
import {
  DEFAULT_CONNECTION_RATE_PER_IP, DEFAULT_MAX_CONNECTIONS_PER_IP, DEFAULT_MAX_PENDING_PER_IP, DEFAULT_MAX_RESERVATIONS_PER_IP
} from '../../apps/relay/src/constants.ts'
import { RelayProcess } from '../../e2e/support/relay-process.ts'
import { ConnectionFlooder, InvalidSender, PublishFlooder, ReservationHog, SubscriptionFlooder } from '../lib/abusers.ts'
import { DEFAULT_LINE_DEADLINE_MS, DeliveryLedger } from '../lib/delivery.ts'
import { Gate } from '../lib/gate.ts'
import { heapAfterGc, writeHeapSnapshot } from '../lib/inspector.ts'
import { spreadLoopbackSources } from '../lib/loopback-sources.ts'
import { samplesByLabel } from '../lib/prometheus.ts'
import { readRelay, RelaySampler } from '../lib/relay-sampler.ts'
import { MemberArrivalError, SoakMember } from '../lib/soak-member.ts'
import { rssWindowStart, soakReport } from '../lib/soak-report.ts'
import { median } from '../lib/stats.ts'
import type { Abuser, AbuserContext } from '../lib/abusers.ts'
import type { Metric } from '../lib/report.ts'
import type { SoakRoom } from '../lib/soak-member.ts'
import type { QuietReading, SoakRow } from '../lib/soak-report.ts'

/** A smoke check by default; `--soak-minutes 30` (or `BENCH_SOAK_MINUTES`) for the figure. */
export const DEFAULT_SOAK_MINUTES = 2
/** One row of the report (and one point of the chart) per this many seconds. */
export const DEFAULT_SOAK_INTERVAL_S = 60
/** The rooms: how many members each holds at once, and whether it is private. The flooders aim at two public ones. */
const ROOMS = [
  { size: 2, private: true },
  { size: 3, private: false },
  { size: 4, private: true },
  { size: 6, private: false, flooded: true },
  { size: 8, private: true },
  { size: 12, private: false, invalid: true },
  { size: 16, private: true },
  { size: 20, private: false }
]
/** A member says a line every this many ms (uniformly at random), and writes a direct message every so often. */
const LINE_EVERY_MS: [number, number] = [3000, 60_000]
const DM_EVERY_MS: [number, number] = [60_000, 240_000]
/** How long a member stays (exponential, at least the minimum; one member of each room stays throughout). */
const MEAN_STAY_MS = 6 * 60_000
const MIN_STAY_MS = 30_000
/** A seat left empty is taken again after this long (uniformly at random). */
const SEAT_EMPTY_MS: [number, number] = [1000, 15_000]
/** The first members arrive spread over this long; the abusers start after it. */
const FIRST_ARRIVALS_MS = 60_000
/** A member says nothing in its last moments (a line said as the tab closes may never leave it). */
const LAST_WORDS_MS = 3000
/** A direct message goes to a member that has been in the room this long and stays at least this long. */
const DM_TARGET_SETTLED_MS = 5000
const DM_TARGET_STAYS_MS = 20_000
/** A quiet moment every this often (and one at the end), this long. */
const QUIET_EVERY_MS = 5 * 60_000
const QUIET_MS = 20_000
/** The relay leaves rooms nobody is in every 30 s: after everyone left, what it still holds is read after this. */
const ROOM_SWEEP_WAIT_MS = 31_000
/** The honest members' WebSocket connections come from 127.<this>.x.y, one address each. */
const MEMBER_SUBNET = 30
/** Each abuser's own address. */
const ABUSER_ADDRESSES = { invalid: '127.66.0.2', subscriptions: '127.66.0.3', connections: '127.66.0.4', reservations: '127.66.0.5' }
/**
 * The relay's shipped per-address limits, over the loopback-friendly ones `RelayProcess` sets: the members each
 * come from their own address, and the abusers must meet the limits a real relay has.
 */
const SHIPPED_LIMITS = [
  '--max-connections-per-ip', String(DEFAULT_MAX_CONNECTIONS_PER_IP), '--max-pending-per-ip', String(DEFAULT_MAX_PENDING_PER_IP),
  '--connection-rate-per-ip', String(DEFAULT_CONNECTION_RATE_PER_IP), '--max-reservations-per-ip', String(DEFAULT_MAX_RESERVATIONS_PER_IP)
]
const WORDS = 'the a relay room line peer chat soon yes no maybe later coffee train meeting code review ship it works for me on my machine lunch weekend'.split(' ')
const MiB = 2 ** 20
/**
 * The readings the report cannot do without (the quiet moments, the start and the end) wait this long for the
 * relay's `/metrics`: on a machine loaded to 40 a 5 s scrape timed out and lost a 30-minute run.
 */
const SINGLE_READING_TIMEOUT_MS = 60_000
/** Node's flag for the relay: its inspector, on a free loopback port. */
const INSPECT_LOOPBACK = '--inspect=127.0.0.1:0'

/** The soak could not set up (the relay does not listen where expected). */
export class SoakSetupError extends Error {
  static override name = 'SoakSetupError'
  override name = 'SoakSetupError'
}

function between ([min, max]: [number, number]): number {
  return min + Math.random() * (max - min)
}

function chatter (): string {
  return Array.from({ length: 2 + Math.floor(Math.random() * 40) }, () => WORDS[Math.floor(Math.random() * WORDS.length)]).join(' ')
}

/**
 * Runs the quiet moment: the gate closes, the relay is left to its background for QUIET_MS, then a full collection
 * is forced through its inspector and its heap in use after it read (with its RSS, after that collection).
 */
async function quietReading (relay: RelayProcess, gate: Gate, start: number): Promise<QuietReading> {
  gate.close()
  try {
    await sleep(QUIET_MS)
    const heapBytes = await heapAfterGc(relay.inspectorUrl)
    const after = await readRelay(relay, SINGLE_READING_TIMEOUT_MS)
    return { minute: (after.at - start) / 60_000, heapMiB: heapBytes / MiB, rssMiB: after.rssBytes / MiB }
  } finally {
    gate.open()
  }
}

export const soak: Metric = async ({ log }) => {
  const minutes = Number(process.env.BENCH_SOAK_MINUTES ?? DEFAULT_SOAK_MINUTES)
  const intervalMs = Number(process.env.BENCH_SOAK_INTERVAL_S ?? DEFAULT_SOAK_INTERVAL_S) * 1000
  const runMs = minutes * 60_000
  // `BENCH_SOAK_ABUSERS=none`: the honest mix alone, the control for what the abusers cost
  const withAbusers = process.env.BENCH_SOAK_ABUSERS !== 'none'
  const snapshots = process.env.BENCH_SOAK_HEAP_SNAPSHOTS
  const snapshot = async (name: string): Promise<void> => {
    const file = join(snapshots!, name)
    await writeHeapSnapshot(relay.inspectorUrl, file)
    log(`heap snapshot: ${file}`)
  }
  const loadAtStart = loadavg()
  spreadLoopbackSources(MEMBER_SUBNET)
  // the inspector on a free loopback port: the soak forces a collection through it in each quiet moment
  const relay = await RelayProcess.start(SHIPPED_LIMITS, { nodeOptions: [INSPECT_LOOPBACK] })
  const gate = new Gate()
  const members = new Map<string, { member: SoakMember, leavesAt: number, arrivedAt: number }>()
  const abusers: Abuser[] = []
  const talking = new AbortController()
  const ownLag = monitorEventLoopDelay({ resolution: 20 })
  ownLag.enable()
  // an error thrown where nobody can catch it in this process's own libp2p peers (yamux sent a window update on a
  // connection already closed, and ended a run at 11 minutes) is counted and reported, not allowed to end the run
  const uncaught = new Map<string, number>()
  const onUncaught = (err: Error): void => { uncaught.set(err.name, (uncaught.get(err.name) ?? 0) + 1) }
  process.on('uncaughtException', onUncaught)
  try {
    const tcp = relay.listening.find(a => /\/tcp\/\d+\/p2p\//.test(a))
    if (tcp == null) throw new SoakSetupError(`the relay listens on no plain TCP address: ${relay.listening.join(', ')}`)
    if (relay.inspectorUrl === '') throw new SoakSetupError(`the relay printed no inspector URL:\n${relay.output}`)
    const relayTcp = multiaddr(tcp)
    const relayWs = multiaddr(relay.wsAddr)
    const rooms: Array<SoakRoom & typeof ROOMS[number]> = await Promise.all(ROOMS.map(async (room, index) => {
      const roomId = createRoomId()
      const keys = room.private ? await derivePrivateRoom(roomId, createRoomSecret()) : undefined
      return { ...room, index, roomId, keys, topic: keys?.topic ?? roomTopic(roomId) }
    }))
    // relay CPU time is counted from here (each interval: its last reading minus the one before)
    const before = await readRelay(relay, SINGLE_READING_TIMEOUT_MS)
    let lastCpu = before.cpuSeconds
    const start = Date.now()
    const end = start + runMs
    const ledger = new DeliveryLedger({ start, intervalMs })
    const sampler = new RelaySampler(relay)
    sampler.start()
    const arrivals = { arrived: 0, failed: new Map<string, number>(), departed: 0, reservedIn: [] as number[], unreserved: 0, linesFailed: 0, relayLost: 0 }
    let serial = 0
    const { signal } = talking
    /** A member leaves (closes its tab); whether it had got its reservation is counted then. */
    const depart = async (member: SoakMember): Promise<void> => {
      arrivals.relayLost += member.relayLost
      if (member.reservedIn != null) arrivals.reservedIn.push(member.reservedIn)
      else arrivals.unreserved++
      arrivals.departed++
      await member.leave()
    }
    const pause = async (ms: number): Promise<void> => { await sleep(Math.max(0, ms), undefined, { signal }).catch(() => {}) }

    /** A member's chatter until it is about to leave. */
    const talk = async (member: SoakMember, leavesAt: number): Promise<void> => {
      while (!signal.aborted) {
        await pause(between(LINE_EVERY_MS))
        await gate.passed()
        if (signal.aborted || Date.now() > leavesAt - LAST_WORDS_MS) return
        await member.say(chatter()).catch(() => { arrivals.linesFailed++ })
      }
    }
    /** Now and then, a direct message to another member of its room that has settled in and is staying a while. */
    const write = async (member: SoakMember, leavesAt: number): Promise<void> => {
      while (!signal.aborted) {
        await pause(between(DM_EVERY_MS))
        await gate.passed()
        const now = Date.now()
        if (signal.aborted || now > leavesAt - DM_TARGET_STAYS_MS) return
        const targets = member.peers().map(id => members.get(id))
          .filter(t => t != null && t.arrivedAt < now - DM_TARGET_SETTLED_MS && t.leavesAt > now + DM_TARGET_STAYS_MS)
        const target = targets[Math.floor(Math.random() * targets.length)]
        if (target != null) {
          await member.dm(target.member.id, chatter())
        }
      }
    }
    /** One seat of a room: members take it one after another until the run ends (the first one for good, if `stays`). */
    const seat = async (room: SoakRoom, stays: boolean): Promise<void> => {
      await pause(Math.random() * FIRST_ARRIVALS_MS)
      while (!signal.aborted) {
        await gate.passed()
        let member: SoakMember
        try {
          member = await SoakMember.arrive({ room, relay: relayWs, name: `member-${++serial}`, ledger })
          arrivals.arrived++
        } catch (err) {
          const name = err instanceof MemberArrivalError ? err.message.split(':')[0]! : (err as Error).name
          arrivals.failed.set(name, (arrivals.failed.get(name) ?? 0) + 1)
          await pause(between(SEAT_EMPTY_MS))
          continue
        }
        const arrivedAt = Date.now()
        const leavesAt = stays ? Infinity : arrivedAt + Math.max(MIN_STAY_MS, -Math.log(1 - Math.random()) * MEAN_STAY_MS)
        members.set(member.id, { member, leavesAt, arrivedAt })
        const activity = Promise.all([talk(member, leavesAt), write(member, leavesAt)])
        await pause(Math.min(leavesAt, end) - Date.now())
        if (signal.aborted || Date.now() >= end) {
          // the run is over: it stays until everyone leaves together
          await activity
          return
        }
        await gate.passed()
        members.delete(member.id)
        await depart(member)
        await activity
        await pause(between(SEAT_EMPTY_MS))
      }
    }
    const seats = rooms.flatMap(room => Array.from({ length: room.size }, async (_, i) => seat(room, i === 0)))

    // the abusers come once the first members are in
    await sleep(Math.min(FIRST_ARRIVALS_MS, runMs / 4))
    const context = (from: string, room = rooms.find(r => r.flooded)!): AbuserContext => ({ relay: relayTcp, topic: room.topic, gate, from })
    if (withAbusers) {
      abusers.push(
        PublishFlooder.start(context('127.0.0.1')),
        InvalidSender.start(context(ABUSER_ADDRESSES.invalid, rooms.find(r => r.invalid))),
        SubscriptionFlooder.start(context(ABUSER_ADDRESSES.subscriptions)),
        ConnectionFlooder.start(context(ABUSER_ADDRESSES.connections)),
        ReservationHog.start(context(ABUSER_ADDRESSES.reservations))
      )
    }

    // intervals, quiet moments, the ledger, until the end
    const rows: SoakRow[] = []
    const quiet: QuietReading[] = []
    let nextInterval = start + intervalMs
    let nextQuiet = start + QUIET_EVERY_MS
    let windowSnapshot = false
    // (the last interval ends with the run)
    while (nextInterval <= end) {
      const now = Date.now()
      if (now >= nextQuiet && now < end - QUIET_MS) {
        nextQuiet += QUIET_EVERY_MS
        const reading = await quietReading(relay, gate, start)
        quiet.push(reading)
        log(`quiet moment at ${reading.minute.toFixed(1)} min: heap after a full GC ${reading.heapMiB.toFixed(1)} MiB, RSS ${reading.rssMiB.toFixed(1)} MiB`)
        if (snapshots != null && !windowSnapshot && reading.minute >= rssWindowStart(minutes)) {
          windowSnapshot = true
          await snapshot(`relay-${reading.minute.toFixed(0)}min.heapsnapshot`)
        }
      }
      if (now >= nextInterval) {
        const samples = sampler.between(nextInterval - intervalMs, nextInterval)
        const cpu = samples.at(-1)?.cpuSeconds ?? lastCpu
        ledger.evaluate(now)
        const row: SoakRow = {
          minute: (nextInterval - start) / 60_000,
          rssMiB: median(samples.map(s => s.rssBytes)) / MiB,
          rssFloorMiB: Math.min(...samples.map(s => s.rssBytes)) / MiB,
          heapTotalMiB: median(samples.map(s => s.heapTotalBytes)) / MiB,
          externalMiB: median(samples.map(s => s.externalBytes)) / MiB,
          heapFloorMiB: Math.min(...samples.map(s => s.heapUsedBytes)) / MiB,
          lagP99Ms: Math.max(...samples.map(s => s.lagP99Seconds)) * 1000,
          cpuPercent: 100 * (cpu - lastCpu) / (intervalMs / 1000),
          ownLagP99Ms: ownLag.percentile(99) / 1e6,
          connections: samples.at(-1)?.connections ?? Number.NaN,
          openFds: samples.at(-1)?.openFds ?? Number.NaN,
          members: members.size
        }
        lastCpu = cpu
        ownLag.reset()
        rows.push(row)
        log(`${row.minute.toFixed(0)} min: relay RSS ${row.rssMiB.toFixed(1)} MiB, heap floor ${row.heapFloorMiB.toFixed(1)} MiB, lag p99 ${row.lagP99Ms.toFixed(0)} ms, CPU ${row.cpuPercent.toFixed(0)} %, ${row.connections} connections, ${row.openFds} fds, ${members.size} members; load ${loadavg()[0]!.toFixed(1)}`)
        nextInterval += intervalMs
      }
      await sleep(Math.max(10, Math.min(nextInterval, nextQuiet) - Date.now()))
    }

    // the end: nobody says anything more, the abusers stop; lines still under way get their deadline
    talking.abort()
    const stopped = abusers.splice(0)
    await Promise.all(stopped.map(async a => a.stop()))
    await sleep(DEFAULT_LINE_DEADLINE_MS + 2000)
    const last = await quietReading(relay, gate, start)
    quiet.push(last)
    ledger.evaluate(Date.now() + 60_000)
    await sampler.stop()
    const metricsAtEnd = (await readRelay(relay, SINGLE_READING_TIMEOUT_MS)).text

    // everyone leaves; what does the relay still hold after its room sweep?
    const stillIn = [...members.values()]
    members.clear()
    await Promise.all(stillIn.map(async ({ member }) => depart(member)))
    await Promise.all(seats)
    await sleep(ROOM_SWEEP_WAIT_MS)
    const afterwards = await readRelay(relay, SINGLE_READING_TIMEOUT_MS)
    if (snapshots != null) await snapshot('relay-after-everyone-left.heapsnapshot')

    return soakReport({
      minutes,
      rows,
      quiet,
      ledger,
      members: {
        ...arrivals,
        rooms: rooms.map(r => `${r.size}${r.private ? ' private' : ''}${r.flooded === true ? ' (publish flooder)' : ''}${r.invalid === true ? ' (invalid sender)' : ''}`),
        floodedRooms: rooms.filter(r => r.flooded === true).map(r => r.index)
      },
      abusers: stopped.map(a => ({ kind: a.kind, counts: a.counts() })),
      refused: samplesByLabel(metricsAtEnd, 'p2p_chat_relay_refused_total', 'kind'),
      before,
      afterwards,
      load: [loadAtStart[0]!, loadavg()[0]!],
      sampleFailures: sampler.failures,
      uncaught
    })
  } finally {
    talking.abort()
    gate.open()
    ownLag.disable()
    process.off('uncaughtException', onUncaught)
    await Promise.all(abusers.map(async a => a.stop().catch(() => {})))
    await Promise.all([...members.values()].map(async ({ member }) => member.leave().catch(() => {})))
    members.clear()
    await relay.dispose()
  }
}
