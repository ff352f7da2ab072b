import { peerIdFromString } from '@libp2p/peer-id'
import { LARGE_ROOM_NEIGHBOURS, MAX_DIRECT_MEMBERS, MAX_LEFT_MEMBERS } from '../constants.js'
import { setMostRecent } from '../util/most-recent.js'
import { connectionKind } from './direct-paths.js'
import type { ConnectionKind } from './direct-paths.js'
import type { RoomNode } from './peer-pinger.js'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * Why a member's messages go through the relay although both sides could connect directly:
 * - `no-route`: upgrades have been tried for a while (`noDirectRouteNotice`) and none carried data (no direct
 *   route between the two networks: a symmetric NAT, a firewall, no STUN/TURN server); they go on being retried.
 * - `no-webrtc`: one side cannot open WebRTC connections, so there is nothing to upgrade to.
 * - `large-room`: the room has more members than a member connects to directly ({@link MAX_DIRECT_MEMBERS});
 *   this one is not among its {@link LARGE_ROOM_NEIGHBOURS} neighbours.
 */
export type RelayedReason = 'no-route' | 'no-webrtc' | 'large-room'

/** Another peer in the room, as this node knows it. */
export interface RoomMember {
  peerId: string
  name: string
  /** 'direct' only while a direct connection to the member has carried data; see {@link connectionKind} */
  connection: ConnectionKind
  /** while relayed: why, once it is known (see {@link describeRelayedReason}) */
  relayedReason?: RelayedReason
  /** latest ping round-trip time in ms, while connected */
  rtt?: number
}

/** What a {@link RelayedReason} means, in words for the person looking at the peers list. */
export function describeRelayedReason (reason: RelayedReason): string {
  switch (reason) {
    case 'no-route': return 'no direct route from this network; messages go through the relay'
    case 'no-webrtc': return 'this peer cannot connect directly (no WebRTC); messages go through the relay'
    case 'large-room': return `a large room: you connect directly to ${LARGE_ROOM_NEIGHBOURS} members; messages from this one come through the relay and them`
  }
}

/** A member and what the room keeps on it: its addresses and the state of the upgrade to a direct connection. */
export interface MemberRecord extends RoomMember {
  /** its `/p2p-circuit/webrtc` addresses, from its presence */
  multiaddrs: Multiaddr[]
  /** the relays its presence's addresses go through: the peers whose departure notices about it are believed */
  relays: string[]
  /**
   * the greatest gossipsub seqno of its messages this node has had: a relay's departure notice about it that names
   * an earlier one (`RoomMessage.departure.after`) is about an earlier node of its (a page reloaded)
   */
  lastSeqno?: bigint
  /** when a relay said it left while this node was directly connected to it (the connection is being checked) */
  departedAt?: number
  /** the addresses last put in the peer store for it (joined), so an unchanged presence stores nothing */
  storedAddrs?: string
  storedAt?: number
  /** its presence has been heard (a member known only from its chat lines has not told its addresses yet) */
  announced: boolean
  lastSeen: number
  /** a dial of its WebRTC addresses is under way */
  dialing: boolean
  /** failed upgrades in a row */
  failures: number
  /** the next upgrade attempt */
  retry?: ReturnType<typeof setTimeout>
  /** since when the pair could have been direct (both speak WebRTC) but is not */
  relayedSince?: number
  /** re-checks the member when `noDirectRouteNotice` has passed */
  notice?: ReturnType<typeof setTimeout>
}

/** Registered by `@libp2p/webrtc`'s private-to-private transport: this node can upgrade through a relay. */
const WEBRTC_SIGNALING_PROTOCOL = '/webrtc-signaling/0.0.1'

export interface RoomMembersInit {
  /** a member not heard from for this long, and not directly connected, is dropped (ms) */
  memberExpiry: number
  /** a pair that could upgrade and has not for this long is shown with the reason `no-route` (ms) */
  noDirectRouteNotice: number
  /** a member's reason changes by itself (time passed): the list should be told again */
  onNotice: () => void
}

/** The other members of a room: who they are, how this node reaches them, and why not directly. */
export class RoomMembers {
  private readonly node: RoomNode
  private readonly init: RoomMembersInit
  private readonly records = new Map<string, MemberRecord>()
  /** this node's and every member's peer id, sorted (see {@link isNeighbour}); undefined until asked after a change */
  private ring?: string[]
  /**
   * Members that left the room lately, and when: a message of theirs still on its way (a line through the relay after
   * the leave came directly) does not bring them back into the list for the member expiry; their hello does. At most
   * {@link MAX_LEFT_MEMBERS}.
   */
  private readonly left = new Map<string, number>()

  constructor (node: RoomNode, init: RoomMembersInit) {
    this.node = node
    this.init = init
  }

  get (peerId: string): MemberRecord | undefined {
    return this.records.get(peerId)
  }

  has (peerId: string): boolean {
    return this.records.has(peerId)
  }

  values (): IterableIterator<MemberRecord> {
    return this.records.values()
  }

  ids (): string[] {
    return [...this.records.keys()]
  }

