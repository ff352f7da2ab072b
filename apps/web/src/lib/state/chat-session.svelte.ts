import { createRoomId, fetchRelayInfo, generateDisplayName, mark, Room, validateName } from '@p2p-chat/shared'
import { createBrowserNode } from '../p2p/node.js'
import { RelayLink } from '../p2p/relay-link.js'
import { openSettings } from '../storage/settings.js'
import { DirectChats } from './direct-chats.svelte.js'
import type { BrowserNode } from '../p2p/node.js'
import type { RelayState } from '../p2p/relay-link.js'
import type { Settings } from '../storage/settings.js'
import type { RoomChat, RoomMember } from '@p2p-chat/shared'

/** A line in the message log. */
export interface ChatLine extends RoomChat {
  mine: boolean
  /** my line is waiting for a route to the room */
  pending: boolean
}

export type NodeStatus = 'starting' | 'ready' | 'failed'

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
  #origin: string

  #status = $state<NodeStatus>('starting')
  #error = $state<string>()
  #relay = $state.raw<RelayState>()
  #roomId = $state<string>()
  #lines = $state.raw<ChatLine[]>([])
  #members = $state.raw<RoomMember[]>([])
  #name = $state('')
  #peerId = $state('')

  constructor (init: ChatSessionInit = {}) {
    this.#origin = init.origin ?? location.origin
  }

  get status (): NodeStatus { return this.#status }
  get error (): string | undefined { return this.#error }
  get relay (): RelayState | undefined { return this.#relay }
  get roomId (): string | undefined { return this.#roomId }
  get lines (): ChatLine[] { return this.#lines }
  get members (): RoomMember[] { return this.#members }
  get name (): string { return this.#name }
  get peerId (): string { return this.#peerId }
  /** private conversations, once the node is up */
  get dms (): DirectChats | undefined { return this.#dms }

  async start (): Promise<void> {
    try {
      // the relay info and the settings load while libp2p's node is built
      const info = fetchRelayInfo(this.#origin).catch(() => undefined)
      const [settings, resolved, node] = await Promise.all([
        openSettings(),
        info,
        createBrowserNode({ iceServers: info.then(i => i?.iceServers ?? []), origin: this.#origin })
      ])
      this.#settings = settings
      this.#name = (await settings.get(NAME_KEY)) ?? generateDisplayName()
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
      this.#status = 'ready'
      if (this.#roomId != null) {
        this.#enterRoom(this.#roomId)
      }
    } catch (err) {
      this.#status = 'failed'
      this.#error = `The chat node could not start: ${(err as Error).message}`
    }
  }

  async stop (): Promise<void> {
    this.leaveRoom()
    this.#dms?.stop()
    this.#link?.stop()
    await this.#node?.stop()
  }

  /** Makes up a new room and returns its id; the caller navigates to it. */
  createRoom (): string {
    return createRoomId()
  }

  /** Enters a room (now, or as soon as the node is up). */
  joinRoom (roomId: string): void {
    if (this.#roomId === roomId) {
      return
    }
    this.leaveRoom()
    this.#roomId = roomId
    if (this.#node != null) {
      this.#enterRoom(roomId)
    }
  }

  leaveRoom (): void {
    this.#room?.leave()
    this.#room = undefined
    this.#roomId = undefined
    this.#lines = []
    this.#members = []
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

  #enterRoom (roomId: string): void {
    const room = new Room(this.#node!, { roomId, name: () => this.#name })
    room.addEventListener('chat', evt => { this.#append({ ...evt.detail, mine: false, pending: false }) })
    room.addEventListener('sent', evt => {
      this.#lines = this.#lines.map(line => line.id === evt.detail ? { ...line, pending: false } : line)
    })
    room.addEventListener('members', evt => { this.#members = evt.detail })
    this.#room = room
    room.join()
  }

  #append (line: ChatLine): void {
    if (this.#lines.some(l => l.id === line.id)) {
      return
    }
    const lines = [...this.#lines, line]
    lines.sort((a, b) => a.timestamp - b.timestamp || a.id.localeCompare(b.id))
    this.#lines = lines.length > MAX_LINES ? lines.slice(-MAX_LINES) : lines
  }
}
