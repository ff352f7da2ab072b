/**
 * An honest member of the soak: a Node libp2p peer built as the browser builds its node (WebSockets to the relay,
 * a circuit-relay reservation, the chat services, a DHT client; no WebRTC, so everything it says goes through
 * the relay), in one room through the shared `Room` (private rooms sealed as the app seals them), keeping its
 * history in memory as a tab does in IndexedDB. It tells a {@link DeliveryLedger} what it hears and when.
 */
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { peerIdFromString } from '@libp2p/peer-id'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { backoffDelay, chatPeerServices, createMemoryHistoryStore, KAD_DHT_PROTOCOL, PEER_CONNECTION_MANAGER, Room } from '@p2p-chat/shared'
import { createLibp2p } from 'libp2p'
import { DEFAULT_DM_DEADLINE_MS } from './delivery.ts'
import type { DeliveryLedger, SentDm } from './delivery.ts'
import type { GossipSub, SubscriptionChangeData } from '@libp2p/gossipsub'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Ping } from '@libp2p/ping'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { DirectMessages, DirectPaths, HistoryStore, HistorySync, PrivateRoomKeys } from '@p2p-chat/shared'

/** Longest a member's first dial of the relay may take before its arrival counts as failed. */
export const DEFAULT_RELAY_DIAL_TIMEOUT_MS = 15_000
/** A member that lost the relay redials it after a backoff between these, as the app's RelayLink does. */
export const RELAY_REDIAL_MIN_MS = 1000
export const RELAY_REDIAL_MAX_MS = 30_000

export type MemberNode = Libp2p<{ pubsub: GossipSub, ping: Ping, dm: DirectMessages, history: HistorySync, directPaths: DirectPaths, dht: KadDHT } & Record<string, unknown>>

/** One room of the soak. */
export interface SoakRoom {
  index: number
  roomId: string
  /** a private room's keys (derived from its secret, as every member derives them) */
  keys?: PrivateRoomKeys
  /** its gossipsub topic */
  topic: string
  /** how many members it holds at once */
  size: number
}

export interface SoakMemberInit {
  room: SoakRoom
  /** the relay's WebSocket multiaddr, with its peer id */
  relay: Multiaddr
  name: string
  ledger: DeliveryLedger
  /** @default DEFAULT_RELAY_DIAL_TIMEOUT_MS */
  dialTimeoutMs?: number
}

/** A member could not reach the relay: it left again at once. */
export class MemberArrivalError extends Error {
  static override name = 'MemberArrivalError'
  override name = 'MemberArrivalError'
}

