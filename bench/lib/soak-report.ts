/** The soak's figures, notes and chart (bench/results/soak.svg), from what bench/metrics/soak.ts gathered. */
import { writeFile } from 'node:fs/promises'
import { summarize } from './stats.ts'
import { svgChart } from './svg-chart.ts'
import type { DeliveryLedger, IntervalTally } from './delivery.ts'
import type { RelaySample } from './relay-sampler.ts'
import type { Figure, MetricReport } from './report.ts'

/** Where the chart is written. */
export const SOAK_CHART_FILE = new URL('../results/soak.svg', import.meta.url)
/** The RSS target: growth over the last 20 minutes (the first 10 of a 30-minute run are its warm-up). */
export const RSS_WINDOW_MINUTES = 20
export const RSS_TARGET_GROWTH_PERCENT = 2

/** The minute the RSS window starts: 20 minutes before the end, or a third of the way into a shorter run. */
export function rssWindowStart (minutes: number): number {
  return minutes - Math.min(RSS_WINDOW_MINUTES, Math.round(minutes * 2 / 3))
}

/** One interval of the run. */
export interface SoakRow {
  /** minutes since the start, at the interval's end */
  minute: number
  /** the median of the interval's readings */
  rssMiB: number
  /** the lowest of the interval's readings (RSS swings with V8's collections: its floor shows what stays) */
  rssFloorMiB: number
  /** the median of the interval's V8 heap committed (in use, garbage, and pages V8 keeps between collections) */
  heapTotalMiB: number
  /** the median of the interval's external memory (ArrayBuffers and the like: freed only when V8 collects them) */
  externalMiB: number
  /** the lowest heap in use of the interval's readings (the floor of V8's saw: just after a collection) */
  heapFloorMiB: number
  /** the highest event-loop lag p99 of the interval's readings (each covers the 5 s before it) */
  lagP99Ms: number
  /** relay CPU time over the interval, in % of one core */
  cpuPercent: number
  /** the soak process's own event-loop delay p99: a loaded load generator would hear late, not the relay */
  ownLagP99Ms: number
  /** relay connections at the interval's end */
  connections: number
  /** relay open file descriptors at the interval's end */
  openFds: number
  /** honest members in their rooms at the interval's end */
  members: number
}

/** The relay after a quiet moment and a forced full collection. */
export interface QuietReading {
  minute: number
  /** V8 heap in use after the collection */
  heapMiB: number
  rssMiB: number
}

export interface SoakOutcome {
  minutes: number
  rows: SoakRow[]
  quiet: QuietReading[]
  ledger: DeliveryLedger
  members: {
    rooms: string[]
    /** indexes of the rooms the publish flooder is in */
    floodedRooms: number[]
    arrived: number
    /** arrivals that could not reach the relay, by error */
    failed: Map<string, number>
    departed: number
    /** ms from the first dial to the reservation, of each member that got one; and how many did not */
    reservedIn: number[]
    unreserved: number
    /** lines `Room.send` refused (it throws only for invalid text) */
    linesFailed: number
    /** times a member lost its relay connection (and redialled it) */
    relayLost: number
  }
  abusers: Array<{ kind: string, counts: Record<string, number> }>
  /** the relay's refusals by kind, from its `/metrics` */
  refused: Map<string, number>
  /** the relay before anyone came */
  before: RelaySample
  /** the relay once everyone had left and it had swept its rooms */
  afterwards: RelaySample
  /** the machine's 1-minute load average at the start and at the end */
  load: [number, number]
  /** relay readings that failed, by error */
  sampleFailures: Map<string, number>
  /** errors thrown in the soak process where nothing could catch them (its members' libp2p), by name */
  uncaught: Map<string, number>
}

function sum (tallies: IntervalTally[], key: keyof IntervalTally): number {
  return tallies.reduce((total, t) => total + t[key], 0)
}

function percent (part: number, whole: number): number {
  return whole === 0 ? Number.NaN : 100 * part / whole
}

