import { TopicValidatorResult } from '@libp2p/gossipsub'
import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { TypedEventEmitter } from 'main-event'
import { createMessageId, encodeChat, encodePresence } from '../codec.js'
import {
  DEFAULT_MAX_FILE_BYTES, DEFAULT_MEMBER_DIAL_TIMEOUT_MS, DEPARTURE_CHECK_MS, DIRECT_PEERS_ANNOUNCE_DELAY_MS, KNOWN_LINE_IDS, MEMBER_EXPIRY_MS, NO_DIRECT_ROUTE_NOTICE_MS, PRESENCE_DEBOUNCE_MS,
  MAX_PRESENCE_DIRECT, MEMBER_ADDRS_REFRESH_MS, PRESENCE_INTERVAL_MS, PRESENCE_MAX_SKIP_MS, TYPING_EXPIRY_MS, TYPING_INTERVAL_MS, TYPING_NOTICE_DELAY_MS, UPGRADE_RETRY_MAX_MS, UPGRADE_RETRY_MIN_MS
} from '../constants.js'
import { attachmentFallback } from '../file/offer.js'
import { checkChatIdentity } from '../identity.js'
import { mark } from '../util/marks.js'
import { circuitRelay, isCircuitAddr, isWebRTCAddr } from '../util/multiaddrs.js'
import { RoomMembers } from './members.js'
import { RoomOutbox } from './outbox.js'
import { PeerPinger } from './peer-pinger.js'
import { privateRoomCodec, publicRoomCodec, readRoomData } from './room-codec.js'
import { RoomHistory } from './room-history.js'
import { TypingNotices } from './typing.js'
import { dialsWebRTC, DirectUpgrader } from './upgrader.js'
import type { Chat, FileOffer, RoomEvent } from '../codec.js'
import type { HistoryStore } from '../history/index.js'
import type { PrivateRoomKeys } from '../private-room/index.js'
import type { RoomDiscovery } from './discovery.js'
import type { RoomMember } from './members.js'
import type { RoomNode } from './peer-pinger.js'
import type { RoomCodec } from './room-codec.js'
import type { HistorySyncClient, RoomChat } from './room-history.js'
import type { RoomTyping } from './typing.js'
import type { GossipsubMessage, Message, SubscriptionChangeData } from '@libp2p/gossipsub'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export type { RoomChat, RoomTyping }
export type { RelayedReason, RoomMember } from './members.js'
export { describeRelayedReason } from './members.js'

export interface RoomEvents {
  chat: CustomEvent<RoomChat>
  members: CustomEvent<RoomMember[]>
  /** a message that was waiting for a route has gone out (detail: its id) */
  sent: CustomEvent<string>
  /** asking a peer of the room for missed lines has ended, and what it brought is shown (detail: the peer id) */
  'caught-up': CustomEvent<string>
  /** a member started or stopped typing (its notice, its line, or the notice's expiry) */
  typing: CustomEvent<RoomTyping>
}

/** What a line may carry besides its text. */
export interface SendOptions {
  /** the id of the line this one answers */
  replyTo?: string
  /**
   * A file offered to the room (its id, the SHA-256 of the content, comes from serving it with the file-transfer
   * service). The line's text starts with a fallback naming the file ({@link attachmentFallback}), for peers that
   * cannot show it; what was typed follows on the next line.
   */
  attachment?: FileOffer
}