async function createMemberNode (room: SoakRoom): Promise<{ node: MemberNode, key: PrivateKey, history: HistoryStore }> {
  const key = await generateKeyPair('Ed25519')
  const history = createMemoryHistoryStore()
  const node = await createLibp2p({
    privateKey: key,
    // a reservation on the relay, as a browser takes one: others reach it through the relay
    addresses: { listen: ['/p2p-circuit'] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    connectionManager: PEER_CONNECTION_MANAGER,
    services: {
      // it shares its room's lines with whoever asks, as a tab does
      ...chatPeerServices({ history: { store: history, serves: topic => topic === room.topic } }),
      dht: kadDHT({ protocol: KAD_DHT_PROTOCOL, clientMode: true, peerInfoMapper: passthroughMapper })
    }
  }) as unknown as MemberNode
  return { node, key, history }
}

export class SoakMember {
  readonly id: string
  readonly name: string
  readonly room: SoakRoom
  /** ms from the first dial of the relay to the reservation, once it came */
  reservedIn?: number
  /** times it lost the relay (and redialled it) */
  relayLost = 0
  private readonly node: MemberNode
  private readonly chat: Room
  private readonly ledger: DeliveryLedger
  private left = false
  private redial?: ReturnType<typeof setTimeout>

  private constructor (node: MemberNode, chat: Room, init: SoakMemberInit) {
    this.node = node
    this.chat = chat
    this.id = node.peerId.toString()
    this.name = init.name
    this.room = init.room
    this.ledger = init.ledger
  }

  /**
   * A new member (a new key) joins its room, then dials the relay, as the app does (so its subscription goes out
   * with its first gossipsub RPC). Rejects with {@link MemberArrivalError} if the relay cannot be reached.
   */
  static async arrive (init: SoakMemberInit): Promise<SoakMember> {
    const { node, key, history } = await createMemberNode(init.room)
    const chat = new Room(node, {
      roomId: init.room.roomId,
      keys: init.room.keys,
      name: () => init.name,
      privateKey: key,
      history: { store: history, sync: node.services.history }
    })
    const member = new SoakMember(node, chat, init)
    const id = member.id
    init.ledger.joined(id, init.room.index)
    chat.addEventListener('chat', evt => {
      if (init.ledger.isHonest(evt.detail.from)) {
        init.ledger.received(id, evt.detail.id, Date.now())
      }
    })
    const onSubscription = (evt: CustomEvent<SubscriptionChangeData>): void => {
      if (evt.detail.subscriptions.some(s => s.topic === chat.topic && s.subscribe)) {
        init.ledger.routed(id, Date.now())
        node.services.pubsub.removeEventListener('subscription-change', onSubscription)
      }
    }
    node.services.pubsub.addEventListener('subscription-change', onSubscription)
    const dialed = Date.now()
    const onAddresses = (): void => {
      if (node.getMultiaddrs().some(ma => ma.toString().includes('/p2p-circuit'))) {
        member.reservedIn ??= Date.now() - dialed
        node.removeEventListener('self:peer:update', onAddresses)
      }
    }
    node.addEventListener('self:peer:update', onAddresses)
    chat.join()
    const dialTimeoutMs = init.dialTimeoutMs ?? DEFAULT_RELAY_DIAL_TIMEOUT_MS
    try {
      await node.dial(init.relay, { signal: AbortSignal.timeout(dialTimeoutMs) })
    } catch (err) {
      await member.leave()
      throw new MemberArrivalError(`${(err as Error).name}: ${(err as Error).message}`)
    }
    // when the relay goes away, the member redials it with backoff until it is back (or the member leaves)
    const relayPeer = init.relay.toString().split('/p2p/').at(-1)
    const redial = (attempt: number): void => {
      member.redial = setTimeout(() => {
        if (member.left || node.getConnections().some(c => c.remotePeer.toString() === relayPeer)) return
        node.dial(init.relay, { signal: AbortSignal.timeout(dialTimeoutMs) }).catch(() => { if (!member.left) redial(attempt + 1) })
      }, backoffDelay(attempt, RELAY_REDIAL_MIN_MS, RELAY_REDIAL_MAX_MS))
    }
    node.addEventListener('peer:disconnect', evt => {
      if (!member.left && evt.detail.toString() === relayPeer) {
        member.relayLost++
        redial(0)
      }
    })
    return member
  }

  /** Says a line in the room (it waits in the outbox if there is no route yet, as in the app). */
  async say (text: string): Promise<void> {
    const { chat } = await this.chat.send(text)
    this.ledger.said({ id: chat.id, room: this.room.index, author: this.id, at: chat.timestamp })
  }

  /** The other members this member's room lists (what a person could click to write to). */
  peers (): string[] {
    return this.chat.getMembers().map(m => m.peerId)
  }

  /** Sends a direct message to `to` (dialled by peer id: through the relay, from its presence) and records how it ended. */
  async dm (to: string, text: string): Promise<void> {
    const at = Date.now()
    let dm: SentDm
    try {
      await this.node.services.dm.send(peerIdFromString(to), { name: this.name, text }, { signal: AbortSignal.timeout(DEFAULT_DM_DEADLINE_MS) })
      dm = { from: this.id, to, at, acked: true }
    } catch (err) {
      dm = { from: this.id, to, at, acked: false, error: (err as Error).name }
    }
    this.ledger.dm(dm)
  }

  /** Leaves the room and stops the node, as closing the tab does. */
  async leave (): Promise<void> {
    if (this.left) {
      return
    }
    this.left = true
    clearTimeout(this.redial)
    this.ledger.left(this.id, Date.now())
    this.chat.leave()
    await this.node.stop()
  }
}
