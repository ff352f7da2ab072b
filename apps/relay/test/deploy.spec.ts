import { execFile, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { waitFor } from '@p2p-chat/shared/testing'
import { describe, expect, it } from 'vitest'
import { DEFAULT_HTTP_PORT, DEFAULT_METRICS_PORT, DEFAULT_QUIC_PORT, DEFAULT_STUN_PORT, DEFAULT_TCP_PORT, DEFAULT_WEBRTC_DIRECT_PORT, DEFAULT_WS_PORT, RELAY_MALLOC_ARENA_MAX, RELAY_NODE_OPTIONS } from '../src/constants.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const DOCKERFILE = readFileSync(join(ROOT, 'deploy/Dockerfile'), 'utf8')
const UNIT = readFileSync(join(ROOT, 'deploy/p2p-chat-relay.service'), 'utf8')
const HEALTHCHECK = join(ROOT, 'deploy/healthcheck.js')

/** Runs deploy/healthcheck.js with `env` and resolves to its exit status. */
async function healthcheck (env: Record<string, string>): Promise<number> {
  return new Promise(resolve => {
    execFile(process.execPath, [HEALTHCHECK], { env: { ...process.env, ...env }, timeout: 10_000 }, err => {
      resolve(err == null ? 0 : typeof err.code === 'number' ? err.code : 1)
    })
  })
}

describe('deploy/', () => {
  it('the Dockerfile runs the built relay on every interface, keeps /data, exposes the default ports and checks /healthz', () => {
    expect(DOCKERFILE).toMatch(/^FROM node:24-slim/m)
    expect(DOCKERFILE).toContain(`CMD ${JSON.stringify(['node', ...RELAY_NODE_OPTIONS, 'apps/relay/dist/bin.js', '--host', '0.0.0.0']).replaceAll(',', ', ')}`)
    expect(DOCKERFILE).toMatch(new RegExp(`^ENV MALLOC_ARENA_MAX=${RELAY_MALLOC_ARENA_MAX}$`, 'm'))
    expect(DOCKERFILE).toContain('ENV P2P_CHAT_DATA_DIR=/data')
    expect(DOCKERFILE).toMatch(/^VOLUME \/data$/m)
    const exposed = /^EXPOSE (.*)$/m.exec(DOCKERFILE)![1]!.split(' ')
    expect(exposed).toEqual([`${DEFAULT_HTTP_PORT}/tcp`, `${DEFAULT_TCP_PORT}/tcp`, `${DEFAULT_WS_PORT}/tcp`, `${DEFAULT_WEBRTC_DIRECT_PORT}/udp`, `${DEFAULT_QUIC_PORT}/udp`, `${DEFAULT_STUN_PORT}/udp`, `${DEFAULT_METRICS_PORT}/tcp`])
    // the admin port listens on the container's interfaces, to be published on the host's loopback
    expect(DOCKERFILE).toContain('ENV P2P_CHAT_METRICS_HOST=0.0.0.0')
    expect(DOCKERFILE).toMatch(/^HEALTHCHECK .* CMD \["node", "\/app\/deploy\/healthcheck\.js"\]$/m)
    expect(existsSync(HEALTHCHECK)).toBe(true)
    expect(existsSync(join(ROOT, 'deploy/Dockerfile.dockerignore'))).toBe(true)
  })

  it('the systemd unit runs the relay as its own user with a state directory, restarts it on failure, and hardens it', () => {
    for (const line of [
      `ExecStart=/usr/bin/node ${RELAY_NODE_OPTIONS.join(' ')} /opt/p2p-chat/apps/relay/dist/bin.js`,
      `Environment=MALLOC_ARENA_MAX=${RELAY_MALLOC_ARENA_MAX}`, 'Environment=P2P_CHAT_METRICS_HOST=127.0.0.1', 'DynamicUser=yes', 'StateDirectory=p2p-chat-relay',
      'Environment=P2P_CHAT_DATA_DIR=/var/lib/p2p-chat-relay', 'Restart=on-failure', 'RestartPreventExitStatus=2',
      'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'CapabilityBoundingSet='
    ]) {
      expect(UNIT.split('\n'), line).toContain(line)
    }
  })

  it('the container\'s start command (Node options and malloc setting included) and health check work outside a container', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'p2p-chat-deploy-'))
    // as the Dockerfile runs it, but on loopback: options from the environment only
    const env = {
      ...process.env,
      P2P_CHAT_DATA_DIR: dataDir,
      P2P_CHAT_HOST: '127.0.0.1',
      P2P_CHAT_HTTP_PORT: '0',
      P2P_CHAT_TCP_PORT: '0',
      P2P_CHAT_WS_PORT: '0',
      P2P_CHAT_WEBRTC_PORT: '0',
      P2P_CHAT_QUIC_PORT: '0',
      P2P_CHAT_STUN_PORT: '0',
      P2P_CHAT_METRICS_HOST: '127.0.0.1',
      P2P_CHAT_METRICS_PORT: '0'
    }
    const child = spawn(process.execPath, [...RELAY_NODE_OPTIONS, 'apps/relay/dist/bin.js'], { cwd: ROOT, env: { ...env, MALLOC_ARENA_MAX: String(RELAY_MALLOC_ARENA_MAX) }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
    const exited = new Promise<number | null>(resolve => child.on('exit', resolve))
    try {
      await waitFor(() => /Open http:\/\/127\.0\.0\.1:\d+\//.test(stdout), 20_000)
      const port = new URL(/Open (\S+) in a browser/.exec(stdout)![1]!).port
      expect(await healthcheck({ P2P_CHAT_HTTP_PORT: port })).toBe(0)
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
      // nothing answers any more
      expect(await healthcheck({ P2P_CHAT_HTTP_PORT: port })).toBe(1)
    } finally {
      if (child.exitCode == null) child.kill('SIGKILL')
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
