import { gossipsub } from '@libp2p/gossipsub'
import { identify, identifyPush } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { PROTOCOL_NEGOTIATION_TIMEOUT_MS } from '../constants.js'
import { directMessages } from '../dm/index.js'
import { roomGossipsubOptions } from '../pubsub.js'
import type { GossipsubOpts } from '@libp2p/gossipsub'

/**
 * The libp2p services every chat peer (browser or terminal) runs: identify (+ push), ping, gossipsub rooms
 * as `pubsub` and direct messages as `dm`. `pubsub` overrides P2P Chat's gossipsub settings (benchmarks use it).
 */
export function chatPeerServices (pubsub: Partial<GossipsubOpts> = {}) {
  return {
    identify: identify(),
    identifyPush: identifyPush(),
    ping: ping(),
    pubsub: gossipsub({ ...roomGossipsubOptions(), ...pubsub }),
    dm: directMessages()
  }
}

/** Connection-manager settings every P2P Chat node uses: stream negotiation times out after 2 s, not 10. */
export const NEGOTIATION_TIMEOUTS = {
  outboundStreamProtocolNegotiationTimeout: PROTOCOL_NEGOTIATION_TIMEOUT_MS,
  inboundStreamProtocolNegotiationTimeout: PROTOCOL_NEGOTIATION_TIMEOUT_MS
}
