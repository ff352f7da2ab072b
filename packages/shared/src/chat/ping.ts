import { ping } from '@libp2p/ping'
import { PING_MAX_STREAMS } from '../constants.js'

/**
 * libp2p's ping (`/ipfs/ping/1.0.0`): a room's round-trip times where a connection has none measured yet. A module
 * of its own, so that the web app's late chunk carries it and its first script does not.
 */
export function pingService () {
  return ping({ maxInboundStreams: PING_MAX_STREAMS, maxOutboundStreams: PING_MAX_STREAMS })
}
