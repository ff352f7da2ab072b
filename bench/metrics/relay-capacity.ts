/**
 * Metric 6, relay capacity: what our relay (apps/relay, a real child process on 127.0.0.1, run as deploy/ runs
 * it) costs per client, and how many headless stock js-libp2p clients it holds, each over WebSocket with a
 * circuit-relay reservation, half of them chatting in rooms of five through it.
 *
 * Three parts, each on a fresh relay (so that memory freed by one part cannot hide the next one's cost):
 * 1. memory: clients connect in two loads; the RSS growth between them, per client, is the cost of one more
 *    client (what the relay pays once, such as compiled code and V8's young generation, is left out). First
 *    without a reservation, then with one; for reserved clients also where the memory goes: two V8 heap
 *    snapshots, before any client and after the second load, the new objects attributed to the stream, the
 *    connection or the service that holds them (`lib/heap-snapshot.ts`). The same, in the same run, for a stock
 *    js-libp2p relay (`lib/stock-relay-main.ts`): the difference, category by category, is what ours cut.
 * 2. capacity: clients are added up to each of `steps` in turn, and a step is held when every client is
 *    connected and reserved, every room member sees the relay in its room, and the relay still answers
 *    `GET /api/relay` and a ping. At the first step held, room messages are sent in rounds to price them in
 *    relay CPU time, and pings likewise; at later steps, a few messages, to see that they still flow. Stepping
 *    stops at the first step not held, or when the time budget would not cover the next one.
 * 3. burst: `burst` clients are created, then dial the relay all at once, as after a relay restart; how long
 *    until every one is connected, reserved and in its room.
 * All along parts 2 and 3, `GET /healthz` is asked every 100 ms (`lib/health-probe.ts`): the time it waits is
 * the time the relay's event loop makes everything wait.
 *
 * The relay runs with the caps it ships with (`--max-connections`, `--max-reservations`: 8192 each), above the
 * largest step: the machine, not the configuration, is what runs out.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { RELAY_MALLOC_ARENA_MAX, RELAY_NODE_OPTIONS } from '@p2p-chat/relay/constants'
import { CONNECTION_PING_INTERVAL_MS } from '@p2p-chat/shared'
import { RelayProcess } from '../../e2e/support/relay-process.ts'
import { HealthProbe } from '../lib/health-probe.ts'
import { heapGrowthByOwner, heapSnapshotNodeOptions, takeHeapSnapshot } from '../lib/heap-snapshot.ts'
import { readProcessStats } from '../lib/proc.ts'
import { ClientFleet, DEFAULT_WORKER_NICENESS, DEFAULT_WORKERS } from '../lib/relay-clients.ts'
import { median, summarize } from '../lib/stats.ts'
import { StockRelayProcess } from '../lib/stock-relay.ts'
import type { Figure, Metric, MetricOptions, MetricReport } from '../lib/report.ts'

/** Client counts tried in turn. */
export const DEFAULT_STEPS = [1000, 2000, 3500, 5000]
/** The two loads of the memory part, for our relay and for the stock one (which admits far more slowly). */
export const DEFAULT_MEMORY_LOADS = [500, 1500]
export const DEFAULT_STOCK_MEMORY_LOADS = [250, 750]
/** Clients that dial at once in the burst part. */
export const DEFAULT_BURST = 2000
/** Longest the burst may take to be served before it counts as not served. */
export const BURST_TIMEOUT_MS = 120_000
/** Wall-clock budget for the whole metric. */
export const DEFAULT_BUDGET_MS = 25 * 60_000
export const DEFAULT_ROOM_SIZE = 5
/** Room messages per round of the CPU figure, and the most rounds (fewer if `--runs` is lower). */
export const DEFAULT_MESSAGES_PER_ROUND = 1000
export const DEFAULT_MAX_ROUNDS = 5
/**
 * Over how long a round's messages are sent: briskly, so that their cost stands well above the relay's idle
 * use (subtracted from it).
 */
const ROUND_SPREAD_MS = 2000
/**
 * Pings per round of the ping CPU figure (as many rounds as of messages), over ROUND_SPREAD_MS: a client's
 * connection monitor pings once every CONNECTION_PING_INTERVAL_MS, so these are what 30,000 clients would send.
 */
