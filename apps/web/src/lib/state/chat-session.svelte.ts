import {
  createRoomId, createRoomSecret, derivePrivateRoom, fetchRelayInfo, generateDisplayName, isRoomTopic, mark, RELAY_INFO_ELEMENT_ID,
  Room, roomPath, Timeline, validateName
} from '@p2p-chat/shared'
import { EXTRAS_DELAY_MS, HELLO_WAIT_MS } from '../p2p/constants.js'
import { relayIceServers } from '../p2p/ice-servers.js'
import { createBrowserNode } from '../p2p/node.js'
import { RelayLink } from '../p2p/relay-link.js'
import { pageRelayInfo } from '../p2p/relay.js'
import { openHistoryStore } from '../storage/history.js'
import { forgetIdentity, loadIdentity } from '../storage/identity.js'
import { openSettings } from '../storage/settings.js'
import type { BrowserNode } from '../p2p/node.js'
import type { RelayState } from '../p2p/relay-link.js'
import type { RecentRoom, Settings } from '../storage/settings.js'
import type { DirectChats } from './direct-chats.svelte.js'
import type { PrivateKey } from '@libp2p/interface'
import type { HistoryStore, RoomChat, RoomMember } from '@p2p-chat/shared'

/** A line in the message log. */
export interface ChatLine extends RoomChat {
  mine: boolean
  /** my line is waiting for a route to the room */
  pending: boolean
}

export type NodeStatus = 'starting' | 'ready' | 'failed'

/** The room being shown: its id and, for a private room, the secret from the link's fragment. */
export interface RoomRef {
  roomId: string
  secret?: string
}

export interface ChatSessionInit {
  /** origin of the relay that served the page @default location.origin */
  origin?: string
}

const NAME_KEY = 'displayName'
/** The log keeps this many lines in memory. */
const MAX_LINES = 1000

/**
 * The one place that owns the libp2p node. Components read its state (runes) and call its actions; they never
 * touch libp2p themselves.
 */
export class ChatSession {
  #node?: BrowserNode
  #link?: RelayLink
  #dms = $state.raw<DirectChats>()
  #room?: Room
  #settings?: Settings
  #history?: HistoryStore
  #privateKey?: PrivateKey
  #origin: string
  #loadExtras?: () => Promise<void>
  #extrasTimer?: ReturnType<typeof setTimeout>
  #stopped = false
  #extrasLoading = false
  /** the room being entered or shown; a stale async entry checks it and gives up */
  #ref?: RoomRef

  #status = $state<NodeStatus>('starting')
  /** entering the room failed (its history could not be read, say): what went wrong, for people */
  #roomError = $state<string>()
  #insecureContext = !globalThis.isSecureContext
  #error = $state<string>()
  #relay = $state.raw<RelayState>()
  #roomId = $state<string>()
  #roomLink = $state<string>()
  #isPrivate = $state(false)
  /** the log: ordered, each line once, the newest MAX_LINES */
  #timeline = new Timeline<ChatLine>(MAX_LINES)
  #lines = $state.raw<readonly ChatLine[]>([])
  #members = $state.raw<RoomMember[]>([])
  #name = $state('')
  #recentRooms = $state.raw<RecentRoom[]>([])
  #peerId = $state('')

  constructor (init: ChatSessionInit = {}) {
    this.#origin = init.origin ?? location.origin
  }

