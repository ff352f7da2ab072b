import { once } from 'node:events'
import { multiaddr } from '@multiformats/multiaddr'
import { waitFor } from '@p2p-chat/shared/testing'
import { describe, expect, it } from 'vitest'
import { createHttpServer } from '../src/http.js'
import { createRelay } from '../src/index.js'
import { sample, tcpAddr, useTestResources } from './helpers.js'
import type { RelayHealth } from '../src/http.js'
import type { AddressInfo } from 'node:net'

const { relay, client } = useTestResources()

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