const PINGS_PER_ROUND = 2000
/** Idle CPU is read over this window. */
const CPU_WINDOW_MS = 10_000
/** Room messages sent at later steps, to see that they still flow. */
const CHECK_MESSAGES = 100
/** How long deliveries may trail the last message sent. */
const DELIVERY_TIMEOUT_MS = 10_000
/**
 * When the clients' reservations make no progress for this long, the ones without redial, at most
 * REDIAL_ROUNDS times, and only if they are a few (REDIAL_FRACTION of the clients at most): more means the
 * relay is overwhelmed, and redialing them all would only pile on.
 */
const STALL_TIMEOUT_MS = 10_000
const REDIAL_ROUNDS = 2
const REDIAL_FRACTION = 0.05
/** A step fails at once when this share of the connections it had are gone again. */
const DROP_FRACTION = 0.05
/** Longest one step (adding its clients and waiting for them) may take. */
const STEP_TIMEOUT_MS = 180_000
/** Time given to memory to settle (timers, GC) before RSS is read. */
const SETTLE_MS = 5000
/** Health probes per step held: `GET /api/relay` and a ping, each within HEALTH_TIMEOUT_MS. */
const HEALTH_SAMPLES = 10
const HEALTH_TIMEOUT_MS = 5000

export interface RelayCapacityOptions {
  /** client counts to try, ascending @default DEFAULT_STEPS */
  steps?: number[]
  /** @default DEFAULT_BUDGET_MS */
  budgetMs?: number
  /** the memory part's two loads @default DEFAULT_MEMORY_LOADS */
  memoryLoads?: [number, number]
  /** the same for the stock relay @default DEFAULT_STOCK_MEMORY_LOADS */
  stockMemoryLoads?: [number, number]
  /** clients in the burst @default DEFAULT_BURST */
  burst?: number
  /** @default DEFAULT_ROOM_SIZE */
  roomSize?: number
  /** @default DEFAULT_MESSAGES_PER_ROUND */
  messagesPerRound?: number
  /** @default DEFAULT_MAX_ROUNDS */
  maxRounds?: number
  /** client worker processes; see ClientFleet @default DEFAULT_WORKERS */
  workers?: number
  /** clients each worker brings up at once (outside the burst) @default DEFAULT_START_CONCURRENCY */
  startConcurrency?: number
}

const MiB = 2 ** 20
const KiB = 2 ** 10

interface Settled {
  ok: boolean
  /** clients that hung up and dialed again */
  redialed: number
  /** the worst event-loop delay of a client worker meanwhile, in ms */
  lagMs: number
  /** ms until every client got there (or until it gave up) */
  ms: number
}

/**
 * Waits until `connected` clients are connected, `reserved` of them hold a reservation and every room member
 * sees the relay in its room. When that stops making progress, clients still without a reservation dial the
 * relay again, up to REDIAL_ROUNDS times; then it gives up.
 */
async function settleClients (fleet: ClientFleet, connected: number, reserved: number, deadline: number, log: (line: string) => void, pollMs = 1000): Promise<Settled> {
  const started = Date.now()
  let best = -1
  let progressAt = Date.now()
  let redialed = 0
  let lagMs = 0
  let peak = 0
  for (let round = 0; ;) {
    const s = await fleet.status()
    lagMs = Math.max(lagMs, s.lagMs)
    peak = Math.max(peak, s.connected)
    const done = s.connected + s.reserved + s.roomReady
    const where = `${s.connected}/${connected} connected, ${s.reserved}/${reserved} reserved, ${s.roomReady}/${s.members} room members see the relay`
    const result = (ok: boolean): Settled => ({ ok, redialed, lagMs, ms: Date.now() - started })
    if (s.connected === connected && s.reserved === reserved && s.roomReady === s.members) return result(true)
    if (s.connected < peak * (1 - DROP_FRACTION)) {
      log(`connections dropping (${peak} at most): ${where}`)
      return result(false)
    }
    if (Date.now() > deadline) {
      log(`out of time: ${where}`)
      return result(false)
    }
    if (done > best) {
      best = done
      progressAt = Date.now()
    } else if (Date.now() - progressAt > STALL_TIMEOUT_MS) {
      if (round++ === REDIAL_ROUNDS || reserved - s.reserved > Math.max(10, REDIAL_FRACTION * reserved)) {
        log(`stalled: ${where}`)
        return result(false)
      }
      const count = await fleet.redialUnreserved()
      redialed += count
      log(`stalled at ${where}: ${count} clients without a reservation dial the relay again`)
      progressAt = Date.now()
    }
    await sleep(pollMs)
  }
}

