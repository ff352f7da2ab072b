/**
 * A stock js-libp2p relay in a process of its own (started by `stock-relay.ts`), to measure beside ours: as
 * js-libp2p's examples build one (WebSockets, Noise, yamux, identify, ping, circuit relay server, gossipsub with
 * its defaults), on 127.0.0.1, with only its caps raised to the load it is given (its defaults hold 300
 * connections and 15 reservations). Prints its WebSocket multiaddr as a JSON line, then runs until killed.
 */
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'

const caps = Number(process.env.STOCK_RELAY_CAPS ?? '4096')
const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
  transports: [webSockets()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  connectionManager: { maxConnections: caps, maxIncomingPendingConnections: 64 },
  services: { identify: identify(), ping: ping(), relay: circuitRelayServer({ reservations: { maxReservations: caps } }), pubsub: gossipsub() }
})
process.stdout.write(JSON.stringify({ wsAddr: node.getMultiaddrs().map(String).find(a => a.includes('/ws'))! }) + '\n')
process.on('SIGTERM', () => { void Promise.resolve(node.stop()).finally(() => process.exit(0)) })
