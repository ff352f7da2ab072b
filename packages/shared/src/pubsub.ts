import { TopicValidatorResult } from '@libp2p/gossipsub'
import { decodeRoomMessage } from './codec.js'
import { MAX_ROOM_MESSAGE_BYTES } from './constants.js'
import type { GossipsubOpts, Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'

/**
 * Gossipsub settings every P2P Chat peer (browser, relay, CLI) runs with.
 *
 * - StrictSign: every room message is signed by its author's libp2p key.
 * - Runs on limited (relayed) connections, so a room works before peers are directly connected.
 * - Publishing to a room nobody else is in yet is not an error.
 * - No IP-colocation penalty: everyone behind one NAT (or on one loopback) shares an address, and the penalty
 *   made the relay drop newcomers from a room's mesh after ten joins. Per-address connection limits are
 *   the relay's tool against address floods instead.
 */
export function roomGossipsubOptions (): Partial<GossipsubOpts> {
  return {
    globalSignaturePolicy: 'StrictSign',
    allowPublishToZeroTopicPeers: true,
    runOnLimitedConnection: true,
    emitSelf: false,
    floodPublish: true,
    maxInboundDataLength: MAX_ROOM_MESSAGE_BYTES,
    scoreParams: {
      IPColocationFactorWeight: 0
    }
  }
}

/**
 * A gossipsub topic validator for room topics: rejects (and so penalises the forwarding peer for) anything
 * that is unsigned, does not decode, or breaks the schema's limits.
 */
export function roomMessageValidator (onReject?: (peer: PeerId, reason: Error) => void) {
  return (peer: PeerId, message: Message): TopicValidatorResult => {
    if (message.type !== 'signed') {
      onReject?.(peer, new Error('unsigned room message'))
      return TopicValidatorResult.Reject
    }
    try {
      decodeRoomMessage(message.data)
      return TopicValidatorResult.Accept
    } catch (err) {
      onReject?.(peer, err as Error)
      return TopicValidatorResult.Reject
    }
  }
}