  get status (): NodeStatus { return this.#status }
  /**
   * The page is not a secure context (plain http from a host other than this computer): browsers withhold
   * WebCrypto there, so the node cannot start. The page says what to do instead.
   */
  get insecureContext (): boolean { return this.#insecureContext }
  get error (): string | undefined { return this.#error }
  get relay (): RelayState | undefined { return this.#relay }
  get roomId (): string | undefined { return this.#roomId }
  /** the link of the room being shown (with a private room's secret), to share */
  get roomLink (): string | undefined { return this.#roomLink }
  /** why entering the room failed, if it did; {@link retryRoom} tries again */
  get roomError (): string | undefined { return this.#roomError }
  /** the room's lines are sealed with its link's secret: the relay cannot read them */
  get isPrivate (): boolean { return this.#isPrivate }
  get lines (): readonly ChatLine[] { return this.#lines }
  get members (): RoomMember[] { return this.#members }
  get name (): string { return this.#name }
  /** rooms this browser has been in, most recent first (kept in IndexedDB) */
  get recentRooms (): RecentRoom[] { return this.#recentRooms }
  get peerId (): string { return this.#peerId }
  /** private conversations, once the node is up */
  get dms (): DirectChats | undefined { return this.#dms }

  async start (): Promise<void> {
    if (this.#insecureContext) {
      this.#status = 'failed'
      this.#error = 'The chat cannot start on a page served over plain http from another computer: open it over https'
      return
    }
    try {
      // the relay info: in the page the relay served; else it loads while the identity is read and the node built
      const inline = this.#origin === location.origin ? pageRelayInfo(document.getElementById(RELAY_INFO_ELEMENT_ID)?.textContent) : undefined
      const info = inline != null ? Promise.resolve(inline) : fetchRelayInfo(this.#origin).catch(() => undefined)
      // the history store opens meanwhile: the node needs it only to answer peers, the room to show what it kept
      const opening = openHistoryStore()
      const settings = await openSettings()
      const [privateKey, name] = await Promise.all([loadIdentity(settings), settings.get(NAME_KEY)])
      const { node, loadExtras } = await createBrowserNode({
        iceServers: relayIceServers({ origin: this.#origin, initial: info }),
        origin: this.#origin,
        privateKey,
        // this browser answers history requests for the room it is in
        history: { store: opening, serves: topic => isRoomTopic(topic) && topic === this.#room?.topic }
      })
      this.#settings = settings
      this.#privateKey = privateKey
      this.#name = name ?? generateDisplayName()
      this.#node = node
      this.#loadExtras = loadExtras
      // the rest of the node loads once the room is on screen: its first line shown (#append), or nothing to show
      // after its first catch-up; else after a while (a page without a room)
      this.#extrasTimer = setTimeout(() => { this.#extras() }, EXTRAS_DELAY_MS)
      mark('node-started')
      this.#peerId = node.peerId.toString()
      const link = new RelayLink(node, { origin: this.#origin, info: await info })
      link.addEventListener('state', evt => { this.#relay = evt.detail })
      this.#link = link
      this.#relay = link.state
      link.start()
      this.#history = await opening
      void settings.rooms().then(rooms => { this.#recentRooms = rooms })
      // private conversations come with the node's late parts (their service is made once those are loaded)
      void this.#startDirectChats(node)
      this.#status = 'ready'
      if (this.#ref != null) {
        void this.#enterRoom(this.#ref)
      }
    } catch (err) {
      this.#status = 'failed'
      this.#error = `The chat node could not start: ${(err as Error).message}`
    }
  }

  async #startDirectChats (node: BrowserNode): Promise<void> {
    try {
      const [dm, { DirectChats }] = await Promise.all([node.services.dm.load(), import('./direct-chats.svelte.js')])
      if (this.#stopped) {
        return
      }
      const dms = new DirectChats(dm, node.peerId.toString(), () => this.#name)
      dms.start()
      this.#dms = dms
    } catch (err) {
      this.#error = `Private messages could not start: ${(err as Error).message}`
    }
  }

  async stop (): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#extrasTimer)
    this.leaveRoom()
    this.#dms?.stop()
    this.#link?.stop()
    await this.#node?.stop()
    await this.#history?.close()
  }

  /**
   * Makes up a new room; the caller navigates to it. A private room (the default) gets a secret for its
   * link's fragment; a public one can be read by the relay.
   */
  createRoom (kind: 'private' | 'public' = 'private'): RoomRef {
    return kind === 'private' ? { roomId: createRoomId(), secret: createRoomSecret() } : { roomId: createRoomId() }
  }

  /** Enters a room (now, or as soon as the node is up). */
  joinRoom (ref: RoomRef): void {
    if (this.#ref?.roomId === ref.roomId && this.#ref.secret === ref.secret) {
      return
    }
    this.leaveRoom()
    this.#ref = ref
    this.#roomId = ref.roomId
    this.#roomLink = `${this.#origin}${roomPath(ref.roomId)}${ref.secret == null ? '' : `#${ref.secret}`}`
    this.#isPrivate = ref.secret != null
    if (this.#node != null) {
      void this.#enterRoom(ref)
    }
  }

  /** Enters the room again after entering it failed ({@link roomError}). */
  retryRoom (): void {
    const ref = this.#ref
    if (ref != null && this.#node != null) {
      this.#room?.leave()
      this.#room = undefined
      void this.#enterRoom(ref)
    }
  }

  leaveRoom (): void {
    this.#room?.leave()
    this.#room = undefined
    this.#ref = undefined
    this.#roomId = undefined
    this.#roomLink = undefined
    this.#isPrivate = false
    this.#timeline.clear()
    this.#lines = this.#timeline.items
    this.#members = []
    this.#roomError = undefined
  }

  /**
   * Forgets this browser's key: after the caller reloads the page it has a new peer id. Kept history and
   * the display name stay.
   */
  async newIdentity (): Promise<void> {
    if (this.#settings != null) {
      await forgetIdentity(this.#settings)
    }
  }

  /**
   * Sends a line to the room. Throws the shared codec's typed errors (`MessageTooLargeError`,
   * `InvalidMessageError`) when the text is refused, before anything is sent.
   */
  async send (text: string): Promise<void> {
    if (this.#room == null) {
      throw new Error('Not in a room yet')
    }
    const { chat, pending } = await this.#room.send(text)
    this.#append({ ...chat, mine: true, pending })
  }

  /** Changes the display name (throws for an empty or too long one) and tells the room. */
  async setName (name: string): Promise<void> {
    this.#name = validateName(name)
    this.#room?.rename()
    await this.#settings?.set(NAME_KEY, this.#name)
  }

  /** Redials the relay now instead of waiting for the backoff. */
  retryRelay (): void {
    this.#link?.retryNow()
  }

  /** Enters a room; a failure shows in {@link roomError}, with a retry. */
  async #enterRoom (ref: RoomRef): Promise<void> {
    this.#roomError = undefined
    try {
      await this.#openRoom(ref)
    } catch (err) {
      if (this.#ref === ref) {
        this.#roomError = `Could not open this room: ${(err as Error).message}`
      }
    }
  }

  async #openRoom (ref: RoomRef): Promise<void> {
    const node = this.#node!
    let keys
    try {
      keys = ref.secret == null ? undefined : await derivePrivateRoom(ref.roomId, ref.secret)
    } catch (err) {
      this.#error = `This room link's secret is damaged: ${(err as Error).message}`
      return
    }
    if (this.#ref !== ref) {
      return // left (or moved on) while deriving the keys
    }
    // the rooms list is a convenience: failing to keep it must not keep anyone out of the room
    this.#settings?.visit(ref)
      .then(async () => { this.#recentRooms = await this.#settings!.rooms() })
      .catch(() => {})
    const room = new Room(node, {
      roomId: ref.roomId,
      name: () => this.#name,
      privateKey: this.#privateKey!,
      keys,
      history: { store: this.#history!, sync: node.services.history },
      helloWait: HELLO_WAIT_MS
    })
    const me = node.peerId.toString()
    // a room that was left says nothing more (Room.leave); the checks guard against a stale room all the same
    room.addEventListener('chat', evt => {
      if (this.#room === room) this.#append({ ...evt.detail, mine: evt.detail.from === me, pending: false })
    })
    room.addEventListener('sent', evt => {
      if (this.#room === room && this.#timeline.update(evt.detail, line => ({ ...line, pending: false }))) this.#lines = this.#timeline.items
    })
    room.addEventListener('members', evt => {
      if (this.#room === room) this.#members = evt.detail
    })
    // a room with nothing to show is on screen once it has asked a peer (the relay, first) for what it missed
    room.addEventListener('caught-up', () => { this.#extras() })
    this.#room = room
    // what this browser kept of the room, and its lines still waiting, before anything new arrives
    const restored = await room.restore()
    if (this.#ref !== ref || this.#room !== room) {
      return
    }
    this.#append(...restored.lines.map(line => ({ ...line, mine: line.from === me, pending: restored.pending.includes(line.id) })))
    room.join()
  }

  /** Adds lines to the log, ordered by (timestamp, id) as on every peer; a line already shown is skipped. */
  #append (...added: ChatLine[]): void {
    if (this.#timeline.add(...added)) {
      this.#lines = this.#timeline.items
      if (!this.#extrasLoading) {
        // once the line is painted (a hidden page paints nothing: the timer stands in)
        requestAnimationFrame(() => { setTimeout(() => { this.#extras() }, 0) })
      }
    }
  }

  /** Loads the parts of the node a room does not need to be shown (see createBrowserNode), once. */
  #extras (): void {
    if (this.#loadExtras == null || this.#extrasLoading) {
      return
    }
    this.#extrasLoading = true
    clearTimeout(this.#extrasTimer)
    this.#loadExtras().catch((err: Error) => {
      this.#error = `Part of the chat could not load: ${err.message}`
    })
  }
}