interface Round {
  /** relay CPU per 1,000 messages, less its idle use, in ms */
  cpuMs: number
  delivered: number
  expected: number
}

/**
 * Has the clients ping the relay `pings` times over `spreadMs` (each ping a stream of its own, as libp2p's
 * connection monitor opens); prices the answered ones in relay CPU.
 */
async function pingRound (relay: RelayProcess, fleet: ClientFleet, pings: number, spreadMs: number, idleCpuPerSecond: number): Promise<PingRound> {
  const { busyMs, done: { sent, answered } } = await relayCpu(relay, idleCpuPerSecond, async () => fleet.pingMany(pings, spreadMs, HEALTH_TIMEOUT_MS))
  return { cpuMs: busyMs * 1000 / Math.max(1, answered), answered, sent }
}

interface PingRound {
  /** relay CPU per 1,000 pings answered, less its idle use, in ms */
  cpuMs: number
  answered: number
  sent: number
}

/** Sends `messages` room messages over `spreadMs` and waits for their deliveries; prices them in relay CPU. */
async function messageRound (relay: RelayProcess, fleet: ClientFleet, messages: number, spreadMs: number, idleCpuPerSecond: number): Promise<Round> {
  const before = (await fleet.status()).received
  const { busyMs, done: { sent, expected, delivered } } = await relayCpu(relay, idleCpuPerSecond, async () => {
    const { sent, expected } = await fleet.publish(messages, spreadMs)
    let delivered = 0
    const deadline = Date.now() + DELIVERY_TIMEOUT_MS
    while (Date.now() < deadline) {
      delivered = (await fleet.status()).received - before
      if (delivered >= expected) break
      await sleep(200)
    }
    return { sent, expected, delivered }
  })
  return { cpuMs: busyMs * 1000 / sent, delivered, expected }
}

/** Runs `work` and returns what it returned with the relay CPU it cost, in ms, less the relay's idle use meanwhile. */
async function relayCpu<T> (relay: RelayProcess, idleCpuPerSecond: number, work: () => Promise<T>): Promise<{ busyMs: number, done: T }> {
  const start = await readProcessStats(relay.pid)
  const startedAt = Date.now()
  const done = await work()
  const end = await readProcessStats(relay.pid)
  const busy = end.cpuSeconds - start.cpuSeconds - idleCpuPerSecond * (Date.now() - startedAt) / 1000
  return { busyMs: busy * 1000, done }
}

/** `count` results of `probe` (a time in ms), one after another; stops at the first failure. */
async function sample (count: number, probe: () => Promise<number>): Promise<{ times: number[], error?: string }> {
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    try {
      times.push(await probe())
    } catch (err) {
      return { times, error: (err as Error).message }
    }
  }
  return { times }
}

async function timed (task: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await task()
  return performance.now() - started
}

async function workersStats (fleet: ClientFleet): Promise<{ rssBytes: number, cpuSeconds: number }> {
  const stats = await Promise.all(fleet.pids.map(readProcessStats))
  return { rssBytes: stats.reduce((a, s) => a + s.rssBytes, 0), cpuSeconds: stats.reduce((a, s) => a + s.cpuSeconds, 0) }
}

/** CPU use of the relay and of the client workers over one CPU_WINDOW_MS window of nothing but idling. */
async function idleCpu (relay: RelayProcess, fleet: ClientFleet): Promise<{ relay: number, workers: number }> {
  const before = [await readProcessStats(relay.pid), await workersStats(fleet)] as const
  await sleep(CPU_WINDOW_MS)
  const after = [await readProcessStats(relay.pid), await workersStats(fleet)] as const
  const seconds = CPU_WINDOW_MS / 1000
  return { relay: (after[0].cpuSeconds - before[0].cpuSeconds) / seconds, workers: (after[1].cpuSeconds - before[1].cpuSeconds) / seconds }
}

