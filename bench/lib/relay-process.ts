import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RELAY_INFO_PATH } from '@p2p-chat/shared'
import type { ChildProcess } from 'node:child_process'

const RELAY_BIN = fileURLToPath(new URL('../../apps/relay/dist/bin.js', import.meta.url))

/** Longest the relay may take to print its URL. */
export const RELAY_START_TIMEOUT_MS = 20_000
/** Longest a SIGTERM'd relay gets before it is killed (it gives itself 5 s). */
const RELAY_STOP_TIMEOUT_MS = 10_000

/** The relay would not start, or is not built. */
export class RelayStartError extends Error {
  static override name = 'RelayStartError'
  override name = 'RelayStartError'
}

/** CPU time and memory of a process, from /proc. */
export interface ProcessStats {
  /** user + system CPU time so far, in seconds */
  cpuSeconds: number
  /** resident set size, in bytes */
  rssBytes: number
}

let clockTicks: number | undefined

/** Reads utime + stime (/proc/<pid>/stat) and VmRSS (/proc/<pid>/status) of a live process. Linux only. */
export async function readProcessStats (pid: number): Promise<ProcessStats> {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  // the fields after the command name, which is in parentheses and may hold spaces
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const rssKiB = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN)
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15
  return { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / clockTicks, rssBytes: rssKiB * 1024 }
}

/** Our relay (apps/relay/dist/bin.js) as a child process on free loopback ports, in a fresh data dir. */
export class RelayProcess {
  /** the web app's URL (and so `/api/relay`'s origin) */
  url = ''
  /** the relay's WebSocket multiaddr, with its peer id */
  wsAddr = ''
  private output = ''
  private readonly child: ChildProcess
  private readonly dataDir: string

  private constructor (child: ChildProcess, dataDir: string) {
    this.child = child
    this.dataDir = dataDir
    const keep = (chunk: Buffer): void => { this.output = (this.output + chunk.toString()).slice(-4000) }
    child.stdout!.on('data', keep)
    child.stderr!.on('data', keep)
  }

  /** Starts the relay with `args` added to its command line; rejects with {@link RelayStartError}. */
  static async start (args: string[] = []): Promise<RelayProcess> {
    if (!existsSync(RELAY_BIN)) {
      throw new RelayStartError(`${RELAY_BIN} is missing: run \`pnpm build\` first`)
    }
    const dataDir = await mkdtemp(join(tmpdir(), 'p2p-chat-bench-relay-'))
    const child = spawn(process.execPath, [
      RELAY_BIN, '--host', '127.0.0.1', '--http-port', '0', '--tcp-port', '0', '--ws-port', '0', '--webrtc-port', '0',
      '--data-dir', dataDir, ...args
    ], { stdio: ['ignore', 'pipe', 'pipe'] })
    const relay = new RelayProcess(child, dataDir)
    try {
      await relay.ready()
      return relay
    } catch (err) {
      await relay.stop()
      throw err
    }
  }

  get pid (): number {
    return this.child.pid!
  }

  get running (): boolean {
    return this.child.exitCode == null && this.child.signalCode == null
  }

  private async ready (): Promise<void> {
    const deadline = Date.now() + RELAY_START_TIMEOUT_MS
    while (!/Open (http:\/\/\S+) in a browser/.test(this.output)) {
      if (!this.running) throw new RelayStartError(`relay exited with ${this.child.exitCode}:\n${this.output}`)
      if (Date.now() > deadline) throw new RelayStartError(`relay did not start in ${RELAY_START_TIMEOUT_MS} ms:\n${this.output}`)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    this.url = /Open (http:\/\/\S+) in a browser/.exec(this.output)![1]!
    const info = await this.info(5000)
    const ws = info.multiaddrs.find(a => a.includes('/ws/p2p/'))
    if (ws == null) throw new RelayStartError(`relay has no WebSocket address: ${info.multiaddrs.join(', ')}`)
    this.wsAddr = ws
  }

  /** `GET /api/relay`, within `timeoutMs`. */
  async info (timeoutMs: number): Promise<{ peerId: string, multiaddrs: string[] }> {
    const response = await fetch(new URL(RELAY_INFO_PATH, this.url), { signal: AbortSignal.timeout(timeoutMs) })
    if (!response.ok) throw new Error(`GET ${RELAY_INFO_PATH}: ${response.status}`)
    return await response.json() as { peerId: string, multiaddrs: string[] }
  }

  async stats (): Promise<ProcessStats> {
    return readProcessStats(this.pid)
  }

  /** Stops the relay (SIGTERM, then SIGKILL) and removes its data dir. Never throws. */
  async stop (): Promise<void> {
    if (this.running) {
      const exited = new Promise(resolve => this.child.once('exit', resolve))
      this.child.kill('SIGTERM')
      const timer = setTimeout(() => this.child.kill('SIGKILL'), RELAY_STOP_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
    }
    await rm(this.dataDir, { recursive: true, force: true })
  }

  /** For a process 'exit' handler: ends the relay at once (its data dir stays in the temp dir). */
  killNow (): void {
    if (this.running) this.child.kill('SIGKILL')
  }
}
