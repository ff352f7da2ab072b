/**
 * The soak's abusers, one of each kind the relay has a limit for (docs/PROTOCOL.md, "Limits of the reference
 * relay"), each from its own loopback address and each running until stopped: a publish flooder over the
 * per-author rate, a sender of oversized and invalid room messages, a subscription flooder, a connection and
 * handshake flooder, a reservation hog. They are built from the attackers the relay's advisory tests replay
 * (apps/relay/test/attackers.ts). What each did is counted here; what the relay refused, by its own count, is in
 * its `/metrics`.
 */
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { createMessageId, createRoomId, createRoomSecret, derivePrivateRoom, encodeChat, roomTopic } from '@p2p-chat/shared'
import { gossipStream, idleSocket, rawPeer, reserve, signedMessage, Status } from '../../apps/relay/test/attackers.ts'
import { startPublisher } from './node-peers.ts'
import type { GossipStream } from '../../apps/relay/test/attackers.ts'
import type { Gate } from './gate.ts'
import type { Publisher } from './node-peers.ts'
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** The publish flooder's rate: 2.5 times the relay's default per-author rate (20 a second, burst 50). */
export const DEFAULT_FLOOD_INTERVAL_MS = 20
/** The publish flooder checks this often that it is still connected, and comes back if not. */
export const DEFAULT_FLOOD_RECONNECT_MS = 5000
/** The invalid sender: one bad message this often, and a new identity this often (a fresh score). */
export const DEFAULT_INVALID_INTERVAL_MS = 250
export const DEFAULT_INVALID_IDENTITY_MS = 60_000
/** The subscription flooder: a round this often, of this many topics that are no room and rooms; a new identity this often. */
export const DEFAULT_SUBSCRIPTION_ROUND_MS = 5000
export const DEFAULT_SUBSCRIPTION_JUNK_TOPICS = 1000
export const DEFAULT_SUBSCRIPTION_ROOMS = 40
export const DEFAULT_SUBSCRIPTION_IDENTITY_MS = 120_000
/** The connection flooder: each second, this many sockets that never finish a handshake (at most so many open) and one full connection. */
export const DEFAULT_IDLE_SOCKETS_PER_SECOND = 20
export const DEFAULT_MAX_IDLE_SOCKETS = 64
/** The reservation hog: identities from its one address, each asking for a reservation this often; two replaced this often. */
export const DEFAULT_HOG_IDENTITIES = 12
export const DEFAULT_HOG_RESERVE_MS = 10_000
export const DEFAULT_HOG_REPLACE_MS = 60_000
/** An idle socket the relay closed sooner than this was refused before its handshake; later, it timed out. */
const REFUSED_WITHIN_MS = 1000
const KiB = 1024

/** What every abuser shares: where the relay is, when to hold back (quiet moments), when to stop. */
export interface AbuserContext {
  /** the relay's TCP multiaddr, with its peer id */
  relay: Multiaddr
  /** a room topic honest members are in: the flooder and the invalid sender aim at it */
  topic: string
  /** abusers wait while it is closed */
  gate: Gate
  /** this abuser's own loopback source address */
  from: string
}

/** An abuser running until stopped; `counts` says what it did. */
export interface Abuser {
  readonly kind: string
  counts: () => Record<string, number>
  stop: () => Promise<void>
}

/** Counts, a loop that repeats an action until stopped (waiting at the gate), and stopping. */
abstract class LoopingAbuser implements Abuser {
  abstract readonly kind: string
  protected readonly context: AbuserContext
  protected readonly controller = new AbortController()
  private readonly tally = new Map<string, number>()
  private readonly loops: Array<Promise<void>> = []

  constructor (context: AbuserContext) {
    this.context = context
  }

  counts (): Record<string, number> {
    return Object.fromEntries(this.tally)
  }

  protected count (what: string, n = 1): void {
    this.tally.set(what, (this.tally.get(what) ?? 0) + n)
  }

  /** Runs `action` every `everyMs` until stopped; a failure is counted by its error's name. */
  protected repeat (everyMs: number, action: () => Promise<void>): void {
    const { signal } = this.controller
    this.loops.push((async () => {
      while (!signal.aborted) {
        await this.context.gate.passed()
        if (signal.aborted) break
        await action().catch((err: Error) => { this.count(`error ${err.name}`) })
        await sleep(everyMs, undefined, { signal }).catch(() => {})
      }
    })())
  }

  protected abstract release (): Promise<void>

  async stop (): Promise<void> {
    this.controller.abort()
    await Promise.all(this.loops)
    await this.release()
  }
}

/**
 * A peer in the honest room publishing valid, signed chat lines at 2.5 times the relay's per-author rate. When it
 * has no connection to the relay (its dial failed, or the relay closed it), it comes back as a new identity.
 */