export interface RoomInit {
  roomId: string
  /** this browser's display name now */
  name: () => string
  /** this node's libp2p key: it signs every chat line */
  privateKey: PrivateKey
  /** a private room's keys, from its secret: the room's topic and everything on it is sealed with them */
  keys?: PrivateRoomKeys
  /**
   * where lines and the outbox are kept, how to catch up with peers, and how long lines seen live may wait to be
   * written together (RoomHistoryInit); without it nothing persists
   */
  history?: { store: HistoryStore, sync?: HistorySyncClient, keepDelay?: number }
  /** how often this member announces itself (ms), unless a line of its own went out meanwhile @default PRESENCE_INTERVAL_MS */
  presenceInterval?: number
  /**
   * How long (ms, from joining) this member's first announcement (hello) may wait for an address others can
   * reach it at (its relay reservation), so that the members who see it can reach it too (a direct upgrade, a
   * direct message); the address arriving ends the wait @default 0
   */
  helloWait?: number
  /** a member not heard from for this long, and not directly connected, leaves the list (ms) @default MEMBER_EXPIRY_MS */
  memberExpiry?: number
  /** first wait before a failed direct upgrade is tried again (ms); doubles up to the maximum @default UPGRADE_RETRY_MIN_MS */
  upgradeRetryMin?: number
  /** @default UPGRADE_RETRY_MAX_MS */
  upgradeRetryMax?: number
  /** an upgrade that could have happened and has not for this long is shown as `no-route` (ms) @default NO_DIRECT_ROUTE_NOTICE_MS */
  noDirectRouteNotice?: number
  /**
   * The room's file size limit (bytes): a line offering a larger file is refused, mine before it is sent and
   * others' as invalid. @default DEFAULT_MAX_FILE_BYTES
   */
  maxFileSize?: number
  /** a draft's first typing notice waits this long (ms); 0 tells at once @default TYPING_NOTICE_DELAY_MS */
  typingDelay?: number
  /** while typing, this member tells the room at most this often (ms) @default TYPING_INTERVAL_MS */
  typingInterval?: number
  /** a member last said to be typing this long ago is no longer shown typing (ms) @default TYPING_EXPIRY_MS */
  typingExpiry?: number
}

/** A room's lines as kept, to show when entering it again. */
export interface RoomRestore {
  lines: RoomChat[]
  /** ids of my lines still waiting for a route */
  pending: string[]
}

const log = logger('p2p-chat:room')

/**
 * One chat room: a gossipsub topic with signed, validated messages. Members announce themselves (name and
 * `/p2p-circuit/webrtc` addresses) on the topic ({@link RoomMembers} keeps them); of each pair of members the
 * one with the smaller peer id dials the other's WebRTC address ({@link DirectUpgrader}), which upgrades the
 * pair to a direct connection, retried with backoff while it fails; meanwhile messages keep flowing through
 * the relay. Lines written while nobody can take them wait in a {@link RoomOutbox}.
 */
export class Room extends TypedEventEmitter<RoomEvents> {
  readonly roomId: string
  readonly topic: string
  private readonly codec: RoomCodec
  private readonly history?: RoomHistory
  private readonly node: RoomNode
  private readonly init: RoomInit
  private readonly members: RoomMembers
  private readonly upgrader: DirectUpgrader
  private readonly outbox: RoomOutbox
  private readonly pinger: PeerPinger
  /** the room in the DHT: its code loads as the room is joined (a page shows the room before it needs it) */
  private discovery?: RoomDiscovery
  private readonly typingNotices: TypingNotices
  private announced = false
  private joinedAt = 0
  /** a line from someone else was shown already, a member was directly connected (the page's milestones) */
  private heard = false
  private wentDirect = false
  private lastAnnouncedAddrs = ''
  /** the relays my last presence's addresses go through: the peers whose departure notices about me are believed */
  private announcedRelays: string[] = []
  private lastAnnouncedDirect = ''
  /** when my last presence, and my last line, went out (ms) */
  private lastPresenceAt = 0
  private lastLineAt = 0
  private presenceTimer?: ReturnType<typeof setInterval>
  private debounceTimer?: ReturnType<typeof setTimeout>
  private directTimer?: ReturnType<typeof setTimeout>
  /** aborted by {@link leave}: cancels catch-ups and dials under way, and silences the room's events */
  private readonly left = new AbortController()

  /** ids of the lines shown (restored, synced, live, mine), oldest first: each line is shown once */
  private readonly known = new Set<string>()

