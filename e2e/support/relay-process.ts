import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RELAY_MALLOC_ARENA_MAX, RELAY_NODE_OPTIONS } from '@p2p-chat/relay/constants'
import type { ChildProcess } from 'node:child_process'

const RELAY_BIN = fileURLToPath(new URL('../../apps/relay/dist/bin.js', import.meta.url))
/** Longest the relay may take to print its URL. */
const START_TIMEOUT_MS = 20_000
/** Longest a SIGTERM'd relay gets before it is killed (it gives itself 5 s). */
const STOP_TIMEOUT_MS = 10_000
/** How much of the relay's output is kept, for error messages. */
const MAX_OUTPUT_CHARS = 8000
/**
 * Every browser and Node peer of a run comes from 127.0.0.1, which the relay's per-address limits would treat
 * as one crowded NAT: they are raised so that runs measure the app, not the limits (those have their own
 * tests, apps/relay/test/limits.spec.ts). Later arguments win, so a caller can still set them.
 */
const LOOPBACK_LIMITS = [
  '--max-connections-per-ip', '4096', '--max-pending-per-ip', '64', '--connection-rate-per-ip', '1000',
  '--max-reservations-per-ip', '4096'
]

/** How the relay's Node process is run, beyond the relay's own options. */
export interface RelayProcessOptions {
  /**
   * options for `node` itself, before the relay's script (e.g. `--heapsnapshot-signal=SIGUSR2`), after those
   * deploy/ runs it with (RELAY_NODE_OPTIONS) @default []
   */
  nodeOptions?: string[]
}

/** The relay would not start, or is not built. */
export class RelayStartError extends Error {
  static override name = 'RelayStartError'
  override name = 'RelayStartError'
}

/**
 * The real relay (apps/relay/dist/bin.js) as a child process on free loopback ports in a fresh data dir, as
 * people run it (with deploy/'s Node options and malloc setting). Used by the e2e suite and the benchmarks.
 */
export class RelayProcess {
  /** the web app's URL */
  url = ''
  peerId = ''
  /** the relay's WebSocket multiaddr, with its peer id */
  wsAddr = ''
  /** the relay's latest output, stdout and stderr */
  output = ''
  /** where the relay keeps its identity, peer store and history */
  readonly dataDir: string
  private child: ChildProcess
  private readonly args: string[]
  private readonly nodeOptions: string[]

  private constructor (dataDir: string, args: string[], options: RelayProcessOptions) {
    this.dataDir = dataDir
    this.args = args
    this.nodeOptions = [...RELAY_NODE_OPTIONS, ...options.nodeOptions ?? []]
    this.child = this.spawn(args)
  }

  private spawn (args: string[]): ChildProcess {
    const child = spawn(process.execPath, [...this.nodeOptions, RELAY_BIN, '--data-dir', this.dataDir, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MALLOC_ARENA_MAX: String(RELAY_MALLOC_ARENA_MAX) }
    })
    const keep = (chunk: Buffer): void => { this.output = (this.output + chunk.toString()).slice(-MAX_OUTPUT_CHARS) }
    child.stdout!.on('data', keep)
    child.stderr!.on('data', keep)
    return child
  }

  /** Starts a relay; `extraArgs` go to its command line. Rejects with {@link RelayStartError}. */
  static async start (extraArgs: string[] = [], options: RelayProcessOptions = {}): Promise<RelayProcess> {
    if (!existsSync(RELAY_BIN)) {
      throw new RelayStartError(`${RELAY_BIN} is missing: run \`pnpm build\` first`)
    }
    const dataDir = await mkdtemp(join(tmpdir(), 'p2p-chat-relay-'))
    const relay = new RelayProcess(dataDir, [
      '--host', '127.0.0.1', '--http-port', '0', '--tcp-port', '0', '--ws-port', '0', '--webrtc-port', '0', '--quic-port', '0',
      // no STUN responder: loopback tests keep the browsers' ICE server list empty (and nothing binds the fixed 3478)
      '--stun-port', '0', ...LOOPBACK_LIMITS, ...extraArgs
    ], options)
    try {
      await relay.ready()
      return relay
    } catch (err) {
      await relay.dispose()
      throw err
    }
  }

  /** the relay's process id, to read its /proc figures */
  get pid (): number {
    return this.child.pid!
  }

  get running (): boolean {
    return this.child.exitCode == null && this.child.signalCode == null
  }

  private async ready (): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS
    while (!/Open (http:\/\/\S+) in a browser/.test(this.output)) {
      if (!this.running) throw new RelayStartError(`relay exited with ${this.child.exitCode}:\n${this.output}`)
      if (Date.now() > deadline) throw new RelayStartError(`relay did not start in ${START_TIMEOUT_MS} ms:\n${this.output}`)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    this.url = /Open (http:\/\/\S+) in a browser/.exec(this.output)![1]!
    const info = await this.info()
    this.peerId = info.peerId
    const ws = info.multiaddrs.find(a => a.includes('/ws/p2p/'))
    if (ws == null) throw new RelayStartError(`relay has no WebSocket address: ${info.multiaddrs.join(', ')}`)
    this.wsAddr = ws
  }

  /** `GET /healthz`, within `timeoutMs`; resolves to its status. */
  async health (timeoutMs = 5000): Promise<number> {
    const response = await fetch(new URL('/healthz', this.url), { signal: AbortSignal.timeout(timeoutMs) })
    await response.body?.cancel()
    return response.status
  }

  /** `GET /api/relay`, within `timeoutMs`. */
  async info (timeoutMs = 5000): Promise<{ peerId: string, multiaddrs: string[] }> {
    const response = await fetch(new URL('/api/relay', this.url), { signal: AbortSignal.timeout(timeoutMs) })
    if (!response.ok) throw new Error(`GET /api/relay: ${response.status}`)
    return await response.json() as { peerId: string, multiaddrs: string[] }
  }

  /** Stops the relay (SIGTERM; SIGKILL if it takes over 10 s) and resolves to its exit code. */
  async stop (): Promise<number | null> {
    if (this.running) {
      const exited = new Promise(resolve => this.child.once('exit', resolve))
      this.child.kill('SIGTERM')
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
    }
    return this.child.exitCode
  }

  /**
   * Stops the relay and starts it again on the same ports with the same data dir (identity, history), as an
   * operator's restart does: its peers find it where it was.
   */
  async restart (): Promise<void> {
    const info = await this.info()
    const port = (pattern: RegExp): string => pattern.exec(info.multiaddrs.find(a => pattern.test(a)) ?? '')?.[1] ?? '0'
    const ports = [
      '--http-port', new URL(this.url).port,
      '--tcp-port', port(/\/tcp\/(\d+)\/p2p\//),
      '--ws-port', port(/\/tcp\/(\d+)\/ws\//),
      '--webrtc-port', port(/\/udp\/(\d+)\/webrtc-direct\//),
      '--quic-port', port(/\/udp\/(\d+)\/quic-v1\//)
    ]
    await this.stop()
    this.output = ''
    this.child = this.spawn([...this.args, ...ports])
    await this.ready()
  }

  /** Stops the relay and removes its data dir. */
  async dispose (): Promise<void> {
    await this.stop()
    await rm(this.dataDir, { recursive: true, force: true })
  }

  /** For a process 'exit' handler: ends the relay at once (its data dir stays in the temp dir). */
  killNow (): void {
    if (this.running) this.child.kill('SIGKILL')
  }
}
