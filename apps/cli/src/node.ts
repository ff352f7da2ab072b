import { quic } from '@chainsafe/libp2p-quic'
import { autoNAT } from '@libp2p/autonat'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { logger } from '@libp2p/logger'
import { mdns } from '@libp2p/mdns'
import { noise } from '@libp2p/noise'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { chatIdentitiesOnly, chatPeerServices, isRoomTopic, KAD_DHT_PROTOCOL, PEER_CONNECTION_MANAGER, webrtcPairGater } from '@p2p-chat/shared'
import { createLibp2p } from 'libp2p'
import { DEFAULT_LISTEN_ADDRS, DEFAULT_RELAY_SERVER_RESERVATIONS, MDNS_QUERY_INTERVAL_MS } from './constants.js'
import { dialLanPeers } from './lan.js'
import { reachability } from './reachability/index.js'
import type { ReachabilityChecker } from './reachability/index.js'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Identify } from '@libp2p/identify'
import type { Libp2p, PeerDiscovery } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Ping } from '@libp2p/ping'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { DirectMessages, DirectPaths, HistorySync, HistoryStore, IceServer } from '@p2p-chat/shared'
import type { NodeStore } from '@p2p-chat/shared/node'

const log = logger('p2p-chat:cli:node')

export interface CliServices {
  identify: Identify
  pubsub: GossipSub
  ping: Ping
  dm: DirectMessages
  history: HistorySync
  dht: KadDHT
  directPaths: DirectPaths
  reachability: ReachabilityChecker
  /** present unless mDNS is off */
  mdns?: PeerDiscovery
  /** present with --relay-server */
  relay?: CircuitRelayService
}

export type CliNode = Libp2p<CliServices & Record<string, unknown>>

export interface CliNodeOptions {
  /** where to listen (a `/p2p-circuit` listener is always added) @default DEFAULT_LISTEN_ADDRS */
  listen?: Array<string | Multiaddr>
  /** public addresses to announce besides the ones found @default [] */
  announce?: Array<string | Multiaddr>
  /** discover peers on the LAN with mDNS and dial them @default true */
  mdns?: boolean
  /** serve circuit relay v2 hop, so others can reserve a slot here @default false */
  relayServer?: boolean
  /** where the rooms' lines are kept: served to members catching up @default nothing kept or served */
  history?: HistoryStore
  /**
   * STUN/TURN servers for WebRTC (the relay's `/api/relay` names its own STUN server); may still be loading when
   * the node starts @default none: host candidates only
   */
  iceServers?: Promise<IceServer[]>
  /** WebRTC's ICE beyond its servers @default every interface, every candidate type */
  webrtc?: CliWebRTCOptions
}

export interface CliWebRTCOptions {
  /** the only local address ICE gathers candidates on (node-datachannel's `bindAddress`; tests keep it on loopback) */
  bindAddress?: string
  /** `relay`: only TURN candidates, so peers never learn this host's addresses @default 'all' */
  iceTransportPolicy?: 'all' | 'relay'
}

/**
 * The terminal peer's libp2p node. Transports: TCP, QUIC and WebSockets, plus circuit relay (it reserves a
 * slot on its relays so others can reach it) and WebRTC, signalled over a relayed connection as browsers do
 * (ICE with the relay's STUN server): that is how two terminal peers behind two NATs, or a terminal peer and a
 * browser, get a direct connection. Services: the chat services every peer runs (gossipsub rooms,
 * direct messages, identify, ping), AutoNAT (served to others; `reachability` asks servers for a verdict),
 * DCUtR (relayed connections upgrade to direct ones), the P2P Chat DHT as `dht` (a server once one of its
 * addresses is verified public by `reachability`, a client otherwise), mDNS (peers found on the LAN are dialled) and, with
 * `relayServer`, a circuit relay for others. Started when returned.
 */
export async function createCliNode (store: NodeStore, options: CliNodeOptions = {}): Promise<CliNode> {
  const listen = (options.listen ?? DEFAULT_LISTEN_ADDRS).map(String)
  const rtcConfiguration = async () => ({ ...options.webrtc, iceServers: await options.iceServers ?? [] })
  const node: CliNode = await createLibp2p({
    start: false,
    privateKey: store.privateKey,
    datastore: store.datastore,
    addresses: {
      // '/webrtc': accept WebRTC upgrades signalled over relayed connections
      listen: [...listen, '/p2p-circuit', '/webrtc'],
      appendAnnounce: (options.announce ?? []).map(String)
    },
    transports: [tcp(), quic(), webSockets(), webRTC({ rtcConfiguration }), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // a terminal peer is run on purpose, often on a LAN or beside its own relay: private addresses are fine;
    // only the pair's WebRTC dialler dials WebRTC, whoever asks for the dial (see webrtcPairGater); a peer whose
    // identity is not Ed25519 (a third party's, on the LAN) is refused, as the relay refuses it (PROTOCOL.md)
    connectionGater: webrtcPairGater(peerIdFromPrivateKey(store.privateKey), chatIdentitiesOnly({ denyDialMultiaddr: () => false }, peer => {
      log('refused %p: its identity is a %s key, not Ed25519', peer, peer.type)
    })),
    connectionManager: PEER_CONNECTION_MANAGER,
    services: {
      ...chatPeerServices({ history: { store: options.history, serves: isRoomTopic } }),
      autoNAT: autoNAT(),
      // the server's view of us comes from identify's exchange (which keeps no observed TCP address itself)
      reachability: reachability(),
      dcutr: dcutr(),
      // a client until AutoNAT verifies a public address (below): kad-dht's own switch (no clientMode) takes
      // any public IP that is not an exact circuit address for one, so this peer's `/p2p-circuit/webrtc`
      // address through a public relay made a NATed peer a DHT server nobody can dial
      dht: kadDHT({ protocol: KAD_DHT_PROTOCOL, peerInfoMapper: passthroughMapper, clientMode: true }),
      ...(options.mdns === false ? {} : { mdns: mdns({ interval: MDNS_QUERY_INTERVAL_MS }) }),
      ...(options.relayServer === true
        ? { relay: circuitRelayServer({ reservations: { maxReservations: DEFAULT_RELAY_SERVER_RESERVATIONS } }) }
        : {})
    }
  }) as unknown as CliNode
  dialLanPeers(node)
  node.services.reachability.addEventListener('change', evt => {
    node.services.dht.setMode(evt.detail.reachability === 'public' ? 'server' : 'client')
      .catch((err: Error) => { log('could not switch the DHT mode: %s', err.message) })
  })
  await node.start()
  return node
}
