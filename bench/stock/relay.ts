/**
 * The stock baseline's relay, run as its own process (`node stock/relay.ts <topic>`): js-libp2p-examples'
 * browser relay (WebSockets, Noise, Yamux, identify, a circuit-relay server with unlimited reservations) plus
 * gossipsub with its defaults, subscribed to the room's topic as universal-connectivity's bootstrapper is, so
 * that messages go through it. It also serves the built stock page (dist/stock) over HTTP. Prints one JSON
 * line, `{ "url": ..., "wsAddr": ... }`, once it listens; stops on SIGTERM.
 */
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import type { AddressInfo } from 'node:net'

const WEB_ROOT = fileURLToPath(new URL('../dist/stock', import.meta.url))
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' }

const topic = process.argv[2]
if (topic == null) {
  console.error('usage: node stock/relay.ts <topic>')
  process.exit(2)
}

const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
  transports: [webSockets()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  // every page of a run comes from 127.0.0.1: libp2p's 5 inbound connections per second per host would only
  // slow the set-up down (our relay's per-address limits are raised the same way, see e2e/support/relay-process.ts)
  connectionManager: { inboundConnectionThreshold: 1_000 },
  services: {
    identify: identify(),
    relay: circuitRelayServer({ reservations: { maxReservations: Infinity } }),
    // every page of a run shares 127.0.0.1, which gossipsub's IP-colocation score would count as one crowded
    // address: from the 11th page on, the relay forwarded the room to nobody (see /work/shared/VERIFIED.md). In
    // the wild each browser has its own; loopback is exempted so that the stock figures are not this artifact.
    pubsub: gossipsub({ scoreParams: { IPColocationFactorWhitelist: new Set(['127.0.0.1']) } })
  }
})
node.services.pubsub.subscribe(topic)

const http = createServer((req, res) => {
  const path = normalize(join(WEB_ROOT, new URL(req.url ?? '/', 'http://stock').pathname))
  const file = path.startsWith(WEB_ROOT) && extname(path) !== '' ? path : join(WEB_ROOT, 'index.html')
  readFile(file).then(body => {
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
    res.end(body)
  }, () => {
    res.writeHead(404)
    res.end()
  })
})
await new Promise<void>(resolve => http.listen(0, '127.0.0.1', resolve))

const wsAddr = node.getMultiaddrs().map(String).find(a => a.includes('/ws/'))
console.info(JSON.stringify({ url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/`, wsAddr }))

process.once('SIGTERM', () => {
  http.close()
  Promise.resolve(node.stop()).then(() => process.exit(0), () => process.exit(1))
})
