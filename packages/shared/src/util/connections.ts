import type { Connection, PeerId } from '@libp2p/interface'

/** What lists a peer's connections: a libp2p node or its connection manager. */
export interface ConnectionSource {
  getConnections(peer?: PeerId): Connection[]
}

/** The peer's connections that are open (not still opening, closing or closed). */
export function openConnections (source: ConnectionSource, peer: PeerId): Connection[] {
  return source.getConnections(peer).filter(connection => connection.status === 'open')
}

/**
 * Whether an open connection without a relay's limits reaches the peer. libp2p's `dial`, `openConnection` and the
 * ping service reuse only such a connection: with only a relayed (limited) one they dial the peer's stored
 * addresses again — for the pair's WebRTC dialler, a new WebRTC connection.
 */
export function hasUnlimitedConnection (source: ConnectionSource, peer: PeerId): boolean {
  return openConnections(source, peer).some(connection => connection.limits == null)
}

/** Closes a connection gracefully (its streams end first), and aborts it if that fails. */
export function closeOrAbort (connection: Connection): void {
  connection.close().catch((err: Error) => { connection.abort(err) })
}
