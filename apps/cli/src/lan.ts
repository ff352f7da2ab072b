import { logger } from '@libp2p/logger'
import { PEER_DIAL_TIMEOUT_MS } from './constants.js'
import type { CliNode } from './node.js'

const log = logger('p2p-chat:cli:lan')

/**
 * Dials every peer mDNS finds on the local network as soon as it is found: libp2p 3 only reports discovered
 * peers and stores their addresses (a connection comes, if at all, when the DHT's or AutoNAT's random walk
 * happens to pick them: ~11 s in the lab, against ~2 s this way). Once connected, gossipsub carries the room
 * between the two with no relay involved. Does nothing when mDNS is off.
 */
export function dialLanPeers (node: CliNode): void {
  node.services.mdns?.addEventListener('peer', evt => {
    const { id, multiaddrs } = evt.detail
    if (id.equals(node.peerId) || node.getConnections(id).length > 0) {
      return
    }
    log('found %p on the LAN at %s, dialling', id, multiaddrs.map(String).join(', '))
    node.peerStore.merge(id, { multiaddrs })
      .then(async () => node.dial(id, { signal: AbortSignal.timeout(PEER_DIAL_TIMEOUT_MS) }))
      .catch((err: Error) => { log('could not dial %p: %s', id, err.message) })
  })
}
