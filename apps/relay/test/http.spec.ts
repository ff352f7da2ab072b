import { once } from 'node:events'
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync, gzipSync } from 'node:zlib'
import { multiaddr } from '@multiformats/multiaddr'
import { RELAY_INFO_ELEMENT_ID } from '@p2p-chat/shared'
import { waitFor } from '@p2p-chat/shared/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { createHttpServer } from '../src/http.js'
import { createRelay } from '../src/index.js'
import { sample, tcpAddr, useTestResources } from './helpers.js'
import type { RelayHealth } from '../src/http.js'
import type { RelayInfo } from '@p2p-chat/shared'
import type { Server } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'

const { relay, client } = useTestResources()

/** A web root as the build leaves it: index.html, a hashed asset and its compressed twins, the shipped guide. */
async function webRoot (asset = 'app-1.js', code = 'console.log(1)'): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'p2p-chat-http-'))
  await mkdir(join(root, 'assets'), { recursive: true })
  await mkdir(join(root, 'docs'), { recursive: true })
  await writeApp(root, asset, code)
  await writeFile(join(root, 'docs', 'self-hosting.md'), '# Self-hosting')
  return root
}

async function writeApp (root: string, asset: string, code: string): Promise<void> {
  await writeFile(join(root, 'assets', asset), code)
  await writeFile(join(root, 'assets', `${asset}.br`), brotliCompressSync(code))
  await writeFile(join(root, 'assets', `${asset}.gz`), gzipSync(code))
  await writeFile(join(root, 'index.html'), `<!doctype html><head><script src="/assets/${asset}"></script></head>`)
}

async function listen (server: Server | HttpsServer): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('the web app over HTTP', () => {
  const relayInfo = (): RelayInfo => ({ peerId: 'relay', multiaddrs: ['/ip4/127.0.0.1/tcp/4002/ws'], iceServers: [] })
  let server: Server | HttpsServer | undefined
  let root: string | undefined
  afterEach(async () => {
    server?.closeAllConnections()
    server?.close()
    if (root != null) await rm(root, { recursive: true, force: true })
  })

  it('sends the compressed twin the build wrote, by the client\'s Accept-Encoding, and revalidates by ETag', async () => {
    root = await webRoot()
    // the twins differ from what compressing the file would give, so a per-request compressor would be seen
    await writeFile(join(root, 'assets', 'app-1.js.br'), brotliCompressSync('/* br twin */'))
    await writeFile(join(root, 'assets', 'app-1.js.gz'), gzipSync('/* gz twin */'))
    server = createHttpServer({ webRoot: root, relayInfo })
    const url = `${await listen(server)}/assets/app-1.js`
    for (const [accept, encoding, body] of [['br, gzip', 'br', '/* br twin */'], ['gzip', 'gzip', '/* gz twin */'], ['identity', null, 'console.log(1)']] as const) {
      const response = await fetch(url, { headers: { 'accept-encoding': accept } })
      expect(response.headers.get('content-encoding'), accept).toBe(encoding)
      expect(response.headers.get('vary')).toMatch(/accept-encoding/i)
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
      expect(await response.text()).toBe(body)
    }
    const etag = (await fetch(url)).headers.get('etag')
    expect(etag).not.toBeNull()
    expect((await fetch(url, { headers: { 'if-none-match': etag! } })).status).toBe(304)
    // files outside /assets/ are revalidated on every use; the guide shows as text
    const guide = await fetch(new URL('/docs/self-hosting.md', url))
    expect(guide.headers.get('cache-control')).toBe('no-cache')
    expect(guide.headers.get('content-type')).toBe('text/plain; charset=utf-8')
  })

  it('serves an app rebuilt under it without a restart, and says when none is built', async () => {
    root = await mkdtemp(join(tmpdir(), 'p2p-chat-http-'))
    server = createHttpServer({ webRoot: root, relayInfo })
    const base = await listen(server)
    const none = await fetch(base)
    expect(none.status).toBe(503)
    expect(await none.text()).toContain('The web app is not built')

    await mkdir(join(root, 'assets'))
    await writeApp(root, 'app-1.js', 'old()')
    expect(await (await fetch(`${base}/assets/app-1.js`)).text()).toBe('old()')
    // a rebuild: new hashed names, a new index.html (a later modification time)
    await rm(join(root, 'assets'), { recursive: true })
    await mkdir(join(root, 'assets'))
    await writeApp(root, 'app-2.js', 'fresh()')
    const later = new Date(Date.now() + 5000)
    await utimes(join(root, 'index.html'), later, later)
    const page = await (await fetch(`${base}/r/aaaa`)).text()
    expect(page).toContain('/assets/app-2.js')
    expect(page).toContain(RELAY_INFO_ELEMENT_ID)
    expect(await (await fetch(`${base}/assets/app-2.js`)).text()).toBe('fresh()')
    // the old asset is gone: the app's page, not a crash on a missing file
    expect((await fetch(`${base}/assets/app-1.js`)).headers.get('content-type')).toBe('text/html; charset=utf-8')
  })

  it('answers 404 for a file removed under it while index.html stays (a deploy deleting old files first), and keeps serving', async () => {
    root = await webRoot()
    await writeFile(join(root, 'assets', 'late-1.js'), 'late()')
    server = createHttpServer({ webRoot: root, relayInfo })
    const base = await listen(server)
    expect(await (await fetch(`${base}/assets/late-1.js`)).text()).toBe('late()')
    // still in the list of files the server made; unpatched sirv threw ENOENT from its read stream, uncaught
    await rm(join(root, 'assets', 'late-1.js'))
    const gone = await fetch(`${base}/assets/late-1.js`, { headers: { 'accept-encoding': 'identity' } })
    expect(gone.status).toBe(404)
    expect(await (await fetch(`${base}/assets/app-1.js`)).text()).toBe('console.log(1)')
  })
})

