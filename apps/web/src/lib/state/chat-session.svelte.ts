import {
  createRoomId, createRoomSecret, derivePrivateRoom, fetchRelayInfo, generateDisplayName, isRoomTopic, mark,
  mergeTimeline, Room, roomPath, validateName
} from '@p2p-chat/shared'
import { relayIceServers } from '../p2p/ice-servers.js'
import { createBrowserNode } from '../p2p/node.js'
import { RelayLink } from '../p2p/relay-link.js'
import { openHistoryStore } from '../storage/history.js'
import { forgetIdentity, loadIdentity } from '../storage/identity.js'
import { openSettings } from '../storage/settings.js'
import { Calls } from './calls.svelte.js'
import { DirectChats } from './direct-chats.svelte.js'
import { FileTransfers } from './file-transfers.svelte.js'
import type { BrowserNode } from '../p2p/node.js'
import type { RelayState } from '../p2p/relay-link.js'
import type { RecentRoom, Settings } from '../storage/settings.js'
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
  #calls = $state.raw<Calls>()
  #room?: Room
  #files = $state.raw<FileTransfers>()
  #settings?: Settings
  #history?: HistoryStore
  #privateKey?: PrivateKey
  #origin: string
  /** the room being entered or shown; a stale async entry checks it and gives up */
  #ref?: RoomRef

  #status = $state<NodeStatus>('starting')
  /** entering the room failed (its history could not be read, say): what went wrong, for people */
  #roomError = $state<string>()
  #insecureContext = !globalThis.isSecureContext
  #online = $state(globalThis.navigator?.onLine ?? true)
  readonly #onNetwork = (): void => { this.#online = navigator.onLine }
  #error = $state<string>()
  #relay = $state.raw<RelayState>()
  #roomId = $state<string>()
  #roomLink = $state<string>()
  #isPrivate = $state(false)
  #topic = $state<string>()
  #lines = $state.raw<ChatLine[]>([])
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
  /**
   * Nothing can be reached: the browser says it has no network, or the relay cannot be reached and no peer of the
   * room is connected. The page then shows what it kept (the app itself comes from its service worker).
   */
  get offline (): boolean {
    return !this.#online || (this.#relay?.status === 'retrying' && this.#members.every(m => m.connection !== 'direct'))
  }
  get relay (): RelayState | undefined { return this.#relay }
  get roomId (): string | undefined { return this.#roomId }
  /** the link of the room being shown (with a private room's secret), to share */
  get roomLink (): string | undefined { return this.#roomLink }
  /** why entering the room failed, if it did; {@link retryRoom} tries again */
  get roomError (): string | undefined { return this.#roomError }
  /** the gossipsub topic of the room being shown, once entered (calls are placed there) */
  get roomTopic (): string | undefined { return this.#topic }
  /** the room's lines are sealed with its link's secret: the relay cannot read them */
  get isPrivate (): boolean { return this.#isPrivate }
  get lines (): ChatLine[] { return this.#lines }
  get members (): RoomMember[] { return this.#members }
  get name (): string { return this.#name }
  /** rooms this browser has been in, most recent first (kept in IndexedDB) */
  get recentRooms (): RecentRoom[] { return this.#recentRooms }
  get peerId (): string { return this.#peerId }
  /** private conversations, once the node is up */
  get dms (): DirectChats | undefined { return this.#dms }
  /** calls in the room and in private conversations, once the node is up */
  get calls (): Calls | undefined { return this.#calls }
  /** files offered and fetched in the room being shown, once it is entered */
  get files (): FileTransfers | undefined { return this.#files }

  async start (): Promise<void> {
    addEventListener('online', this.#onNetwork)
    addEventListener('offline', this.#onNetwork)
    if (this.#insecureContext) {
      this.#status = 'failed'
      this.#error = 'The chat cannot start on a page served over plain http from another computer: open it over https'
      return
    }
    try {
      // the relay info loads while the identity is read and libp2p's node is built
      const info = fetchRelayInfo(this.#origin).catch(() => undefined)
      const [settings, history] = await Promise.all([openSettings(), openHistoryStore()])
      const [privateKey, name] = await Promise.all([loadIdentity(settings), settings.get(NAME_KEY)])
      const iceServers = relayIceServers({ origin: this.#origin, initial: info })
      const node = await createBrowserNode({
        iceServers,
        origin: this.#origin,
        privateKey,
        // this browser answers history requests for the room it is in
        history: { store: history, serves: topic => isRoomTopic(topic) && topic === this.#room?.topic }
      })
      const resolved = await info
      this.#settings = settings
      this.#history = history
      this.#privateKey = privateKey
      this.#name = name ?? generateDisplayName()
      this.#recentRooms = await settings.rooms()
      this.#node = node
      mark('node-started')
      this.#peerId = node.peerId.toString()
      const link = new RelayLink(node, { origin: this.#origin, info: resolved })
      link.addEventListener('state', evt => { this.#relay = evt.detail })
      this.#link = link
      this.#relay = link.state
      link.start()
      const dms = new DirectChats(node, () => this.#name)
      dms.start()
      this.#dms = dms
      const calls = new Calls(node, {
        iceServers,
        room: () => this.#room == null ? undefined : { topic: this.#room.topic, members: this.#members.map(m => m.peerId) }
      })
      calls.start()
      this.#calls = calls
      this.#status = 'ready'
      if (this.#ref != null) {
        void this.#enterRoom(this.#ref)
      }
    } catch (err) {
      this.#status = 'failed'
      this.#error = `The chat node could not start: ${(err as Error).message}`
    }
  }

  async stop (): Promise<void> {
    removeEventListener('online', this.#onNetwork)
    removeEventListener('offline', this.#onNetwork)
    this.leaveRoom()
    this.#calls?.stop()
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
      this.#files?.stop()
      this.#files = undefined
      void this.#enterRoom(ref)
    }
  }

  leaveRoom (): void {
    if (this.#room != null && this.#calls?.active?.place === `room:${this.#room.topic}`) {
      void this.#calls.leave()
    }
    this.#room?.leave()
    this.#room = undefined
    this.#topic = undefined
    this.#files?.stop()
    this.#files = undefined
    this.#ref = undefined
    this.#roomId = undefined
    this.#roomLink = undefined
    this.#isPrivate = false
    this.#lines = []
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

  /**
   * Offers a file (picked, dropped or pasted) to the room: serves it and sends a line naming it, with `text` if
   * any. Throws `FileTooLargeError` above the room's limit, and what {@link send} throws.
   */
  async attach (file: File, text = ''): Promise<void> {
    if (this.#room == null || this.#files == null) {
      throw new Error('Not in a room yet')
    }
    const room = this.#room
    const attachment = await this.#files.share(file)
    if (this.#room !== room) return
    const { chat, pending } = await room.send(text, { attachment })
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
      history: { store: this.#history!, sync: node.services.history }
    })
    const me = node.peerId.toString()
    // a room that was left says nothing more (Room.leave); the checks guard against a stale room all the same
    room.addEventListener('chat', evt => {
      if (this.#room === room) this.#append({ ...evt.detail, mine: evt.detail.from === me, pending: false })
    })
    room.addEventListener('sent', evt => {
      if (this.#room === room) this.#lines = this.#lines.map(line => line.id === evt.detail ? { ...line, pending: false } : line)
    })
    room.addEventListener('members', evt => {
      if (this.#room === room) {
        this.#members = evt.detail
        this.#calls?.ring()
      }
    })
    this.#room = room
    this.#topic = room.topic
    this.#files = new FileTransfers(node, { topic: room.topic, keys })
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
    const lines = mergeTimeline(this.#lines, added)
    this.#lines = lines.length > MAX_LINES ? lines.slice(-MAX_LINES) : lines
  }
}
