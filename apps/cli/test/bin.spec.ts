import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRoomId, createRoomSecret } from '@p2p-chat/shared'
import { waitFor } from '@p2p-chat/shared/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCliNode } from './helpers.js'
import type { TestNode } from './helpers.js'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'

// the compiled command, exactly as `pnpm cli` runs it (build first)
const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
const SHUTDOWNS = 10

/** Node's notice that node:sqlite is experimental: printed by every run that keeps history, not an error. */
const isSqliteNotice = (line: string): boolean => /ExperimentalWarning: SQLite|--trace-warnings/.test(line)

interface CliRun {
  child: ChildProcessWithoutNullStreams
  output: { stdout: string, stderr: string }
  exited: Promise<number | null>
}

/** Runs the built CLI in a fresh data dir with `args`, gives it to `use`, then kills it if it still runs. */
async function withCli (args: string[], use: (run: CliRun) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'p2p-chat-cli-bin-'))
  const child = spawn(process.execPath, [BIN, '--no-mdns', '--data-dir', dataDir, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  const output = { stdout: '', stderr: '' }
  child.stdout.on('data', (chunk: Buffer) => { output.stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output.stderr += chunk.toString() })
  const exited = new Promise<number | null>(resolve => child.on('exit', resolve))
  try {
    await use({ child, output, exited })
  } finally {
    if (child.exitCode == null && child.signalCode == null) child.kill('SIGKILL')
    await rm(dataDir, { recursive: true, force: true })
  }
}

describe('terminal peer command line', () => {
  let relay: TestNode
  beforeAll(async () => {
    relay = await startCliNode({ relayServer: true })
  })
  afterAll(async () => {
    await relay.cleanup()
  })

  it(`exits with status 0 and prints no error when its input closes and SIGTERM arrives at once (${SHUTDOWNS} times)`, async () => {
    const relayAddr = relay.node.getMultiaddrs().find(ma => ma.toString().includes('/tcp/'))!.toString()
    // TCP and QUIC (a native module) listening
    const listen = ['--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/udp/0/quic-v1']
    for (let i = 0; i < SHUTDOWNS; i++) {
      await withCli(['--room', createRoomId(), '--relay', relayAddr, ...listen], async ({ child, output, exited }) => {
        await waitFor(() => output.stdout.includes('connected to the relay') || child.exitCode != null, 20_000, 'the relay connection')
        child.stdin.end()
        child.kill('SIGTERM')
        const code = await exited
        const errors = output.stderr.split('\n').filter(line => line.trim() !== '' && !isSqliteNotice(line))
        expect({ run: i + 1, code, errors }).toEqual({ run: i + 1, code: 0, errors: [] })
      })
    }
  }, 180_000)

  it('with --room -, joins the private room whose link is the first line of its input; the secret is not in its argv', async () => {
    const [id, secret] = [createRoomId(), createRoomSecret()]
    await withCli(['--room', '-', '--listen', '/ip4/127.0.0.1/tcp/0'], async ({ child, output, exited }) => {
      child.stdin.write(`http://127.0.0.1:9/r/${id}#${secret}\n`)
      // it tries the relay after joining: the link's origin answers nothing, so it says it cannot reach it
      await waitFor(() => output.stdout.includes('reach the relay') || child.exitCode != null, 20_000, 'the relay attempt')
      expect(output.stdout).toContain(`in private (end-to-end encrypted) room ${id}`)
      expect(await readFile(`/proc/${child.pid}/cmdline`, 'utf8')).not.toContain(secret)
      // the lines after the link are the chat's
      child.stdin.end('/status\n')
      expect(await exited).toBe(0)
      expect(output.stdout).toContain('* reachability:')
      expect(output.stdout).not.toContain(secret)
    })
  })
})
