import { autoNAT } from '@libp2p/autonat'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import { identify, identifyPush } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { keychain } from '@libp2p/keychain'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webRTCDirect } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { historySync, isRoomTopic, KAD_DHT_PROTOCOL, NEGOTIATION_TIMEOUTS, roomGossipsubOptions } from '@p2p-chat/shared'
import { createLibp2p } from 'libp2p'
import {
  DEFAULT_CIRCUIT_DATA_BYTES, DEFAULT_CIRCUIT_DURATION_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PENDING_CONNECTIONS,
  DEFAULT_MAX_RESERVATIONS
} from './constants.js'
import type { RelayOptions } from './config.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p } from '@libp2p/interface'
import type { HistoryStore, InvalidMessageScores } from '@p2p-chat/shared'
import type { NodeStore } from '@p2p-chat/shared/node'

/** `getScore` is on gossipsub's router class but not its exported interface */
export type RelayNode = Libp2p<{ pubsub: GossipSub & { getScore: (peerId: string) => number } } & Record<string, unknown>>

/** The relay's libp2p node: every listener, circuit-relay hop, AutoNAT and DHT servers, gossipsub. */
export async function createRelayNode (options: RelayOptions, store: NodeStore, scores: InvalidMessageScores, history?: HistoryStore): Promise<RelayNode> {
  const { host } = options
  return createLibp2p({
    privateKey: store.privateKey,
    datastore: store.datastore,
    addresses: {
      listen: [
        `/ip4/${host}/tcp/${options.tcpPort}`,
        `/ip4/${host}/tcp/${options.wsPort}/ws`,
        `/ip4/${host}/udp/${options.webrtcDirectPort}/webrtc-direct`
      ]
    },
    transports: [tcp(), webSockets(), webRTCDirect()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      maxIncomingPendingConnections: DEFAULT_MAX_PENDING_CONNECTIONS,
      ...NEGOTIATION_TIMEOUTS
    },
    services: {
      // holds the WebRTC-direct certificate, so the relay's certhash (and so its multiaddr) survives restarts
      keychain: keychain(),
      identify: identify(),
      identifyPush: identifyPush(),
      ping: ping(),
      autoNAT: autoNAT(),
      relay: circuitRelayServer({
        reservations: {
          maxReservations: options.maxReservations ?? DEFAULT_MAX_RESERVATIONS,
          defaultDurationLimit: DEFAULT_CIRCUIT_DURATION_MS,
          defaultDataLimit: DEFAULT_CIRCUIT_DATA_BYTES
        }
      }),
      dht: kadDHT({
        protocol: KAD_DHT_PROTOCOL,
        clientMode: false,
        // relays and their peers may sit on private networks (a LAN, a lab, loopback in tests)
        peerInfoMapper: passthroughMapper
      }),
      pubsub: gossipsub(roomGossipsubOptions('relay', scores)),
      // the lines the relay keeps, for any peer catching up on a room (private rooms: ciphertext)
      history: historySync({ store: history, serves: topic => history != null && isRoomTopic(topic) })
    }
  }) as unknown as Promise<RelayNode>
}
