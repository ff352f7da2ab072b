import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChildProcess } from 'node:child_process'

const RELAY_BIN = fileURLToPath(new URL('../../apps/relay/dist/bin.js', import.meta.url))

/** The real relay, as a child process on free loopback ports, as people run it. */
export class RelayProcess {
  url = ''
  peerId = ''
  output = ''
  private child?: ChildProcess
  private dataDir = ''
  private args: string[] = []

  /** Starts a relay on free ports in a fresh data dir; `extraArgs` go to its command line. */
  /** the relay's process id, to read its /proc figures */
  get pid (): number | undefined {
    return this.child?.pid
  }

  static async start (extraArgs: string[] = []): Promise<RelayProcess> {
    const relay = new RelayProcess()
    relay.dataDir = await mkdtemp(join(tmpdir(), 'p2p-chat-e2e-'))
    relay.args = ['--host', '127.0.0.1', '--http-port', '0', '--tcp-port', '0', '--ws-port', '0', '--webrtc-port', '0', '--data-dir', relay.dataDir, ...extraArgs]
    await relay.spawn()
    return relay
  }

  private async spawn (): Promise<void> {
    const child = spawn(process.execPath, [RELAY_BIN, ...this.args], { stdio: ['ignore', 'pipe', 'pipe'] })
    this.child = child
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`relay did not start:\n${this.output}`)) }, 20_000)
      const onData = (chunk: Buffer): void => {
        this.output += chunk.toString()
        const url = /Open (http:\/\/\S+) in a browser/.exec(this.output)
        const id = /P2P Chat relay (\S+)/.exec(this.output)
        if (url != null && id != null) {
          clearTimeout(timer)
          this.url = url[1]!
          this.peerId = id[1]!
          resolve()
        }
      }
      child.stdout!.on('data', onData)
      child.stderr!.on('data', (chunk: Buffer) => { this.output += chunk.toString() })
      child.once('exit', code => {
        clearTimeout(timer)
        reject(new Error(`relay exited with ${code}:\n${this.output}`))
      })
    })
  }

  /** Stops the relay process (SIGTERM) and waits for it to exit. */
  async stop (): Promise<number | null> {
    const child = this.child
    if (child == null || child.exitCode != null) {
      return child?.exitCode ?? null
    }
    const exited = new Promise<number | null>(resolve => child.once('exit', code => { resolve(code) }))
    child.kill('SIGTERM')
    return exited
  }

  async dispose (): Promise<void> {
    await this.stop()
    await rm(this.dataDir, { recursive: true, force: true })
  }
}
