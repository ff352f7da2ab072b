import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import type { ChildProcess } from 'node:child_process'

/** The repository root (apps/cli/test/lab → ../../../..). */
export const ROOT = resolve(import.meta.dirname, '../../../..')
/** First three octets of the lab's "public" /24; see README.md beside this file for why not a TEST-NET range. */
export const PUBLIC_NET = process.env.P2P_CHAT_LAB_PUBLIC_NET ?? '11.0.0'
export const RELAY_IP = `${PUBLIC_NET}.1`
export const ROUTER_A_IP = `${PUBLIC_NET}.2`
export const ROUTER_B_IP = `${PUBLIC_NET}.3`
export const RELAY_TCP_PORT = 4001
export const RELAY_QUIC_PORT = 4004

const LAB_NET = join(ROOT, 'scripts/lab-net')

/** One process in a lab namespace, its output read line by line. */
export class LabProcess {
  readonly lines: string[] = []
  readonly started = Date.now()
  private readonly child: ChildProcess
  private readonly waiters: Array<{ re: RegExp, resolve: (line: string) => void }> = []

  constructor (readonly name: string, ns: string, args: string[], debug = '') {
    this.child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, DEBUG: [debug, process.env.P2P_CHAT_LAB_DEBUG].filter(Boolean).join(',') }
    })
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream }).on('line', line => {
        this.lines.push(line)
        for (const waiter of this.waiters.filter(w => w.re.test(line))) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1)
          waiter.resolve(line)
        }
      })
    }
  }

  /** Resolves with the first line (already printed or to come) that matches; rejects after `ms`. */
  async waitForLine (re: RegExp, ms: number): Promise<string> {
    const seen = this.lines.find(line => re.test(line))
    if (seen != null) {
      return seen
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.name}: no line matching ${re} within ${ms} ms. Output:\n${this.lines.join('\n')}`))
      }, ms)
      this.waiters.push({ re, resolve: line => { clearTimeout(timer); resolve(line) } })
    })
  }

  /** Types a line into the process. */
  send (line: string): void {
    this.child.stdin!.write(`${line}\n`)
  }

  /** Sends `/status` and returns the lines it printed: through the list of connections its last line counts. */
  async status (): Promise<string> {
    const before = this.lines.length
    this.send('/status')
    const start = () => this.lines.findIndex((line, i) => i >= before && line.startsWith('* reachability: '))
    const counted = /^\* connections: (\d+) direct, (\d+) relayed/
    const deadline = Date.now() + 5_000
    for (;;) {
      const lines = start() < 0 ? [] : this.lines.slice(start())
      const at = lines.findIndex(line => counted.test(line))
      if (at >= 0) {
        const [, direct, relayed] = counted.exec(lines[at]!)!
        const end = at + 1 + Number(direct) + Number(relayed)
        if (lines.length >= end) {
          return lines.slice(0, end).join('\n')
        }
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.name}: /status did not print in 5 s. Output:\n${this.lines.join('\n')}`)
      }
      await new Promise(resolve => setTimeout(resolve, 20))
    }
  }

  kill (): void {
    this.child.kill('SIGKILL')
  }
}

/**
 * The network namespaces of scripts/lab-net under a name of this process's own, and the processes run in them.
 * `destroy()` kills them and deletes every namespace; it also runs when the process exits.
 */
export class Lab {
  readonly prefix = `p2pc-${process.pid}`
  readonly dir = mkdtempSync(join(tmpdir(), 'p2p-chat-lab-'))
  private readonly processes: LabProcess[] = []
  private readonly onExit = (): void => { this.destroy() }

  constructor () {
    execFileSync(LAB_NET, ['up', this.prefix, PUBLIC_NET], { stdio: 'inherit' })
    process.on('exit', this.onExit)
  }

  ns (name: string): string {
    return `${this.prefix}-${name}`
  }

  /** Runs a command (ip, nft) in a lab namespace. */
  exec (ns: string, command: string, ...args: string[]): void {
    execFileSync('ip', ['netns', 'exec', this.ns(ns), command, ...args], { stdio: 'inherit' })
  }

  /** Starts the real relay (apps/relay/dist/bin.js) in the "internet" and resolves with its TCP multiaddr. */
  async startRelay (): Promise<{ relay: LabProcess, addr: string, peerId: string }> {
    const relay = this.run('relay', 'inet', [
      'apps/relay/dist/bin.js', '--host', RELAY_IP, '--http-port', '8080', '--tcp-port', String(RELAY_TCP_PORT),
      '--ws-port', '4002', '--webrtc-port', '4003', '--quic-port', String(RELAY_QUIC_PORT), '--data-dir', join(this.dir, 'relay')
    ])
    const line = await relay.waitForLine(/^P2P Chat relay 12D3\w+/, 20_000)
    const peerId = line.split(' ')[3]!
    return { relay, peerId, addr: `/ip4/${RELAY_IP}/tcp/${RELAY_TCP_PORT}/p2p/${peerId}` }
  }

  /** Starts the built terminal peer (apps/cli/dist/bin.js) in a lab namespace; `debug` names DEBUG log namespaces. */
  startCli (name: string, ns: string, args: string[], debug = ''): LabProcess {
    return this.run(name, ns, ['apps/cli/dist/bin.js', '--name', name, '--data-dir', join(this.dir, name), ...args], debug)
  }

  private run (name: string, ns: string, args: string[], debug = ''): LabProcess {
    const p = new LabProcess(name, this.ns(ns), args, debug)
    this.processes.push(p)
    return p
  }

  /** Kills the terminal peers started so far (not the relay): a test's peers never outlive it, failed or not. */
  killPeers (): void {
    for (const p of this.processes.filter(p => p.name !== 'relay')) {
      p.kill()
      this.processes.splice(this.processes.indexOf(p), 1)
    }
  }

  destroy (): void {
    for (const p of this.processes.splice(0)) {
      p.kill()
    }
    try {
      execFileSync(LAB_NET, ['down', this.prefix], { stdio: 'inherit' })
    } finally {
      rmSync(this.dir, { recursive: true, force: true })
      process.off('exit', this.onExit)
    }
  }
}

/** How long since `since`, in ms, as a figure for the log. */
export function elapsed (since: number): number {
  return Date.now() - since
}
