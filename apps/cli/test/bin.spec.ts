import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRoomId, createRoomSecret } from '@p2p-chat/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCliNode, waitFor } from './helpers.js'
import type { TestNode } from './helpers.js'

// the compiled command, exactly as `pnpm cli` runs it (build first); TCP and QUIC (a native module) listening
const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
const SHUTDOWNS = 10

/** Node's notice that node:sqlite is experimental: printed by every run that keeps history, not an error. */
const isSqliteNotice = (line: string): boolean => /ExperimentalWarning: SQLite|--trace-warnings/.test(line)

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
    for (let i = 0; i < SHUTDOWNS; i++) {
      const dataDir = await mkdtemp(join(tmpdir(), 'p2p-chat-cli-bin-'))
      const child = spawn(process.execPath, [BIN, '--room', createRoomId(), '--relay', relayAddr, '--no-mdns', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0', '--listen', '/ip4/127.0.0.1/udp/0/quic-v1'], { stdio: ['pipe', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
      child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
      const exited = new Promise<number | null>(resolve => child.on('exit', resolve))
      try {
        await waitFor(() => stdout.includes('connected to the relay') || child.exitCode != null, 20_000, 'the relay connection')
        child.stdin.end()
        child.kill('SIGTERM')
        const code = await exited
        const errors = stderr.split('\n').filter(line => line.trim() !== '' && !isSqliteNotice(line))
        expect({ run: i + 1, code, errors }).toEqual({ run: i + 1, code: 0, errors: [] })
      } finally {
        if (child.exitCode == null && child.signalCode == null) child.kill('SIGKILL')
        await rm(dataDir, { recursive: true, force: true })
      }
    }
  }, 180_000)

  it('with --room -, joins the private room whose link is the first line of its input; the secret is not in its argv', async () => {
    const [id, secret] = [createRoomId(), createRoomSecret()]
    const dataDir = await mkdtemp(join(tmpdir(), 'p2p-chat-cli-bin-'))
    const child = spawn(process.execPath, [BIN, '--room', '-', '--no-mdns', '--data-dir', dataDir, '--listen', '/ip4/127.0.0.1/tcp/0'], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
    const exited = new Promise<number | null>(resolve => child.on('exit', resolve))
    try {
      child.stdin.write(`http://127.0.0.1:9/r/${id}#${secret}\n`)
      // it tries the relay after joining: the link's origin answers nothing, so it says it cannot reach it
      await waitFor(() => stdout.includes('reach the relay') || child.exitCode != null, 20_000, 'the relay attempt')
      expect(stdout).toContain(`in private (end-to-end encrypted) room ${id}`)
      expect(await readFile(`/proc/${child.pid!}/cmdline`, 'utf8')).not.toContain(secret)
      // the lines after the link are the chat's
      child.stdin.end('/status\n')
      expect(await exited).toBe(0)
      expect(stdout).toContain('* reachability:')
      expect(stdout).not.toContain(secret)
    } finally {
      if (child.exitCode == null && child.signalCode == null) child.kill('SIGKILL')
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
