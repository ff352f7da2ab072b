import { TopicValidatorResult } from '@libp2p/gossipsub'
import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { TypedEventEmitter } from 'main-event'
import { createMessageId, encodeChat, encodePresence, validateText } from '../codec.js'
import {
  MEMBER_EXPIRY_MS, NO_DIRECT_ROUTE_NOTICE_MS, PRESENCE_DEBOUNCE_MS, PRESENCE_INTERVAL_MS, UPGRADE_RETRY_MAX_MS,
  UPGRADE_RETRY_MIN_MS
} from '../constants.js'
import { backoffDelay } from './backoff.js'
import { connectionKind } from './connections.js'
import { RoomDiscovery } from './discovery.js'
import { mark } from './marks.js'
import { PeerPinger } from './peer-pinger.js'
import { privateRoomCodec, publicRoomCodec, readRoomData } from './room-codec.js'
import { RoomHistory } from './room-history.js'
import type { Chat } from '../codec.js'
import type { RoomEvent } from '../codec.js'
import type { HistoryStore } from '../history/index.js'
import type { PrivateRoomKeys } from '../private-room/index.js'
import type { ConnectionKind } from './connections.js'
import type { RoomNode } from './peer-pinger.js'
import type { RoomCodec } from './room-codec.js'
import type { HistorySyncClient, RoomChat } from './room-history.js'
import type { GossipsubMessage, Message, SubscriptionChangeData } from '@libp2p/gossipsub'
import type { PeerId, PeerInfo, PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * Why a member's messages go through the relay although both sides could connect directly:
 * - `no-route`: upgrades have been tried for {@link NO_DIRECT_ROUTE_NOTICE_MS} and none carried data (no direct
 *   route between the two networks: a symmetric NAT, a firewall, no STUN/TURN server); they go on being retried.
 * - `no-webrtc`: one side cannot open WebRTC connections, so there is nothing to upgrade to.
 */
export type RelayedReason = 'no-route' | 'no-webrtc'

/** Another peer in the room, as this browser knows it. */
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
  return reason === 'no-route'
    ? 'no direct route from this network; messages go through the relay'
    : 'this peer cannot connect directly (no WebRTC); messages go through the relay'
}

export type { RoomChat }

export interface RoomEvents {
  chat: CustomEvent<RoomChat>
  members: CustomEvent<RoomMember[]>
  /** a message that was waiting for a route has gone out (detail: its id) */
  sent: CustomEvent<string>
}

export interface RoomInit {
  roomId: string
  /** this browser's display name now */
  name: () => string
  /** this node's libp2p key: it signs every chat line */
  privateKey: PrivateKey
  /** a private room's keys, from its secret: the room's topic and everything on it is sealed with them */
  keys?: PrivateRoomKeys
  /** where lines and the outbox are kept, and how to catch up with peers; without it nothing persists */
  history?: { store: HistoryStore, sync?: HistorySyncClient }
}

/** A room's lines as kept, to show when entering it again. */
export interface RoomRestore {
  lines: RoomChat[]
  /** ids of my lines still waiting for a route */
  pending: string[]
}

interface MemberRecord extends RoomMember {
  /** its `/p2p-circuit/webrtc` addresses, from its presence */
  multiaddrs: Multiaddr[]
  /** its presence has been heard (a member known only from its chat lines has not told its addresses yet) */
  announced: boolean
  lastSeen: number
  dialing: boolean
  failures: number
  retry?: ReturnType<typeof setTimeout>
  /** since when the pair could have been direct (both speak WebRTC) but is not */
  relayedSince?: number
  /** re-checks the member when {@link NO_DIRECT_ROUTE_NOTICE_MS} has passed */
  notice?: ReturnType<typeof setTimeout>
}

const log = logger('p2p-chat:room')

/** How long one dial of a member (a WebRTC upgrade, or a member found in the DHT) may take. */
const DIAL_TIMEOUT_MS = 20_000

