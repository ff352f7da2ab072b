import type { Libp2p, PeerId } from '@libp2p/interface'

/** How this browser reaches a peer: over its own connection, or through the relay. */
export type ConnectionKind = 'direct' | 'relayed'

/**
 * 'direct' when an open connection to the peer is direct (libp2p's `Connection.direct`: not through a circuit
 * relay; a WebRTC connection signalled over one is direct); otherwise its messages go through a relay.
 */
export function connectionKind (node: Libp2p, peerId: PeerId): ConnectionKind {
  return node.getConnections(peerId).some(c => c.status === 'open' && c.direct) ? 'direct' : 'relayed'
}
