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

/**
 * Whether a connection is WebRTC's: browser to browser (`/webrtc`) or to a relay's WebRTC-direct listener. Such a
 * connection's transport watches the path itself: the browser's network thread sends ICE consent checks every few
 * seconds and fails the connection when the far end stops answering them (RFC 7675), however busy the page's own
 * thread is.
 */
export function isWebRTCConnection (connection: Connection): boolean {
  return connection.remoteAddr.getComponents().some(({ name }) => name === 'webrtc' || name === 'webrtc-direct')
}
