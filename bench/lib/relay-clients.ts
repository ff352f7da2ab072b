import { fork } from 'node:child_process'
import { setPriority } from 'node:os'
import { fileURLToPath } from 'node:url'
import { logger } from '@libp2p/logger'
import { sum } from './stats.ts'
import type { ChildProcess } from 'node:child_process'

const log = logger('p2p-chat:bench:relay-clients')

const WORKER = fileURLToPath(new URL('./relay-client-worker.ts', import.meta.url))

/** Child processes hosting the clients: more spreads the event-loop load, each costs a Node process. */
export const DEFAULT_WORKERS = 4
/** Clients each worker brings up at once: all workers together stay under the relay's 64 pending handshakes. */
export const DEFAULT_START_CONCURRENCY = 8
/**
 * The workers' scheduling niceness: on a real deployment the clients are other machines and the relay has its
 * host's cores to itself; here they share two, and at the default niceness the workers, busy making keys and
 * handshakes, kept the relay waiting for a core (13.5 s of 37 while 1,000 clients arrived; `/healthz` p99
 * 218 ms, 61 ms with them at 10). At 10 they still did while the last 1,500 of 5,000 arrived: in each `/healthz`
 * answer over 100 ms the relay's main thread had waited 99–133 ms for a core, and the step's p99 was 107–207 ms
 * in four runs; at 19, 22–63 ms in three (bench/RESULTS.md, stop 54). They still get every core the relay leaves idle.
 */
export const DEFAULT_WORKER_NICENESS = 19
/** Longest a worker may take to answer a request before the fleet gives up on it. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000
/** Longest the workers get to stop their clients and exit before they are killed. */
const STOP_TIMEOUT_MS = 10_000
/** The workers' source addresses are 127.<FIRST_SUBNET + worker>.x.y. */
const FIRST_SUBNET = 10

/** What a worker is asked, over IPC. */
export type WorkerRequest = { id: number } & (
  | { type: 'prepare', count: number, reserve: boolean, roomSize: number, concurrency: number }
  | { type: 'dial', relay: string, dialConcurrency: number, deadline: number }
  | { type: 'status' }
  | { type: 'redial', concurrency: number }
  | { type: 'publish', count: number, spreadMs: number }
  | { type: 'ping', timeoutMs: number }
  | { type: 'pings', count: number, spreadMs: number, timeoutMs: number }
  | { type: 'stop' }
)

type RequestBody = WorkerRequest extends infer R ? R extends WorkerRequest ? Omit<R, 'id'> : never : never

export interface WorkerReply {
  id: number
  result?: unknown
  error?: string
}

export interface StartResult {
  /** clients that reached the relay */
  connected: number
  /** clients that did not */
  failed: number
  /** dials that failed and were tried again */
  redials: number
  /** a few distinct dial errors */
  errors: string[]
  /** for each client that reached the relay, ms from the dial request to its connection */
  times: number[]
}

export interface WorkerStatus {
  /** clients running */
  clients: number
  /** clients with a connection to the relay */
  connected: number
  /** clients holding a circuit-relay reservation on it */
  reserved: number
  /** room members that see the relay in their room */
  roomReady: number
  members: number
  /** room messages received so far, all clients together */
  received: number
  /** the worst event-loop delay of any worker since the last status, in ms */
  lagMs: number
}

export interface PublishResult {
  sent: number
  /** deliveries to expect: every other member of the sender's room, per message */
  expected: number
}

export interface PingResult {
  sent: number
  /** pings the relay answered in time */
  answered: number
}

export interface ClientFleetOptions {
  /** how many worker processes @default DEFAULT_WORKERS */
  workers?: number
  /** clients each worker starts at once @default DEFAULT_START_CONCURRENCY */
  startConcurrency?: number
  /** @default DEFAULT_REQUEST_TIMEOUT_MS */
  requestTimeoutMs?: number
  /** the workers' niceness (0 to 19) @default DEFAULT_WORKER_NICENESS */
  niceness?: number
}

