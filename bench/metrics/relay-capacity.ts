/**
 * Metric 6, relay capacity: what our relay (apps/relay, a real child process on 127.0.0.1) costs per client,
 * and how many headless stock js-libp2p clients it holds, each over WebSocket with a circuit-relay
 * reservation, half of them chatting in rooms of five through it.
 *
 * Two phases, each part on a fresh relay (so that memory freed by one part cannot hide the next one's cost):
 * 1. memory: `probeClients` clients connect without a reservation; then, to another relay, as many with one;
 * 2. capacity: clients are added up to each step of `steps` in turn, and a step is held when every client
 *    is connected and reserved, every room member sees the relay in its room, and the relay still answers
 *    `GET /api/relay` and a ping. At the first step held, room messages are sent in rounds to price them in
 *    relay CPU time; at later ones, a few, to see that they still flow. Stepping stops at the first step not
 *    held, or when the time budget would not cover the next one.
 *
 * The relay runs with raised caps (`--max-connections`, `--max-reservations`) by default, so that the
 * machine, not the configuration, is what runs out; `BENCH_RELAY_CAPS=default` runs it at its shipped caps.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { RelayProcess } from '../../e2e/support/relay-process.ts'
import { readProcessStats } from '../lib/proc.ts'
import { ClientFleet, DEFAULT_WORKERS } from '../lib/relay-clients.ts'
import { median, summarize } from '../lib/stats.ts'
import type { Figure, Metric, MetricOptions, MetricReport } from '../lib/report.ts'

/** Client counts tried in turn. */
export const DEFAULT_STEPS = [250, 500, 1000, 2000]
/** Wall-clock budget for the whole metric. */
export const DEFAULT_BUDGET_MS = 6 * 60_000
/** The caps the relay runs with unless told otherwise: well above the largest step. */
export const RAISED_MAX_CONNECTIONS = 4096
export const RAISED_MAX_RESERVATIONS = 4096
/** The caps it ships with (DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_RESERVATIONS in apps/relay/src/constants.ts). */
const SHIPPED_MAX_CONNECTIONS = 1024
const SHIPPED_MAX_RESERVATIONS = 512
/** Clients per kind (idle, reserved) in the memory phase. */
export const DEFAULT_PROBE_CLIENTS = 250
export const DEFAULT_ROOM_SIZE = 5
/** Room messages per round of the CPU figure, and the most rounds (fewer if `--runs` is lower). */
export const DEFAULT_MESSAGES_PER_ROUND = 1000
export const DEFAULT_MAX_ROUNDS = 5
/**
 * Over how long a round's messages are sent: briskly, so that their cost stands well above the relay's idle
 * use (subtracted from it), which is uneven: libp2p pings every connection every 10 s, in one burst.
 */
const ROUND_SPREAD_MS = 2000
/** Idle CPU is read over whole 10 s ping cycles. */
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
const STEP_TIMEOUT_MS = 150_000
/** Time given to memory to settle (timers, GC) before RSS is read. */
const SETTLE_MS = 3000
/** Health probes per step held: `GET /api/relay` and a ping, each within HEALTH_TIMEOUT_MS. */
const HEALTH_SAMPLES = 10
const HEALTH_TIMEOUT_MS = 5000
/** While clients are added, `GET /api/relay` is timed once a second (it shares the relay's event loop). */
const WATCH_TIMEOUT_MS = 30_000

export interface RelayCapacityOptions {
  /** client counts to try, ascending @default DEFAULT_STEPS */
  steps?: number[]
  /** @default DEFAULT_BUDGET_MS */
  budgetMs?: number
  /** the relay's --max-connections @default RAISED_MAX_CONNECTIONS */
  maxConnections?: number
  /** the relay's --max-reservations @default RAISED_MAX_RESERVATIONS */
  maxReservations?: number
  /** run the relay at the caps it ships with, ignoring the two above @default false */
  shippedCaps?: boolean
  /** @default DEFAULT_PROBE_CLIENTS */
  probeClients?: number
  /** @default DEFAULT_ROOM_SIZE */
  roomSize?: number
  /** @default DEFAULT_MESSAGES_PER_ROUND */
  messagesPerRound?: number
  /** @default DEFAULT_MAX_ROUNDS */
  maxRounds?: number
  /** client worker processes; see ClientFleet @default DEFAULT_WORKERS */
  workers?: number
  /** clients each worker brings up at once @default DEFAULT_START_CONCURRENCY */
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
}

/**
 * Waits until `connected` clients are connected, `reserved` of them hold a reservation and every room member
 * sees the relay in its room. When that stops making progress, clients still without a reservation dial the
 * relay again, up to REDIAL_ROUNDS times; then it gives up.
 */
