import { peerIdFromString } from '@libp2p/peer-id'
import { createMessageId, DirectMessageStatus, validateText } from '@p2p-chat/shared'
import type { DirectMessageRejectedError, DirectMessages, ReceivedDirectMessage } from '@p2p-chat/shared'

export type DirectLineStatus = 'sending' | 'delivered' | 'failed'

/** A line of a private conversation. */
export interface DirectLine {
  id: string
  /** peer id of the author */
  from: string
  name: string
  text: string
  timestamp: number
  mine: boolean
  /** my lines: where the message is (the peer acknowledges each one) */
  status?: DirectLineStatus
  /** why sending failed, for people */
  error?: string
  /** why sending failed, as the error said it (peer ids, libp2p's reason): for a tooltip */
  detail?: string
}

/** Why a private message was not delivered, in words for people; `name` is the peer's. */
function describeSendError (err: Error, name: string): string {
  switch (err.name) {
    case 'PeerUnreachableError':
      return `${name} cannot be reached now`
    case 'DirectMessageTimeoutError':
      return `no answer from ${name} in time: it may have arrived`
    case 'DirectMessageRejectedError':
      return `${name} refused it as ${(err as DirectMessageRejectedError).status === DirectMessageStatus.TOO_LARGE ? 'too large' : 'invalid'}`
    case 'DirectMessageProtocolError':
    case 'DirectMessageChannelClosedError':
      return `the connection to ${name} broke before ${name} acknowledged it`
    default:
      return err.message
  }
}

/** Most lines kept per conversation. */
const MAX_LINES = 500
/** Most conversations kept; past it the one that has been quiet longest is forgotten. */
const MAX_CONVERSATIONS = 100

/** One peer's private conversation, as listed. */
export interface DirectConversation {
  peerId: string
  /** the name the peer last wrote under */
  name: string
  unread: number
}

export interface DirectChatsInit {
  /** a peer whose messages are dropped unread (blocked) @default nobody */
  refuse?: (peerId: string) => boolean
  /** a peer's message arrived (not a refused one) */
  onMessage?: (line: DirectLine) => void
}

/**
 * Private conversations over the direct-message protocol: one per peer, each of my messages `sending` until
 * the peer's acknowledgement makes it `delivered`, or `failed` (with the reason) and retryable.
 */
export class DirectChats {
  readonly #dm: DirectMessages
  /** my peer id */
  readonly #me: string
  readonly #name: () => string
  readonly #refuse: (peerId: string) => boolean
  readonly #init: DirectChatsInit
  #conversations = $state.raw<Record<string, DirectLine[]>>({})
  #unread = $state.raw<Record<string, number>>({})
  /** the names peers had when their conversation was opened (as room members): kept once they leave the room */
  #names = $state.raw<Record<string, string>>({})
  #open = $state<string>()

  readonly #onMessage = (evt: CustomEvent<ReceivedDirectMessage>): void => {
    const { id, from, name, text, timestamp } = evt.detail
    const peerId = from.toString()
    if (this.#refuse(peerId)) {
      return
    }
    const line = { id, from: peerId, name, text, timestamp, mine: false }
    this.#put(peerId, line)
    this.#init.onMessage?.(line)
    if (this.#open !== peerId) {
      this.#unread = { ...this.#unread, [peerId]: (this.#unread[peerId] ?? 0) + 1 }
    }
  }

  constructor (dm: DirectMessages, me: string, name: () => string, init: DirectChatsInit = {}) {
    this.#dm = dm
    this.#me = me
    this.#name = name
    this.#refuse = init.refuse ?? (() => false)
    this.#init = init
  }

  /** the peer whose conversation is open */
  get open (): string | undefined { return this.#open }

  /**
   * Every conversation, the latest active first: peers outside the room can write too, and must be answerable.
   */
  get conversations (): DirectConversation[] {
    return Object.entries(this.#conversations)
      .filter(([peerId]) => !this.#refuse(peerId))
      .map(([peerId]) => ({ peerId, name: this.nameOf(peerId) ?? 'a peer', unread: this.unread(peerId) }))
      .reverse()
  }

  start (): void {
    this.#dm.addEventListener('message', this.#onMessage)
  }

  stop (): void {
    this.#dm.removeEventListener('message', this.#onMessage)
  }

  conversation (peerId: string): DirectLine[] {
    return this.#conversations[peerId] ?? []
  }

  unread (peerId: string): number {
    return this.#unread[peerId] ?? 0
  }

  /** The name the peer last wrote under, else the one it had when its conversation was opened; undefined: unknown. */
  nameOf (peerId: string): string | undefined {
    return this.conversation(peerId).findLast(l => !l.mine)?.name ?? this.#names[peerId]
  }

  /**
   * Opens the conversation with a peer; `name`, the peer's name as a room member now, stays its name here after it
   * leaves the room.
   */
  openWith (peerId: string, name?: string): void {
    if (name != null && this.#names[peerId] !== name) {
      this.#names = { ...this.#names, [peerId]: name }
    }
    this.#open = peerId
    this.#unread = { ...this.#unread, [peerId]: 0 }
  }

  close (): void {
    this.#open = undefined
  }

  /**
   * Sends a private message: shown at once as sending, then delivered or failed (its status says which, and
   * `delivered` resolves then, never rejecting). Throws the codec's typed errors when the text is refused.
   */
  send (peerId: string, text: string): { delivered: Promise<void> } {
    validateText(text)
    const line: DirectLine = { id: createMessageId(), from: this.#me, name: this.#name(), text, timestamp: Date.now(), mine: true, status: 'sending' }
    this.#put(peerId, line)
    return { delivered: this.#deliver(peerId, line) }
  }

  /** Sends a failed message again, with the same id. */
  async retry (peerId: string, id: string): Promise<void> {
    const line = this.conversation(peerId).find(l => l.id === id && l.status === 'failed')
    if (line != null) {
      await this.#deliver(peerId, line)
    }
  }

  async #deliver (peerId: string, line: DirectLine): Promise<void> {
    this.#update(peerId, line.id, { status: 'sending', error: undefined, detail: undefined })
    try {
      await this.#dm.send(peerIdFromString(peerId), { id: line.id, name: line.name, text: line.text })
      this.#update(peerId, line.id, { status: 'delivered' })
    } catch (err) {
      const error = err as Error
      this.#update(peerId, line.id, { status: 'failed', error: describeSendError(error, this.nameOf(peerId) ?? 'the peer'), detail: error.message })
    }
  }

  #put (peerId: string, line: DirectLine): void {
    const lines = this.conversation(peerId)
    if (lines.some(l => l.id === line.id && l.from === line.from)) {
      return
    }
    // kept in the order of activity (the latest active last), and bounded: a peer cannot grow this without end
    // by writing from ever new peer ids; the quietest conversation (not the open one) goes first
    const conversations = { ...this.#conversations }
    delete conversations[peerId]
    conversations[peerId] = [...lines, line].slice(-MAX_LINES)
    const quietest = Object.keys(conversations).filter(id => id !== this.#open)
    const unread = { ...this.#unread }
    while (Object.keys(conversations).length > MAX_CONVERSATIONS) {
      const id = quietest.shift()!
      delete conversations[id]
      delete unread[id]
    }
    this.#unread = unread
    this.#conversations = conversations
  }

  #update (peerId: string, id: string, change: Partial<DirectLine>): void {
    this.#conversations = {
      ...this.#conversations,
      [peerId]: this.conversation(peerId).map(l => l.id === id && l.mine ? { ...l, ...change } : l)
    }
  }
}
