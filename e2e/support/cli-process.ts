import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChildProcess } from 'node:child_process'

const CLI_BIN = fileURLToPath(new URL('../../apps/cli/dist/bin.js', import.meta.url))

/**
 * The terminal's line saying a member `name` is connected directly: when the connection comes, or with the member's
 * first line when it was direct from the start.
 */
export const directLine = (name: string): RegExp => new RegExp(`\\* ${name} …\\w+ (is now connected directly|is in the room, connected directly)`)

/** The terminal peer (`pnpm cli`) as a child process: lines in on stdin, lines out on stdout. */
export class CliProcess {
  output = ''
  private constructor (private readonly child: ChildProcess, private readonly dataDir: string) {
    child.stdout!.on('data', (chunk: Buffer) => { this.output += chunk.toString() })
    child.stderr!.on('data', (chunk: Buffer) => { this.output += chunk.toString() })
  }

  /** Starts the terminal peer; with `netns`, inside that network namespace (a NAT lab host, see nat-lab.ts). */
  static async start (args: string[], options: { netns?: string } = {}): Promise<CliProcess> {
    const dataDir = await mkdtemp(join(tmpdir(), 'p2p-chat-cli-'))
    const command = [process.execPath, CLI_BIN, '--data-dir', dataDir, ...args]
    if (options.netns != null) {
      command.unshift('ip', 'netns', 'exec', options.netns)
    }
    const child = spawn(command[0]!, command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] })
    return new CliProcess(child, dataDir)
  }

  /** Resolves once the output matches `pattern`; rejects after `timeout` ms with the output so far. */
  async waitFor (pattern: RegExp, timeout = 15_000): Promise<void> {
    const deadline = Date.now() + timeout
    while (!pattern.test(this.output)) {
      if (Date.now() > deadline) throw new Error(`no ${pattern} in the CLI's output:\n${this.output}`)
      if (this.child.exitCode != null) throw new Error(`the CLI exited with ${this.child.exitCode}:\n${this.output}`)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }

  type (line: string): void {
    this.child.stdin!.write(`${line}\n`)
  }

  /** Types /quit and waits for the exit; resolves to the exit code. */
  async quit (): Promise<number | null> {
    const exited = new Promise<number | null>(resolve => this.child.once('exit', resolve))
    this.type('/quit')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000)
    const code = await exited
    clearTimeout(timer)
    await rm(this.dataDir, { recursive: true, force: true })
    return code
  }
}
