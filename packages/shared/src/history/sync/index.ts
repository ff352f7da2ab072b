/**
 * History sync: a peer that joins a room late (or comes back) asks a member or a relay for the recent messages of
 * the room's topic it lacks, on {@link HISTORY_SYNC_PROTOCOL} streams. The server answers from its
 * {@link HistoryStore}, only for topics its `serves` callback accepts. Records come back exactly as they were
 * published: **nothing here verifies or decrypts them**, so the caller checks each one (decode and validate a room
 * message, open a private envelope, check that the id and timestamp match) before it stores or shows it. See
 * docs/PROTOCOL.md, "History sync".
 *
 * @example
 *
 * ```ts
 * import { createLibp2p } from 'libp2p'
 * import { createMemoryHistoryStore, historySync } from '@p2p-chat/shared'
 *
 * const store = createMemoryHistoryStore()
 * const node = await createLibp2p({
 *   // transports, connectionEncrypters, streamMuxers...
 *   services: { history: historySync({ store, serves: (topic) => joined.has(topic) }) }
 * })
 *
 * // what the peer has since a day ago that this one lacks: the newest 200 at most, oldest first
 * const since = Date.now() - 24 * 60 * 60 * 1000
 * const records = await node.services.history.sync(peerId, topic, {
 *   since, have: await store.ids(topic, since), limit: 200
 * })
 * await store.add(records.filter(isValidForTheRoom)) // verify before storing: the peer may lie
 * ```
 */

import { HistorySyncService } from './history-sync.js'
import type { HistoryRecord, HistoryStore } from '../store.js'
import type { AbortOptions, ComponentLogger, PeerId } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

export * from './constants.js'
export * from './errors.js'

export interface HistorySyncInit {
  /**
   * Where answers come from. Without a store this peer serves nothing (every request is answered NOT_SERVED), but it
   * can still sync from others.
   */
  store?: HistoryStore
  /**
   * Whether this peer shares the history of `topic` with whoever asks: a member answers for the rooms it is in, a
   * relay for the rooms it keeps. Anyone who knows a topic can ask for it. A callback that throws counts as `false`.
   *
   * @default () => false (serve nothing)
   */
  serves?: (topic: string) => boolean | Promise<boolean>
  /**
   * How long, in ms, one sync may take: for `sync()`, from dialling to the last record; for the server, from the
   * stream opening to the last record written.
   *
   * @default 15000 (DEFAULT_HISTORY_SYNC_TIMEOUT_MS)
   */
  timeout?: number
  /**
   * Most records this peer sends in one answer, whatever the requester's limit (at most MAX_HISTORY_SYNC_RECORDS).
   *
   * @default 1000 (MAX_HISTORY_SYNC_RECORDS)
   */
  maxRecords?: number
  /**
   * Inbound history-sync streams accepted at once per connection.
   *
   * @default 4 (DEFAULT_HISTORY_SYNC_MAX_INBOUND_STREAMS)
   */
  maxInboundStreams?: number
  /**
   * Outbound history-sync streams open at once per connection (each `sync()` is one).
   *
   * @default 4 (DEFAULT_HISTORY_SYNC_MAX_OUTBOUND_STREAMS)
   */
  maxOutboundStreams?: number
}

export interface HistorySyncComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

export interface HistorySyncOptions extends AbortOptions {
  /**
   * Only records with a timestamp at or after this, in ms since the epoch (inclusive).
   *
   * @default 0 (everything the peer keeps)
   */
  since?: number
  /**
   * Ids (32 lowercase hex characters) of the records this peer already holds with a timestamp at or after `since`
   * (`store.ids(topic, since)`): the peer does not send them. At most MAX_HISTORY_HAVE_IDS.
   */
  have?: string[]
  /**
   * The most records wanted; when the peer has more, it sends the newest ones. 1 to MAX_HISTORY_SYNC_RECORDS; the
   * peer may send fewer (its own `maxRecords`).
   *
   * @default 1000 (DEFAULT_HISTORY_SYNC_LIMIT)
   */
  limit?: number
}

export interface HistorySync {
  /**
   * Asks `peer` (dialling it if needed, relayed connections included) for the records of `topic` this peer lacks,
   * and resolves with them, oldest first, `topic` filled in. The records are checked for shape only (16-byte id,
   * timestamp, data size, order, `since`, not in `have`): **they are not verified or decrypted**; that is the
   * caller's job before storing or showing them.
   *
   * Rejects with `InvalidHistoryRequestError` (before opening any stream), `HistoryNotServedError` (the peer does
   * not serve the topic), `HistorySyncRejectedError` (the peer found the request invalid),
   * `HistorySyncProtocolError` (a malformed, oversized, out-of-order or truncated answer), `HistorySyncTimeoutError`,
   * `PeerUnreachableError` (no stream, or the connection broke), `NotStartedError`, or the caller's abort error.
   * Nothing is returned from a failed sync.
   */
  sync(peer: PeerId, topic: string, options?: HistorySyncOptions): Promise<HistoryRecord[]>
}

/** The history-sync service, for libp2p's `services`. */
export function historySync (init: HistorySyncInit = {}): (components: HistorySyncComponents) => HistorySync {
  return (components) => new HistorySyncService(components, init)
}
