import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { CALL_PROTOCOL } from '../call/constants.js'
import { DM_PROTOCOL, UPGRADE_CONCURRENCY } from '../constants.js'
import { FILE_PROTOCOL } from '../file/constants.js'
import { HISTORY_SYNC_PROTOCOL } from '../history/sync/constants.js'
import { backoffDelay } from '../util/backoff.js'
import { closeOrAbort, hasUnlimitedConnection, openConnections } from '../util/connections.js'
import { addressOf, isWebRTCAddr } from '../util/multiaddrs.js'
import { connectionKind } from './direct-paths.js'
import type { MemberRecord } from './members.js'
import type { RoomNode } from './peer-pinger.js'
import type { ConnectionGater, PeerId, PeerInfo } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = logger('p2p-chat:room:upgrader')

/** What keeps a WebRTC connection to a member that is not a neighbour open: a stream of one of these on it. */
const ASIDE_FROM_THE_ROOM = new Set([DM_PROTOCOL, FILE_PROTOCOL, CALL_PROTOCOL, HISTORY_SYNC_PROTOCOL])

/**
 * Of two peers, the one with the smaller peer id is the pair's WebRTC dialler: whether `self` may dial `peer`'s
 * `/p2p-circuit/webrtc` addresses.
 */
export function dialsWebRTC (self: PeerId | string, peer: PeerId | string): boolean {
  return self.toString() < peer.toString()
}

/**
 * The pair's rule as a connection gater, around `gater`: a dial of a `/p2p-circuit/webrtc` address of a peer whose
 * id is smaller than `self`'s is refused, whatever asked for it. The upgrader keeps the rule itself, but libp2p
 * dials a peer's stored addresses for anything that asks by peer id (a direct message, a DHT query, a history
 * sync): from the larger side that opened a second WebRTC connection beside the one the smaller had dialled, and
 * one of the two was closed under whatever ran on it (a file transfer broke off).
 */
export function webrtcPairGater (self: PeerId | string, gater: ConnectionGater = {}): ConnectionGater {
  return {
    ...gater,
    denyDialMultiaddr: async (ma: Multiaddr): Promise<boolean> => {
      const target = ma.getComponents().findLast(c => c.name === 'p2p')?.value
      if (target != null && isWebRTCAddr(ma) && !dialsWebRTC(self, target)) {
        return true
      }
      return (await gater.denyDialMultiaddr?.(ma)) ?? false
    }
  }
}

export interface DirectUpgraderInit {
  /** the room's life: aborted when it is left, which cancels dials and retries */
  signal: AbortSignal
  /** how long one dial may take (ms) */
  dialTimeout: number
  /** first wait before an upgrade is tried again (ms); doubles, with jitter, up to `retryMax` */
  retryMin: number
  retryMax: number
  /** upgrades dialled at once; more wait their turn @default UPGRADE_CONCURRENCY */
  concurrency?: number
  /** this node can take WebRTC upgrades (the member may be dialled at its WebRTC addresses); no dial before */
  canUpgrade: () => boolean
  /** the member is one this node keeps a direct connection with (see `RoomMembers.isNeighbour`) @default every member */
  isNeighbour?: (peerId: string) => boolean
  /** a dial ended (the members' connections should be read again) */
  onSettled: () => void
}

/**
 * Moves room members off the relay: of each pair, the member with the smaller peer id dials the other's
 * `/p2p-circuit/webrtc` addresses (the pair never opens two WebRTC connections at once), a few at a time
 * ({@link DirectUpgraderInit.concurrency}). A dial that fails, or whose connection carries nothing, is tried
 * again after a backoff for as long as the room lasts; the relayed path carries the room meanwhile.
 */
export class DirectUpgrader {
  private readonly node: RoomNode
  private readonly init: DirectUpgraderInit
  /** dials under way */
  private inFlight = 0
  /** members whose dial waits for one under way to end, in the order they came */
  private readonly queued = new Set<MemberRecord>()

  constructor (node: RoomNode, init: DirectUpgraderInit) {
    this.node = node
    this.init = init
  }

  /** Dials the member now if this node is the pair's dialler and nothing else is under way. */
  maybeDial (member: MemberRecord): void {
    // without a WebRTC transport of its own (a page loads it after the room is shown) a dial could only fail,
    // and would count as a failed upgrade: the room dials again when the transport comes (see `Room`)
    if (member.dialing || member.retry != null || member.multiaddrs.length === 0 || this.init.signal.aborted || !this.init.canUpgrade() ||
      !dialsWebRTC(this.node.peerId, member.peerId) || this.init.isNeighbour?.(member.peerId) === false ||
      connectionKind(this.node, peerIdFromString(member.peerId)) === 'direct') {
      return
    }
    if (this.inFlight >= (this.init.concurrency ?? UPGRADE_CONCURRENCY)) {
      this.queued.add(member)
      return
    }
    this.queued.delete(member)
    this.inFlight++
    member.dialing = true
    // a dial that succeeds counts once the connection carried data (directPaths' `change`); one that carries
    // nothing is closed (`unproven`) and retried like a failed dial
    this.node.dial(member.multiaddrs, { signal: this.dialSignal() })
      .catch((err: Error) => { this.retryLater(member, err.message) })
      .finally(() => {
        member.dialing = false
        this.inFlight--
        this.init.onSettled()
        this.next()
      })
  }

