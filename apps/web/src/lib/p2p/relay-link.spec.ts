import { once } from 'node:events'
import { createServer } from 'node:http'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { RELAY_INFO_PATH } from '@p2p-chat/shared'
import { waitFor } from '@p2p-chat/shared/testing'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { failureReason, RelayLink } from './relay-link.js'
import type { BrowserNode } from './node.js'
import type { RelayState } from './relay-link.js'
import type { Libp2p } from '@libp2p/interface'
import type { RelayInfo } from '@p2p-chat/shared'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A relay as the browser sees one: WebSocket on loopback, circuit-relay hop, identify. */
async function relayNode (): Promise<Libp2p> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), relay: circuitRelayServer() }
  })
}

function infoOf (relay: Libp2p): RelayInfo {
  return { peerId: relay.peerId.toString(), multiaddrs: relay.getMultiaddrs().map(String), iceServers: [] }
}

/**
 * The page's node as far as RelayLink uses it: WebSockets and a circuit-relay reservation (listening on
 * `/p2p-circuit`), in Node; its late transports (WebRTC-direct) are counted, not loaded.
 */
async function pageNode (): Promise<{ node: BrowserNode, lateLoads: () => number }> {
  let loads = 0
  const node = await createLibp2p({
    addresses: { listen: ['/p2p-circuit'] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), transports: () => ({ load: async () => { loads++ } }) }
  })
  return { node: node as unknown as BrowserNode, lateLoads: () => loads }
}

describe('RelayLink', () => {
  const stops: Array<() => Promise<unknown> | unknown> = []
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop()
  })

  /** The relay's HTTP server: answers `/api/relay` with whatever relay `current` names, and counts the asks. */
  async function relayHttp (current: () => RelayInfo): Promise<{ origin: string, asks: () => number }> {
    let asks = 0
    const server: Server = createServer((req, res) => {
      if (req.url === RELAY_INFO_PATH) asks++
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(current()))
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    stops.push(() => { server.closeAllConnections(); server.close() })
    return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asks: () => asks }
  }

  async function start (info?: RelayInfo, current?: () => RelayInfo): Promise<{ link: RelayLink, states: RelayState[], node: BrowserNode, asks: () => number, lateLoads: () => number }> {
    const http = await relayHttp(current ?? (() => info!))
    const { node, lateLoads } = await pageNode()
    const link = new RelayLink(node, { origin: http.origin, info })
    const states: RelayState[] = []
    link.addEventListener('state', evt => { states.push(evt.detail) })
    link.start()
    stops.push(async () => node.stop(), () => { link.stop() })
    return { link, states, node, asks: http.asks, lateLoads }
  }

  it('dials the relay it was handed, then says connected and reserved once the reservation makes the page reachable', async () => {
    const relay = await relayNode()
    stops.push(async () => relay.stop())
    const { link, states, node, asks, lateLoads } = await start(infoOf(relay))
    await waitFor(() => link.state.status === 'reserved')
    expect(states.map(s => s.status)).toEqual(['connecting', 'connected', 'reserved'])
    expect(node.getConnections(relay.peerId)).toHaveLength(1)
    // the page had the info already, and WebSockets comes with the node: nothing fetched, nothing late loaded
    expect(asks()).toBe(0)
    expect(lateLoads()).toBe(0)
  })

  it('when the relay goes away, says retrying with the reason and when; comes back to a relay restarted elsewhere, asking /api/relay again', async () => {
    let relay = await relayNode()
    stops.push(async () => relay.stop())
    const { link, asks } = await start(infoOf(relay), () => infoOf(relay))
    await waitFor(() => link.state.status === 'reserved')
    await relay.stop()
    const retrying = await waitFor(() => link.state.status === 'retrying' ? link.state : undefined)
    expect(retrying.error).toBe('connection to the relay closed')
    // the first retry waits between half and all of RELAY_RETRY_MIN_MS (backoff with jitter)
    expect(retrying.retryAt - Date.now()).toBeGreaterThan(0)
    expect(retrying.retryAt - Date.now()).toBeLessThanOrEqual(1000)

    // the relay comes back with another identity and port: the old addresses fail, and the link asks again
    relay = await relayNode()
    await waitFor(() => {
      if (link.state.status === 'retrying') link.retryNow()
      return link.state.status === 'reserved'
    }, 15_000, 'a reservation on the new relay')
    expect(asks()).toBeGreaterThanOrEqual(1)
  })

  it('says retrying with the reason when the relay cannot be reached, and stops trying once stopped', async () => {
    const relay = await relayNode()
    const info = infoOf(relay)
    await relay.stop()
    const { link, states } = await start(info)
    const retrying = await waitFor(() => link.state.status === 'retrying' ? link.state : undefined)
    // said in words: the WebSocket's failure is an event without a message
    expect(retrying.error).toBe('the connection failed (the relay is down or unreachable)')
    link.stop()
    const seen = states.length
    link.retryNow()
    expect(link.state.status).toBe('retrying')
    expect(states).toHaveLength(seen)
  })

  it('loads the late transports first when the relay has no WebSocket address this page can dial', async () => {
    const relay = await relayNode()
    stops.push(async () => relay.stop())
    // a relay with WebRTC-direct only (the page's node here cannot dial it: the dial fails, after the load)
    const info: RelayInfo = { ...infoOf(relay), multiaddrs: [`/ip4/127.0.0.1/udp/4003/webrtc-direct/certhash/uEiAkH5a4DPGKUuOBjYw0CgwjvcJCJMD2K_1Kzxd-4fFAIQ/p2p/${relay.peerId}`] }
    const { link, lateLoads } = await start(info)
    await waitFor(() => link.state.status === 'retrying')
    expect(lateLoads()).toBe(1)
  })

  it('says why a dial failed in words, whatever it failed with', () => {
    const dials = new AggregateError([new Error('connection refused'), new Event('error'), new Event('error')], 'All multiaddr dials failed')
    expect(failureReason(dials)).toBe('All multiaddr dials failed: connection refused; the connection failed (the relay is down or unreachable)')
    expect(failureReason(new Error(''))).toBe('Error')
    expect(failureReason('timeout')).toBe('timeout')
  })
})
