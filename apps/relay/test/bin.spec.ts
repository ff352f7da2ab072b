import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

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
        ['--http-port', '0', '--tcp-port', '0', '--ws-port', '0', '--webrtc-port', '0', '--data-dir', dataDir],
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
