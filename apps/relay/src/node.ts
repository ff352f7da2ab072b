import { isIPv6 } from 'node:net'
import { quic } from '@chainsafe/libp2p-quic'
import { autoNAT } from '@libp2p/autonat'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import { identify, identifyPush } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { keychain } from '@libp2p/keychain'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { tcp } from '@libp2p/tcp'
import { webRTCDirect } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { historySync, KAD_DHT_PROTOCOL, NEGOTIATION_TIMEOUTS, PING_MAX_STREAMS, roomGossipsubOptions } from '@p2p-chat/shared'
import { createLibp2p } from 'libp2p'
import { addressCache } from './address-cache.js'
import { quietLogger } from './libp2p-logger.js'
import { peerStoreCache } from './peer-store-cache.js'
import type { RelayOptions } from './config.js'
import type { RelayLimits } from './limits.js'
import type { RelayLogger } from './log.js'
import type { RelayMetrics } from './metrics.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p } from '@libp2p/interface'
import type { HistoryStore, InvalidMessageScores, RoomLinks } from '@p2p-chat/shared'
import type { NodeStore } from '@p2p-chat/shared/node'
import type { Libp2pOptions } from 'libp2p'

/** `getScore` is on gossipsub's router class but not its exported interface */
export type RelayNode = Libp2p<{ pubsub: GossipSub & { getScore: (peerId: string) => number } } & Record<string, unknown>>

/** What the node reports to, and what it was handed beyond its options. */
export interface NodeOps {
  /** the relay's operational log (refusals go here) */
  logger: RelayLogger
  /** the relay's metrics: libp2p's are registered in `metrics.registry` */
  metrics: RelayMetrics
  /** PEM certificate and key (read from --tls-cert/--tls-key): the WebSocket listener serves wss */
  tls?: { cert: string, key: string }
  /** the relay's limits: connection gater, connection manager caps, reservation caps, DHT bounds */
  limits: RelayLimits
  /** where libp2p keeps its data: the relay's LevelDB, the peer store in memory (see peer-store.ts) */
  datastore: NonNullable<Libp2pOptions['datastore']>
  /** whether history sync answers for a topic (else NOT_SERVED) */
  servesHistory: (topic: string) => boolean | Promise<boolean>
}

/**
 * What `--host` binds: its own family, or, for `::`, every address of both (IPv4 as 0.0.0.0). IPv6 comes first:
 * WebRTC-direct's UDP mux serves both families from the socket the first listener opened, which is dual-stack
 * only when opened on `::`.
 */
function listenHosts (host: string): Array<{ family: 'ip4' | 'ip6', host: string }> {
  if (host === '::') {
    return [{ family: 'ip6', host: '::' }, { family: 'ip4', host: '0.0.0.0' }]
  }
  return [{ family: isIPv6(host) ? 'ip6' : 'ip4', host }]
}

/** What the relay's gossipsub consults: invalid messages' scores, and whom each room's members are directly connected to. */
export interface RoomState {
  scores: InvalidMessageScores
  links: RoomLinks
}

/** The relay's libp2p node: every listener (TCP, QUIC, WebSocket, WebRTC-direct), circuit-relay hop, AutoNAT and DHT servers, gossipsub. */
export async function createRelayNode (options: RelayOptions, store: NodeStore, rooms: RoomState, history: HistoryStore | undefined, ops: NodeOps): Promise<RelayNode> {
  return createLibp2p({
    // started by the relay's start(), once it listens for the transports' addresses
    start: false,
    privateKey: store.privateKey,
    datastore: ops.datastore,
    // no logger per connection and stream unless DEBUG asks for its output
    logger: quietLogger(),
    metrics: prometheusMetrics({ registry: ops.metrics.registry, statfsLocation: options.dataDir }),
    addresses: {
      // behind NAT or a reverse proxy: what peers are told instead of the listen addresses
      announce: options.announce?.map(String),
      listen: listenHosts(options.host).flatMap(({ family, host }) => [
        `/${family}/${host}/tcp/${options.tcpPort}`,
        `/${family}/${host}/tcp/${options.wsPort}/${ops.tls == null ? 'ws' : 'tls/ws'}`,
        `/${family}/${host}/udp/${options.webrtcDirectPort}/webrtc-direct`,
        `/${family}/${host}/udp/${options.quicPort}/quic-v1`
      ])
    },
    transports: [
      tcp(),
      quic(),
      webSockets(ops.tls == null ? {} : { https: ops.tls }),
      // no STUN server: the relay is the public end of WebRTC-direct. @libp2p/webrtc's default is four public
      // ones (Google, Twilio, Cloudflare, Mozilla): every browser's connection made the relay look them up and
      // ask them, and closing a connection waited for those DNS lookups (seconds, with no resolver reachable)
      webRTCDirect({ rtcConfiguration: { iceServers: [] } })
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // per-address caps, the inbound rate and the total caps, each refusal counted (limits-connections.ts)
    connectionGater: ops.limits.connections.gater,
    connectionManager: {
      ...ops.limits.connectionManager,
      ...NEGOTIATION_TIMEOUTS
    },
    // libp2p's connection monitor pings every connection at once every 10 s: at thousands of peers a burst of
    // streams that delayed everything else by seconds, and whose ping timeouts then cut healthy connections.
    // Peers ping the relay themselves (browsers and stock js-libp2p every 10 s), yamux's keep-alive writes on
    // every connection every 30 s, and a connection whose peer vanished fails with its next write.
    connectionMonitor: { enabled: false },
    services: {
      // holds the WebRTC-direct certificate, so the relay's certhash (and so its multiaddr) survives restarts
      keychain: keychain(),
      // its own address list, computed once a second or when it changes, not for each client (address-cache.ts)
      addressCache: addressCache(),
      // its own record for identify, and merges of protocols a client's record has, without the store's locks
      // and encodings (peer-store-cache.ts)
      peerStoreCache: peerStoreCache(),
      identify: identify(),
      identifyPush: identifyPush(),
      // browsers' connection monitors and their room pingers ping through the same connection
      ping: ping({ maxInboundStreams: PING_MAX_STREAMS, maxOutboundStreams: PING_MAX_STREAMS }),
      autoNAT: autoNAT(),
      relay: circuitRelayServer({
        // total and per-address caps, circuit duration and data limits
        reservations: ops.limits.relayReservations
      }),
      dht: kadDHT({
        protocol: KAD_DHT_PROTOCOL,
        clientMode: false,
        // relays and their peers may sit on private networks (a LAN, a lab, loopback in tests)
        peerInfoMapper: passthroughMapper,
        // no value records; provider records expire after --dht-provider-ttl
        ...ops.limits.dht.dhtInit
      }),
      pubsub: gossipsub({
        ...roomGossipsubOptions('relay', rooms.scores, rooms.links),
        // no gossipsub stream of the relay's own to a peer until it joins a room: most connected browsers are in
        // none (patches/@libp2p__gossipsub@17.1.1.patch)
        lazyOutboundStreams: true,
        // a room's members alone are told the relay follows it: announcing each room it follows to every peer with
        // a stream was O(peers) messages per room (most of a busy relay's admission CPU) and told every browser
        // which rooms the relay follows
        scopedSubscriptions: true
      }),
      // the lines the relay keeps, for any peer catching up on a room (private rooms: ciphertext)
      history: historySync({ store: history, serves: ops.servesHistory })
    }
  }) as unknown as Promise<RelayNode>
}