export class PublishFlooder extends LoopingAbuser {
  readonly kind = 'publish flooder'
  private publisher?: Publisher
  /** lines published by the identities it has dropped */
  private publishedBefore = 0

  static start (context: AbuserContext, intervalMs = DEFAULT_FLOOD_INTERVAL_MS): PublishFlooder {
    const flooder = new PublishFlooder(context)
    flooder.repeat(DEFAULT_FLOOD_RECONNECT_MS, async () => flooder.connect(intervalMs))
    return flooder
  }

  private async connect (intervalMs: number): Promise<void> {
    if (this.publisher != null && this.publisher.node.getConnections().length > 0) return
    await this.release()
    const { context } = this
    this.publisher = await startPublisher(context.relay.toString(), context.topic, intervalMs, true, () => !context.gate.closed)
    this.count('identities')
  }

  override counts (): Record<string, number> {
    return { ...super.counts(), 'lines published': this.publishedBefore + (this.publisher?.sent() ?? 0) }
  }

  protected async release (): Promise<void> {
    this.publishedBefore += this.publisher?.sent() ?? 0
    const publisher = this.publisher
    this.publisher = undefined
    await publisher?.stop()
  }
}

/**
 * A peer that sends, on the honest room's topic, messages the relay must reject: over the room's 8 KiB, bytes
 * that are no room message, chat lines signed by another key or for another room, unsigned ones, and now and
 * then a gossipsub frame over the relay's 256 KiB. It takes a new identity every minute, so the relay's invalid-
 * message score (which graylists it after 8) starts afresh.
 */
export class InvalidSender extends LoopingAbuser {
  readonly kind = 'invalid-message sender'
  private node?: Libp2p
  private gossip?: GossipStream
  private key?: Awaited<ReturnType<typeof generateKeyPair>>
  private seqno = BigInt(Date.now()) * 1000n
  private sent = 0

  static start (context: AbuserContext): InvalidSender {
    const sender = new InvalidSender(context)
    sender.repeat(DEFAULT_INVALID_INTERVAL_MS, async () => { await sender.sendOne() })
    sender.repeat(DEFAULT_INVALID_IDENTITY_MS, async () => { await sender.release() })
    return sender
  }

  private async stream (): Promise<GossipStream> {
    if (this.gossip == null || this.gossip.stream.status !== 'open') {
      if (this.node == null) {
        this.key = await generateKeyPair('Ed25519')
        this.node = await rawPeer(this.context.from, { privateKey: this.key })
        this.count('identities')
      }
      this.gossip = await gossipStream(this.node, this.context.relay, { signal: AbortSignal.timeout(5000) })
      await this.gossip.send({ subscriptions: [{ subscribe: true, topic: this.context.topic }] })
      this.count('streams opened')
    }
    return this.gossip
  }

  private async sendOne (): Promise<void> {
    const gossip = await this.stream()
    const { topic } = this.context
    const kinds = ['oversized', 'not a room message', 'signed by another key', 'for another room', 'unsigned', 'frame over 256 KiB'] as const
    const kind = kinds[this.sent++ % kinds.length]!
    const chat = { id: createMessageId(), name: 'mallory', text: 'not me', timestamp: Date.now() }
    let data: Uint8Array
    switch (kind) {
      case 'oversized': data = randomBytes(16 * KiB); break
      case 'not a room message': data = randomBytes(300); break
      case 'signed by another key': data = await encodeChat(chat, topic, await generateKeyPair('Ed25519')); break
      case 'for another room': data = await encodeChat(chat, roomTopic(createRoomId()), this.key!); break
      case 'unsigned': data = await encodeChat(chat, topic, this.key!); break
      case 'frame over 256 KiB': data = randomBytes(300 * KiB); break
    }
    const message = await signedMessage({ key: this.key!, topic, data, seqno: ++this.seqno })
    if (kind === 'unsigned') {
      delete message.signature
      delete message.key
    }
    await gossip.send({ messages: [message] })
    this.count(kind)
  }

  protected async release (): Promise<void> {
    const node = this.node
    this.node = undefined
    this.gossip = undefined
    await node?.stop()
  }
}

/**
 * A peer that, every few seconds, drops the topics of its last round and subscribes to a thousand new topics that
 * are no room and to 40 new rooms (over the relay's 32 rooms per peer), public and private; a new identity every
 * two minutes. Over a run the relay follows, and leaves, thousands of rooms on its behalf.
 */
export class SubscriptionFlooder extends LoopingAbuser {
  readonly kind = 'subscription flooder'
  private node?: Libp2p
  private gossip?: GossipStream
  private previous: string[] = []

  static start (context: AbuserContext): SubscriptionFlooder {
    const flooder = new SubscriptionFlooder(context)
    flooder.repeat(DEFAULT_SUBSCRIPTION_ROUND_MS, async () => { await flooder.round() })
    flooder.repeat(DEFAULT_SUBSCRIPTION_IDENTITY_MS, async () => { await flooder.release() })
    return flooder
  }

