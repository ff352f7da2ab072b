import { gossipsub } from '@libp2p/gossipsub'
import { identify, identifyPush } from '@libp2p/identify'
import { callSignals } from '../call/index.js'
import { PEER_INBOUND_CONNECTIONS_PER_IP, PROTOCOL_NEGOTIATION_TIMEOUT_MS } from '../constants.js'
import { directMessages } from '../dm/index.js'
import { fileTransfer } from '../file/index.js'
import { historySync } from '../history/index.js'
import { roomGossipsubOptions } from '../pubsub.js'
import { directPaths } from './direct-paths.js'
import { pingService } from './ping.js'
import { RoomLinks } from './room-links.js'
import type { FileTransferInit } from '../file/index.js'
import type { HistorySyncInit } from '../history/index.js'
import type { DirectPathsInit } from './direct-paths.js'
import type { GossipsubOpts } from '@libp2p/gossipsub'

export interface RoomServicesInit {
  /** overrides of P2P Chat's gossipsub settings (benchmarks compare with gossipsub's defaults) */
  pubsub?: Partial<GossipsubOpts>
  /** how direct connections are proven (the check timeout) */
  directPaths?: DirectPathsInit
}

export interface ChatPeerServicesInit extends RoomServicesInit {
  /** the store history is served from and which rooms are served (the rooms this peer is in) */
  history?: HistorySyncInit
  /** file transfer: the largest file, timeouts, the window */
  files?: FileTransferInit
}

/**
 * The libp2p services a chat peer needs to be in rooms: identify (+ push), gossipsub rooms as `pubsub`,
 * `directPaths`, which proves each direct connection with a round trip before the peer counts as directly
 * connected, and `roomLinks`, whom the rooms' members say they are directly connected to (gossipsub only tells a
 * peer of a line whose author it is directly connected to, see {@link RoomLinks}). A room also needs `ping`
 * ({@link pingService}): the terminal peer runs it from the start ({@link chatPeerServices}), the browser once its
 * room is on screen, with direct messages, history sync and files (its first script does not carry them).
 */
export function roomServices (init: RoomServicesInit = {}) {
  const links = new RoomLinks()
  return {
    identify: identify(),
    identifyPush: identifyPush(),
    pubsub: gossipsub({ ...roomGossipsubOptions('peer', undefined, links), ...init.pubsub }),
    directPaths: directPaths(init.directPaths),
    roomLinks: () => links
  }
}

/**
 * The libp2p services every chat peer (browser or terminal) runs: {@link roomServices}, `ping`, direct messages
 * as `dm`, history sync as `history`, files as `files` (it serves only what this peer offers) and call
 * signalling as `calls`.
 */
export function chatPeerServices (init: ChatPeerServicesInit = {}) {
  return {
    ...roomServices(init),
    ping: pingService(),
    dm: directMessages(),
    history: historySync(init.history),
    files: fileTransfer(init.files),
    calls: callSignals()
  }
}

/** Connection-manager settings every P2P Chat node uses: stream negotiation times out after 2 s, not 10. */
export const NEGOTIATION_TIMEOUTS = {
  outboundStreamProtocolNegotiationTimeout: PROTOCOL_NEGOTIATION_TIMEOUT_MS,
  inboundStreamProtocolNegotiationTimeout: PROTOCOL_NEGOTIATION_TIMEOUT_MS
}

/**
 * Connection-manager settings of a chat peer (a page, a terminal peer): {@link NEGOTIATION_TIMEOUTS}, and room for
 * the members' relayed connections, which all come from the relay's address ({@link PEER_INBOUND_CONNECTIONS_PER_IP}).
 */
export const PEER_CONNECTION_MANAGER = {
  ...NEGOTIATION_TIMEOUTS,
  inboundConnectionThreshold: PEER_INBOUND_CONNECTIONS_PER_IP
}
