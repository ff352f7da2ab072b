import { gossipsub } from '@libp2p/gossipsub'
import { identify, identifyPush } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { PROTOCOL_NEGOTIATION_TIMEOUT_MS } from '../constants.js'
import { callSignals } from '../call/index.js'
import { directMessages } from '../dm/index.js'
import { fileTransfer } from '../file/index.js'
import { historySync } from '../history/index.js'
import { roomGossipsubOptions } from '../pubsub.js'
import { directPaths } from './direct-paths.js'
import type { FileTransferInit } from '../file/index.js'
import type { HistorySyncInit } from '../history/index.js'
import type { GossipsubOpts } from '@libp2p/gossipsub'

export interface ChatPeerServicesInit {
  /** overrides of P2P Chat's gossipsub settings (benchmarks compare with gossipsub's defaults) */
  pubsub?: Partial<GossipsubOpts>
  /** the store history is served from and which rooms are served (the rooms this peer is in) */
  history?: HistorySyncInit
  /** file transfer: the largest file, timeouts, the window */
  files?: FileTransferInit
}

/**
 * The libp2p services every chat peer (browser or terminal) runs: identify (+ push), ping, gossipsub rooms
 * as `pubsub`, direct messages as `dm`, history sync as `history`, files as `files` (it serves only what this
 * peer offers), call signalling as `calls`, and `directPaths`, which proves each direct connection with a round trip before the peer counts
 * as directly connected.
 */
export function chatPeerServices (init: ChatPeerServicesInit = {}) {
  return {
    identify: identify(),
    identifyPush: identifyPush(),
    ping: ping(),
    pubsub: gossipsub({ ...roomGossipsubOptions(), ...init.pubsub }),
    dm: directMessages(),
    history: historySync(init.history),
    files: fileTransfer(init.files),
    calls: callSignals(),
    directPaths: directPaths()
  }
}

/** Connection-manager settings every P2P Chat node uses: stream negotiation times out after 2 s, not 10. */
export const NEGOTIATION_TIMEOUTS = {
  outboundStreamProtocolNegotiationTimeout: PROTOCOL_NEGOTIATION_TIMEOUT_MS,
  inboundStreamProtocolNegotiationTimeout: PROTOCOL_NEGOTIATION_TIMEOUT_MS
}
