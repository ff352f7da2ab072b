/**
 * Direct messages: private one-to-one messages between two peers, as a request/ack protocol on
 * {@link DM_PROTOCOL} streams. The sender of a received message is the connection's authenticated remote peer;
 * the name it carries is only a label. See docs/PROTOCOL.md, "Direct messages".
 *
 * @example
 *
 * ```ts
 * import { createLibp2p } from 'libp2p'
 * import { directMessages } from '@p2p-chat/shared'
 *
 * const node = await createLibp2p({
 *   // transports, connectionEncrypters, streamMuxers...
 *   services: { dm: directMessages() }
 * })
 *
 * node.services.dm.addEventListener('message', (evt) => {
 *   console.info(evt.detail.from.toString(), evt.detail.name, evt.detail.text)
 * })
 *
 * // one message, one stream: resolves once the peer acknowledged it
 * const sent = await node.services.dm.send(peerId, { name: 'alice', text: 'hi' })
 *
 * // several messages on one stream
 * const channel = await node.services.dm.openChannel(peerId)
 * await channel.send({ name: 'alice', text: 'one' })
 * await channel.send({ name: 'alice', text: 'two' })
 * await channel.close()
 * ```
 */

import { DirectMessageAck } from '../proto/dm.js'
import { DirectMessagesService } from './direct-messages.js'
import type { AbortOptions, ComponentLogger, PeerId } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { TypedEventTarget } from 'main-event'

/** The status a receiver answers a direct message with; anything but `OK` means it was not delivered. */
export const DirectMessageStatus = DirectMessageAck.Status
export type DirectMessageStatus = DirectMessageAck.Status

export interface DirectMessagesInit {
  /**
   * Largest encoded DirectMessage, in bytes, this peer sends or accepts. Keep it at least 4300 bytes (the largest
   * valid message), or peers with long texts will be refused.
   *
   * @default 8192 (DEFAULT_DM_MAX_MESSAGE_BYTES)
   */
  maxMessageSize?: number
  /**
   * How long, in ms, one message may take: for `send()`, from dialling and opening the stream to the ack; for a
   * channel's `send()`, from writing it to the ack; for a receiver, writing an ack.
   *
   * @default 10000 (DEFAULT_DM_TIMEOUT_MS)
   */
  timeout?: number
  /**
   * How long, in ms, a receiver waits for the next request on an inbound stream before closing it. A channel left
   * idle longer than the peer's idle timeout is closed by the peer.
   *
   * @default 60000 (DEFAULT_DM_IDLE_TIMEOUT_MS)
   */
  idleTimeout?: number
  /**
   * Inbound direct-message streams accepted at once per connection.
   *
   * @default 16 (DEFAULT_DM_MAX_INBOUND_STREAMS)
   */
  maxInboundStreams?: number
  /**
   * Outbound direct-message streams open at once per connection (each `send()` and each open channel is one).
   *
   * @default 16 (DEFAULT_DM_MAX_OUTBOUND_STREAMS)
   */
  maxOutboundStreams?: number
}

export interface DirectMessagesComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

/** What the application sends; the timestamp (and, unless given, the id) is filled in. */
export interface OutgoingDirectMessage {
  /**
   * 32 lowercase hex characters. Leave it out for a new message; pass the id of one that failed with a timeout
   * or a lost connection to send it again, so the receiver can recognise a duplicate.
   */
  id?: string
  /** the sender's display name (trimmed, 1–64 bytes) */
  name: string
  /** 1–4096 UTF-8 bytes, not only whitespace */
  text: string
}

/** A direct message the peer acknowledged with `OK`. */
export interface SentDirectMessage {
  /** 32 lowercase hex characters */
  id: string
  to: PeerId
  name: string
  text: string
  /** milliseconds since the Unix epoch, this peer's clock */
  timestamp: number
}

/** A direct message that passed validation and was acknowledged with `OK`. */
export interface ReceivedDirectMessage {
  /** 32 lowercase hex characters, chosen by the sender: use it to de-duplicate a retried message */
  id: string
  /** the authenticated remote peer of the connection it came on */
  from: PeerId
  /** the sender's display name: a label, not an identity */
  name: string
  text: string
  /** milliseconds since the Unix epoch, sender's clock (at most MAX_CLOCK_SKEW_MS ahead of this peer's) */
  timestamp: number
}

export interface DirectMessagesEvents {
  message: CustomEvent<ReceivedDirectMessage>
}

/**
 * Several direct messages to one peer on one stream, one after another. Calls to `send()` are queued, never
 * interleaved. After a failure or a rejection the channel is closed; so is one the peer closed after its idle
 * timeout. Open a new one to go on.
 */
export interface DirectMessageChannel {
  readonly peer: PeerId
  /** true once the channel can carry no more messages */
  readonly closed: boolean
  /**
   * Sends one message and resolves when the peer acknowledges it with `OK`. Rejects with
   * `InvalidMessageError`/`MessageTooLargeError` (refused before sending), `DirectMessageChannelClosedError`,
   * `DirectMessageTimeoutError`, `DirectMessageRejectedError`, `DirectMessageProtocolError`,
   * `PeerUnreachableError` (connection lost), or the caller's abort error.
   */
  send(message: OutgoingDirectMessage, options?: AbortOptions): Promise<SentDirectMessage>
  /** Closes the stream once queued messages are done. */
  close(options?: AbortOptions): Promise<void>
}

export interface DirectMessages extends TypedEventTarget<DirectMessagesEvents> {
  /**
   * Sends one message on a new stream (dialling the peer if needed, relayed connections included) and resolves
   * when the peer acknowledges it with `OK`. The text and name are validated before any stream is opened. Rejects
   * with `InvalidMessageError`/`MessageTooLargeError`, `PeerUnreachableError`, `DirectMessageTimeoutError`,
   * `DirectMessageRejectedError`, `DirectMessageProtocolError`, or the caller's abort error.
   */
  send(peer: PeerId, message: OutgoingDirectMessage, options?: AbortOptions): Promise<SentDirectMessage>
  /**
   * Opens a stream to the peer for several messages. Rejects with `PeerUnreachableError`,
   * `DirectMessageTimeoutError` or the caller's abort error.
   */
  openChannel(peer: PeerId, options?: AbortOptions): Promise<DirectMessageChannel>
}

/** The direct-message service, for libp2p's `services`. */
export function directMessages (init: DirectMessagesInit = {}): (components: DirectMessagesComponents) => DirectMessages {
  return (components) => new DirectMessagesService(components, init)
}