describe('relay health and metrics over HTTP', () => {
  it('answers GET /healthz with 200, its uptime and connection count while it runs', async () => {
    const { relay: r } = await relay()
    const c = await client()
    await c.dial(multiaddr(tcpAddr(r)))
    const response = await fetch(new URL('/healthz', r.url))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    const body = await response.json() as RelayHealth
    expect(body).toEqual({ status: 'ok', uptime: expect.any(Number), connections: 1 })
    expect(r.health().status).toBe('ok')
  })

  it('reports itself as starting until it has started, and as stopping as soon as it begins to shut down', async () => {
    const { relay: r, options } = await relay()
    const stopped = r.stop()
    expect(r.health().status).toBe('stopping')
    await stopped
    const unstarted = await createRelay(options)
    expect(unstarted.health()).toMatchObject({ status: 'starting', uptime: 0 })
  })

  it('answers 503 on /healthz when the relay is starting or stopping', async () => {
    let status: RelayHealth['status'] = 'starting'
    const server = createHttpServer({
      webRoot: '/nonexistent',
      relayInfo: () => ({ peerId: 'x', multiaddrs: [], iceServers: [] }),
      health: () => ({ status, uptime: 1, connections: 0 })
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`
    try {
      expect((await fetch(url)).status).toBe(503)
      status = 'ok'
      expect((await fetch(url)).status).toBe(200)
      status = 'stopping'
      const response = await fetch(url)
      expect(response.status).toBe(503)
      expect(await response.json()).toMatchObject({ status: 'stopping' })
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })

  it('serves /metrics on its admin port only, with /healthz; the public port answers 404 for it', async () => {
    const { relay: r } = await relay()
    const metricsUrl = new URL(r.metricsUrl)
    expect(metricsUrl.hostname).toBe('127.0.0.1')
    expect(metricsUrl.port).not.toBe(new URL(r.url).port)
    const publicMetrics = await fetch(new URL('/metrics', r.url))
    expect(publicMetrics.status).toBe(404)
    expect(await publicMetrics.text()).not.toContain('p2p_chat_relay')
    expect((await fetch(new URL('/healthz', r.url))).status).toBe(200)

    expect((await fetch(metricsUrl)).status).toBe(200)
    const health = await fetch(new URL('/healthz', metricsUrl))
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: 'ok' })
    // the admin port serves nothing else: not the web app, not /api/relay
    for (const path of ['/', '/api/relay', '/r/abc']) {
      expect((await fetch(new URL(path, metricsUrl))).status, path).toBe(404)
    }
  })

  it('serves Prometheus metrics at GET /metrics: libp2p\'s own and the relay\'s', async () => {
    const { relay: r } = await relay()
    const c = await client()
    await c.dial(multiaddr(tcpAddr(r)))
    const response = await fetch(r.metricsUrl)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await response.text()
    // libp2p's (from @libp2p/prometheus-metrics) and prom-client's process metrics
    expect(sample(text, 'libp2p_connection_manager_connections', 'libp2p_connection_manager_connections="inbound"')).toBe(1)
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter')
    // the relay's
    for (const name of ['reservations', 'circuits_open', 'circuits_relayed_total', 'rooms_followed', 'room_messages_total', 'history_lines']) {
      expect(sample(text, `p2p_chat_relay_${name}`), name).toBe(0)
    }
    expect(text).toContain('# TYPE p2p_chat_relay_refused_total counter')
  })

  it('keeps each relay\'s figures apart when several run in one process', async () => {
    const [a, b] = [(await relay()).relay, (await relay()).relay]
    const c = await client()
    await c.dial(multiaddr(tcpAddr(a)))
    a.metrics.refused('connection')
    const inbound = async (r: typeof a): Promise<number | undefined> => {
      const text = await (await fetch(r.metricsUrl)).text()
      return sample(text, 'libp2p_connection_manager_connections', 'libp2p_connection_manager_connections="inbound"')
    }
    await waitFor(async () => await inbound(a) === 1)
    expect(await inbound(b)).toBe(0)
    expect(await a.metrics.text()).toContain('p2p_chat_relay_refused_total{kind="connection"} 1')
    expect(await b.metrics.text()).not.toContain('kind="connection"')
  })
})