/** A relay under test in the memory part: ours or the stock one. */
interface Target {
  pid: number
  wsAddr: string
  stop: () => Promise<void>
}

interface MemoryResult {
  /** RSS growth per client between the two loads */
  marginalKiB: number
  /** RSS growth per client from the bare relay to the second load */
  averageKiB: number
  /** bytes per client by owner (heap snapshots), if taken */
  heap?: Map<string, number>
  /** clients that got there, per load */
  counts: number[]
  ok: boolean
}

/**
 * The memory part for one relay: RSS at `loads` clients (no rooms), with or without a reservation each, and,
 * with `snapshots`, heap snapshots before the first client and after the last load.
 */
async function measureMemory (target: Target, fleet: ClientFleet, loads: [number, number], reserve: boolean, snapshots: string | undefined, deadline: number, log: (line: string) => void): Promise<MemoryResult> {
  await sleep(SETTLE_MS)
  const before = snapshots == null ? undefined : await takeHeapSnapshot(target.pid, snapshots)
  await sleep(SETTLE_MS)
  const bare = await readProcessStats(target.pid)
  const rss: number[] = []
  const counts: number[] = []
  let ok = true
  let have = 0
  for (const load of loads) {
    const stepDeadline = Math.min(deadline, Date.now() + STEP_TIMEOUT_MS)
    await fleet.add(target.wsAddr, load - have, { reserve, roomSize: 0, deadline: stepDeadline })
    have = load
    ok = (await settleClients(fleet, load, reserve ? load : 0, stepDeadline, log)).ok && ok
    await sleep(SETTLE_MS)
    rss.push((await readProcessStats(target.pid)).rssBytes)
    const s = await fleet.status()
    counts.push(reserve ? s.reserved : s.connected)
    log(`  ${load} clients: ${counts.at(-1)} got there, RSS ${(rss.at(-1)! / MiB).toFixed(0)} MiB`)
  }
  let heap: Map<string, number> | undefined
  if (before != null && snapshots != null) {
    const after = await takeHeapSnapshot(target.pid, snapshots)
    heap = new Map([...await heapGrowthByOwner(before, after)].map(([owner, bytes]) => [owner, bytes / counts[1]!]))
  }
  await fleet.stopClients()
  await target.stop()
  return {
    marginalKiB: (rss[1]! - rss[0]!) / (counts[1]! - counts[0]!) / KiB,
    averageKiB: (rss[1]! - bare.rssBytes) / counts[1]! / KiB,
    heap,
    counts,
    ok
  }
}

