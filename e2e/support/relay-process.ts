import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RELAY_MALLOC_ARENA_MAX, RELAY_NODE_OPTIONS } from '@p2p-chat/relay/constants'
import { freePorts } from '@p2p-chat/shared/testing/ports'
import type { ChildProcess } from 'node:child_process'

const RELAY_BIN = fileURLToPath(new URL('../../apps/relay/dist/bin.js', import.meta.url))
/** Longest the relay may take to print its URL: 2 s on an idle machine, 19 s measured on ours shared by other runs (load 39). */
const START_TIMEOUT_MS = 60_000
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

/** How the relay process is run. */
export interface RelayProcessInit {
  /**
   * a network namespace (`ip netns`) to run the relay in, as the NAT lab does (see nat-lab.ts); the test
   * process may have no route to it, so nothing here talks to the relay over the network
   * @default the test process's own
   */
  netns?: string
  /**
   * options for `node` itself, before the relay's script, after those deploy/ runs it with (RELAY_NODE_OPTIONS):
   * e.g. `--heapsnapshot-signal=SIGUSR2`, or `--inspect=127.0.0.1:0`, which opens the inspector on a free loopback
   * port (its URL is then {@link RelayProcess.inspectorUrl}), as the soak benchmark does to force collections
   * @default []
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
  /** the admin listener's `/metrics` URL (a free loopback port) */
  metricsUrl = ''
  peerId = ''
  /** the relay's WebSocket multiaddr, with its peer id */
  wsAddr = ''
  /** every address the relay listens on, as it printed them at its start */
  listening: string[] = []
  /** the inspector's WebSocket URL, when started with `--inspect` in `nodeOptions` */
  inspectorUrl = ''
  /** the relay's latest output, stdout and stderr */
  output = ''
  /** the output of the process that the last `restart()` stopped */
  stoppedOutput = ''
  /** where the relay keeps its identity, peer store and history */
  readonly dataDir: string
  private child: ChildProcess
  private readonly args: string[]
  private readonly init: RelayProcessInit

  private constructor (dataDir: string, args: string[], init: RelayProcessInit) {
    this.dataDir = dataDir
    this.args = args
    this.init = init
    this.child = this.spawn(args)
  }

  private spawn (args: string[]): ChildProcess {
    const command = [process.execPath, ...RELAY_NODE_OPTIONS, ...this.init.nodeOptions ?? [], RELAY_BIN, '--data-dir', this.dataDir, ...args]
    if (this.init.netns != null) {
      command.unshift('ip', 'netns', 'exec', this.init.netns)
    }
    const child = spawn(command[0]!, command.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MALLOC_ARENA_MAX: String(RELAY_MALLOC_ARENA_MAX) }
    })
    const keep = (chunk: Buffer): void => { this.output = (this.output + chunk.toString()).slice(-MAX_OUTPUT_CHARS) }
    child.stdout!.on('data', keep)
    child.stderr!.on('data', keep)
    return child
  }

  /**
   * Starts a relay; `extraArgs` go to its command line. Its listeners get free ports from below the ephemeral
   * range (see {@link freePorts}), which {@link restart} starts it on again. Rejects with {@link RelayStartError}.
   */
  static async start (extraArgs: string[] = [], init: RelayProcessInit = {}): Promise<RelayProcess> {
    if (!existsSync(RELAY_BIN)) {
      throw new RelayStartError(`${RELAY_BIN} is missing: run \`pnpm build\` first`)
    }
    const [http, tcp, ws, webrtc, quic] = (await freePorts(5)).map(String)
    const dataDir = await mkdtemp(join(tmpdir(), 'p2p-chat-relay-'))
    const relay = new RelayProcess(dataDir, [
      '--host', '127.0.0.1', '--http-port', http!, '--tcp-port', tcp!, '--ws-port', ws!, '--webrtc-port', webrtc!, '--quic-port', quic!,
      // no STUN responder: loopback tests keep the browsers' ICE server list empty (and nothing binds the fixed 3478)
      '--stun-port', '0', '--metrics-port', '0', ...LOOPBACK_LIMITS, ...extraArgs
    ], init)
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
    this.metricsUrl = /metrics at (http:\/\/\S+)/.exec(this.output)?.[1] ?? ''
    this.inspectorUrl = /Debugger listening on (ws:\/\/\S+)/.exec(this.output)?.[1] ?? ''
    // read from its start-up lines ('P2P Chat relay <id>', '  listening on <addr>'), not from /api/relay: a
    // relay in a lab namespace cannot be reached from here
    this.peerId = /^P2P Chat relay (\S+)$/m.exec(this.output)?.[1] ?? ''
    this.listening = [...this.output.matchAll(/^ {2}listening on (\S+)$/gm)].map(m => m[1]!)
    const ws = this.listening.find(a => a.includes('/ws/p2p/'))
    if (this.peerId === '' || ws == null) throw new RelayStartError(`relay printed no peer id or WebSocket address:\n${this.output}`)
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
   * Stops the relay and starts it again with the same command line, so on the same ports, and the same data dir
   * (identity, history), as an operator's restart does: its peers find it where it was. Resolves to the stopped
   * relay's exit code.
   */
  async restart (): Promise<number | null> {
    const code = await this.stop()
    this.stoppedOutput = this.output
    this.output = ''
    this.child = this.spawn(this.args)
    await this.ready()
    return code
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
