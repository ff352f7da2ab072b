import { logger } from '@libp2p/logger'
import { encodeDeparture, encodeDepartureEnvelope, isRoomTopic, privateTopicIdFromTopic, roomMessageValidator } from '@p2p-chat/shared'
import { DEFAULT_MAX_ROOMS, DEFAULT_MAX_ROOMS_PER_PEER, DEFAULT_PUBLISH_BURST, DEFAULT_PUBLISH_RATE, ROOM_DEPARTURE_BURST, ROOM_DEPARTURE_RATE, ROOM_SWEEP_INTERVAL_MS } from './constants.js'
import { Refusals } from './refusals.js'
import { TokenBuckets } from './token-buckets.js'
import type { RelayLogger } from './log.js'
import type { GossipSub, GossipsubMessage, SubscriptionChangeData } from '@libp2p/gossipsub'
import type { Libp2pEvents, PeerId, TypedEventTarget } from '@libp2p/interface'
import type { InvalidMessageScores, RoomLinks } from '@p2p-chat/shared'

const log = logger('p2p-chat:relay:rooms')

export interface RoomFollowerOptions {
  /** most rooms followed at once @default 4096 */
  maxRooms?: number
  /** how often rooms nobody is in any more are left @default 30000 */
  sweepInterval?: number
  /** where invalid room messages are counted against the peer that sent them */
  scores?: InvalidMessageScores
  /** the relay's operational log: rooms followed and left */
  logger?: RelayLogger
  /** most rooms one peer's subscriptions make the relay follow @default 32 */
  maxRoomsPerPeer?: number
  /** room messages a peer may publish, or be first to deliver, a second; more are ignored @default 20 */
  publishRate?: number
  /** ...and in a burst @default 50 */
  publishBurst?: number
  /** where refusals (rooms over a cap, messages over the rate) are logged and counted */
  refusals?: Refusals
  /**
   * Peers whose deliveries are not charged to their own publish rate, only to each message's author: the
   * relays named with --peer, which forward every author of the rooms they share @default none
   */
  forwarders?: (peer: string) => boolean
  /**
   * Where the rooms' presences (a private room's envelopes, in the clear) note whom each member is directly
   * connected to: the relay then only tells a member of a line (IHAVE) whose author it is directly connected to
   * (see `roomGossipsubOptions`)
   */
  links?: RoomLinks
  /**
   * Where the relay hears that a peer disconnected (its node): a peer that was in a room through the relay and is
   * gone, its page closed or crashed, is then said to have left it (a departure), as one that unsubscribes is.
   * @default departures are told on unsubscribing only
   */
  connections?: TypedEventTarget<Pick<Libp2pEvents, 'peer:disconnect'>>
  /** the clock the publish rates and a room's departure notices ({@link ROOM_DEPARTURE_RATE}) are paced by, in ms since the epoch @default Date.now */
  now?: () => number
}

/**
 * Makes the relay a member of every room its peers join: it subscribes to the room's topic (so it is in the
 * room's gossipsub mesh and forwards messages between peers that are not yet directly connected), validates
 * the room's messages, and leaves the room once no connected peer is in it.
 */
