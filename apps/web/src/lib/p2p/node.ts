import { generateKeyPair } from '@libp2p/crypto/keys'
import { noise } from '@libp2p/noise'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { CONNECTION_PING_INTERVAL_MS, isWebRTCConnection, PEER_CONNECTION_MANAGER, roomServices, webrtcPairGater } from '@p2p-chat/shared'
import { createLibp2p } from 'libp2p'
import { createConnectionGater, isPrivateHost } from './gater.js'
import { lateDHT } from './late-dht.js'
import { lateHistorySync } from './late-history.js'
import { LateModule } from './late-module.js'
import { latePing } from './late-ping.js'
import { LateService } from './late-service.js'
import { lateTransports } from './late-transports.js'
import { pageNoiseCrypto } from './noise-crypto.js'
import type { LateDHT } from './late-dht.js'
import type { LateHistorySync } from './late-history.js'
import type { LateTransports } from './late-transports.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import type { CallSignals, CallSignalsComponents, DirectMessages, DirectMessagesComponents, DirectPaths, FileTransfer, FileTransferComponents, HistoryStore, HistorySyncInit, IceServer } from '@p2p-chat/shared'

export interface BrowserNodeOptions {
  /** STUN/TURN servers for each new WebRTC connection (none: host candidates only, a LAN or tests) */
  iceServers: () => Promise<IceServer[]>
  /** origin the page was served from: a private host may dial private addresses */
  origin: string
  /** this browser's libp2p key (kept in IndexedDB): the peer id stays across reloads @default a new key */
  privateKey?: PrivateKey
  /** where history is served from (it may still be opening), and which rooms (those this browser is in) @default serves nothing */
  history?: Omit<HistorySyncInit, 'store'> & { store?: HistoryStore | Promise<HistoryStore> }
}

export type BrowserNode = Libp2p<{
  pubsub: GossipSub
  ping: Ping
  dht: LateDHT
  transports: LateTransports
  dm: LateService<typeof import('./extras.js'), DirectMessages>
  files: LateService<typeof import('./extras.js'), FileTransfer>
  calls: LateService<typeof import('./extras.js'), CallSignals>
  history: LateHistorySync
  directPaths: DirectPaths
} & Record<string, unknown>>

/** The browser's node and how to load the parts of it that come later. */
export interface BrowserNodeParts {
  node: BrowserNode
  /**
   * Loads what a room does not need to be shown and chatted in (ping; Kademlia; direct messages; file transfer; call
   * signalling; circuit
   * relay, WebRTC, WebRTC-direct; history sync, unless a catch-up loaded it already): the page calls
   * it once its room is on screen. Until then the node reaches its relay over WebSockets only, is not reachable through the
   * relay, makes no direct connection and takes no direct message.
   */
  loadExtras: () => Promise<void>
}

/**
 * The browser's libp2p node: reaches relays over WebSockets (WebRTC-direct once the extras are in;
 * no WebTransport: no relay of ours can listen on it), takes a circuit-relay reservation so other browsers can reach it, and upgrades relayed connections to
 * WebRTC. The page's first script carries only what a room needs; the rest is a chunk of its own (`extras.ts`).
 */
export async function createBrowserNode (options: BrowserNodeOptions): Promise<BrowserNodeParts> {
  const rtcConfiguration = async (): Promise<RTCConfiguration> => ({
    iceServers: await options.iceServers()
  })
  const { hostname, protocol } = new URL(options.origin)
  const extras = new LateModule(async () => import('./extras.js'))
  const history = new LateModule(async () => import('./history-sync.js'))
  const privateKey = options.privateKey ?? await generateKeyPair('Ed25519')
  const node = await createLibp2p({
    privateKey,
    // nothing to listen on until the late transports are in: they listen on /p2p-circuit and /webrtc
    addresses: { listen: [] },
    transports: [webSockets()],
    connectionEncrypters: [noise({ crypto: pageNoiseCrypto })],
    streamMuxers: [yamux()],
    // only the pair's WebRTC dialler dials WebRTC, whoever asks for the dial (see webrtcPairGater)
    connectionGater: webrtcPairGater(peerIdFromPrivateKey(privateKey), createConnectionGater(hostname, protocol)),
    connectionManager: PEER_CONNECTION_MANAGER,
    // a failed ping aborts a WebSocket to a relay, not a WebRTC connection: its transport finds a dead path itself
    // (ICE consent), and a ping waits for the far page's busy thread (patched libp2p; bench/RESULTS.md, "stop 39")
    connectionMonitor: { pingInterval: CONNECTION_PING_INTERVAL_MS, abortConnectionOnPingFailure: connection => !isWebRTCConnection(connection) },
    services: {
      ...roomServices(),
      ping: latePing(extras),
      history: lateHistorySync({ ...options.history, module: history }),
      dm: (components: DirectMessagesComponents) => new LateService(extras, module => module.createDirectMessages(components)),
      files: (components: FileTransferComponents) => new LateService(extras, module => module.createFileTransfer(components)),
      calls: (components: CallSignalsComponents) => new LateService(extras, module => module.createCallSignals(components)),
      dht: lateDHT({ extras, privateHost: isPrivateHost(hostname) }),
      transports: lateTransports({ extras, rtcConfiguration })
    }
  }) as unknown as BrowserNode
  return { node, loadExtras: async () => { await Promise.all([extras.load(), history.load()]) } }
}
