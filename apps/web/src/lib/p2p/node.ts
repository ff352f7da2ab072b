import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { kadDHT, passthroughMapper, removePrivateAddressesMapper } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { webRTC, webRTCDirect } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { webTransport } from '@libp2p/webtransport'
import { yamux } from '@libp2p/yamux'
import { chatPeerServices, KAD_DHT_PROTOCOL, NEGOTIATION_TIMEOUTS } from '@p2p-chat/shared'
import { createLibp2p } from 'libp2p'
import { createConnectionGater, isPrivateHost } from './gater.js'
import type { GossipSub, GossipsubOpts } from '@libp2p/gossipsub'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Ping } from '@libp2p/ping'
import type { CallSignals, DirectMessages, DirectPaths, FileTransfer, HistorySync, HistorySyncInit, IceServer } from '@p2p-chat/shared'

export interface BrowserNodeOptions {
  /** STUN/TURN servers for each new WebRTC connection (none: host candidates only, a LAN or tests) */
  iceServers: () => Promise<IceServer[]>
  /** origin the page was served from: a private host may dial private addresses */
  origin: string
  /** this browser's libp2p key (kept in IndexedDB): the peer id stays across reloads @default a new key */
  privateKey?: PrivateKey
  /** gossipsub settings over P2P Chat's own (benchmarks compare against gossipsub's defaults with it) */
  pubsub?: Partial<GossipsubOpts>
  /** where history is served from, and which rooms (those this browser is in) @default serves nothing */
  history?: HistorySyncInit
}

export type BrowserNode = Libp2p<{ pubsub: GossipSub, ping: Ping, dht: KadDHT, dm: DirectMessages, history: HistorySync, files: FileTransfer, calls: CallSignals, directPaths: DirectPaths } & Record<string, unknown>>

/**
 * The browser's libp2p node: reaches relays over WebSockets, WebTransport or WebRTC-direct, takes a
 * circuit-relay reservation so other browsers can reach it, and upgrades relayed connections to WebRTC.
 */
export async function createBrowserNode (options: BrowserNodeOptions): Promise<BrowserNode> {
  const rtcConfiguration = async (): Promise<RTCConfiguration> => ({
    iceServers: await options.iceServers()
  })
  const { hostname } = new URL(options.origin)
  return createLibp2p({
    privateKey: options.privateKey,
    addresses: {
      // '/p2p-circuit': a reservation on every relay identify finds; '/webrtc': accept direct upgrades
      listen: ['/p2p-circuit', '/webrtc']
    },
    transports: [
      webSockets(),
      webTransport(),
      webRTCDirect({ rtcConfiguration }),
      webRTC({ rtcConfiguration }),
      circuitRelayTransport()
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: createConnectionGater(hostname),
    connectionManager: NEGOTIATION_TIMEOUTS,
    services: {
      ...chatPeerServices({ pubsub: options.pubsub, history: options.history }),
      dht: kadDHT({
        protocol: KAD_DHT_PROTOCOL,
        clientMode: true,
        peerInfoMapper: isPrivateHost(hostname) ? passthroughMapper : removePrivateAddressesMapper
      })
    }
  }) as unknown as Promise<BrowserNode>
}