/** Registered by `@libp2p/webrtc`'s private-to-private transport: this node can upgrade through a relay. */
const WEBRTC_SIGNALING_PROTOCOL = '/webrtc-signaling/0.0.1'

function isCircuitAddr (ma: Multiaddr): boolean {
  return ma.getComponents().some(c => c.name === 'p2p-circuit')
}

function isWebRTCAddr (ma: Multiaddr): boolean {
  return ma.getComponents().some(c => c.name === 'webrtc')
}

/**
 * One chat room: a gossipsub topic with signed, validated messages. Members announce themselves (name and
 * `/p2p-circuit/webrtc` addresses) on the topic; of each pair of members the one with the smaller peer id
 * dials the other's WebRTC address, which upgrades the pair to a direct connection. Failed upgrades are
 * retried with backoff; meanwhile messages keep flowing through the relay.
 */
export class Room extends TypedEventEmitter<RoomEvents> {
  readonly roomId: string
  readonly topic: string
  private readonly codec: RoomCodec
  private readonly history?: RoomHistory
  private readonly node: RoomNode
  private readonly init: RoomInit
  private readonly members = new Map<string, MemberRecord>()
  private announced = false
  private lastAnnouncedAddrs = ''
  private presenceTimer?: ReturnType<typeof setInterval>
  private readonly pinger: PeerPinger
  private readonly discovery: RoomDiscovery
  private debounceTimer?: ReturnType<typeof setTimeout>
  /** my messages written while no peer of the room was reachable, oldest first */
  private readonly pending: Array<{ id: string, bytes: Uint8Array }> = []
  private flushing = false
  /** aborted by {@link leave}: cancels catch-ups and dials under way, and silences the room's events */
  private readonly left = new AbortController()

  /** what the validator read from each message, so that its handler does not open and verify it again */
  private readonly validated = new WeakMap<Uint8Array, RoomEvent>()

  /**
   * The room's gossipsub validator: a message is accepted, and so forwarded, only when it reads as a message of
   * this room — signed by its publisher, well-formed, a chat line signed by its author (the publisher) for this
   * topic and, in a private room, sealed with the room's key. Anything else is rejected (penalising its sender).
   */
  private readonly validate = async (_peer: PeerId, message: Message): Promise<TopicValidatorResult> => {
    if (message.type !== 'signed') {
      return TopicValidatorResult.Reject
    }
    try {
      this.validated.set(message.data, await readRoomData(this.codec, message.data, message.from.toString()))
      return TopicValidatorResult.Accept
    } catch (err) {
      log('rejected a message from %p: %s', message.from, (err as Error).message)
      return TopicValidatorResult.Reject
    }
  }

  private readonly onMessage = (evt: CustomEvent<GossipsubMessage>): void => {
    const { msg } = evt.detail
    if (msg.topic !== this.topic || msg.type !== 'signed') {
      return
    }
    void this.handle(msg.from.toString(), msg.data)
  }

  private readonly onSubscriptionChange = (evt: CustomEvent<SubscriptionChangeData>): void => {
    if (evt.detail.subscriptions.some(s => s.topic === this.topic && s.subscribe)) {
      // someone we are connected to (the relay, or a member) is now in the room: a route to announce on, and
      // a peer that may have lines this node missed
      mark('room-route')
      this.scheduleAnnounce()
      void this.flush()
      void this.catchUp(evt.detail.peerId)
    }
  }

  private readonly onAddressesChange = (): void => {
    if (this.reachableAddrs().map(String).join() !== this.lastAnnouncedAddrs) {
      this.scheduleAnnounce()
    }
  }

  private readonly onConnectionClose = (evt: CustomEvent<{ remotePeer: PeerId }>): void => {
    if (this.node.getConnections(evt.detail.remotePeer).length === 0) {
      this.history?.forget(evt.detail.remotePeer.toString())
    }
  }

  private readonly onConnectionChange = (): void => {
    this.emitMembers()
    void this.flush()
    for (const member of this.members.values()) {
      this.maybeDial(member)
    }
  }

