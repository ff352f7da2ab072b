import type { Connection, Libp2p, PeerId } from '@libp2p/interface'

/** How this browser reaches a peer: over its own connection, or through the relay. */
export type ConnectionKind = 'direct' | 'relayed'

/** A connection is direct unless it runs through a circuit relay (a WebRTC upgrade of one is direct). */
export function isDirect (connection: Connection): boolean {
  const names = connection.remoteAddr.getComponents().map(c => c.name)
  return connection.status === 'open' && (names.includes('webrtc') || !names.includes('p2p-circuit'))
}

/** 'direct' when any open connection to the peer is direct; otherwise its messages go through a relay. */
export function connectionKind (node: Libp2p, peerId: PeerId): ConnectionKind {
  return node.getConnections(peerId).some(isDirect) ? 'direct' : 'relayed'
}
