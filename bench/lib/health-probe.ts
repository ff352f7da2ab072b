import { setTimeout as sleep } from 'node:timers/promises'
import { summarize } from './stats.ts'
import type { Summary } from './stats.ts'

/** How often `GET /healthz` is asked, and how long an answer may take (a later one counts as this long). */
export const DEFAULT_PROBE_INTERVAL_MS = 100
export const DEFAULT_PROBE_TIMEOUT_MS = 5000

export interface HealthProbeInit {
  /** answers one `GET /healthz`, rejecting after `timeoutMs` */
  probe: (timeoutMs: number) => Promise<unknown>
  /** @default DEFAULT_PROBE_INTERVAL_MS */
  intervalMs?: number
  /** @default DEFAULT_PROBE_TIMEOUT_MS */
  timeoutMs?: number
}

/**
 * Asks a relay's `/healthz` every `intervalMs`, one request at a time, from its start to its stop, and keeps how
 * long each answer took under the phase (`phase()`) it was asked in. A failed or late request counts as
 * `timeoutMs`. `/healthz` does no work of its own, so its time is the time the relay's event loop made it wait.
 */
export class HealthProbe {
  private readonly probe: HealthProbeInit['probe']
  private readonly intervalMs: number
  private readonly timeoutMs: number
  private readonly times = new Map<string, number[]>()
  private readonly failures = new Map<string, number>()
  private current = 'start'
  private running?: Promise<void>
  private stopped = false

  constructor (init: HealthProbeInit) {
    this.probe = init.probe
    this.intervalMs = init.intervalMs ?? DEFAULT_PROBE_INTERVAL_MS
    this.timeoutMs = init.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS
  }

  start (): void {
    this.stopped = false
    this.running = this.loop()
  }

  /** Names the phase the next answers belong to. */
  phase (name: string): void {
    this.current = name
  }

  async stop (): Promise<void> {
    this.stopped = true
    await this.running
  }

  /** Answer times of `phase` (all phases if none is named). */
  summary (phase?: string): Summary & { failed: number } {
    const phases = phase == null ? [...this.times.keys()] : [phase]
    const times = phases.flatMap(p => this.times.get(p) ?? [])
    return { ...summarize(times), failed: phases.reduce((n, p) => n + (this.failures.get(p) ?? 0), 0) }
  }

  private async loop (): Promise<void> {
    while (!this.stopped) {
      const phase = this.current
      const started = performance.now()
      let ms: number
      try {
        await this.probe(this.timeoutMs)
        ms = performance.now() - started
      } catch {
        ms = this.timeoutMs
        this.failures.set(phase, (this.failures.get(phase) ?? 0) + 1)
      }
      const list = this.times.get(phase) ?? []
      list.push(ms)
      this.times.set(phase, list)
      await sleep(Math.max(0, this.intervalMs - ms))
    }
  }
}