  /** The members as shown, sorted by name. */
  list (): RoomMember[] {
    return [...this.records.values()]
      .map(({ peerId, name, connection, relayedReason, rtt }) => ({ peerId, name, connection, relayedReason, rtt }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.peerId.localeCompare(b.peerId))
  }

  /**
   * Notes a member heard from now, and returns it with whether it is new or renamed. With `live` false (a line
   * from history) only a known member's name changes, and an unknown one is not added; nor is one that left the
   * room within the member expiry, unless this is its `hello` (it came back).
   */
  touch (peerId: string, name: string, live = true, hello = false): { member: MemberRecord, changed: boolean } {
    if (hello) {
      this.left.delete(peerId)
    } else if (live && this.hasLeft(peerId)) {
      live = false
    }
    let member = this.records.get(peerId)
    if (member == null && !live) {
      return { member: newRecord(peerId, name), changed: false }
    }
    const isNew = member == null
    member ??= newRecord(peerId, name)
    const renamed = member.name !== name && live
    if (live) {
      member.name = name
      member.lastSeen = Date.now()
    }
    if (isNew) {
      this.records.set(peerId, member)
      this.ring = undefined
    }
    return { member, changed: isNew || renamed }
  }

  /** Drops the members not heard from within `memberExpiry` and not directly connected. */
  expire (): void {
    const cutoff = Date.now() - this.init.memberExpiry
    for (const [id, member] of this.records) {
      if (member.lastSeen < cutoff && connectionKind(this.node, peerIdFromString(id)) !== 'direct') {
        this.drop(id, member)
      }
    }
  }

  /** Drops a member that left the room; false if it was not in the list. */
  remove (peerId: string): boolean {
    const member = this.records.get(peerId)
    if (member == null) {
      return false
    }
    this.drop(peerId, member)
    setMostRecent(this.left, peerId, Date.now(), MAX_LEFT_MEMBERS)
    return true
  }

  private drop (peerId: string, member: MemberRecord): void {
    forget(member)
    this.records.delete(peerId)
    this.ring = undefined
  }

  private hasLeft (peerId: string): boolean {
    const at = this.left.get(peerId)
    if (at != null && at < Date.now() - this.init.memberExpiry) {
      this.left.delete(peerId)
      return false
    }
    return at != null
  }

  /** Reads each member's connection anew, and why it is relayed. */
  refresh (): void {
    for (const member of this.records.values()) {
      member.connection = connectionKind(this.node, peerIdFromString(member.peerId))
      member.relayedReason = this.relayedReason(member)
      if (member.connection === 'direct') {
        member.failures = 0
      }
    }
  }

  /** This node takes WebRTC upgrades (its WebRTC transport is running). */
  canUpgrade (): boolean {
    return this.node.getProtocols().includes(WEBRTC_SIGNALING_PROTOCOL)
  }

  /** Both sides speak WebRTC and the member told its WebRTC addresses: the pair can be upgraded. */
  isUpgradable (member: MemberRecord): boolean {
    return member.multiaddrs.length > 0 && this.canUpgrade()
  }

  /**
   * Whether this node upgrades to a direct connection with the member: always in a room of up to
   * {@link MAX_DIRECT_MEMBERS} others; in a larger one, when the two are at most half of
   * {@link LARGE_ROOM_NEIGHBOURS} apart on the ring of all members' peer ids (both sides, knowing the same members,
   * find the same pairs).
   */
  isNeighbour (peerId: string): boolean {
    // the ring: this node and every member, sorted; made again only when a member joins or leaves
    this.ring ??= [this.node.peerId.toString(), ...this.records.keys()].sort()
    return isDirectPair(this.ring, this.node.peerId.toString(), peerId)
  }

  /** Stops every member's timers. */
  clear (): void {
    for (const member of this.records.values()) {
      forget(member)
    }
  }

  /**
   * Why a relayed member is relayed, once that is known: it cannot do WebRTC, or upgrades (tried and retried by
   * the smaller peer id of the pair) have not given a direct connection for `noDirectRouteNotice`.
   */
  private relayedReason (member: MemberRecord): RelayedReason | undefined {
    if (member.connection === 'direct') {
      member.relayedSince = undefined
      clearTimeout(member.notice)
      member.notice = undefined
      return undefined
    }
    if (!member.announced) {
      return undefined
    }
    if (member.multiaddrs.length === 0) {
      return 'no-webrtc'
    }
    if (!this.canUpgrade()) {
      // this node's WebRTC transport is not running yet (a page loads it once the room is shown): not known
      return undefined
    }
    if (!this.isNeighbour(member.peerId)) {
      return 'large-room'
    }
    const now = Date.now()
    member.relayedSince ??= now
    const due = member.relayedSince + this.init.noDirectRouteNotice
    if (now >= due) {
      return 'no-route'
    }
    if (member.notice == null) {
      member.notice = setTimeout(() => {
        member.notice = undefined
        this.init.onNotice()
      }, due - now)
    }
    return undefined
  }
}

/**
 * Whether two members of a room connect directly, `ring` being the room's peer ids (both of theirs among them)
 * sorted: always in a room of up to {@link MAX_DIRECT_MEMBERS} others; in a larger one, when the two are at most
 * half of {@link LARGE_ROOM_NEIGHBOURS} apart on the ring.
 */
export function isDirectPair (ring: readonly string[], a: string, b: string): boolean {
  if (ring.length - 1 <= MAX_DIRECT_MEMBERS) {
    return true
  }
  const distance = Math.abs(ring.indexOf(a) - ring.indexOf(b))
  return Math.min(distance, ring.length - distance) <= LARGE_ROOM_NEIGHBOURS / 2
}

function newRecord (peerId: string, name: string): MemberRecord {
  return { peerId, name, connection: 'relayed', multiaddrs: [], relays: [], announced: false, lastSeen: 0, dialing: false, failures: 0 }
}

function forget (member: MemberRecord): void {
  clearTimeout(member.retry)
  clearTimeout(member.notice)
  // nothing to dial any more (a dial queued for it is skipped)
  member.multiaddrs = []
}
