/**
 * Reads a relay process's figures now and then: its RSS, CPU time and open file descriptors from /proc, and from its `/metrics` the V8
 * heap in use, the event-loop lag p99 (prom-client measures it between two scrapes: each reading covers the time
 * since the one before) and what it holds.
 */
import { readdir } from 'node:fs/promises'
import { readProcessStats } from './proc.ts'
import { sample, scrape } from './prometheus.ts'

/** How often a {@link RelaySampler} reads the relay. */
export const DEFAULT_SAMPLE_INTERVAL_MS = 5000
/** How long a reading waits for `/metrics`: a sampler's reading that is late is counted as failed, not waited for. */
export const DEFAULT_SCRAPE_TIMEOUT_MS = 5000

export interface RelaySample {
  /** ms since the epoch */
  at: number
  rssBytes: number
  cpuSeconds: number
  /** V8 heap in use (`nodejs_heap_size_used_bytes`), not forced to collect first */
  heapUsedBytes: number
  /** V8 heap committed (`nodejs_heap_size_total_bytes`): in use, garbage not yet collected, and pages kept */
  heapTotalBytes: number
  /** memory outside the V8 heap that JS objects hold, ArrayBuffers first (`nodejs_external_memory_bytes`) */
  externalBytes: number
  /** event-loop lag p99 since the previous scrape (`nodejs_eventloop_lag_p99_seconds`) */
  lagP99Seconds: number
  /** the process's open file descriptors (/proc/<pid>/fd): its sockets, whether libp2p still counts them or not */
  openFds: number
  /** inbound and outbound connections open (libp2p's connection manager) */
  connections: number
  reservations: number
  roomsFollowed: number
  /** the whole `/metrics` text, for what else a caller wants to read */
  text: string
}

/** The relay process, as `e2e/support/relay-process.ts` runs it. */
export interface SampledRelay {
  pid: number
  metricsUrl: string
}

/** Reads the relay once; its `/metrics` must answer within `timeoutMs`. */
export async function readRelay (relay: SampledRelay, timeoutMs = DEFAULT_SCRAPE_TIMEOUT_MS): Promise<RelaySample> {
  const [stats, text, fds] = await Promise.all([readProcessStats(relay.pid), scrape(relay.metricsUrl, timeoutMs), readdir(`/proc/${relay.pid}/fd`)])
  const connections = ['inbound', 'outbound']
    .map(direction => sample(text, `libp2p_connection_manager_connections{libp2p_connection_manager_connections="${direction}"}`))
    .reduce((a, b) => a + b, 0)
  return {
    at: Date.now(),
    rssBytes: stats.rssBytes,
    cpuSeconds: stats.cpuSeconds,
    openFds: fds.length,
    heapUsedBytes: sample(text, 'nodejs_heap_size_used_bytes'),
    heapTotalBytes: sample(text, 'nodejs_heap_size_total_bytes'),
    externalBytes: sample(text, 'nodejs_external_memory_bytes'),
    lagP99Seconds: sample(text, 'nodejs_eventloop_lag_p99_seconds'),
    connections,
    reservations: sample(text, 'p2p_chat_relay_reservations'),
    roomsFollowed: sample(text, 'p2p_chat_relay_rooms_followed'),
    text
  }
}

/** Reads the relay every `intervalMs` until stopped, keeping every reading (without its `/metrics` text). */
export class RelaySampler {
  readonly samples: Array<Omit<RelaySample, 'text'>> = []
  /** readings that failed (the relay did not answer in time), by error name */
  readonly failures = new Map<string, number>()
  private readonly relay: SampledRelay
  private readonly intervalMs: number
  private timer?: ReturnType<typeof setInterval>
  private reading?: Promise<void>

  constructor (relay: SampledRelay, intervalMs = DEFAULT_SAMPLE_INTERVAL_MS) {
    this.relay = relay
    this.intervalMs = intervalMs
  }

  start (): void {
    this.timer = setInterval(() => {
      this.reading ??= this.read().finally(() => { this.reading = undefined })
    }, this.intervalMs)
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    await this.reading
  }

  /** The readings taken in [from, to). */
  between (from: number, to: number): Array<Omit<RelaySample, 'text'>> {
    return this.samples.filter(s => s.at >= from && s.at < to)
  }

  private async read (): Promise<void> {
    try {
      const reading: Partial<RelaySample> = await readRelay(this.relay)
      delete reading.text
      this.samples.push(reading as Omit<RelaySample, 'text'>)
    } catch (err) {
      const name = (err as Error).name
      this.failures.set(name, (this.failures.get(name) ?? 0) + 1)
    }
  }
}
