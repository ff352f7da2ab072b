import { once } from 'node:events'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fuzz, fuzzTestTimeout, LIVE_MAX_RUNS } from '@p2p-chat/shared/testing'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpServer } from '../../src/http.js'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A file beside the web root that no request may read. */
const SECRET = 'p2p-chat-fuzz-secret-0b5c2e'
/** Statuses the relay's server (or Node's HTTP parser in front of it) may answer with. */
const STATUSES = [200, 206, 304, 400, 404, 405, 414, 416, 431, 503, 505]

/** Sends `request` on a fresh TCP connection and resolves with everything the server wrote before it closed. */
async function rawRequest (port: number, request: Buffer, ms = 5000): Promise<string> {
  const socket = connect(port, '127.0.0.1')
  const chunks: Buffer[] = []
  socket.on('data', chunk => { chunks.push(chunk) })
  socket.on('error', () => {})
  socket.write(request)
  const timer = setTimeout(() => { socket.destroy(new Error('no answer in time')) }, ms)
  try {
    await once(socket, 'close')
  } finally {
    clearTimeout(timer)
  }
  return Buffer.concat(chunks).toString('latin1')
}

/** Request targets: the relay's own paths, traversal attempts in every encoding, odd characters and forms. */
const target = (() => {
  const segment = fc.constantFrom('', '.', '..', '%2e%2e', '%2E%2E', '.%2e', '%2f', '%5c', '..%2f..%2f', '..\\..\\', '%00', '%', '%E0%A4%A', '%ZZ',
    'index.html', 'assets', 'app-123.js', 'secret.txt', 'r', 'aaaaaaaaaaaaaaaaaaaaaaaaaa', 'api', 'relay', 'healthz', 'metrics', '%F0%9F%98%80', 'é', ';', '~')
  const path = fc.array(segment, { minLength: 1, maxLength: 6 }).map(parts => `/${parts.join('/')}`)
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(path, fc.constantFrom('', '?', '?x=1', '#frag', '?%')).map(([p, q]) => p + q) },
    { weight: 1, arbitrary: fc.constantFrom('/api/relay', '/healthz', '/metrics', '/assets/app-123.js', '/r/aaaaaaaaaaaaaaaaaaaaaaaaaa', '/', '*', '//', '//secret.txt', 'http://relay/../secret.txt', 'relative', '/' + 'x'.repeat(20_000)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30, unit: 'binary' }).map(s => `/${s}`) }
  )
})()

const request = fc.record({
  method: fc.oneof({ weight: 6, arbitrary: fc.constant('GET') }, { weight: 3, arbitrary: fc.constantFrom('HEAD', 'POST', 'PUT', 'OPTIONS', 'DELETE', 'TRACE', 'CONNECT', 'get', 'G\u0000T', '') }),
  target,
  version: fc.oneof({ weight: 8, arbitrary: fc.constant('HTTP/1.1') }, { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/9', 'FOO') }),
  encoding: fc.constantFrom(undefined, 'br', 'gzip', 'gzip, br', 'identity', 'br;q=0', '*', 'x'.repeat(300)),
  extra: fc.constantFrom('', 'Range: bytes=0-1\r\n', 'Transfer-Encoding: chunked\r\n', 'Content-Length: 5\r\n\r\nhello', 'Host: a\r\n', 'X: \u0000\r\n', 'Content-Length: -1\r\n')
}).map(({ method, target, version, encoding, extra }) => Buffer.from(
  `${method} ${target} ${version}\r\nHost: relay\r\nConnection: close\r\n${encoding == null ? '' : `Accept-Encoding: ${encoding}\r\n`}${extra}\r\n`, 'latin1'))

describe('fuzz: the relay\'s HTTP server', () => {
  let dir: string
  let server: Server
  let port: number

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'p2p-chat-fuzz-http-'))
    const webRoot = join(dir, 'web')
    await mkdir(join(webRoot, 'assets'), { recursive: true })
    await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>P2P Chat</title>')
    await writeFile(join(webRoot, 'assets', 'app-123.js'), 'console.log(1)')
    await writeFile(join(dir, 'secret.txt'), SECRET)
    server = createHttpServer({
      webRoot,
      relayInfo: () => ({ peerId: 'relay', multiaddrs: ['/ip4/127.0.0.1/tcp/4002/ws'], iceServers: [] }),
      health: () => ({ status: 'ok', uptime: 1, connections: 0 })
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    port = (server.address() as AddressInfo).port
  })

  afterAll(async () => {
    server?.closeAllConnections()
    await new Promise(resolve => server?.close(resolve))
    await rm(dir, { recursive: true, force: true })
  })

  it('answers every request with a status, never a file outside the web root, and keeps serving', async () => {
    await fuzz('http', request, async (bytes) => {
      const answer = await rawRequest(port, bytes)
      if (answer === '') {
        // Node's HTTP server closes a CONNECT (a proxy tunnel) it has no handler for without a word
        expect(bytes.toString('latin1')).toMatch(/^CONNECT /)
        return 'closed (CONNECT)'
      }
      const status = Number(/^HTTP\/1\.[01] (\d{3}) /.exec(answer)?.[1])
      expect(STATUSES, answer.slice(0, 200)).toContain(status)
      expect(answer).not.toContain(SECRET)
      return String(status)
    }, { runs: 500, maxRuns: LIVE_MAX_RUNS })
    const health = await fetch(`http://127.0.0.1:${port}/healthz`)
    expect(health.status).toBe(200)
  }, fuzzTestTimeout())
})