  private async round (): Promise<void> {
    if (this.gossip == null || this.gossip.stream.status !== 'open') {
      this.node ??= await rawPeer(this.context.from)
      this.gossip = await gossipStream(this.node, this.context.relay, { signal: AbortSignal.timeout(5000) })
      this.previous = []
      this.count('identities')
    }
    const junk = Array.from({ length: DEFAULT_SUBSCRIPTION_JUNK_TOPICS }, () => `junk-${createMessageId()}`)
    const rooms = await Promise.all(Array.from({ length: DEFAULT_SUBSCRIPTION_ROOMS }, async (_, i) => i % 2 === 0
      ? roomTopic(createRoomId())
      : (await derivePrivateRoom(createRoomId(), createRoomSecret())).topic))
    const topics = [...junk, ...rooms]
    await this.gossip.send({
      subscriptions: [
        ...this.previous.map(topic => ({ subscribe: false, topic })),
        ...topics.map(topic => ({ subscribe: true, topic }))
      ]
    })
    this.previous = topics
    this.count('topics subscribed', topics.length)
    this.count('rooms subscribed', rooms.length)
  }

  protected async release (): Promise<void> {
    const node = this.node
    this.node = undefined
    this.gossip = undefined
    await node?.stop()
  }
}

/**
 * One address that, every second, opens 20 TCP connections to the relay that never start their handshake (at
 * most 64 open at once) and one full libp2p connection, closed again at once.
 */
export class ConnectionFlooder extends LoopingAbuser {
  readonly kind = 'connection flooder'
  private readonly open = new Set<{ destroy: () => void }>()
  private node?: Libp2p

  static start (context: AbuserContext): ConnectionFlooder {
    const flooder = new ConnectionFlooder(context)
    flooder.repeat(1000, async () => { await flooder.burst() })
    return flooder
  }

  private async burst (): Promise<void> {
    const port = Number(this.context.relay.getComponents().find(c => c.name === 'tcp')!.value)
    const room = Math.max(0, Math.min(DEFAULT_IDLE_SOCKETS_PER_SECOND, DEFAULT_MAX_IDLE_SOCKETS - this.open.size))
    await Promise.all(Array.from({ length: room }, async () => {
      const { socket, closed } = await idleSocket(port, this.context.from)
      this.open.add(socket)
      this.count('idle sockets opened')
      void closed.then(ms => {
        this.open.delete(socket)
        this.count(ms < REFUSED_WITHIN_MS ? 'idle sockets closed at once (refused)' : 'idle sockets closed later (handshake timeout)')
      })
    }))
    this.node ??= await rawPeer(this.context.from)
    try {
      const connection = await this.node.dial(this.context.relay, { signal: AbortSignal.timeout(5000) })
      this.count('full connections made')
      await connection.close()
    } catch {
      this.count('full connections refused')
    }
  }

  protected async release (): Promise<void> {
    this.open.forEach(socket => { socket.destroy() })
    this.open.clear()
    await this.node?.stop()
  }
}

/**
 * Twelve identities from one address, each asking for a circuit-relay reservation every 10 s (the relay allows
 * 8 from one address); two of them are replaced by fresh ones every minute.
 */
export class ReservationHog extends LoopingAbuser {
  readonly kind = 'reservation hog'
  private nodes: Libp2p[] = []

  static start (context: AbuserContext): ReservationHog {
    const hog = new ReservationHog(context)
    hog.repeat(DEFAULT_HOG_RESERVE_MS, async () => { await hog.reserveAll() })
    hog.repeat(DEFAULT_HOG_REPLACE_MS, async () => { await hog.replace(2) })
    return hog
  }

  private async reserveAll (): Promise<void> {
    while (this.nodes.length < DEFAULT_HOG_IDENTITIES) {
      this.nodes.push(await rawPeer(this.context.from))
      this.count('identities')
    }
    const relayPeer = peerIdFromString(this.context.relay.getComponents().find(c => c.name === 'p2p')!.value!)
    await Promise.all(this.nodes.map(async node => {
      try {
        await node.dial(this.context.relay, { signal: AbortSignal.timeout(5000) })
        const { status } = await reserve(node, relayPeer)
        this.count(status === Status.OK ? 'reservations granted' : status === Status.RESERVATION_REFUSED ? 'reservations refused' : `reservation status ${status}`)
      } catch (err) {
        this.count(`error ${(err as Error).name}`)
      }
    }))
  }

  private async replace (n: number): Promise<void> {
    const gone = this.nodes.splice(0, n)
    await Promise.all(gone.map(async node => node.stop()))
  }

  protected async release (): Promise<void> {
    await Promise.all(this.nodes.splice(0).map(async node => node.stop()))
  }
}