  /** A dial ended: the first queued member that still needs one is dialled. */
  private next (): void {
    for (const member of this.queued) {
      this.queued.delete(member)
      this.maybeDial(member)
      if (member.dialing || this.queued.has(member)) {
        return
      }
    }
  }

  /** The upgrade failed: it is tried again after a backoff, never given up while the room lasts. */
  retryLater (member: MemberRecord, why: string): void {
    if (member.retry != null || this.init.signal.aborted) {
      return
    }
    const delay = backoffDelay(member.failures++, this.init.retryMin, this.init.retryMax)
    log('direct upgrade to %s failed (%s), retrying in %d ms', member.peerId, why, delay)
    member.retry = setTimeout(() => {
      member.retry = undefined
      this.maybeDial(member)
    }, delay)
  }

  /**
   * A member found in the DHT that the room's gossip has not brought yet (it reaches the room through another
   * relay, or its presence is still on the way): connect to it so gossipsub runs between the two and presence
   * follows — over WebRTC through its relay when both sides can and this node is the pair's dialler, else by its
   * other addresses (through its relay). The pair's rule holds here too: the other member, finding this one
   * through the room at the same moment, dials WebRTC only if its id is the smaller, so two WebRTC connections
   * are never opened at once (one of them, closed, took the streams opened on it).
   */
  connect (peer: PeerInfo): void {
    const id = peer.id.toString()
    // a DHT lookup lists some without the peer's own id at the end (see addressOf); given it, some repeat others
    const named = new Map(peer.multiaddrs.map(ma => addressOf(ma, id)).filter(ma => ma != null).map(ma => [ma.toString(), ma]))
    const addrs = [...named.values()]
    const webrtc = addrs.filter(isWebRTCAddr)
    const viaWebRTC = webrtc.length > 0 && this.init.canUpgrade() && dialsWebRTC(this.node.peerId, id)
    const multiaddrs = viaWebRTC ? webrtc : addrs.filter(ma => !isWebRTCAddr(ma))
    // connected already: through its relay, the other member's dial — no gossip runs on that circuit (limited), so
    // the pair's WebRTC dialler still dials, or the two never hear each other (a relay that follows no rooms)
    if (multiaddrs.length === 0 || (viaWebRTC ? hasUnlimitedConnection(this.node, peer.id) : openConnections(this.node, peer.id).length > 0)) {
      return
    }
    log('found %s in the DHT, dialling', id)
    this.node.peerStore.merge(peer.id, { multiaddrs })
      .then(async () => this.node.dial(multiaddrs, { signal: this.dialSignal() }))
      .catch((err: Error) => { log('could not reach %s found in the DHT: %s', id, err.message) })
  }

  /**
   * Closes the WebRTC connections this node dialled to members that are not its ring neighbours: made while the
   * room was small enough for everyone to connect to everyone (or for a direct message), they outlast it as the
   * room grows, and a page held up to 14 in a room of 16 against the 8 of the rule (bench `latency`). Each costs
   * the page its share of every line (gossipsub publishes to every member it is connected to) and its transport's
   * upkeep. A connection carrying a direct message, a file, a call or a history sync is left open; the member's
   * lines keep coming through the relay and the neighbours.
   */
  closeSurplus (members: Iterable<MemberRecord>): void {
    for (const member of members) {
      if (!dialsWebRTC(this.node.peerId, member.peerId) || this.init.isNeighbour?.(member.peerId) !== false) {
        continue
      }
      for (const connection of this.node.getConnections(peerIdFromString(member.peerId))) {
        if (isWebRTCAddr(connection.remoteAddr) && connection.streams.every(stream => !ASIDE_FROM_THE_ROOM.has(stream.protocol ?? ''))) {
          log('closing the connection to %s: not a neighbour in a room this large', member.peerId)
          closeOrAbort(connection)
        }
      }
    }
  }

  /** A dial's signal: it gives up after `dialTimeout`, or when the room is left. */
  private dialSignal (): AbortSignal {
    return AbortSignal.any([this.init.signal, AbortSignal.timeout(this.init.dialTimeout)])
  }
}
