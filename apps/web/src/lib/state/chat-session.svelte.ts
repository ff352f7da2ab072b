import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import {
  createRoomId, createRoomSecret, derivePrivateRoom, fetchRelayInfo, generateDisplayName, isRoomTopic, mark, parseRoomPreview,
  publicRoomCodec, RELAY_INFO_ELEMENT_ID, Room, ROOM_PREVIEW_ELEMENT_ID, roomPath, Timeline, validateName, verifyRoomLines
} from '@p2p-chat/shared'
import { EXTRAS_DELAY_MS, HELLO_WAIT_MS, HISTORY_KEEP_DELAY_MS } from '../p2p/constants.js'
import { relayIceServers } from '../p2p/ice-servers.js'
import { createBrowserNode } from '../p2p/node.js'
import { RelayLink } from '../p2p/relay-link.js'
import { pageRelayInfo } from '../p2p/relay.js'
import { registerServiceWorker } from '../service-worker.js'
import { isFirstVisit } from '../storage/databases.js'
import { openHistoryStore } from '../storage/history.js'
import { keepPreviewHint } from '../storage/preview-hint.js'
import { openSettings } from '../storage/settings.js'
import { NotInRoomError } from './errors.js'
import { BLOCKED_PEERS_KEY, KeptPeers, MUTED_PEERS_KEY } from './kept-peers.svelte.js'
import { mentions } from './mentions.js'
import { Notifier } from './notifier.svelte.js'
import { presentLines } from './present.js'
import type { DiagnosticsSnapshot, RecentError } from '../p2p/diagnostics.js'
import type { BrowserNode } from '../p2p/node.js'
import type { RelayState } from '../p2p/relay-link.js'
import type { RecentRoom, Settings } from '../storage/settings.js'
import type { Calls } from './calls.svelte.js'
import type { DirectChats } from './direct-chats.svelte.js'
import type { FileTransfers } from './file-transfers.svelte.js'
import type { NotificationAccess } from './notifier.svelte.js'
import type { Presented, ShownLine } from './present.js'
import type { PrivateKey } from '@libp2p/interface'
import type { CallSignals, DirectMessages, FileRoom, HistoryStore, IceServer, RoomChat, RoomMember, RoomTyping } from '@p2p-chat/shared'

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
/** Diagnostics list this many recent errors. */
const MAX_RECENT_ERRORS = 20

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
  #online = $state(globalThis.navigator?.onLine ?? true)
  readonly #onNetwork = (): void => { this.#online = navigator.onLine }
  #error = $state<string>()
  #relay = $state.raw<RelayState>()
  #roomId = $state<string>()
  #roomLink = $state<string>()
  #isPrivate = $state(false)
  #topic = $state<string>()
  /** the log: ordered, each line once, the newest MAX_LINES */
  #timeline = new Timeline<ChatLine>(MAX_LINES)
  #lines = $state.raw<readonly ChatLine[]>([])
  #members = $state.raw<RoomMember[]>([])
  /** the log as shown: reactions under their lines, replies with what they answer */
  #presented = $derived.by(() => (this.#presentedBefore = presentLines(this.#lines, this.#blocked.peers, this.#presentedBefore)))
  /**
   * what the log showed last (not state): lines shown the same way again stay the same objects, and are not
   * redrawn; for a line added at the end, only that line is made
   */
  #presentedBefore?: Presented
  #blocked = new KeptPeers(BLOCKED_PEERS_KEY)
  #muted = new KeptPeers(MUTED_PEERS_KEY)
  #notifier = new Notifier(() => { this.#seen() })
  /** lines of the room shown that arrived while the page was hidden */
  #roomUnread = 0
  /** the latest errors, for diagnostics */
  #errors: RecentError[] = []
  /** the members typing now (ephemeral: never kept) */
  #typing = $state.raw<RoomTyping[]>([])
  /** the room's preview is in the log, or there is none to show (see {@link previewDone}) */
  #previewDone = $state(false)
  #name = $state('')
  #recentRooms = $state.raw<RecentRoom[]>([])
  #peerId = $state('')
  /** my peer id, once my identity and the blocked peers are read: all that lines shown before the node need */
  readonly #me: Promise<string>
  #knowMe!: (peerId: string) => void
  /** this browser holds no store of the app yet: nobody is blocked and no line is mine (asked before they open) */
  readonly #firstVisit: Promise<boolean>

  constructor (init: ChatSessionInit = {}) {
    this.#origin = init.origin ?? location.origin
    this.#me = new Promise(resolve => { this.#knowMe = resolve })
    this.#firstVisit = isFirstVisit()
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
  get lines (): readonly ChatLine[] { return this.#lines }
  /** the lines as the log shows them (see {@link presentLines}) */
  get shownLines (): ShownLine[] { return this.#presented.shown }
  get members (): RoomMember[] { return this.#members }
  /** the other members typing now, as their notices tell (each expires on its own) */
  get typing (): RoomTyping[] { return this.#typing.filter(t => !this.#blocked.has(t.peer) && !this.#muted.has(t.peer)) }
  get name (): string { return this.#name }
  /** rooms this browser has been in, most recent first (kept in IndexedDB) */
  get recentRooms (): RecentRoom[] { return this.#recentRooms }
  get peerId (): string { return this.#peerId }
  /**
   * The room's preview from the page the relay served is in the log, or there is none this page can show (a private
   * room, a page without one, a damaged one, the room left): the relay's drawing of it can go.
   */
  get previewDone (): boolean { return this.#previewDone }
  /** lines and private messages that arrived while the page was hidden (the title shows it) */
  get unread (): number { return this.#notifier.unread }
  /** whether mentions and private messages may notify while the page is hidden */
  get notifications (): NotificationAccess { return this.#notifier.access }

  /** Asks the browser to allow notifications (from a click: browsers refuse it otherwise). */
  async enableNotifications (): Promise<void> {
    await this.#notifier.requestPermission()
  }
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
    this.#notifier.start()
    // the identity's keychain is code of its own, fetched beside what the page does first (not in its first script)
    const identity = import('../storage/identity.js')
    try {
      // the relay info: in the page the relay served; else it loads while the identity is read and the node built
      const inline = this.#origin === location.origin ? pageRelayInfo(document.getElementById(RELAY_INFO_ELEMENT_ID)?.textContent) : undefined
      const info = inline != null ? Promise.resolve(inline) : fetchRelayInfo(this.#origin).catch(() => undefined)
      // the history store opens meanwhile: the node needs it only to answer peers, the room to show what it kept
      const opening = openHistoryStore()
      const opened = openSettings()
      // the identity's keychain opens beside the settings; the blocked and muted peers are read meanwhile (a blocked
      // peer's kept lines never show, not even for a moment)
      const [privateKey, [settings, name]] = await Promise.all([
        identity.then(async ({ loadIdentity }) => loadIdentity(opened)),
        opened.then(async settings => Promise.all([settings, settings.get(NAME_KEY), this.#blocked.load(settings), this.#muted.load(settings)]))
      ])
      const me = peerIdFromPrivateKey(privateKey).toString()
      this.#knowMe(me)
      this.#keepPreviewHint(me)
      const iceServers = relayIceServers({ origin: this.#origin, initial: info })
      const { node, loadExtras } = await createBrowserNode({
        iceServers,
        origin: this.#origin,
        privateKey,
        // this browser answers history requests for the room it is in, with the lines it has seen so far
        history: { store: opening, serves: async topic => this.#servesHistory(topic) }
      })
      this.#settings = settings
      this.#privateKey = privateKey
      this.#name = name ?? generateDisplayName()
      if (name == null) {
        // a generated name is kept as a chosen one is: the identity outlives the page, so must the name others know
        settings.set(NAME_KEY, this.#name).catch((err: Error) => { this.#recordError(`display name not kept: ${err.message}`) })
      }
      this.#node = node
      this.#loadExtras = loadExtras
      // private conversations and calls come with the node's late parts: their state attaches to each service
      // once it is made, before it takes anything from a peer
      node.services.dm.prepare(async dm => { await this.#startDirectChats(node, dm) })
      node.services.calls.prepare(async signals => { await this.#startCalls(node, signals, iceServers) })
      // the rest of the node loads once the room is on screen: its first line shown (#append), or nothing to show
      // after its first catch-up; else after a while (a page without a room)
      this.#extrasTimer = setTimeout(() => { this.#extras() }, EXTRAS_DELAY_MS)
      mark('node-started')
      this.#peerId = node.peerId.toString()
      const link = new RelayLink(node, { origin: this.#origin, info: await info })
      link.addEventListener('state', evt => {
        this.#relay = evt.detail
        if (evt.detail.status === 'retrying') this.#recordError(`relay ${evt.detail.relay}: ${evt.detail.error}`)
      })
      this.#link = link
      this.#relay = link.state
      link.start()
      this.#history = await opening
      void settings.rooms().then(rooms => { this.#recentRooms = rooms })
      this.#status = 'ready'
      if (this.#ref != null) {
        void this.#enterRoom(this.#ref)
      }
    } catch (err) {
      this.#status = 'failed'
      this.#error = `The chat node could not start: ${(err as Error).message}`
      this.#recordError(this.#error)
    }
  }

  async #startDirectChats (node: BrowserNode, dm: DirectMessages): Promise<void> {
    try {
      const { DirectChats } = await import('./direct-chats.svelte.js')
      if (this.#stopped) {
        return
      }
      const dms = new DirectChats(dm, node.peerId.toString(), () => this.#name, {
        refuse: peerId => this.isBlocked(peerId),
        onMessage: line => {
          if (this.isMuted(line.from)) return
          this.#notifier.arrived({ title: `Private message from ${line.name}`, body: line.text, tag: `dm:${line.from}`, notify: true, timestamp: line.timestamp })
        }
      })
      dms.start()
      this.#dms = dms
    } catch (err) {
      this.#error = `Private messages could not start: ${(err as Error).message}`
    }
  }

  /** Calls, once their signalling (a late part of the node) is made: their code loads before it starts. */
  async #startCalls (node: BrowserNode, signals: CallSignals, iceServers: () => Promise<IceServer[]>): Promise<void> {
    try {
      const { Calls } = await import('./calls.svelte.js')
      if (this.#stopped) {
        return
      }
      const calls = new Calls(signals, node.peerId.toString(), {
        iceServers,
        room: () => this.#room == null ? undefined : { topic: this.#room.topic, members: this.#members.map(m => m.peerId) },
        refuses: peerId => this.isBlocked(peerId)
      })
      calls.start()
      this.#calls = calls
    } catch (err) {
      this.#error = `Calls could not start: ${(err as Error).message}`
    }
  }

  async stop (): Promise<void> {
    removeEventListener('online', this.#onNetwork)
    removeEventListener('offline', this.#onNetwork)
    this.#notifier.stop()
    this.#stopped = true
    clearTimeout(this.#extrasTimer)
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
    this.#previewDone = ref.secret != null
    if (ref.secret == null) {
      void this.#showPreview(ref).finally(() => { if (this.#ref === ref) this.#previewDone = true })
    }
    if (this.#node != null) {
      void this.#enterRoom(ref)
    }
  }

  /**
   * A public room's newest lines from the page the relay served for its link (its room preview, docs/PROTOCOL.md):
   * verified as lines from history are, and shown as soon as my identity and the blocked peers are read (on a first
   * visit there are none: at once), before the node has reached anyone. A page served from elsewhere, another
   * room's preview or a damaged one: nothing shown from it.
   */
  async #showPreview (ref: RoomRef): Promise<void> {
    const text = this.#origin === location.origin ? document.getElementById(ROOM_PREVIEW_ELEMENT_ID)?.textContent : undefined
    if (text == null) {
      return
    }
    try {
      const preview = parseRoomPreview(text)
      if (preview.roomId !== ref.roomId) {
        return
      }
      const [lines, me] = await Promise.all([
        verifyRoomLines(publicRoomCodec(ref.roomId), preview.lines.map(data => ({ data }))),
        this.#firstVisit.then(async first => first ? undefined : this.#me)
      ])
      if (this.#ref === ref) {
        this.#append(...lines.map(line => ({ ...line, mine: line.from === me, pending: false })))
        mark('preview-shown')
      }
    } catch (err) {
      this.#recordError(`room preview: ${(err as Error).message}`)
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
    this.#previewDone = true
    this.#roomId = undefined
    this.#roomLink = undefined
    this.#isPrivate = false
    this.#timeline.clear()
    this.#lines = this.#timeline.items
    this.#members = []
    this.#typing = []
    this.#roomError = undefined
    this.#roomUnread = 0
    // the home page lists the rooms with what is unread in them
    this.#settings?.rooms().then(rooms => { this.#recentRooms = rooms }).catch(() => {})
  }

  /**
   * Forgets this browser's key: after the caller reloads the page it has a new peer id. Kept history and
   * the display name stay.
   */
  async newIdentity (): Promise<void> {
    if (this.#settings != null) {
      const { forgetIdentity } = await import('../storage/identity.js')
      await forgetIdentity(this.#settings)
    }
  }

  /**
   * Sends a line to the room. Throws the shared codec's typed errors (`MessageTooLargeError`,
   * `InvalidMessageError`) when the text is refused, before anything is sent.
   */
  async send (text: string, options: { replyTo?: string } = {}): Promise<void> {
    if (this.#room == null) {
      throw new NotInRoomError()
    }
    const { chat, pending } = await this.#room.send(text, options)
    this.#append({ ...chat, mine: true, pending })
  }

  /**
   * Offers a file (picked, dropped or pasted) to the room: serves it and sends a line naming it, with `text` if
   * any. Throws `FileTooLargeError` above the room's limit, and what {@link send} throws.
   */
  async attach (file: File, text = '', options: { replyTo?: string } = {}): Promise<void> {
    if (this.#room == null || this.#files == null) {
      throw new NotInRoomError()
    }
    const room = this.#room
    const attachment = await this.#files.share(file)
    if (this.#room !== room) return
    const { chat, pending } = await room.send(text, { attachment, replyTo: options.replyTo })
    this.#append({ ...chat, mine: true, pending })
  }

  /** Reacts to a line (an emoji): shown under it, counted once per member. Throws the codec's typed errors. */
  async react (id: string, reaction: string): Promise<void> {
    if (this.#room == null) {
      throw new NotInRoomError()
    }
    const { chat, pending } = await this.#room.react(id, reaction)
    this.#append({ ...chat, mine: true, pending })
  }

  /**
   * Tells the room whether I am typing: `true` on every keystroke (the room rate-limits its notices), `false`
   * when the draft is emptied. Sending a line needs no call.
   */
  setTyping (active: boolean): void {
    this.#room?.typing(active)
  }

  /**
   * Whether I blocked this peer: its lines and reactions are hidden, its typing not shown, its private messages
   * refused; file transfers and calls ask this too.
   */
  isBlocked (peerId: string): boolean {
    return this.#blocked.has(peerId)
  }

  /** Blocks a peer by peer id (kept across reloads): see {@link isBlocked}. */
  async block (peerId: string): Promise<void> {
    if (this.#dms?.open === peerId) this.#dms.close()
    await this.#blocked.add(peerId)
    this.#keepPreviewHint(this.#peerId)
  }

  async unblock (peerId: string): Promise<void> {
    await this.#blocked.remove(peerId)
    this.#keepPreviewHint(this.#peerId)
  }

  /** What the page needs before it is drawn, to show a room's preview as the app would: see `keepPreviewHint`. */
  #keepPreviewHint (me: string): void {
    if (me !== '') keepPreviewHint({ me, blocked: this.#blocked.peers })
  }

  /**
   * Whether I muted this peer: its lines still show, but none counts as unread or notifies (a mention neither), its
   * private messages notify nothing, and its typing is not shown. Unlike blocking, nothing is refused.
   */
  isMuted (peerId: string): boolean {
    return this.#muted.has(peerId)
  }

  /** Mutes a peer by peer id (kept across reloads): see {@link isMuted}. */
  async mute (peerId: string): Promise<void> {
    await this.#muted.add(peerId)
  }

  async unmute (peerId: string): Promise<void> {
    await this.#muted.remove(peerId)
  }

  /**
   * A snapshot of the node for the Diagnostics dialog: relay, reservation, connections, the room's mesh, DHT,
   * hints and recent errors (read by `lib/p2p/diagnostics.ts`, loaded on first use). Undefined before the node is up.
   */
  async diagnostics (): Promise<DiagnosticsSnapshot | undefined> {
    if (this.#node == null) {
      return undefined
    }
    const { readDiagnostics } = await import('../p2p/diagnostics.js')
    return readDiagnostics({ node: this.#node, relay: this.#relay, topic: this.#room?.topic, members: this.#members, errors: this.#errors })
  }

  /** History is served for the room this browser is in, once the lines it has seen are written. */
  async #servesHistory (topic: string): Promise<boolean> {
    const room = this.#room
    if (!isRoomTopic(topic) || topic !== room?.topic) {
      return false
    }
    await room.kept()
    // still in it: a room left meanwhile is not served
    return this.#room === room
  }

  #recordError (text: string): void {
    this.#errors = [...this.#errors, { at: Date.now(), text }].slice(-MAX_RECENT_ERRORS)
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
        this.#recordError(this.#roomError)
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
      history: { store: this.#history!, sync: node.services.history, keepDelay: HISTORY_KEEP_DELAY_MS },
      helloWait: HELLO_WAIT_MS
    })
    const me = node.peerId.toString()
    // a room that was left says nothing more (Room.leave); the checks guard against a stale room all the same
    room.addEventListener('chat', evt => {
      if (this.#room !== room) return
      this.#append({ ...evt.detail, mine: evt.detail.from === me, pending: false })
      this.#arrived(ref.roomId, evt.detail)
    })
    room.addEventListener('sent', evt => {
      if (this.#room === room && this.#timeline.update(evt.detail, line => ({ ...line, pending: false }))) this.#lines = this.#timeline.items
    })
    room.addEventListener('members', evt => {
      if (this.#room === room) {
        this.#members = evt.detail
        this.#calls?.ring()
      }
    })
    room.addEventListener('typing', () => {
      if (this.#room === room) this.#typing = room.getTyping()
    })
    // a room with nothing to show is on screen once it has asked a peer (the relay, first) for what it missed
    room.addEventListener('caught-up', () => { this.#extras() })
    this.#room = room
    this.#topic = room.topic
    void this.#startFiles(node, room, { topic: room.topic, keys })
    // what this browser kept of the room, and its lines still waiting, before anything new arrives
    const restored = await room.restore()
    if (this.#ref !== ref || this.#room !== room) {
      return
    }
    this.#append(...restored.lines.map(line => ({ ...line, mine: line.from === me, pending: restored.pending.includes(line.id) })))
    room.join()
  }

  /** The room's files, once file transfer (a late part of the node) and their code are loaded. */
  async #startFiles (node: BrowserNode, room: Room, fileRoom: FileRoom): Promise<void> {
    try {
      const [service, { FileTransfers }] = await Promise.all([node.services.files.load(), import('./file-transfers.svelte.js')])
      if (this.#room !== room) {
        return
      }
      this.#files = new FileTransfers(service, fileRoom, { refuses: peerId => this.isBlocked(peerId) })
    } catch (err) {
      if (this.#room === room) this.#roomError = `Files could not start: ${(err as Error).message}`
    }
  }

  /** A line of someone else's arrived: counted while the page is hidden, notified when it mentions me. */
  #arrived (roomId: string, line: RoomChat): void {
    if (line.reactTo != null || this.isBlocked(line.from) || this.isMuted(line.from)) {
      return
    }
    const mentioned = mentions(line.text, this.#name)
    const counted = this.#notifier.arrived({
      title: mentioned ? `${line.name} mentioned you` : `${line.name} in room ${roomId.slice(0, 8)}`,
      body: line.text,
      tag: `room:${roomId}`,
      notify: mentioned,
      timestamp: line.timestamp
    })
    if (counted) {
      this.#roomUnread++
      this.#settings?.setUnread(roomId, this.#roomUnread).catch(() => {})
    }
  }

  /** The page is shown again: what arrived meanwhile is read. */
  #seen (): void {
    if (this.#roomId != null && this.#roomUnread > 0) {
      this.#roomUnread = 0
      this.#settings?.setUnread(this.#roomId, 0).catch(() => {})
    }
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
    registerServiceWorker()
    this.#loadExtras().catch((err: Error) => {
      this.#error = `Part of the chat could not load: ${err.message}`
    })
  }
}