async function settleClients (fleet: ClientFleet, connected: number, reserved: number, deadline: number, log: (line: string) => void): Promise<Settled> {
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
    if (s.connected === connected && s.reserved === reserved && s.roomReady === s.members) return { ok: true, redialed, lagMs }
    if (s.connected < peak * (1 - DROP_FRACTION)) {
      log(`connections dropping (${peak} at most): ${where}`)
      return { ok: false, redialed, lagMs }
    }
    if (Date.now() > deadline) {
      log(`out of time: ${where}`)
      return { ok: false, redialed, lagMs }
    }
    if (done > best) {
      best = done
      progressAt = Date.now()
    } else if (Date.now() - progressAt > STALL_TIMEOUT_MS) {
      if (round++ === REDIAL_ROUNDS || reserved - s.reserved > Math.max(10, REDIAL_FRACTION * reserved)) {
        log(`stalled: ${where}`)
        return { ok: false, redialed, lagMs }
      }
      const count = await fleet.redialUnreserved()
      redialed += count
      log(`stalled at ${where}: ${count} clients without a reservation dial the relay again`)
      progressAt = Date.now()
    }
    await sleep(1000)
  }
}

interface Round {
  /** relay CPU per 1,000 messages, less its idle use, in ms */
  cpuMs: number
  delivered: number
  expected: number
}

/** Sends `messages` room messages over `spreadMs` and waits for their deliveries; prices them in relay CPU. */
async function messageRound (relay: RelayProcess, fleet: ClientFleet, messages: number, spreadMs: number, idleCpuPerSecond: number): Promise<Round> {
  const before = (await fleet.status()).received
  const start = await readProcessStats(relay.pid)
  const startedAt = Date.now()
  const { sent, expected } = await fleet.publish(messages, spreadMs)
  let delivered = 0
  const deadline = Date.now() + DELIVERY_TIMEOUT_MS
  while (Date.now() < deadline) {
    delivered = (await fleet.status()).received - before
    if (delivered >= expected) break
    await sleep(200)
  }
  const end = await readProcessStats(relay.pid)
  const busy = end.cpuSeconds - start.cpuSeconds - idleCpuPerSecond * (Date.now() - startedAt) / 1000
  return { cpuMs: busy * 1000 * 1000 / sent, delivered, expected }
}