/** Builds the relay-capacity metric. */
export function createRelayCapacity (options: RelayCapacityOptions = {}): Metric {
  const steps = options.steps ?? DEFAULT_STEPS
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS
  const memoryLoads = options.memoryLoads ?? DEFAULT_MEMORY_LOADS as [number, number]
  const stockLoads = options.stockMemoryLoads ?? DEFAULT_STOCK_MEMORY_LOADS as [number, number]
  const burst = options.burst ?? DEFAULT_BURST
  const roomSize = options.roomSize ?? DEFAULT_ROOM_SIZE
  const messagesPerRound = options.messagesPerRound ?? DEFAULT_MESSAGES_PER_ROUND

  return async ({ runs, log }: MetricOptions): Promise<MetricReport> => {
    const metricStarted = Date.now()
    const rounds = Math.max(1, Math.min(runs, options.maxRounds ?? DEFAULT_MAX_ROUNDS))
    const deadline = Date.now() + budgetMs
    const figures: Figure[] = []
    const notes = [
      `our relay runs with the caps it ships with and as deploy/ runs it (node ${RELAY_NODE_OPTIONS.join(' ')}, MALLOC_ARENA_MAX=${RELAY_MALLOC_ARENA_MAX}); clients: stock js-libp2p 3 over WebSocket (noise, yamux, identify, ping, gossipsub, circuit-relay transport listening on /p2p-circuit; each pings the relay every ${CONNECTION_PING_INTERVAL_MS / 1000} s, as the web app does), in ${options.workers ?? DEFAULT_WORKERS} worker processes on the same machine at niceness ${DEFAULT_WORKER_NICENESS} (they yield its cores to the relay, as other machines would), each dialing from its own 127.x.y.z address (libp2p refuses more than 5 inbound connections a second from one host), and dialing again with backoff (1 s doubling to 8 s) when refused`
    ]
    const fleet = new ClientFleet({ workers: options.workers, startConcurrency: options.startConcurrency })
    const snapshots = await mkdtemp(join(tmpdir(), 'p2p-chat-bench-heap-'))
    let relay: RelayProcess | undefined
    let stock: StockRelayProcess | undefined
    let probe: HealthProbe | undefined
    const killAll = (): void => { fleet.killNow(); relay?.killNow(); stock?.killNow() }
    process.once('exit', killAll)
    const startRelay = async (extraNodeOptions: string[] = []): Promise<RelayProcess> => {
      relay = await RelayProcess.start([], { nodeOptions: extraNodeOptions })
      return relay
    }
    try {

      // part 1: memory per client; ours without and with a reservation, then the stock relay with one
      const ours = async (reserve: boolean): Promise<MemoryResult> => {
        log(`memory: our relay, ${memoryLoads.join(' then ')} clients ${reserve ? 'with' : 'without'} a reservation`)
        const r = await startRelay(reserve ? heapSnapshotNodeOptions(snapshots) : [])
        return measureMemory({ pid: r.pid, wsAddr: r.wsAddr, stop: async () => r.dispose() }, fleet, memoryLoads, reserve, reserve ? snapshots : undefined, deadline, log)
      }
      const idle = await ours(false)
      const reserved = await ours(true)
      log(`memory: stock js-libp2p relay, ${stockLoads.join(' then ')} clients with a reservation`)
      const s = stock = await StockRelayProcess.start({ nodeOptions: heapSnapshotNodeOptions(snapshots) })
      const baseline = await measureMemory({ pid: s.pid, wsAddr: s.wsAddr, stop: async () => s.stop() }, fleet, stockLoads, true, snapshots, deadline, log)
      figures.push(
        { label: 'relay RSS per idle connection (no reservation)', unit: 'KiB', value: idle.marginalKiB },
        { label: 'relay RSS per reserved client', unit: 'KiB', value: reserved.marginalKiB },
        { label: `relay RSS per reserved client, average from start to ${memoryLoads[1]}`, unit: 'KiB', value: reserved.averageKiB },
        { label: 'stock js-libp2p relay: RSS per reserved client', unit: 'KiB', value: baseline.marginalKiB },
        { label: 'RSS per reserved client: ours / stock', unit: 'ratio', value: reserved.marginalKiB / baseline.marginalKiB }
      )
      const owners = [...new Set([...reserved.heap?.keys() ?? [], ...baseline.heap?.keys() ?? []])]
        .sort((a, b) => (baseline.heap?.get(b) ?? 0) - (baseline.heap?.get(a) ?? 0))
      const heapTotal = (heap?: Map<string, number>): number => [...heap?.values() ?? []].reduce((a, b) => a + b, 0)
      figures.push({ label: 'JS heap per reserved client (new objects), ours', unit: 'KiB', value: heapTotal(reserved.heap) / KiB })
      for (const owner of owners) {
        figures.push({ label: `  ${owner}: ours (stock ${((baseline.heap?.get(owner) ?? 0) / KiB).toFixed(1)})`, unit: 'KiB', value: (reserved.heap?.get(owner) ?? 0) / KiB })
      }
      figures.push({ label: 'JS heap per reserved client (new objects), stock', unit: 'KiB', value: heapTotal(baseline.heap) / KiB })
      notes.push(
        `memory: RSS per client is the growth of the relay's VmRSS from ${memoryLoads[0]} to ${memoryLoads[1]} clients (stock relay: ${stockLoads.join(' to ')}), ${SETTLE_MS / 1000} s after each load; the average from start includes what the relay pays once (compiled code, V8's young generation)`,
        'memory: the heap figures are the objects new in a V8 heap snapshot taken after the second load, against one taken before the first client, per client, each charged to the nearest owner (a yamux stream, a Noise connection, the peer store...; bench/lib/heap-snapshot.ts); "stock" is the same for the stock js-libp2p relay (stock defaults, its connection and reservation caps raised to 4096), and the difference per line is what ours cut',
        ...[idle, reserved, baseline].filter(r => !r.ok).map(r => `memory: only ${r.counts.join(' and ')} clients got there; the figures are per client that did`)
      )
      stock = undefined

      // part 2: capacity, with /healthz timed all along
      const server = await startRelay()
      const health = probe = new HealthProbe({ probe: async timeoutMs => server.health(timeoutMs) })
      health.start()
      await sleep(SETTLE_MS)
      const base = await readProcessStats(server.pid)
      let held = 0
      let clients = 0
      let admitCpu = 0
      let admitted = 0
      let redials = 0
      let secondsPerClient = 0
      let priced = false
      for (const target of steps) {
        // the burst part needs about two minutes after this
        const estimateMs = (target - clients) * secondsPerClient * 1000 + CPU_WINDOW_MS + 20_000 + BURST_TIMEOUT_MS
        if (Date.now() + estimateMs > deadline) {
          notes.push(`stopped before ${target} clients: the ${budgetMs / 60_000}-minute budget would not cover it (about ${(estimateMs / 1000).toFixed(0)} s)`)
          break
        }
        const adding = target - clients
        log(`capacity: ${target} clients (${adding} more, half of them in rooms of ${roomSize})`)
        health.phase(`to ${target}`)
        const before = await readProcessStats(server.pid)
        const startedAt = Date.now()
        const stepDeadline = Math.min(deadline, Date.now() + STEP_TIMEOUT_MS)
        const chatting = Math.ceil(adding / 2 / roomSize) * roomSize
        await fleet.prepare(chatting, { reserve: true, roomSize })
        await fleet.prepare(adding - chatting, { reserve: true, roomSize: 0 })
        const added = await fleet.dial(server.wsAddr, { deadline: stepDeadline })
        const settled = await settleClients(fleet, target, target, stepDeadline, log)
        clients = target
        const rampSeconds = (Date.now() - startedAt) / 1000
        secondsPerClient = rampSeconds / adding
        const after = await readProcessStats(server.pid)
        admitCpu += after.cpuSeconds - before.cpuSeconds
        admitted += added.connected
        redials += settled.redialed + added.redials
        health.phase(`at ${target}`)
        const status = await fleet.status()
        const api = await sample(HEALTH_SAMPLES, async () => timed(async () => server.info(HEALTH_TIMEOUT_MS)))
        const pings = await sample(HEALTH_SAMPLES, async () => fleet.ping(HEALTH_TIMEOUT_MS))
        const ramp = health.summary(`to ${target}`)
        const state = `${status.connected} connected, ${status.reserved} reserved, ${status.roomReady}/${status.members} room members see the relay, after ${rampSeconds.toFixed(0)} s; ` +
          `relay RSS ${(after.rssBytes / MiB).toFixed(0)} MiB; while adding, /healthz took p99 ${ramp.p99.toFixed(0)} ms (at most ${ramp.max.toFixed(0)}) and client workers' event loops lagged up to ${settled.lagMs.toFixed(0)} ms; ` +
          `then /api/relay ${api.error == null ? 'answered' : `failed (${api.error})`}, ping ${pings.error == null ? 'answered' : `failed (${pings.error})`}` +
          (added.errors.length > 0 ? `; client errors: ${added.errors.join('; ')}` : '')
        log(`${target}: ${state}`)
        if (!settled.ok || api.error != null || pings.error != null) {
          notes.push(`${target} clients not held: ${state}`)
          break
        }
        held = target
        const workers = await workersStats(fleet)
        figures.push(
          { label: `relay RSS per client at ${target} (reserved, half in rooms)`, unit: 'KiB', value: (after.rssBytes - base.rssBytes) / target / KiB },
          { label: `/healthz while adding clients up to ${target}`, unit: 'ms', summary: ramp },
          { label: `GET /api/relay at ${target} clients`, unit: 'ms', summary: summarize(api.times) },
          { label: `ping relay at ${target} clients`, unit: 'ms', summary: summarize(pings.times) },
          { label: `client worker processes, RSS all together at ${target}`, unit: 'MiB', value: workers.rssBytes / MiB }
        )

        const idleCpuUse = await idleCpu(server, fleet)
        figures.push(
          { label: `relay idle CPU at ${target} clients`, unit: '% of a core', value: idleCpuUse.relay * 100 },
          { label: `client worker processes, idle CPU all together at ${target}`, unit: '% of a core', value: idleCpuUse.workers * 100 }
        )
        const pricing = !priced && Date.now() + (2 * rounds + 1) * (ROUND_SPREAD_MS + 5000) < deadline
        const results: Round[] = []
        if (pricing) {
          priced = true
          await messageRound(server, fleet, CHECK_MESSAGES, 1000, idleCpuUse.relay) // warm-up: meshes, caches
          for (let i = 0; i < rounds; i++) {
            results.push(await messageRound(server, fleet, messagesPerRound, ROUND_SPREAD_MS, idleCpuUse.relay))
          }
          log(`${target}: relay CPU per 1,000 room messages, median ${median(results.map(r => r.cpuMs)).toFixed(0)} ms`)
          figures.push({ label: `relay CPU per 1,000 relayed room messages (at ${target} clients)`, unit: 'ms', summary: summarize(results.map(r => r.cpuMs)) })
          const pingRounds: PingRound[] = []
          for (let i = 0; i < rounds; i++) {
            pingRounds.push(await pingRound(server, fleet, PINGS_PER_ROUND, ROUND_SPREAD_MS, idleCpuUse.relay))
          }
          const answered = pingRounds.reduce((a, r) => a + r.answered, 0) / pingRounds.reduce((a, r) => a + r.sent, 0)
          log(`${target}: relay CPU per 1,000 pings answered, median ${median(pingRounds.map(r => r.cpuMs)).toFixed(0)} ms (${(answered * 100).toFixed(1)} % answered)`)
          figures.push(
            { label: `relay CPU per 1,000 pings answered (at ${target} clients)`, unit: 'ms', summary: summarize(pingRounds.map(r => r.cpuMs)) },
            { label: `pings answered at ${target} clients`, unit: '%', value: answered * 100 }
          )
        } else {
          results.push(await messageRound(server, fleet, CHECK_MESSAGES, 1000, idleCpuUse.relay))
        }
        const delivered = results.reduce((a, r) => a + r.delivered, 0) / results.reduce((a, r) => a + r.expected, 0)
        figures.push({ label: `room messages delivered at ${target} clients`, unit: '%', value: delivered * 100 })
      }
      const capacityHealth = health.summary()
      await health.stop()
      figures.push(
        { label: 'largest number of clients held', unit: 'clients', value: held },
        { label: '/healthz throughout the capacity part', unit: 'ms', summary: capacityHealth },
        { label: 'clients that had to dial the relay again (capacity part)', unit: 'clients', value: redials },
        { label: 'relay CPU to admit a client (connect, reserve, join)', unit: 'ms', value: admitted > 0 ? admitCpu / admitted * 1000 : Number.NaN }
      )
      await fleet.stopClients()
      await server.dispose()

      // part 3: a burst of clients that all dial at once
      if (Date.now() + BURST_TIMEOUT_MS + 60_000 > deadline) {
        notes.push(`burst not run: the ${budgetMs / 60_000}-minute budget would not cover it`)
      } else {
        const fresh = await startRelay()
        const burstHealth = probe = new HealthProbe({ probe: async timeoutMs => fresh.health(timeoutMs) })
        const chatting = Math.ceil(burst / 2 / roomSize) * roomSize
        log(`burst: ${burst} clients (${chatting} in rooms of ${roomSize}) dial at once`)
        await fleet.prepare(chatting, { reserve: true, roomSize })
        await fleet.prepare(burst - chatting, { reserve: true, roomSize: 0 })
        await sleep(SETTLE_MS)
        burstHealth.start()
        const before = await readProcessStats(fresh.pid)
        const burstDeadline = Date.now() + BURST_TIMEOUT_MS
        const dialed = fleet.dial(fresh.wsAddr, { deadline: burstDeadline, burst: true })
        const settled = await settleClients(fleet, burst, burst, burstDeadline, log, 250)
        const added = await dialed
        const after = await readProcessStats(fresh.pid)
        await burstHealth.stop()
        const during = burstHealth.summary()
        log(`burst: ${settled.ok ? 'served' : 'not served'} after ${(settled.ms / 1000).toFixed(1)} s; /healthz p99 ${during.p99.toFixed(0)} ms, at most ${during.max.toFixed(0)}; ${added.redials} dials tried again`)
        figures.push(
          { label: `burst of ${burst}: all connected, reserved and in their rooms after`, unit: 's', value: settled.ok ? settled.ms / 1000 : Number.NaN },
          { label: `burst of ${burst}: time from the dial to the connection`, unit: 'ms', summary: summarize(added.times) },
          { label: `burst of ${burst}: /healthz meanwhile`, unit: 'ms', summary: during },
          { label: `burst of ${burst}: dials tried again (refused or timed out)`, unit: 'dials', value: added.redials },
          { label: `burst of ${burst}: relay CPU`, unit: 's', value: after.cpuSeconds - before.cpuSeconds }
        )
        if (!settled.ok) notes.push(`burst of ${burst} not served within ${BURST_TIMEOUT_MS / 1000} s${added.errors.length > 0 ? `; client errors: ${added.errors.join('; ')}` : ''}`)
        await fleet.stopClients()
        await fresh.dispose()
      }
      notes.push(
        `steps tried: ${steps.join(', ')}; held means every client connected and reserved, every room member sees the relay in its room, and the relay still answers GET /api/relay and a ping within ${HEALTH_TIMEOUT_MS / 1000} s`,
        `/healthz is asked every 100 ms, one request at a time, from the bench process; a request not answered in 5 s counts as 5000 ms; CPU is utime+stime from /proc; message CPU is over ${rounds} rounds of ${messagesPerRound} messages, each sent over ${ROUND_SPREAD_MS / 1000} s, from the first sent to the last delivered, less the relay's idle use over as long; each message is published once and forwarded by the relay to the ${roomSize - 1} other members of its room; ping CPU is over as many rounds of ${PINGS_PER_ROUND} pings from one client after another, each round over ${ROUND_SPREAD_MS / 1000} s, per ping answered, less the idle use likewise; admission CPU is the relay's CPU over each ramp (background work included) per client admitted`,
        `if a few (up to ${REDIAL_FRACTION * 100} %) are still without a reservation ${STALL_TIMEOUT_MS / 1000} s after the ramp stops making progress, they hang up and dial again (up to ${REDIAL_ROUNDS} times): stock clients ask for a reservation once per connection`,
        `the whole metric took ${((Date.now() - metricStarted) / 60_000).toFixed(1)} minutes`
      )
      return { id: 'relay', title: 'Relay capacity', figures, notes }
    } finally {
      log('cleaning up')
      await probe?.stop()
      await fleet.close()
      await relay?.dispose()
      await stock?.stop()
      await rm(snapshots, { recursive: true, force: true })
      process.off('exit', killAll)
    }
  }
}

/** A list of counts from the environment (`500,1500`), if set. */
function counts (name: string): number[] | undefined {
  const value = process.env[name]
  return value == null || value === '' ? undefined : value.split(',').map(Number)
}

/**
 * Relay capacity, memory and bursts, as described above. On a machine shared with other work, smaller loads
 * still give the figures per client: `BENCH_RELAY_MEMORY_LOADS=100,300 BENCH_RELAY_STOCK_LOADS=100,300
 * BENCH_RELAY_STEPS=500,1000 BENCH_RELAY_BURST=500 BENCH_RELAY_BUDGET_MINUTES=20`.
 */
export const relayCapacity: Metric = createRelayCapacity({
  memoryLoads: counts('BENCH_RELAY_MEMORY_LOADS') as [number, number] | undefined,
  stockMemoryLoads: counts('BENCH_RELAY_STOCK_LOADS') as [number, number] | undefined,
  steps: counts('BENCH_RELAY_STEPS'),
  burst: counts('BENCH_RELAY_BURST')?.[0],
  budgetMs: process.env.BENCH_RELAY_BUDGET_MINUTES == null ? undefined : Number(process.env.BENCH_RELAY_BUDGET_MINUTES) * 60_000
})
