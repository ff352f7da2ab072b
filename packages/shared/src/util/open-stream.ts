import { openConnections } from './connections.js'
import type { Connection, NewStreamOptions, PeerId, Stream } from '@libp2p/interface'
import type { ConnectionManager, OpenConnectionOptions } from '@libp2p/interface-internal'

/**
 * Opens a stream of `protocol` to a peer on a connection this node already has, direct ones first, then relayed
 * (limited) ones, and dials only when there is none.
 *
 * libp2p's `openStream` dials whenever every connection to the peer is limited, as a relayed one is: while a
 * room is upgrading the pair to WebRTC, that second dial races the upgrade to the same `/webrtc` address, and
 * libp2p aborts one of the two as a duplicate, with the stream on it. Here the connections are tried in
 * {@link preferredConnections}' order, and a stream that cannot be opened on one (a direct one still being set up,
 * or closing) is opened on the next, so a message goes through the relay rather than failing while a direct path
 * comes and goes.
 */
export async function openStream (connectionManager: ConnectionManager, peer: PeerId, protocol: string, options: OpenConnectionOptions & NewStreamOptions = {}): Promise<Stream> {
  const connections = preferredConnections(connectionManager, peer)
  if (connections.length === 0) {
    return connectionManager.openStream(peer, protocol, { ...options, runOnLimitedConnection: true })
  }
  let failure: unknown
  for (const connection of connections) {
    options.signal?.throwIfAborted()
    try {
      return await connection.newStream(protocol, { ...options, runOnLimitedConnection: true })
    } catch (err) {
      failure = err
    }
  }
  throw failure
}

/**
 * A peer's open connections in the order a stream should try them: direct before relayed, and of each kind the
 * newest first. Of two direct connections to one peer, the older may be the leftover of a dial its dialler gave up
 * on, which this end has not heard closing yet (`DirectPaths` closes it once the newer one has carried data): a
 * stream opened on it is lost with it (a file fetch broke off).
 */
export function preferredConnections (connectionManager: ConnectionManager, peer: PeerId): Connection[] {
  return openConnections(connectionManager, peer)
    .sort((a, b) => rank(a) - rank(b) || b.timeline.open - a.timeline.open)
}

/** direct before relayed (lower first) */
function rank (connection: Connection): number {
  return connection.direct ? 0 : 1
}
