import type { DirectPaths } from './direct-paths.js'
import type { Libp2p, PeerId } from '@libp2p/interface'

/** How this node reaches a peer: over a direct connection of its own, or through a relay. */
export type ConnectionKind = 'direct' | 'relayed'

/**
 * 'direct' when an open direct connection to the peer (not through a circuit relay; a WebRTC connection
 * signalled over one is direct) has carried a round trip ({@link DirectPaths}); otherwise its messages go
 * through a relay.
 */
export function connectionKind (node: Libp2p<{ directPaths: DirectPaths }>, peerId: PeerId): ConnectionKind {
  return node.services.directPaths.isDirect(peerId) ? 'direct' : 'relayed'
}