  /** what the validator read from each message, so that its handler does not open and verify it again */
  private readonly validated = new WeakMap<Uint8Array, RoomEvent>()

  /**
   * The room's gossipsub validator: a message is accepted, and so forwarded, only when it reads as a message of
   * this room — signed by its publisher, well-formed, a chat line by its author (the publisher: gossipsub has
   * verified its signature over the line, which stands for the line's own, see `readRoomData`) and, in a private
   * room, sealed with the room's key. Anything else is rejected (penalising its sender).
   */
  private readonly validate = async (_peer: PeerId, message: Message): Promise<TopicValidatorResult> => {
    if (message.type !== 'signed') {
      return TopicValidatorResult.Reject
    }
    try {
      checkChatIdentity(message.from, 'The publisher\'s peer id')
      const event = await readRoomData(this.codec, message.data, message.from.toString())
      if (event.type === 'departure' && !this.believes(message.from.toString(), event.peer)) {
        // a departure told by a peer that is not the departed peer's relay: neither shown nor passed on
        return TopicValidatorResult.Ignore
      }
      this.validated.set(message.data, event)
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
    void this.handle(msg.from.toString(), msg.data, msg.sequenceNumber)
  }

  private readonly onSubscriptionChange = (evt: CustomEvent<SubscriptionChangeData>): void => {
    if (evt.detail.subscriptions.some(s => s.topic === this.topic && !s.subscribe)) {
      // a member that leaves the room (its page closed, or went to another room) tells the peers it has a gossipsub
      // stream to: gone from the list at once, not once it has been quiet for the member expiry
      this.forgetMember(evt.detail.peerId.toString())
    }
    if (evt.detail.subscriptions.some(s => s.topic === this.topic && s.subscribe)) {
      if (this.announcedRelays.includes(evt.detail.peerId.toString())) {
        // a relay of mine is in the room again (this node lost its connection to it, or it restarted), and may have
        // told the room I left: my next presence is a hello, which brings me back into every member's list
        this.announced = false
      }
      // someone we are connected to (the relay, or a member) is now in the room: a route to announce on, and
      // a peer that may have lines this node missed
      mark('room-route')
      this.scheduleAnnounce()
      void this.outbox.flush()
      void this.catchUp(evt.detail.peerId)
    }
  }

  private readonly onAddressesChange = (): void => {
    if (this.reachableAddrs().map(String).join() !== this.lastAnnouncedAddrs) {
      this.scheduleAnnounce()
    }
    // this node's WebRTC transport may have come (a page loads it after the room is shown): upgrades wait for it
    this.upgradeAll()
  }

  private readonly onConnectionClose = (evt: CustomEvent<{ remotePeer: PeerId }>): void => {
    if (this.node.getConnections(evt.detail.remotePeer).length === 0) {
      this.history?.forget(evt.detail.remotePeer.toString())
    }
  }

  private readonly onConnectionChange = (): void => {
    this.dropDeparted()
    this.emitMembers()
    void this.outbox.flush()
    this.upgradeAll()
    this.announceDirectPeers()
  }

  /**
   * Tells the room, {@link DIRECT_PEERS_ANNOUNCE_DELAY_MS} after they changed, whom this member is directly
   * connected to now: forwarders only tell those peers of its lines (`Presence.direct`, {@link RoomLinks}).
   */
  private announceDirectPeers (): void {
    if (!this.announced || this.directTimer != null || this.directPeers().join() === this.lastAnnouncedDirect) {
      return
    }
    this.directTimer = setTimeout(() => {
      this.directTimer = undefined
      if (this.directPeers().join() !== this.lastAnnouncedDirect) {
        void this.announce()
      }
    }, DIRECT_PEERS_ANNOUNCE_DELAY_MS)
  }

  /** A member that left the room (its unsubscription, or its relay's departure notice): gone from the list. */
  private forgetMember (peer: string): void {
    this.node.services.roomLinks?.forget(peer, this.topic)
    this.typingNotices.quiet(peer)
    if (this.members.remove(peer)) {
      this.emitMembers()
    }
  }

  /**
   * Whether a departure notice about `peer` published by `from` is believed: `from` is a relay the peer's presence
   * said it is reachable through (for a notice about me, a relay of my last presence). Anyone else, a member
   * included, could only be guessing, or lying.
   */
  private believes (from: string, peer: string): boolean {
    return peer === this.node.peerId.toString()
      ? this.announcedRelays.includes(from)
      : this.members.get(peer)?.relays.includes(from) === true
  }

  /**
   * A relay of `peer`'s says it left the room after its message with the seqno `after` (its page closed or crashed,
   * it lost the relay: see `RoomMessage.departure`). A member this node has no direct connection to is dropped at
   * once, unless this node has had a later message of its: the notice is then about an earlier node of the
   * member's (a page reloaded within the seconds gossip brings to a newcomer). A direct connection says otherwise,
   * perhaps wrongly (a crashed page's stays open until ICE gives up on it): it is checked again, and the member
   * dropped if it closes ({@link dropDeparted}). About me: a hello puts me back in the lists.
   */
  private departed (peer: string, after?: bigint): void {
    if (peer === this.node.peerId.toString()) {
      this.announced = false
      this.scheduleAnnounce()
      return
    }
    const peerId = peerIdFromString(peer)
    const member = this.members.get(peer)
    if (member != null && this.node.services.directPaths.isDirect(peerId)) {
      member.departedAt = Date.now()
      this.node.services.directPaths.recheck(peerId)
      return
    }
    if (after != null && (member?.lastSeqno ?? 0n) > after) {
      log('%s has been back since a departure told of it', peer)
      return
    }
    this.forgetMember(peer)
  }

  /** Drops the members a relay said left whose direct connection has since closed (see {@link departed}). */
  private dropDeparted (): void {
    const since = Date.now() - DEPARTURE_CHECK_MS
    for (const member of [...this.members.values()]) {
      if (member.departedAt == null) {
        continue
      }
      if (member.departedAt < since) {
        member.departedAt = undefined // the check kept the connection: it stays
      } else if (!this.node.services.directPaths.isDirect(peerIdFromString(member.peerId))) {
        this.forgetMember(member.peerId)
      }
    }
  }

  /** Dials each member this node should upgrade to a direct connection and is not dialling yet. */
  private upgradeAll (): void {
    for (const member of this.members.values()) {
      this.upgrader.maybeDial(member)
    }
  }

  /** A new direct connection to a member carried nothing and is being closed: a failed upgrade, retried later. */
  private readonly onUnproven = (evt: CustomEvent<PeerId>): void => {
    const member = this.members.get(evt.detail.toString())
    if (member != null) {
      this.upgrader.retryLater(member, 'the direct connection carried nothing')
    }
  }

  constructor (node: RoomNode, init: RoomInit) {
    super()
    this.node = node
    this.init = init
    this.roomId = init.roomId
    const limits = { maxFileSize: init.maxFileSize ?? DEFAULT_MAX_FILE_BYTES }
    this.codec = init.keys != null ? privateRoomCodec(init.keys, limits) : publicRoomCodec(init.roomId, limits)
    this.topic = this.codec.topic
    if (init.history != null) {
      this.history = new RoomHistory({ codec: this.codec, ...init.history })
    }
    this.members = new RoomMembers(node, {
      memberExpiry: init.memberExpiry ?? MEMBER_EXPIRY_MS,
      noDirectRouteNotice: init.noDirectRouteNotice ?? NO_DIRECT_ROUTE_NOTICE_MS,
      onNotice: () => { this.emitMembers() }
    })
    this.upgrader = new DirectUpgrader(node, {
      signal: this.left.signal,
      dialTimeout: DEFAULT_MEMBER_DIAL_TIMEOUT_MS,
      retryMin: init.upgradeRetryMin ?? UPGRADE_RETRY_MIN_MS,
      retryMax: init.upgradeRetryMax ?? UPGRADE_RETRY_MAX_MS,
      canUpgrade: () => this.members.canUpgrade(),
      isNeighbour: peerId => this.members.isNeighbour(peerId),
      onSettled: () => { this.emitMembers() }
    })
    this.outbox = new RoomOutbox({
      publish: async bytes => this.publish(bytes),
      history: this.history,
      signal: this.left.signal,
      onSent: id => { this.safeDispatchEvent('sent', { detail: id }) }
    })
    this.typingNotices = new TypingNotices({
      interval: init.typingInterval ?? TYPING_INTERVAL_MS,
      delay: init.typingDelay ?? TYPING_NOTICE_DELAY_MS,
      expiry: init.typingExpiry ?? TYPING_EXPIRY_MS,
      // a notice is a presence too (the first one any peer gets is this member's hello)
      notify: active => { void this.announce(active) },
      onChange: typing => { this.safeDispatchEvent('typing', { detail: typing }) }
    })
    this.pinger = new PeerPinger(node, {
      peers: () => this.members.ids(),
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
    this.joinedAt = Date.now()
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
    void import('./discovery.js').then(({ RoomDiscovery }) => {
      if (this.left.signal.aborted) {
        return
      }
      this.discovery = new RoomDiscovery(this.node, {
        topic: this.topic,
        onFound: peer => {
          if (!this.members.has(peer.id.toString())) {
            this.upgrader.connect(peer)
          }
        }
      })
      this.discovery.start()
    }).catch((err: Error) => {
      // a page whose chunk cannot be fetched (offline, a newer deploy): the room works without the DHT
      log('room discovery of %s could not load: %s', this.topic, err.message)
    })
    const presenceInterval = this.init.presenceInterval ?? PRESENCE_INTERVAL_MS
    this.presenceTimer = setInterval(() => {
      this.members.expire()
      this.upgrader.closeSurplus(this.members.values())
      this.emitMembers()
      // a line of mine within the interval told every member I am here (see PRESENCE_INTERVAL_MS)
      const now = Date.now()
      if (now - this.lastLineAt >= presenceInterval || now - this.lastPresenceAt >= PRESENCE_MAX_SKIP_MS) {
        void this.announce()
      }
    }, presenceInterval)
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
    clearTimeout(this.directTimer)
    this.pinger.stop()
    this.discovery?.stop()
    this.members.clear()
    this.typingNotices.clear()
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
    this.node.services.roomLinks?.clear(this.topic)
    // what the room saw is written now, not after its keeping delay
    void this.history?.written()
  }

  /**
   * Resolves once every line this room has seen so far is in its store: lines seen live may wait up to the
   * history's `keepDelay` to be written. A peer asking for the room's history is answered after it.
   */
  async kept (): Promise<void> {
    await this.history?.written()
  }

  /** A room that was left tells nothing more: a catch-up or dial that ends afterwards is dropped. */
  override safeDispatchEvent<Detail> (type: keyof RoomEvents, detail?: CustomEventInit<Detail>): boolean {
    return this.left.signal.aborted ? false : super.safeDispatchEvent(type, detail)
  }

  /** The other members, sorted by name. */
  getMembers (): RoomMember[] {
    return this.members.list()
  }

  /**
   * Publishes a chat line, possibly answering another (`replyTo`) or offering a file (`attachment`). Throws the
   * codec's typed errors (empty or oversized text, a malformed id, a file over the room's limit) before anything
   * is sent. While no peer of the room is reachable the message waits, in order, and goes out as soon as one
   * is (a `sent` event tells when); `pending` says whether it is waiting.
   */
  async send (text: string, options: SendOptions = {}): Promise<{ chat: RoomChat, pending: boolean }> {
    const { replyTo, attachment } = options
    if (attachment == null) {
      return this.post({ text, replyTo })
    }
    const fallback = attachmentFallback(attachment)
    return this.post({ text: text.trim() === '' ? fallback : `${fallback}\n${text}`, replyTo, attachment })
  }

  /**
   * Reacts to a line with an emoji (or a short word): a line of its own, whose text is the reaction, so peers
   * that predate reactions show it as a line. Throws the codec's typed errors; waits for a route as `send` does.
   */
  async react (id: string, reaction: string): Promise<{ chat: RoomChat, pending: boolean }> {
    return this.post({ text: reaction, reactTo: id })
  }

  /**
   * Tells the room whether this member is typing: call it with `true` on every keystroke (a notice goes out once
   * the draft has been typed for {@link TYPING_NOTICE_DELAY_MS}, then at most every {@link TYPING_INTERVAL_MS})
   * and with `false` when the draft is abandoned or emptied; sending the line needs no call. Notices are
   * ephemeral: never kept, never synced, and dropped when no peer can take them.
   */
  typing (active: boolean): void {
    if (!this.left.signal.aborted) {
      this.typingNotices.typing(active)
    }
  }

  /** The members typing now. */
  getTyping (): RoomTyping[] {
    return this.typingNotices.list()
  }

  /** Signs, keeps and publishes a line of mine (or queues it while no peer can take it). */
  private async post (fields: Omit<Chat, 'id' | 'name' | 'timestamp'>): Promise<{ chat: RoomChat, pending: boolean }> {
    // at once, before signing: a typing notice waiting for its delay must not go out while the line is signed
    this.typingNotices.sent()
    const chat: Chat = { ...fields, id: createMessageId(), name: this.init.name(), timestamp: Date.now() }
    const line = await encodeChat(chat, this.topic, this.init.privateKey, chat.timestamp, this.codec.limits)
    const bytes = await this.codec.wrap(line, { id: chat.id, timestamp: chat.timestamp, ephemeral: false })
    const mine = { ...chat, from: this.node.peerId.toString() }
    this.remember(chat.id)
    // kept too: it is part of the room's history (a peer catching up from this one gets it), but publishing
    // does not wait for storage
    this.history?.keepLater({ chat, data: bytes })
    if (this.outbox.busy || !await this.publish(bytes)) {
      // behind older waiting messages, or no route: it waits (persisted) for one
      await this.history?.written()
      await this.outbox.queue({ id: chat.id, bytes })
      return { chat: mine, pending: true }
    }
    return { chat: mine, pending: false }
  }

  /**
   * The room's kept lines (oldest first) and which of mine still wait for a route; those are queued again.
   * Call once, before {@link join}: the room then knows the lines it has, and shows none of them again when a
   * copy arrives.
   */
  async restore (): Promise<RoomRestore> {
    if (this.history == null) {
      return { lines: [], pending: [] }
    }
    const [lines, outbox] = await Promise.all([this.history.load(), this.history.pending()])
    this.outbox.restore(outbox)
    lines.forEach(line => { this.remember(line.id) })
    return { lines, pending: outbox.map(e => e.id) }
  }

  /**
   * Tells the room this browser's (new) name. Before this member's hello, the hello carries it: a presence sent
   * then would have been the hello, without the wait for an address the hello has (see {@link RoomInit.helloWait}).
   */
  rename (): void {
    if (this.announced) {
      void this.announce()
    } else {
      this.scheduleAnnounce()
    }
  }

  /** Asks a peer that is in the room for the lines this node missed, and shows those. */
  private async catchUp (peerId: PeerId): Promise<void> {
    const lines = await this.history?.syncFrom(peerId, this.left.signal) ?? []
    for (const line of lines) {
      if (!this.remember(line.id)) {
        continue // shown already (it came live while the sync ran)
      }
      if (this.members.touch(line.from, line.name, false).changed) {
        this.emitMembers()
      }
      this.safeDispatchEvent('chat', { detail: line })
    }
    this.safeDispatchEvent('caught-up', { detail: peerId.toString() })
  }

  /** Publishes a line of mine if some peer of the room can take it; false when nobody could. */
  private async publish (bytes: Uint8Array): Promise<boolean> {
    if (this.node.services.pubsub.getSubscribers(this.topic).length === 0) {
      return false
    }
    try {
      const result = await this.node.services.pubsub.publish(this.topic, bytes)
      if (result.recipients.length > 0) {
        this.lastLineAt = Date.now()
        return true
      }
      return false
    } catch {
      return false
    }
  }

  /**
   * Where others can reach this node through its relays: `/p2p-circuit/webrtc` (peers upgrade to a direct
   * connection with it) first, then plain `/p2p-circuit` (peers without WebRTC open a relayed connection with
   * it, e.g. for a direct message).
   */
  private reachableAddrs (): Multiaddr[] {
    const addrs = this.node.getMultiaddrs().filter(isCircuitAddr)
    return [...addrs.filter(isWebRTCAddr), ...addrs.filter(ma => !isWebRTCAddr(ma))]
  }

  /**
   * The peers in the room (members, relays) this node holds a proven direct connection to: its flood publish
   * reaches them, so they have its lines without anyone forwarding them (its presence says so: `Presence.direct`).
   */
  private directPeers (): string[] {
    const { pubsub, directPaths } = this.node.services
    return pubsub.getSubscribers(this.topic).filter(peer => directPaths.isDirect(peer)).map(String).sort()
  }

  private scheduleAnnounce (): void {
    clearTimeout(this.debounceTimer)
    let delay = this.announced ? PRESENCE_DEBOUNCE_MS : 0
    if (!this.announced && this.reachableAddrs().length === 0) {
      // not reachable yet: the hello waits a while for an address (onAddressesChange comes back here)
      delay = Math.max(0, this.joinedAt + (this.init.helloWait ?? 0) - Date.now())
    }
    this.debounceTimer = setTimeout(() => { void this.announce() }, delay)
  }

  /**
   * Publishes my presence: a refresh, or one that is also a typing notice (`typing`). Until one has reached a peer
   * it is this member's `hello`, whichever path sends it, so that the members answer with theirs: a newcomer that
   * renamed itself before its hello went out learnt nobody's addresses until their next refresh, and could not
   * upgrade to a direct connection for up to {@link PRESENCE_MAX_SKIP_MS}.
   */
  private async announce (typing?: boolean): Promise<void> {
    const multiaddrs = this.reachableAddrs()
    const direct = this.directPeers()
    try {
      // a private room's direct peers go in the clear on its envelope, for the relay that cannot open it
      const presence = encodePresence({ name: this.init.name(), multiaddrs, direct: this.codec.isPrivate ? [] : direct, hello: !this.announced, typing })
      const data = await this.codec.wrap(presence, { id: createMessageId(), timestamp: Date.now(), ephemeral: true, direct })
      const result = await this.node.services.pubsub.publish(this.topic, data)
      if (result.recipients.length > 0) {
        this.announced = true
        this.lastAnnouncedAddrs = multiaddrs.map(String).join()
        this.announcedRelays = relaysOf(multiaddrs)
        this.lastAnnouncedDirect = direct.join()
        this.lastPresenceAt = Date.now()
      }
    } catch {
      // nobody to tell yet: the next subscription change announces again
    }
  }

  private async handle (from: string, data: Uint8Array, seqno: bigint): Promise<void> {
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
    if (event.type === 'departure') {
      if (this.believes(from, event.peer)) {
        this.departed(event.peer, event.after)
      }
      return
    }
    const { member, changed } = event.type === 'presence'
      ? this.members.touch(from, event.presence.name, true, event.presence.hello)
      : this.members.touch(from, event.chat.name)
    if (seqno > (member.lastSeqno ?? 0n)) {
      member.lastSeqno = seqno
    }
    if (event.type === 'chat') {
      if (changed) {
        this.emitMembers()
      }
      if (!this.remember(event.chat.id)) {
        return // already here (a history sync brought it first)
      }
      if (!this.heard) {
        this.heard = true
        mark('first-message')
      }
      this.typingNotices.quiet(from)
      this.safeDispatchEvent('chat', { detail: { ...event.chat, from } })
      this.history?.keepLater({ chat: event.chat, data })
      return
    }
    const { presence } = event
    if (!this.members.has(from)) {
      return // a presence still on its way from a member that has left the room (a hello would have brought it back)
    }
    this.node.services.roomLinks?.set(this.topic, from, presence.direct ?? [])
    if (presence.typing != null) {
      this.typingNotices.heard(from, presence.name, presence.typing)
    }
    const firstPresence = !member.announced
    member.announced = true
    member.multiaddrs = presence.multiaddrs.filter(isWebRTCAddr)
    member.relays = relaysOf(presence.multiaddrs)
    if (changed || firstPresence) {
      this.emitMembers()
    }
    // where to reach the member for anything else too (direct messages dial it by peer id): its WebRTC
    // addresses when both sides speak WebRTC and this node is the pair's dialler (a plain relayed connection
    // would only stand in the upgrade's way), else its plain circuit addresses (the other side upgrades)
    const reachAt = this.members.isUpgradable(member) && dialsWebRTC(this.node.peerId, from)
      ? member.multiaddrs
      : presence.multiaddrs.filter(ma => isCircuitAddr(ma) && !isWebRTCAddr(ma))
    const stored = reachAt.map(String).join()
    if (stored !== member.storedAddrs || Date.now() - (member.storedAt ?? 0) > MEMBER_ADDRS_REFRESH_MS) {
      // only when they changed (or now and then, should the peer store have let them age out): every member
      // repeats its presence every 15 s and answers each newcomer's hello, and a peer store merge re-encodes
      // the peer's whole record (bench `idle`)
      member.storedAddrs = stored
      member.storedAt = Date.now()
      this.node.peerStore.merge(peerIdFromString(from), { multiaddrs: reachAt })
        .catch((err: Error) => {
          member.storedAddrs = undefined
          log('could not store the addresses of %s: %s', from, err.message)
        })
    }
    if (presence.hello) {
      // back, if it had left: a departure told of its old node (a page reloaded) no longer holds against it
      member.departedAt = undefined
      this.scheduleAnnounce()
      // a member that says hello may have come back (its page reloaded) while this node holds its old node's
      // direct connection: one its hello disowns (it names its direct peers, all of them, and not this node) is
      // closed at once, others are checked again (a dead one is closed), and the upgrade dials the new node
      const direct = presence.direct ?? []
      const disowned = direct.length < MAX_PRESENCE_DIRECT && !direct.includes(this.node.peerId.toString())
      this.node.services.directPaths.recheck(peerIdFromString(from), { disowned })
    }
    this.upgrader.maybeDial(member)
  }

  /** Notes a line as shown; false if it was already. The oldest ids are forgotten beyond {@link KNOWN_LINE_IDS}. */
  private remember (id: string): boolean {
    if (this.known.has(id)) {
      return false
    }
    this.known.add(id)
    if (this.known.size > KNOWN_LINE_IDS) {
      this.known.delete(this.known.values().next().value!)
    }
    return true
  }

  private emitMembers (): void {
    this.members.refresh()
    for (const member of this.members.values()) {
      if (member.connection === 'direct') {
        if (!this.wentDirect) {
          this.wentDirect = true
          mark('first-direct')
        }
        if (member.rtt == null) {
          this.pinger.ping(member.peerId)
        }
      }
    }
    this.safeDispatchEvent('members', { detail: this.members.list() })
  }
}

/** The relays that circuit addresses go through, each once. */
function relaysOf (multiaddrs: Multiaddr[]): string[] {
  return [...new Set(multiaddrs.map(circuitRelay).filter(relay => relay != null))]
}
