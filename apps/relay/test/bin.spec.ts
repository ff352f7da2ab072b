import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { multiaddr } from '@multiformats/multiaddr'
import { waitFor } from '@p2p-chat/shared/testing'
import { describe, expect, it } from 'vitest'
import { createTestClient } from './helpers.js'

// the compiled command, exactly as `pnpm relay` runs it (the test script builds before testing)
const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

interface Run { code: number | null, stdout: string, stderr: string }

async function run (args: string[], until?: (out: string) => boolean): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    if (until?.(stdout) === true) child.kill('SIGTERM')
  })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const code = await new Promise<number | null>(resolve => child.on('exit', resolve))
  return { code, stdout, stderr }
}

/** Every port free, so that relays started by tests in parallel never collide; no STUN responder (not the fixed 3478). */
const FREE_PORTS = ['--http-port', '0', '--tcp-port', '0', '--ws-port', '0', '--webrtc-port', '0', '--quic-port', '0', '--stun-port', '0', '--metrics-port', '0']

/**
 * Starts the relay, runs `whileUp` once it has said where to open it, then sends SIGTERM and times how long
 * the relay takes to exit.
 */
async function runUntilReady (args: string[], whileUp: (stdout: string) => Promise<void>): Promise<Run & { stopMs: number }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'p2p-chat-bin-'))
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exited = new Promise<number | null>(resolve => child.on('exit', resolve))
  try {
    await waitFor(() => stdout.includes('in a browser to chat') || child.exitCode != null, 20_000)
    await whileUp(stdout)
    const stoppedAt = Date.now()
    child.kill('SIGTERM')
    const code = await exited
    return { code, stdout, stderr, stopMs: Date.now() - stoppedAt }
  } finally {
    if (child.exitCode == null && child.signalCode == null) child.kill('SIGKILL')
    await rm(dataDir, { recursive: true, force: true })
  }
}

const urlIn = (stdout: string): string => /Open (https?:\/\/[^\s"]+) in a browser/.exec(stdout)![1]!

describe('relay command line', () => {
  it('lists its options with --help', async () => {
    const { code, stdout } = await run(['--help'])
    expect(code).toBe(0)
    for (const flag of ['--host', '--http-port', '--tcp-port', '--ws-port', '--webrtc-port', '--data-dir', 'P2P_CHAT_HTTP_PORT']) {
      expect(stdout).toContain(flag)
    }
  })

  it('refuses a bad flag with a clear message and a non-zero exit', async () => {
    const { code, stderr } = await run(['--http-port', 'eighty'])
    expect(code).toBe(2)
    expect(stderr).toContain('--http-port must be a port number')
  })

  it('prints the URL to open, and shuts down cleanly on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'p2p-chat-bin-'))
    try {
      const { code, stdout } = await run(
        [...FREE_PORTS, '--data-dir', dataDir],
        out => out.includes('in a browser to chat')
      )
      expect(stdout).toMatch(/Open http:\/\/127\.0\.0\.1:\d+\/ in a browser to chat/)
      expect(stdout).toContain('SIGTERM: shutting down')
      expect(code).toBe(0)
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})

describe('relay operations from the command line', () => {
  it('lists the operations options with --help', async () => {
    const { code, stdout } = await run(['--help'])
    expect(code).toBe(0)
    for (const flag of ['--config', '--log-format', '--log-level', '--tls-cert', '--tls-key', '--announce', 'P2P_CHAT_CONFIG', 'P2P_CHAT_LOG_FORMAT']) {
      expect(stdout).toContain(flag)
    }
  })

  it('refuses a bad config file with a clear message and status 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'p2p-chat-bin-'))
    try {
      const config = join(dir, 'relay.json')
      await writeFile(config, JSON.stringify({ 'htp-port': 8080 }))
      const unknown = await run(['--config', config])
      expect(unknown.code).toBe(2)
      expect(unknown.stderr).toContain(`--config ${config}: unknown key "htp-port"`)
      await writeFile(config, JSON.stringify({ 'http-port': 'eighty' }))
      const wrong = await run(['--config', config])
      expect(wrong.code).toBe(2)
      expect(wrong.stderr).toContain(`--http-port must be a port number from 0 to 65535, got "eighty" (from config file ${config}`)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('logs JSON lines with --log-format json (here from a config file), the URL to open among them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'p2p-chat-bin-'))
    try {
      const config = join(dir, 'relay.json')
      await writeFile(config, JSON.stringify({ 'log-format': 'json', 'http-port': 0, 'tcp-port': 0, 'ws-port': 0, 'webrtc-port': 0, 'quic-port': 0, 'metrics-port': 0 }))
      const { code, stdout } = await runUntilReady(['--config', config], async out => {
        expect((await fetch(new URL('/healthz', urlIn(out)))).status).toBe(200)
      })
      expect(code).toBe(0)
      const lines = stdout.trim().split('\n').map(line => JSON.parse(line) as Record<string, unknown>)
      for (const line of lines) {
        expect(line).toMatchObject({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), level: expect.stringMatching(/^(error|warn|info|debug)$/), event: expect.any(String) })
      }
      const events = lines.map(line => line.event)
      expect(events).toEqual(expect.arrayContaining(['relay started', 'listening', 'open', 'shutting down', 'relay stopping', 'relay stopped']))
      expect(lines.find(line => line.event === 'open')?.message).toMatch(/^Open http:\/\/127\.0\.0\.1:\d+\/ in a browser to chat\.$/)
      expect(lines.find(line => line.event === 'relay started')).toMatchObject({ peerId: expect.stringMatching(/^12D3/) })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('writes only what is at or above --log-level (the URL to open is always said)', async () => {
    const { code, stdout } = await runUntilReady([...FREE_PORTS, '--log-level', 'warn'], async () => {})
    expect(code).toBe(0)
    expect(stdout.trim().split('\n')).toEqual([expect.stringMatching(/^Open http:\/\/127\.0\.0\.1:\d+\/ in a browser to chat\.$/)])
  })

  it('shuts down within 5 s with status 0 on SIGTERM while a peer is connected, closing its connection', async () => {
    const client = await createTestClient()
    let closed = false
    client.addEventListener('peer:disconnect', () => { closed = true })
    try {
      const { code, stdout, stopMs } = await runUntilReady(FREE_PORTS, async out => {
        const info = await (await fetch(new URL('/api/relay', urlIn(out)))).json() as { multiaddrs: string[] }
        await client.dial(multiaddr(info.multiaddrs.find(a => /\/tcp\/\d+\/p2p\//.test(a))!))
        const health = await (await fetch(new URL('/healthz', urlIn(out)))).json() as { connections: number }
        expect(health.connections).toBe(1)
      })
      expect(code).toBe(0)
      expect(stopMs).toBeLessThan(5000)
      expect(stdout).toContain('SIGTERM: shutting down')
      expect(stdout).toContain('relay stopping {"connections":1}')
      await waitFor(() => closed)
    } finally {
      await client.stop()
    }
  })
})