/** A worker that failed, exited or did not answer in time. */
export class ClientWorkerError extends Error {
  static override name = 'ClientWorkerError'
  override name = 'ClientWorkerError'
}

class Worker {
  readonly child: ChildProcess
  private nextId = 0
  private stderr = ''
  private readonly pending = new Map<number, { resolve: (value: unknown) => void, reject: (err: Error) => void }>()

  constructor (index: number, niceness: number) {
    this.child = fork(WORKER, [], {
      env: { ...process.env, BENCH_LOOPBACK_SUBNET: String(FIRST_SUBNET + index) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc']
    })
    if (this.child.pid != null) setPriority(this.child.pid, niceness)
    this.child.stderr!.on('data', (chunk: Buffer) => { this.stderr = (this.stderr + chunk.toString()).slice(-2000) })
    this.child.on('message', (reply: WorkerReply) => {
      const waiter = this.pending.get(reply.id)
      this.pending.delete(reply.id)
      if (reply.error != null) waiter?.reject(new ClientWorkerError(reply.error))
      else waiter?.resolve(reply.result)
    })
    this.child.once('exit', code => {
      for (const waiter of this.pending.values()) {
        waiter.reject(new ClientWorkerError(`client worker exited with ${code}: ${this.stderr}`))
      }
      this.pending.clear()
    })
  }

  async request<T> (body: RequestBody, timeoutMs: number): Promise<T> {
    if (this.child.exitCode != null || this.child.signalCode != null) {
      throw new ClientWorkerError(`client worker is gone: ${this.stderr}`)
    }
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new ClientWorkerError(`client worker did not answer ${body.type} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(id, {
        resolve: value => { clearTimeout(timer); resolve(value as T) },
        reject: err => { clearTimeout(timer); reject(err) }
      })
      this.child.send({ ...body, id })
    })
  }
}

/**
 * Headless stock js-libp2p clients of one relay, spread over a few child processes. Every method addresses
 * all workers at once and adds up their answers.
 */
export class ClientFleet {
  private readonly workers: Worker[]
  private readonly startConcurrency: number
  private readonly timeoutMs: number
  private pings = 0

  constructor (options: ClientFleetOptions = {}) {
    this.workers = Array.from({ length: options.workers ?? DEFAULT_WORKERS }, (_, i) => new Worker(i, options.niceness ?? DEFAULT_WORKER_NICENESS))
    this.startConcurrency = options.startConcurrency ?? DEFAULT_START_CONCURRENCY
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  }

  /** The workers' process ids, to read their /proc figures. */
  get pids (): number[] {
    return this.workers.map(w => w.child.pid).filter(pid => pid != null)
  }

  /**
   * Creates `count` more clients, shared out over the workers, without dialing: with `reserve`, each will take
   * a reservation once connected; with `roomSize`, they join rooms of that many (within a worker's share) at
   * once, as the web app does before it dials. {@link dial} connects them.
   */
  async prepare (count: number, options: { reserve: boolean, roomSize: number }): Promise<void> {
    const shares = this.workers.map((_, i) => Math.floor(count / this.workers.length) + (i < count % this.workers.length ? 1 : 0))
    await Promise.all(this.workers.map(async (w, i) => w.request({
      type: 'prepare', count: shares[i]!, concurrency: this.startConcurrency, ...options
    }, this.timeoutMs)))
  }

  /**
   * Dials `relay` (a multiaddr ending in the relay's /p2p/ id) from every prepared client: with `burst`, from
   * all of them at once, otherwise `startConcurrency` at a time per worker. A failed dial is tried again with
   * backoff until `deadline` (epoch ms).
   */
  async dial (relay: string, options: { deadline: number, burst?: boolean }): Promise<StartResult> {
    const results = await Promise.all(this.workers.map(async w => w.request<StartResult>({
      type: 'dial', relay, deadline: options.deadline, dialConcurrency: options.burst === true ? Number.MAX_SAFE_INTEGER : this.startConcurrency
    }, Math.max(0, options.deadline - Date.now()) + this.timeoutMs)))
    return {
      connected: sum(results.map(r => r.connected)),
      failed: sum(results.map(r => r.failed)),
      redials: sum(results.map(r => r.redials)),
      errors: [...new Set(results.flatMap(r => r.errors))].slice(0, 3),
      times: results.flatMap(r => r.times)
    }
  }

  /** {@link prepare} `count` clients, then {@link dial} the relay from them, `startConcurrency` at a time per worker. */
  async add (relay: string, count: number, options: { reserve: boolean, roomSize: number, deadline: number }): Promise<StartResult> {
    await this.prepare(count, options)
    return this.dial(relay, { deadline: options.deadline })
  }

  async status (): Promise<WorkerStatus> {
    const all = await Promise.all(this.workers.map(async w => w.request<WorkerStatus>({ type: 'status' }, this.timeoutMs)))
    const total = (key: keyof WorkerStatus): number => sum(all.map(s => s[key]))
    return {
      clients: total('clients'), connected: total('connected'), reserved: total('reserved'),
      roomReady: total('roomReady'), members: total('members'), received: total('received'),
      lagMs: Math.max(...all.map(s => s.lagMs))
    }
  }

  /**
   * Has every client that should hold a reservation and does not hang up and dial the relay again (which
   * makes a stock client ask again). Returns how many did.
   */
  async redialUnreserved (): Promise<number> {
    const counts = await Promise.all(this.workers.map(async w => w.request<number>({ type: 'redial', concurrency: this.startConcurrency }, this.timeoutMs)))
    return sum(counts)
  }

  /** Publishes `count` room messages, shared out over the workers, spread over `spreadMs`. */
  async publish (count: number, spreadMs: number): Promise<PublishResult> {
    const share = Math.ceil(count / this.workers.length)
    const results = await Promise.all(this.workers.map(async w => w.request<PublishResult>({ type: 'publish', count: share, spreadMs }, this.timeoutMs + spreadMs)))
    return { sent: sum(results.map(r => r.sent)), expected: sum(results.map(r => r.expected)) }
  }

  /** Round-trip time of one ping to the relay from a client (another each time), over its connection, in ms. */
  async ping (timeoutMs: number): Promise<number> {
    const worker = this.workers[this.pings++ % this.workers.length]!
    return worker.request<number>({ type: 'ping', timeoutMs }, timeoutMs + 1000)
  }

  /** Pings the relay `count` times, shared out over the workers and their clients, spread over `spreadMs`. */
  async pingMany (count: number, spreadMs: number, timeoutMs: number): Promise<PingResult> {
    const share = Math.ceil(count / this.workers.length)
    const results = await Promise.all(this.workers.map(async w => w.request<PingResult>({ type: 'pings', count: share, spreadMs, timeoutMs }, this.timeoutMs + spreadMs + timeoutMs)))
    return { sent: sum(results.map(r => r.sent)), answered: sum(results.map(r => r.answered)) }
  }

  /** Stops every client (the workers stay up for more). */
  async stopClients (timeoutMs = this.timeoutMs): Promise<void> {
    await Promise.all(this.workers.map(async w => w.request({ type: 'stop' }, timeoutMs)))
  }

  /** Stops every client and ends the workers, killing any that do not go in time. Never throws. */
  async close (): Promise<void> {
    await this.stopClients(STOP_TIMEOUT_MS).catch(err => { log('workers did not stop their clients: %e', err) })
    await Promise.all(this.workers.map(async w => {
      if (w.child.exitCode != null || w.child.signalCode != null) return
      const exited = new Promise(resolve => w.child.once('exit', resolve))
      w.child.disconnect()
      const timer = setTimeout(() => w.child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
    }))
  }

  /** For a process 'exit' handler: ends the workers at once. */
  killNow (): void {
    for (const w of this.workers) {
      if (w.child.exitCode == null && w.child.signalCode == null) w.child.kill('SIGKILL')
    }
  }
}
