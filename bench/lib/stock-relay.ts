import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import type { ChildProcess } from 'node:child_process'

const MAIN = fileURLToPath(new URL('./stock-relay-main.ts', import.meta.url))
/** Longest the stock relay may take to print its address. */
const START_TIMEOUT_MS = 20_000
/** Longest a SIGTERM'd stock relay gets before it is killed. */
const STOP_TIMEOUT_MS = 5_000

export class StockRelayStartError extends Error {
  static override name = 'StockRelayStartError'
  override name = 'StockRelayStartError'
}

export interface StockRelayOptions {
  /** its connection and reservation caps @default 4096 */
  caps?: number
  /** options for `node` itself (e.g. `--heapsnapshot-signal=SIGUSR2`) @default [] */
  nodeOptions?: string[]
}

/** A stock js-libp2p relay as a child process (see `stock-relay-main.ts`). */
export class StockRelayProcess {
  readonly wsAddr: string
  private readonly child: ChildProcess

  private constructor (child: ChildProcess, wsAddr: string) {
    this.child = child
    this.wsAddr = wsAddr
  }

  static async start (options: StockRelayOptions = {}): Promise<StockRelayProcess> {
    const child = spawn(process.execPath, [...options.nodeOptions ?? [], MAIN], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, STOCK_RELAY_CAPS: String(options.caps ?? 4096) }
    })
    const lines = createInterface({ input: child.stdout! })
    const timer = setTimeout(() => { child.kill('SIGKILL') }, START_TIMEOUT_MS)
    try {
      for await (const line of lines) {
        const { wsAddr } = JSON.parse(line) as { wsAddr: string }
        return new StockRelayProcess(child, wsAddr)
      }
      throw new StockRelayStartError(`stock relay exited with ${child.exitCode ?? child.signalCode} before it printed its address`)
    } finally {
      clearTimeout(timer)
    }
  }

  get pid (): number {
    return this.child.pid!
  }

  async stop (): Promise<void> {
    if (this.child.exitCode != null || this.child.signalCode != null) return
    const exited = once(this.child, 'exit')
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS)
    await exited
    clearTimeout(timer)
  }

  /** For a process 'exit' handler: ends it at once. */
  killNow (): void {
    if (this.child.exitCode == null && this.child.signalCode == null) this.child.kill('SIGKILL')
  }
}
