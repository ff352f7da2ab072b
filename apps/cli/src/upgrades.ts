import { multicodec as DCUTR_PROTOCOL } from '@libp2p/dcutr'
import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { PEER_DIAL_TIMEOUT_MS } from './constants.js'
import type { CliNode } from './node.js'
import type { RoomMember } from '@p2p-chat/shared'

const log = logger('p2p-chat:cli:upgrades')

/**
 * Lets DCUtR move room members off the relay. Room traffic between two terminal peers goes through the relay's
 * gossipsub; nothing connects the two. When this peer is reachable (AutoNAT says public), it opens a relayed
 * connection to each member it has no connection to (the member's circuit address, from its presence); the
 * member's DCUtR then dials this peer's public address and the relayed connection is closed. A private peer
 * waits for the public one to do this: js-libp2p's DCUtR only upgrades when the peer that receives the relayed
 * connection can dial the other directly (no hole punching between two NATed Node peers, see the lab test).
 */
export function upgradeRelayedMembers (node: CliNode, members: RoomMember[]): void {
  if (node.services.reachability.status.reachability !== 'public') {
    return
  }
  for (const member of members) {
    const peerId = peerIdFromString(member.peerId)
    if (node.getConnections(peerId).length > 0) {
      continue
    }
    void node.peerStore.get(peerId)
      .then(async peer => {
        // a peer known not to speak DCUtR (a browser, which upgrades with WebRTC itself) gains nothing
        if (peer.protocols.length > 0 && !peer.protocols.includes(DCUTR_PROTOCOL)) {
          return
        }
        log('dialling %p through the relay, for DCUtR', peerId)
        await node.dial(peerId, { signal: AbortSignal.timeout(PEER_DIAL_TIMEOUT_MS) })
      })
      .catch((err: Error) => { log('could not dial %p: %s', peerId, err.message) })
  }
}