/** Least-squares line of y over x: its slope, and its value at `at`. */
function fit (points: Array<[number, number]>, at: number): { slope: number, valueAt: number } {
  const n = points.length
  const mx = points.reduce((s, p) => s + p[0], 0) / n
  const my = points.reduce((s, p) => s + p[1], 0) / n
  const sxx = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0)
  const slope = sxx === 0 ? 0 : points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) / sxx
  return { slope, valueAt: my + slope * (at - mx) }
}

/** Growth along the least-squares line through `points` from `from` to `to`, in % of the line's value at `from`. */
function fittedGrowth (points: Array<[number, number]>, from: number, to: number): number {
  if (points.length < 2) return Number.NaN
  const line = fit(points, from)
  return percent(line.slope * (to - from), line.valueAt)
}

/**
 * RSS growth over the window, five ways: from its first minute's median to its last (two noisy points: the
 * relay's RSS swings by tens of MiB from minute to minute); along the least-squares line through every minute's
 * median (the figure held against the target), and through every minute's floor; between the readings after a
 * forced full GC in a quiet moment, first and last, and along the line through all of them.
 */
export function rssGrowth (rows: SoakRow[], quiet: QuietReading[], from: number): { endpoints: number, fitted: number, floorFitted: number, slope: number, afterGc: number, afterGcFitted: number } {
  const inWindow = rows.filter(r => r.minute >= from)
  const first = inWindow[0]
  const last = inWindow.at(-1)
  if (first == null || last == null) return { endpoints: Number.NaN, fitted: Number.NaN, floorFitted: Number.NaN, slope: Number.NaN, afterGc: Number.NaN, afterGcFitted: Number.NaN }
  const line = fit(inWindow.map(r => [r.minute, r.rssMiB]), first.minute)
  const quietInWindow = quiet.filter(q => q.minute >= from)
  const [q0, q1] = [quietInWindow[0], quietInWindow.at(-1)]
  return {
    endpoints: percent(last.rssMiB - first.rssMiB, first.rssMiB),
    fitted: percent(line.slope * (last.minute - first.minute), line.valueAt),
    floorFitted: fittedGrowth(inWindow.map(r => [r.minute, r.rssFloorMiB]), first.minute, last.minute),
    slope: line.slope,
    afterGc: q0 == null || q1 == null || q0 === q1 ? Number.NaN : percent(q1.rssMiB - q0.rssMiB, q0.rssMiB),
    afterGcFitted: q0 == null || q1 == null ? Number.NaN : fittedGrowth(quietInWindow.map(q => [q.minute, q.rssMiB]), q0.minute, q1.minute)
  }
}

function series (values: Array<[number, number]>, digits = 0): string {
  return values.map(([m, v]) => `${m.toFixed(0)}: ${Number.isFinite(v) ? v.toFixed(digits) : '–'}`).join(', ')
}

function counts (record: Record<string, number> | Map<string, number>): string {
  const entries = record instanceof Map ? [...record] : Object.entries(record)
  return entries.length === 0 ? 'none' : entries.map(([what, n]) => `${what} ${n}`).join(', ')
}