export class RoomFollower {
  private readonly pubsub: GossipSub
  private readonly maxRooms: number
  private readonly sweepInterval: number
  private readonly scores?: InvalidMessageScores
  private readonly logger?: RelayLogger
  private readonly maxRoomsPerPeer: number
  private readonly publishRate: TokenBuckets
  /** departure notices per room ({@link ROOM_DEPARTURE_RATE}) */
  private readonly departureRate = new TokenBuckets({ rate: ROOM_DEPARTURE_RATE, burst: ROOM_DEPARTURE_BURST })
  private readonly refusals: Refusals
  private readonly forwarders: (peer: string) => boolean
  private readonly links?: RoomLinks
  /**
   * The rooms each peer is in, as far as the relay follows them on its behalf (at most maxRoomsPerPeer), each with
   * the gossipsub seqno of the peer's last message in it the relay received (0n: none yet), which its departure
   * notice names
   */
  private readonly peerRooms = new Map<string, Map<string, bigint>>()
  private readonly connections?: TypedEventTarget<Pick<Libp2pEvents, 'peer:disconnect'>>
  private readonly now: () => number
  private timer?: ReturnType<typeof setInterval>
  private readonly onSubscriptionChange = (evt: CustomEvent<SubscriptionChangeData>): void => {
    const { peerId } = evt.detail
    const peer = peerId.toString()
    for (const { topic, subscribe } of evt.detail.subscriptions) {
      if (!isRoomTopic(topic)) {
        continue
      }
      if (subscribe) {
        this.join(peer, topic)
      } else {
        const after = this.peerRooms.get(peer)?.get(topic) ?? 0n
        this.leave(peer, topic)
        this.depart(peerId, topic, after)
      }
    }
  }

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const peerId = evt.detail
    const peer = peerId.toString()
    for (const [topic, after] of this.peerRooms.get(peer) ?? []) {
      this.leave(peer, topic)
      this.depart(peerId, topic, after, true)
    }
  }

  /** A message the relay accepted: its author's last in the room, for the author's departure notice. */
  private readonly onMessage = (evt: CustomEvent<GossipsubMessage>): void => {
    const { msg } = evt.detail
    if (msg.type !== 'signed') {
      return
    }
    const rooms = this.peerRooms.get(msg.from.toString())
    const last = rooms?.get(msg.topic)
    if (last != null && msg.sequenceNumber > last) {
      rooms!.set(msg.topic, msg.sequenceNumber)
    }
  }

  constructor (pubsub: GossipSub, options: RoomFollowerOptions = {}) {
    this.pubsub = pubsub
    this.maxRooms = options.maxRooms ?? DEFAULT_MAX_ROOMS
    this.sweepInterval = options.sweepInterval ?? ROOM_SWEEP_INTERVAL_MS
    this.scores = options.scores
    this.logger = options.logger
    this.maxRoomsPerPeer = options.maxRoomsPerPeer ?? DEFAULT_MAX_ROOMS_PER_PEER
    this.publishRate = new TokenBuckets({ rate: options.publishRate ?? DEFAULT_PUBLISH_RATE, burst: options.publishBurst ?? DEFAULT_PUBLISH_BURST })
    this.refusals = options.refusals ?? new Refusals()
    this.forwarders = options.forwarders ?? (() => false)
    this.links = options.links
    this.connections = options.connections
    this.now = options.now ?? Date.now
  }

  /** Topics of the rooms the relay is in now. */
  get rooms (): string[] {
    return this.pubsub.getTopics().filter(isRoomTopic)
  }

  /** What the follower keeps per peer now: peers whose rooms it counts, and publish-rate buckets. */
  get stats (): { peers: number, rateBuckets: number } {
    return { peers: this.peerRooms.size, rateBuckets: this.publishRate.size }
  }

  start (): void {
    this.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    this.pubsub.addEventListener('gossipsub:message', this.onMessage)
    this.connections?.addEventListener('peer:disconnect', this.onDisconnect)
    this.timer = setInterval(() => { this.sweep() }, this.sweepInterval)
    this.timer.unref()
  }

  stop (): void {
    this.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    this.pubsub.removeEventListener('gossipsub:message', this.onMessage)
    this.connections?.removeEventListener('peer:disconnect', this.onDisconnect)
    clearInterval(this.timer)
  }

  /** A peer joined a room: the relay follows it, unless that would take the peer over its share of rooms. */
  private join (peer: string, topic: string): void {
    const rooms = this.peerRooms.get(peer) ?? new Map<string, bigint>()
    if (!rooms.has(topic)) {
      if (rooms.size >= this.maxRoomsPerPeer) {
        this.refusals.refuse('rooms-per-peer', 'following %s for %s: the peer is in %d rooms already', topic, peer, this.maxRoomsPerPeer)
        return
      }
      rooms.set(topic, 0n)
      this.peerRooms.set(peer, rooms)
    }
    this.follow(topic)
  }

  private leave (peer: string, topic: string): void {
    this.links?.forget(peer, topic)
    const rooms = this.peerRooms.get(peer)
    rooms?.delete(topic)
    if (rooms?.size === 0) {
      this.peerRooms.delete(peer)
    }
  }

  /**
   * Tells a room the relay follows that a peer left it (a departure notice, signed by the relay), after its message
   * with the seqno `after` (0n: none): the members it had no gossipsub stream to would otherwise see it only expire.
   * Not when it is in the room still (through another connection: `disconnected` says it has none), nor when nobody
   * else is, nor of a peer relay (no member), nor beyond the room's departure rate.
   */
  private depart (peerId: PeerId, topic: string, after: bigint, disconnected = false): void {
    if (!this.pubsub.getTopics().includes(topic) || this.forwarders(peerId.toString())) {
      return
    }
    const subscribers = this.pubsub.getSubscribers(topic)
    if ((!disconnected && subscribers.some(p => p.equals(peerId))) || !subscribers.some(p => !p.equals(peerId)) || !this.departureRate.take([topic], this.now())) {
      return
    }
    const notice = privateTopicIdFromTopic(topic) != null ? encodeDepartureEnvelope(peerId.toString(), after) : encodeDeparture(peerId.toString(), after)
    log('%p left %s', peerId, topic)
    this.pubsub.publish(topic, notice).catch((err: Error) => {
      log('could not tell %s that %p left: %s', topic, peerId, err.message)
    })
  }

  private follow (topic: string): void {
    if (this.pubsub.getTopics().includes(topic)) {
      return
    }
    if (this.rooms.length >= this.maxRooms) {
      this.refusals.refuse('rooms', 'following %s: already in %d rooms', topic, this.maxRooms)
      return
    }
    log('following room %s', topic)
    this.logger?.info('room followed', { topic })
    this.pubsub.topicValidators.set(topic, roomMessageValidator((peer, err) => {
      log('rejected a message on %s from %p: %s', topic, peer, err.message)
      this.scores?.record(peer.toString())
    }, {
      // one token from the author, and one from the peer that delivered it (unless a peer relay): signing
      // with fresh keys does not evade the limit
      admit: (author, from) => {
        const keys = [author.toString()]
        if (!this.forwarders(from.toString())) {
          keys.push(from.toString())
        }
        if (this.publishRate.take(keys, this.now())) {
          return true
        }
        this.refusals.refuse('publish-rate', 'a message on %s by %p, delivered by %p: over the publish rate', topic, author, from)
        return false
      },
      links: this.links,
      // a peer relay's departure notices are passed on to the members here, and nobody else's
      departuresFrom: peer => this.forwarders(peer.toString())
    }))
    this.pubsub.subscribe(topic)
  }

  /**
   * Leaves rooms that no connected peer subscribes to any more, forgets the rooms of peers that left them (or
   * left), and drops refilled rate buckets.
   */
  sweep (): void {
    const subscribers = new Map<string, Set<string>>()
    const isIn = (peer: string, topic: string): boolean => {
      let set = subscribers.get(topic)
      if (set == null) {
        set = new Set(this.pubsub.getSubscribers(topic).map(String))
        subscribers.set(topic, set)
      }
      return set.has(peer)
    }
    for (const [peer, rooms] of this.peerRooms) {
      for (const topic of rooms.keys()) {
        if (!isIn(peer, topic)) {
          this.leave(peer, topic)
        }
      }
    }
    this.publishRate.prune(this.now())
    this.departureRate.prune(this.now())
    for (const topic of this.rooms) {
      if (this.pubsub.getSubscribers(topic).length === 0) {
        log('leaving empty room %s', topic)
        this.logger?.info('room left', { topic })
        this.pubsub.unsubscribe(topic)
        this.pubsub.topicValidators.delete(topic)
        this.links?.clear(topic)
      }
    }
  }
}