  /** A new direct connection to a member carried nothing and is being closed: a failed upgrade, retried later. */
  private readonly onUnproven = (evt: CustomEvent<PeerId>): void => {
    const member = this.members.get(evt.detail.toString())
    if (member != null) {
      this.retryLater(member, 'the direct connection carried nothing')
    }
  }

  constructor (node: RoomNode, init: RoomInit) {
    super()
    this.node = node
    this.init = init
    this.roomId = init.roomId
    this.codec = init.keys != null ? privateRoomCodec(init.keys) : publicRoomCodec(init.roomId)
    this.topic = this.codec.topic
    if (init.history != null) {
      this.history = new RoomHistory({ codec: this.codec, ...init.history })
    }
    this.discovery = new RoomDiscovery(node, {
      topic: this.topic,
      onFound: peer => { this.connectDiscovered(peer) }
    })
    this.pinger = new PeerPinger(node, {
      peers: () => [...this.members.keys()],
      onRtt: (peerId, rtt) => {
        const member = this.members.get(peerId)
        if (member != null && member.rtt !== rtt) {
          member.rtt = rtt
          this.emitMembers()
        }
      }
    })
  }

  join (): void {
    const pubsub = this.node.services.pubsub
    pubsub.topicValidators.set(this.topic, this.validate)
    pubsub.addEventListener('gossipsub:message', this.onMessage)
    pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    this.node.addEventListener('self:peer:update', this.onAddressesChange)
    this.node.addEventListener('transport:listening', this.onAddressesChange)
    this.node.addEventListener('connection:open', this.onConnectionChange)
    this.node.addEventListener('connection:close', this.onConnectionChange)
    this.node.addEventListener('connection:close', this.onConnectionClose)
    this.node.services.directPaths.addEventListener('change', this.onConnectionChange)
    this.node.services.directPaths.addEventListener('unproven', this.onUnproven)
    pubsub.subscribe(this.topic)
    this.pinger.start()
    this.discovery.start()
    this.presenceTimer = setInterval(() => {
      this.expireMembers()
      void this.announce(false)
    }, PRESENCE_INTERVAL_MS)
    const subscribers = pubsub.getSubscribers(this.topic)
    if (subscribers.length > 0) {
      // peers already in the room on connections that were open before joining: announce, and catch up
      this.scheduleAnnounce()
      subscribers.forEach(peerId => { void this.catchUp(peerId) })
    }
  }

  /** Leaves the room for good (a room left is not joined again: make a new one). */
  leave (): void {
    this.left.abort()
    const pubsub = this.node.services.pubsub
    clearInterval(this.presenceTimer)
    clearTimeout(this.debounceTimer)
    this.pinger.stop()
    this.discovery.stop()
    for (const member of this.members.values()) {
      clearTimeout(member.retry)
      clearTimeout(member.notice)
    }
    this.node.services.directPaths.removeEventListener('change', this.onConnectionChange)
    this.node.services.directPaths.removeEventListener('unproven', this.onUnproven)
    pubsub.removeEventListener('gossipsub:message', this.onMessage)
    pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    this.node.removeEventListener('self:peer:update', this.onAddressesChange)
    this.node.removeEventListener('transport:listening', this.onAddressesChange)
    this.node.removeEventListener('connection:open', this.onConnectionChange)
    this.node.removeEventListener('connection:close', this.onConnectionChange)
    this.node.removeEventListener('connection:close', this.onConnectionClose)
    pubsub.unsubscribe(this.topic)
    pubsub.topicValidators.delete(this.topic)
  }

  /** A room that was left tells nothing more: a catch-up or dial that ends afterwards is dropped. */
  override safeDispatchEvent<Detail> (type: keyof RoomEvents, detail?: CustomEventInit<Detail>): boolean {
    return this.left.signal.aborted ? false : super.safeDispatchEvent(type, detail)
  }