/** Builds the report and writes the chart. */
export async function soakReport (outcome: SoakOutcome): Promise<MetricReport> {
  const { rows, quiet, ledger, members, minutes } = outcome
  const tallies = ledger.intervals()
  // the RSS window: the last 20 minutes, or the last two thirds of a shorter run
  const base = rows.find(r => r.minute >= rssWindowStart(minutes)) ?? rows[0]!
  const last = rows.at(-1)!
  const inWindow = rows.filter(r => r.minute >= base.minute)
  const growth = rssGrowth(rows, quiet, base.minute)
  const heapTrend = fit(inWindow.map(r => [r.minute, r.heapFloorMiB]), base.minute).slope
  const overTarget = growth.fitted > RSS_TARGET_GROWTH_PERCENT
  const quietInWindow = quiet.filter(q => q.minute >= base.minute)
  const deliveries = tallies.map((t, i) => [i + 1, percent(t.delivered, t.lines)] as [number, number])
  const flooded = new Set(members.floodedRooms)
  const catchUps = [...ledger.catchUps].filter(([room]) => !flooded.has(room)).map(([, c]) => c)
  const floodedCatchUps = [...ledger.catchUps].filter(([room]) => flooded.has(room)).map(([, c]) => c)
  const total = (list: typeof catchUps, key: keyof typeof catchUps[number]): number => list.reduce((s, c) => s + c[key], 0)
  const lags = rows.map(r => r.lagP99Ms)
  const ownLags = rows.map(r => r.ownLagP99Ms)
  const refusedTotal = [...outcome.refused.values()].reduce((a, b) => a + b, 0)
  const abusersNamed = outcome.abusers.length === 0 ? 'no abusers (control)' : `${outcome.abusers.length} abusers`

  const figures: Figure[] = [
    { label: 'run', unit: 'min', value: minutes },
    { label: 'honest members at once (rooms of 2–20)', unit: '', value: rows.reduce((m, r) => Math.max(m, r.members), 0) },
    { label: 'honest arrivals (each a new key and address)', unit: '', value: members.arrived },
    { label: 'honest arrivals that could not reach the relay', unit: '', value: [...members.failed.values()].reduce((a, b) => a + b, 0) },
    { label: 'honest members without a reservation when they left', unit: '', value: members.unreserved },
    { label: 'honest member: first dial → reservation', unit: 'ms', summary: summarize(members.reservedIn) },
    { label: 'honest members losing the relay connection (each redials it)', unit: '', value: members.relayLost },
    { label: 'honest lines said (heard by another honest member)', unit: '', value: sum(tallies, 'lines') },
    { label: 'honest delivery: lines that reached every member there, in 10 s', unit: '%', value: percent(sum(tallies, 'delivered'), sum(tallies, 'lines')) },
    { label: 'honest delivery: worst interval', unit: '%', value: Math.min(...deliveries.map(d => d[1]).filter(Number.isFinite)) },
    { label: 'honest receipts: (line, member) pairs received in 10 s', unit: '%', value: percent(sum(tallies, 'received'), sum(tallies, 'receipts')) },
    { label: 'honest receipts that came late (after 10 s)', unit: '', value: sum(tallies, 'late') },
    { label: 'direct messages between honest members, acknowledged', unit: '%', value: percent(sum(tallies, 'dmsAcked'), sum(tallies, 'dms')) },
    { label: 'direct messages sent', unit: '', value: sum(tallies, 'dms') },
    { label: 'newcomers caught up on the last 5 min in 15 s (rooms without the flooder)', unit: '%', value: percent(total(catchUps, 'caughtUp'), total(catchUps, 'newcomers')) },
    { label: 'newcomers checked (rooms without the flooder)', unit: '', value: total(catchUps, 'newcomers') },
    { label: 'catch-up lines got, in the room with the publish flooder', unit: '%', value: percent(total(floodedCatchUps, 'got'), total(floodedCatchUps, 'lines')) },
    { label: `relay RSS at ${base.minute.toFixed(0)} min`, unit: 'MiB', value: base.rssMiB },
    { label: `relay RSS at ${last.minute.toFixed(0)} min`, unit: 'MiB', value: last.rssMiB },
    { label: `relay RSS growth over the last ${(last.minute - base.minute).toFixed(0)} min, least-squares line through each minute (target ≤ ${RSS_TARGET_GROWTH_PERCENT} %)${overTarget ? ': OVER TARGET' : ''}`, unit: '%', value: growth.fitted },
    { label: `relay RSS growth over the last ${(last.minute - base.minute).toFixed(0)} min, first minute's median → last's`, unit: '%', value: growth.endpoints },
    { label: `relay RSS growth over the last ${(last.minute - base.minute).toFixed(0)} min, least-squares line through each minute's lowest reading`, unit: '%', value: growth.floorFitted },
    { label: 'relay RSS growth after a full GC, first quiet moment of that window → last', unit: '%', value: growth.afterGc },
    { label: 'relay RSS growth after a full GC, least-squares line through the quiet moments of that window', unit: '%', value: growth.afterGcFitted },
    { label: `relay external memory (ArrayBuffers), median minute of the last ${(last.minute - base.minute).toFixed(0)} min`, unit: 'MiB', value: summarize(inWindow.map(r => r.externalMiB)).p50 },
    { label: `relay V8 heap committed, median minute of the last ${(last.minute - base.minute).toFixed(0)} min`, unit: 'MiB', value: summarize(inWindow.map(r => r.heapTotalMiB)).p50 },
    { label: `relay RSS trend over the last ${(last.minute - base.minute).toFixed(0)} min (least squares)`, unit: 'MiB/min', value: growth.slope },
    { label: `relay V8 heap after a full GC (quiet moment), at ${quietInWindow[0]?.minute.toFixed(0) ?? '–'} min`, unit: 'MiB', value: quietInWindow[0]?.heapMiB },
    { label: `relay V8 heap after a full GC (quiet moment), at ${quiet.at(-1)?.minute.toFixed(0) ?? '–'} min`, unit: 'MiB', value: quiet.at(-1)?.heapMiB },
    { label: `relay V8 heap floor trend over the last ${(last.minute - base.minute).toFixed(0)} min`, unit: 'MiB/min', value: heapTrend },
    { label: 'relay event-loop lag p99: median interval', unit: 'ms', value: summarize(lags).p50 },
    { label: 'relay event-loop lag p99: worst interval', unit: 'ms', value: Math.max(...lags) },
    { label: 'relay CPU (mean)', unit: '% of a core', value: rows.reduce((s, r) => s + r.cpuPercent, 0) / rows.length },
    { label: "the soak process's own event-loop delay p99: worst interval", unit: 'ms', value: Math.max(...ownLags) },
    { label: 'relay refusals (all kinds)', unit: '', value: refusedTotal },
    { label: 'relay connections after everyone left', unit: '', value: outcome.afterwards.connections },
    { label: 'relay reservations after everyone left', unit: '', value: outcome.afterwards.reservations },
    { label: 'rooms the relay follows after everyone left (after a sweep)', unit: '', value: outcome.afterwards.roomsFollowed },
    { label: 'relay RSS after everyone left', unit: 'MiB', value: outcome.afterwards.rssBytes / 2 ** 20 },
    { label: 'relay open file descriptors before anyone came', unit: '', value: outcome.before.openFds },
    { label: 'relay open file descriptors after everyone left', unit: '', value: outcome.afterwards.openFds }
  ]

  await writeFile(SOAK_CHART_FILE, svgChart({ title: `Relay soak: ${minutes} min, ${members.rooms.length} rooms, members coming and going, ${abusersNamed}`, xLabel: 'minutes', xMax: Math.ceil(Math.max(minutes, 1, ...quiet.map(q => q.minute))), xStep: minutes >= 10 ? 5 : 1 }, [
    {
      title: 'relay RSS (MiB, median of each minute)',
      lines: [
        { name: 'RSS', color: '#1f77b4', points: rows.map(r => [r.minute, r.rssMiB]) },
        { name: 'floor of each minute', color: '#17becf', points: rows.map(r => [r.minute, r.rssFloorMiB]) },
        { name: 'after a full GC', color: '#d62728', points: quiet.map(q => [q.minute, q.rssMiB]), dots: true }
      ],
      mark: { y: base.rssMiB * (1 + RSS_TARGET_GROWTH_PERCENT / 100), label: `+${RSS_TARGET_GROWTH_PERCENT} % of ${base.minute.toFixed(0)} min` }
    },
    {
      title: 'relay V8 heap committed and in use, and memory outside it (MiB)',
      lines: [
        { name: 'committed, median of each minute', color: '#17becf', points: rows.map(r => [r.minute, r.heapTotalMiB]) },
        { name: 'in use, floor of each minute', color: '#2ca02c', points: rows.map(r => [r.minute, r.heapFloorMiB]) },
        { name: 'after a full GC', color: '#d62728', points: quiet.map(q => [q.minute, q.heapMiB]), dots: true },
        { name: 'external (ArrayBuffers)', color: '#8c564b', points: rows.map(r => [r.minute, r.externalMiB]) }
      ]
    },
    { title: 'relay event-loop lag p99 (ms, worst 5 s of each minute)', lines: [{ name: 'lag p99', color: '#9467bd', points: rows.map(r => [r.minute, r.lagP99Ms]) }] },
    {
      title: 'honest delivery (% of lines that reached every member there in 10 s)',
      lines: [{ name: 'delivery', color: '#ff7f0e', points: deliveries }],
      min: Math.min(90, ...deliveries.map(d => Math.floor(d[1])).filter(Number.isFinite)),
      max: 100,
      mark: { y: 100, label: 'target 100 %' }
    }
  ]))

  return {
    id: 'soak',
    title: `Soak: the relay for ${minutes} minutes under honest rooms, churn and ${abusersNamed}`,
    figures,
    notes: [
      `rooms (members at once): ${members.rooms.join(', ')}; one member of each stays throughout, the others ~6 min on average; lines every 3–60 s, a direct message every 1–4 min`,
      `RSS by minute (MiB): ${series(rows.map(r => [r.minute, r.rssMiB]))}`,
      `RSS floor by minute (MiB): ${series(rows.map(r => [r.minute, r.rssFloorMiB]))}`,
      `V8 heap floor by minute (MiB): ${series(rows.map(r => [r.minute, r.heapFloorMiB]))}`,
      `V8 heap committed by minute, median (MiB): ${series(rows.map(r => [r.minute, r.heapTotalMiB]))}`,
      `external memory (ArrayBuffers) by minute, median (MiB): ${series(rows.map(r => [r.minute, r.externalMiB]))}`,
      `V8 heap after each quiet moment (20 s with nothing driven, then a full GC forced through the relay's inspector) (MiB): ${quiet.map(q => `${q.minute.toFixed(1)}: ${q.heapMiB.toFixed(1)}`).join(', ')}`,
      `event-loop lag p99 by minute (ms): ${series(rows.map(r => [r.minute, r.lagP99Ms]))}`,
      `honest delivery by minute (%): ${series(deliveries, 1)}`,
      `relay CPU by minute (% of a core): ${series(rows.map(r => [r.minute, r.cpuPercent]))}`,
      `relay connections by minute: ${series(rows.map(r => [r.minute, r.connections]))}`,
      `relay open file descriptors by minute: ${series(rows.map(r => [r.minute, r.openFds]))}`,
      ...outcome.abusers.map(a => `${a.kind}: ${counts(a.counts)}`),
      `relay refusals by kind: ${counts(outcome.refused)}`,
      `direct messages: ${ledger.dmsLeftOut} failed ones left out (one side left meanwhile); failures: ${counts(ledger.dmErrors)}`,
      `honest arrivals that failed: ${counts(members.failed)}; lines Room.send refused: ${members.linesFailed}; lines nobody else was there to hear: ${ledger.linesUnheard}`,
      `machine load average (1 min) at the start ${outcome.load[0].toFixed(1)}, at the end ${outcome.load[1].toFixed(1)} (2 cores, shared)`,
      ...(outcome.sampleFailures.size === 0 ? [] : [`relay readings that failed: ${counts(outcome.sampleFailures)}`]),
      ...(outcome.uncaught.size === 0 ? [] : [`uncaught errors in the soak process (its members' libp2p), counted, not fatal: ${counts(outcome.uncaught)}`]),
      `chart: ${SOAK_CHART_FILE.pathname.split('/').slice(-3).join('/')}`
    ]
  }
}