/** Runs `task` while timing `GET /api/relay` once a second; returns its result and the slowest answer, in ms. */
async function watchingRelay<T> (relay: RelayProcess, task: () => Promise<T>): Promise<{ result: T, slowestApiMs: number }> {
  let worst = 0
  let stopped = false
  const loop = (async () => {
    while (!stopped) {
      worst = Math.max(worst, await timed(async () => relay.info(WATCH_TIMEOUT_MS)).catch(() => WATCH_TIMEOUT_MS))
      await sleep(1000)
    }
  })()
  try {
    const result = await task()
    return { result, slowestApiMs: worst }
  } finally {
    stopped = true
    await loop
  }
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

/** Builds the relay-capacity metric. */
export function createRelayCapacity (options: RelayCapacityOptions = {}): Metric {
  const steps = options.steps ?? DEFAULT_STEPS
  const budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS
  const probeClients = options.probeClients ?? DEFAULT_PROBE_CLIENTS
  const roomSize = options.roomSize ?? DEFAULT_ROOM_SIZE
  const messagesPerRound = options.messagesPerRound ?? DEFAULT_MESSAGES_PER_ROUND
  const shipped = options.shippedCaps === true
  const maxConnections = shipped ? SHIPPED_MAX_CONNECTIONS : options.maxConnections ?? RAISED_MAX_CONNECTIONS
  const maxReservations = shipped ? SHIPPED_MAX_RESERVATIONS : options.maxReservations ?? RAISED_MAX_RESERVATIONS
  const relayArgs = shipped ? [] : ['--max-connections', String(maxConnections), '--max-reservations', String(maxReservations)]
  const caps = `${shipped ? 'the caps it ships with' : 'raised caps'}: ${maxConnections} connections, ${maxReservations} reservations`

  return async ({ runs, log }: MetricOptions): Promise<MetricReport> => {
    const rounds = Math.max(1, Math.min(runs, options.maxRounds ?? DEFAULT_MAX_ROUNDS))
    const deadline = Date.now() + budgetMs
    const figures: Figure[] = []
    const notes = [`relay run with ${caps}; clients: stock js-libp2p 3 over WebSocket (noise, yamux, identify, ping, gossipsub, circuit-relay transport listening on /p2p-circuit), in ${options.workers ?? DEFAULT_WORKERS} worker processes on the same machine`]
    const fleet = new ClientFleet({ workers: options.workers, startConcurrency: options.startConcurrency })
    let relay: RelayProcess | undefined
    const killAll = (): void => { fleet.killNow(); relay?.killNow() }
    process.once('exit', killAll)
    try {

      // phase 1: memory per idle connection, then per reserved client, each on a fresh relay
      for (const reserve of [false, true]) {
        const kind = reserve ? 'reserved client (connection + reservation)' : 'idle connection (no reservation)'
        relay = await RelayProcess.start(relayArgs)
        await sleep(SETTLE_MS)
        const bare = await readProcessStats(relay.pid)
        log(`memory: fresh relay (RSS ${(bare.rssBytes / MiB).toFixed(0)} MiB), ${probeClients} clients ${reserve ? 'with' : 'without'} a reservation`)
        const stepDeadline = Math.min(deadline, Date.now() + STEP_TIMEOUT_MS)
        await fleet.add(relay.wsAddr, probeClients, { reserve, roomSize: 0, deadline: stepDeadline })
        const { ok } = await settleClients(fleet, probeClients, reserve ? probeClients : 0, stepDeadline, log)
        await sleep(SETTLE_MS)
        const loaded = await readProcessStats(relay.pid)
        const status = await fleet.status()
        const count = reserve ? status.reserved : status.connected
        if (!reserve) figures.push({ label: 'relay RSS at start', unit: 'MiB', value: bare.rssBytes / MiB })
        figures.push({ label: `relay RSS per ${kind}`, unit: 'KiB', value: (loaded.rssBytes - bare.rssBytes) / count / KiB })
        if (!ok) notes.push(`memory phase: only ${count} of ${probeClients} clients got there; the figure is per client that did`)
        await fleet.stopClients()
        await relay.dispose()
      }

      // phase 2: capacity
      const server = relay = await RelayProcess.start(relayArgs)
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
        const estimateMs = (target - clients) * secondsPerClient * 1000 + CPU_WINDOW_MS + 20_000
        if (Date.now() + estimateMs > deadline) {
          notes.push(`stopped before ${target} clients: the ${budgetMs / 60_000}-minute budget would not cover it (about ${(estimateMs / 1000).toFixed(0)} s)`)
          break
        }
        const adding = target - clients
        log(`capacity: ${target} clients (${adding} more, half of them in rooms of ${roomSize})`)
        const before = await readProcessStats(server.pid)
        const startedAt = Date.now()
        const stepDeadline = Math.min(deadline, Date.now() + STEP_TIMEOUT_MS)
        const chatting = Math.ceil(adding / 2 / roomSize) * roomSize
        const { result: [added, settled], slowestApiMs: slowestApi } = await watchingRelay(server, async () => {
          const added = [
            await fleet.add(server.wsAddr, chatting, { reserve: true, roomSize, deadline: stepDeadline }),
            await fleet.add(server.wsAddr, adding - chatting, { reserve: true, roomSize: 0, deadline: stepDeadline })
          ]
          return [added, await settleClients(fleet, target, target, stepDeadline, log)] as const
        })
        clients = target
        const rampSeconds = (Date.now() - startedAt) / 1000
        secondsPerClient = rampSeconds / adding
        const after = await readProcessStats(server.pid)
        admitCpu += after.cpuSeconds - before.cpuSeconds
        admitted += added.reduce((a, r) => a + r.connected, 0)
        redials += settled.redialed + added.reduce((a, r) => a + r.redials, 0)
        const errors = added.flatMap(r => r.errors)
        const status = await fleet.status()
        const api = await sample(HEALTH_SAMPLES, async () => timed(async () => server.info(HEALTH_TIMEOUT_MS)))
        const pings = await sample(HEALTH_SAMPLES, async () => fleet.ping(HEALTH_TIMEOUT_MS))
        const state = `${status.connected} connected, ${status.reserved} reserved, ${status.roomReady}/${status.members} room members see the relay, after ${rampSeconds.toFixed(0)} s; ` +
          `relay RSS ${(after.rssBytes / MiB).toFixed(0)} MiB; while adding, GET /api/relay took up to ${slowestApi.toFixed(0)} ms and client workers' event loops lagged up to ${settled.lagMs.toFixed(0)} ms; ` +
          `then /api/relay ${api.error == null ? 'answered' : `failed (${api.error})`}, ping ${pings.error == null ? 'answered' : `failed (${pings.error})`}` +
          (errors.length > 0 ? `; client errors: ${errors.join('; ')}` : '')
        log(`${target}: ${state}`)
        if (!settled.ok || api.error != null || pings.error != null) {
          const capped = [
            ...(status.reserved >= maxReservations ? [`reservations at the relay's cap (${maxReservations})`] : []),
            ...(status.connected >= maxConnections ? [`connections at the relay's cap (${maxConnections})`] : [])
          ]
          notes.push(`${target} clients not held${capped.length > 0 ? `, ${capped.join(' and ')}` : ''}: ${state}`)
          break
        }
        held = target
        const workers = await workersStats(fleet)
        figures.push(
          { label: `relay RSS per client at ${target} (reserved, half in rooms)`, unit: 'KiB', value: (after.rssBytes - base.rssBytes) / target / KiB },
          { label: `slowest GET /api/relay while adding clients up to ${target}`, unit: 'ms', value: slowestApi },
          { label: `GET /api/relay at ${target} clients`, unit: 'ms', summary: summarize(api.times) },
          { label: `ping relay at ${target} clients`, unit: 'ms', summary: summarize(pings.times) },
          { label: `client worker processes, RSS all together at ${target}`, unit: 'MiB', value: workers.rssBytes / MiB }
        )

        const idle = await idleCpu(server, fleet)
        figures.push(
          { label: `relay idle CPU at ${target} clients`, unit: '% of a core', value: idle.relay * 100 },
          { label: `client worker processes, idle CPU all together at ${target}`, unit: '% of a core', value: idle.workers * 100 }
        )
        const pricing = !priced && Date.now() + (rounds + 1) * (ROUND_SPREAD_MS + 5000) < deadline
        const results: Round[] = []
        if (pricing) {
          priced = true
          await messageRound(server, fleet, CHECK_MESSAGES, 1000, idle.relay) // warm-up: meshes, caches
          for (let i = 0; i < rounds; i++) {
            results.push(await messageRound(server, fleet, messagesPerRound, ROUND_SPREAD_MS, idle.relay))
          }
          log(`${target}: relay CPU per 1,000 room messages, median ${median(results.map(r => r.cpuMs)).toFixed(0)} ms`)
          figures.push({ label: `relay CPU per 1,000 relayed room messages (at ${target} clients)`, unit: 'ms', summary: summarize(results.map(r => r.cpuMs)) })
        } else {
          results.push(await messageRound(server, fleet, CHECK_MESSAGES, 1000, idle.relay))
        }
        const delivered = results.reduce((a, r) => a + r.delivered, 0) / results.reduce((a, r) => a + r.expected, 0)
        figures.push({ label: `room messages delivered at ${target} clients`, unit: '%', value: delivered * 100 })
      }
      figures.push(
        { label: 'largest number of clients held', unit: 'clients', value: held },
        { label: 'clients that had to dial the relay again (capacity phase)', unit: 'clients', value: redials },
        { label: 'relay CPU to admit a client (connect, reserve, join)', unit: 'ms', value: admitted > 0 ? admitCpu / admitted * 1000 : Number.NaN }
      )
      notes.push(
        `steps tried: ${steps.join(', ')}; held means every client connected and reserved, every room member sees the relay in its room, and the relay still answers GET /api/relay and a ping within ${HEALTH_TIMEOUT_MS / 1000} s`,
        `memory figures are VmRSS deltas after ${SETTLE_MS / 1000} s of settling, V8 heap growth included; CPU is utime+stime from /proc; message CPU is over ${rounds} rounds of ${messagesPerRound} messages, each sent over ${ROUND_SPREAD_MS / 1000} s, from the first sent to the last delivered, less the relay's idle use (read over ${CPU_WINDOW_MS / 1000} s) over as long; each message is published once and forwarded by the relay to the ${roomSize - 1} other members of its room; admission CPU is the relay's CPU over each ramp (background work included) per client admitted`,
        'clients dial from distinct 127.x.y.z source addresses: libp2p refuses more than 5 inbound connections per second from one host',
        `a client whose dial fails dials again (up to 3 dials); if a few (up to ${REDIAL_FRACTION * 100} %) are still without a reservation ${STALL_TIMEOUT_MS / 1000} s after the ramp stops making progress, they hang up and dial again (up to ${REDIAL_ROUNDS} times): stock clients ask for a reservation once per connection, and a relay busy admitting others may reset (2 s protocol negotiation timeout) or time out (5 s, client side) that one request`
      )
      return { id: 'relay', title: 'Relay capacity', figures, notes }
    } finally {
      log('cleaning up')
      await fleet.close()
      await relay?.dispose()
      process.off('exit', killAll)
    }
  }
}

/** Relay capacity at raised caps, or at the caps the relay ships with when `BENCH_RELAY_CAPS=default`. */
export const relayCapacity: Metric = createRelayCapacity({ shippedCaps: process.env.BENCH_RELAY_CAPS === 'default' })