  /** The other members, sorted by name. */
  getMembers (): RoomMember[] {
    return [...this.members.values()]
      .map(({ peerId, name, connection, relayedReason, rtt }) => ({ peerId, name, connection, relayedReason, rtt }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.peerId.localeCompare(b.peerId))
  }

  /**
   * Publishes a chat line. Throws the codec's typed errors for empty or oversized text (before anything is
   * sent). While no peer of the room is reachable the message waits, in order, and goes out as soon as one
   * is (a `sent` event tells when); `pending` says whether it is waiting.
   */
  async send (text: string): Promise<{ chat: RoomChat, pending: boolean }> {
    validateText(text)
    const chat: Chat = { id: createMessageId(), name: this.init.name(), text, timestamp: Date.now() }
    const bytes = await this.codec.wrap(await encodeChat(chat, this.topic, this.init.privateKey), { id: chat.id, timestamp: chat.timestamp, ephemeral: false })
    const message = { id: chat.id, bytes }
    const mine = { ...chat, from: this.node.peerId.toString() }
    // kept at once: it is part of the room's history (a peer catching up from this one gets it too)
    await this.history?.keep(chat, bytes)
    if (this.pending.length > 0 || !await this.publish(message.bytes)) {
      // behind older waiting messages, or no route: queue it (persisted), and send the queue if a route exists
      // by now (on the next task, so the caller has shown the line as pending before its `sent` event arrives)
      this.pending.push(message)
      await this.history?.queue(message.id, message.bytes)
      setTimeout(() => { void this.flush() }, 0)
      return { chat: mine, pending: true }
    }
    return { chat: mine, pending: false }
  }

  /**
   * The room's kept lines (oldest first) and which of mine still wait for a route; those are queued again.
   * Call once, before {@link join}.
   */
  async restore (): Promise<RoomRestore> {
    if (this.history == null) {
      return { lines: [], pending: [] }
    }
    const [lines, outbox] = await Promise.all([this.history.load(), this.history.pending()])
    for (const entry of outbox) {
      if (!this.pending.some(p => p.id === entry.id)) {
        this.pending.push({ id: entry.id, bytes: entry.data })
      }
    }
    return { lines, pending: outbox.map(e => e.id) }
  }

  /** Asks a peer that is in the room for the lines this node missed, and shows those. */
  private async catchUp (peerId: PeerId): Promise<void> {
    const lines = await this.history?.syncFrom(peerId, this.left.signal) ?? []
    for (const line of lines) {
      this.touch(line.from, line.name, false)
      this.safeDispatchEvent('chat', { detail: line })
    }
  }

  /** Publishes if some peer of the room can take it; false when nobody could. */
  private async publish (bytes: Uint8Array): Promise<boolean> {
    if (this.node.services.pubsub.getSubscribers(this.topic).length === 0) {
      return false
    }
    try {
      const result = await this.node.services.pubsub.publish(this.topic, bytes)
      return result.recipients.length > 0
    } catch {
      return false
    }
  }

  /** Sends the waiting messages, oldest first, while a route lasts. */
  private async flush (): Promise<void> {
    if (this.flushing || this.left.signal.aborted) {
      return
    }
    this.flushing = true
    try {
      for (let next = this.pending[0]; next != null; next = this.pending[0]) {
        if (!await this.publish(next.bytes)) {
          break
        }
        this.pending.shift()
        await this.history?.sent(next.id)
        this.safeDispatchEvent('sent', { detail: next.id })
      }
    } finally {
      this.flushing = false
    }
  }

  /** Tells the room this browser's (new) name. */
  rename (): void {
    void this.announce(false)
  }

  /**
   * Where others can reach this node through its relays: `/p2p-circuit/webrtc` (browsers upgrade to a direct
   * connection with it) first, then plain `/p2p-circuit` (peers without WebRTC, such as the terminal peer,
   * open a relayed connection with it, e.g. for a direct message).
   */
  private reachableAddrs (): Multiaddr[] {
    const addrs = this.node.getMultiaddrs().filter(isCircuitAddr)
    return [...addrs.filter(isWebRTCAddr), ...addrs.filter(ma => !isWebRTCAddr(ma))]
  }

  private scheduleAnnounce (): void {
    clearTimeout(this.debounceTimer)
    this.debounceTimer = setTimeout(() => { void this.announce(!this.announced) }, this.announced ? PRESENCE_DEBOUNCE_MS : 0)
  }

  private async announce (hello: boolean): Promise<void> {
    const multiaddrs = this.reachableAddrs()
    try {
      const presence = encodePresence({ name: this.init.name(), multiaddrs, hello })
      const data = await this.codec.wrap(presence, { id: createMessageId(), timestamp: Date.now(), ephemeral: true })
      const result = await this.node.services.pubsub.publish(this.topic, data)
      if (result.recipients.length > 0) {
        this.announced = true
        this.lastAnnouncedAddrs = multiaddrs.map(String).join()
      }
    } catch {
      // nobody to tell yet: the next subscription change announces again
    }
  }

  private async handle (from: string, data: Uint8Array): Promise<void> {
    if (from === this.node.peerId.toString()) {
      return
    }
    let event = this.validated.get(data)
    try {
      event ??= await readRoomData(this.codec, data, from)
    } catch (err) {
      // the validator refuses these: only a guard
      log('dropped a message from %s: %s', from, (err as Error).message)
      return
    }
    const member = this.touch(from, event.type === 'presence' ? event.presence.name : event.chat.name)
    if (event.type === 'chat') {
      if (this.history != null && !await this.history.keep(event.chat, data)) {
        return // already here (a history sync brought it first)
      }
      mark('first-message')
      this.safeDispatchEvent('chat', { detail: { ...event.chat, from } })
      return
    }
    const { presence } = event
    const wasAnnounced = member.announced
    member.announced = true
    member.multiaddrs = presence.multiaddrs.filter(isWebRTCAddr)
    // where to reach the member for anything else too (direct messages dial it by peer id): its WebRTC
    // addresses when both sides speak WebRTC (a plain relayed connection would only stand in the upgrade's
    // way), else its plain circuit addresses
    const upgradable = this.isUpgradable(member)
    if (!wasAnnounced) {
      this.emitMembers()
    }
    this.node.peerStore.merge(peerIdFromString(from), {
      multiaddrs: upgradable ? member.multiaddrs : presence.multiaddrs.filter(ma => isCircuitAddr(ma) && !isWebRTCAddr(ma))
    })
      .catch((err: Error) => { log('could not store the addresses of %s: %s', from, err.message) })
    if (presence.hello) {
      this.scheduleAnnounce()
    }
    this.maybeDial(member)
  }

  /** Notes a member heard from now; with `live` false (a line from history) only a known member's name changes. */
  private touch (peerId: string, name: string, live = true): MemberRecord {
    let member = this.members.get(peerId)
    if (member == null && !live) {
      return { peerId, name, connection: 'relayed', multiaddrs: [], announced: false, lastSeen: 0, dialing: false, failures: 0 }
    }
    const isNew = member == null
    member ??= { peerId, name, connection: 'relayed', multiaddrs: [], announced: false, lastSeen: 0, dialing: false, failures: 0 }
    const renamed = member.name !== name && live
    if (live) {
      member.name = name
      member.lastSeen = Date.now()
    }
    this.members.set(peerId, member)
    if (isNew || renamed) {
      this.emitMembers()
    }
    return member
  }

  private expireMembers (): void {
    const cutoff = Date.now() - MEMBER_EXPIRY_MS
    for (const [id, member] of this.members) {
      if (member.lastSeen < cutoff && connectionKind(this.node, peerIdFromString(id)) !== 'direct') {
        clearTimeout(member.retry)
        clearTimeout(member.notice)
        this.members.delete(id)
      }
    }
    this.emitMembers()
  }

  private emitMembers (): void {
    for (const member of this.members.values()) {
      member.connection = connectionKind(this.node, peerIdFromString(member.peerId))
      member.relayedReason = this.relayedReason(member)
      if (member.connection === 'direct') {
        mark('first-direct')
        member.failures = 0
        if (member.rtt == null) {
          this.pinger.ping(member.peerId)
        }
      }
    }
    this.safeDispatchEvent('members', { detail: this.getMembers() })
  }

  /** Both sides speak WebRTC and the member told its WebRTC addresses: the pair can be upgraded. */
  private isUpgradable (member: MemberRecord): boolean {
    return member.multiaddrs.length > 0 && this.node.getProtocols().includes(WEBRTC_SIGNALING_PROTOCOL)
  }

  /**
   * Why a relayed member is relayed, once that is known: it cannot do WebRTC, or upgrades (tried and retried by
   * the smaller peer id of the pair) have not given a direct connection for {@link NO_DIRECT_ROUTE_NOTICE_MS}.
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
    if (!this.isUpgradable(member)) {
      return 'no-webrtc'
    }
    const now = Date.now()
    member.relayedSince ??= now
    const due = member.relayedSince + NO_DIRECT_ROUTE_NOTICE_MS
    if (now >= due) {
      return 'no-route'
    }
    if (member.notice == null) {
      member.notice = setTimeout(() => {
        member.notice = undefined
        this.emitMembers()
      }, due - now)
    }
    return undefined
  }

  /**
   * A member found in the DHT that the room's gossip has not brought yet (it reaches the room through
   * another relay): connect to it directly — over WebRTC through its relay when both sides can, else by any
   * of its addresses — so gossipsub runs between the two and presence follows.
   */
  private connectDiscovered (peer: PeerInfo): void {
    const id = peer.id.toString()
    if (this.members.has(id) || this.node.getConnections(peer.id).length > 0) {
      return
    }
    const webrtc = peer.multiaddrs.filter(isWebRTCAddr)
    const upgradable = webrtc.length > 0 && this.node.getProtocols().includes(WEBRTC_SIGNALING_PROTOCOL)
    const multiaddrs = upgradable ? webrtc : peer.multiaddrs.filter(ma => !isWebRTCAddr(ma))
    log('found %s in the DHT, dialling', id)
    this.node.peerStore.merge(peer.id, { multiaddrs })
      .then(async () => this.node.dial(multiaddrs, { signal: this.dialSignal() }))
      .catch((err: Error) => { log('could not reach %s found in the DHT: %s', id, err.message) })
  }

  /** Of a pair, the smaller peer id dials, so the two do not open two WebRTC connections at once. */
  private maybeDial (member: MemberRecord): void {
    if (member.dialing || member.retry != null || member.multiaddrs.length === 0 ||
      this.node.peerId.toString() > member.peerId ||
      connectionKind(this.node, peerIdFromString(member.peerId)) === 'direct') {
      return
    }
    member.dialing = true
    // a dial that succeeds counts once the connection carried a round trip (directPaths' `change`); one that
    // carries nothing is closed (`unproven`) and retried like a failed dial
    this.node.dial(member.multiaddrs, { signal: this.dialSignal() })
      .catch((err: Error) => { this.retryLater(member, err.message) })
      .finally(() => {
        member.dialing = false
        this.emitMembers()
      })
  }

  /** A dial's signal: it gives up after {@link DIAL_TIMEOUT_MS}, or when the room is left. */
  private dialSignal (): AbortSignal {
    return AbortSignal.any([this.left.signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)])
  }

  /** The relayed path keeps carrying the room; the upgrade is tried again after a backoff, never given up. */
  private retryLater (member: MemberRecord, why: string): void {
    if (member.retry != null || this.left.signal.aborted) {
      return
    }
    const delay = backoffDelay(member.failures++, UPGRADE_RETRY_MIN_MS, UPGRADE_RETRY_MAX_MS)
    log('direct upgrade to %s failed (%s), retrying in %d ms', member.peerId, why, delay)
    member.retry = setTimeout(() => {
      member.retry = undefined
      this.maybeDial(member)
    }, delay)
  }
}
