/**
 * History sync: the protocol id and the limits both ends agree on. Change the wire format: bump the protocol's
 * version here and in docs/PROTOCOL.md.
 */

import { MAX_ROOM_MESSAGE_BYTES, MESSAGE_ID_HEX_LENGTH } from '../../constants.js'
import { MAX_PRIVATE_ENVELOPE_BYTES } from '../../private-room/constants.js'

/** Protocol of history sync: a HistoryRequest, then a HistoryResponse and its records, on one stream. */
export const HISTORY_SYNC_PROTOCOL = '/p2p-chat/history/1.0.0'

/** A record id on the wire is this many bytes (lowercase hex, a message id, in the API). */
export const HISTORY_RECORD_ID_BYTES = MESSAGE_ID_HEX_LENGTH / 2
/** Longest topic a request may name, in UTF-8 bytes (room and private topics are 43). */
export const MAX_HISTORY_TOPIC_BYTES = 256
/**
 * Most ids a request may list as already held. A store keeps 1000 messages per topic by default; a requester that
 * holds more since `since` asks with a later `since`.
 */
export const MAX_HISTORY_HAVE_IDS = 1024
/**
 * Largest encoded HistoryRequest (one frame, not counting its length prefix): a topic of
 * {@link MAX_HISTORY_TOPIC_BYTES} and {@link MAX_HISTORY_HAVE_IDS} ids encode to about 18.7 KB.
 */
export const MAX_HISTORY_REQUEST_BYTES = 20_480
/** Most records one answer carries: a requester's `limit` cannot be more, a server's `maxRecords` neither. */
export const MAX_HISTORY_SYNC_RECORDS = 1000
/** Records a requester asks for when it names no `limit`. */
export const DEFAULT_HISTORY_SYNC_LIMIT = MAX_HISTORY_SYNC_RECORDS
/**
 * Largest `data` of a record: the largest published message, a room message ({@link MAX_ROOM_MESSAGE_BYTES}) or
 * a sealed private envelope ({@link MAX_PRIVATE_ENVELOPE_BYTES}). A server skips stored records over it.
 */
export const MAX_HISTORY_RECORD_DATA_BYTES = Math.max(MAX_ROOM_MESSAGE_BYTES, MAX_PRIVATE_ENVELOPE_BYTES)
/** Largest encoded HistoryRecordMessage: the largest data plus its id, timestamp and field headers, rounded up. */
export const MAX_HISTORY_RECORD_FRAME_BYTES = MAX_HISTORY_RECORD_DATA_BYTES + 64
/**
 * A server writes its records in batches of about this many bytes, each batch one write (a muxer frame or a few),
 * not one write per record: 1,000 short records were 1,005 frames, each encrypted, sent and received on its own
 * (a newcomer's catch-up of 1,000 lines, profiled: 1,594 → 1,350 ms; bench `history`).
 */
export const HISTORY_WRITE_BATCH_BYTES = 32_768
/** Largest encoded HistoryResponse a requester reads; a real one is at most 8 bytes. */
export const MAX_HISTORY_RESPONSE_BYTES = 64
/**
 * How long (ms) one sync may take: for the requester, from dialling to the last record; for the server, from the
 * stream opening to its last record written.
 */
export const DEFAULT_HISTORY_SYNC_TIMEOUT_MS = 15_000
/** History-sync streams a peer accepts at once on one connection. */
export const DEFAULT_HISTORY_SYNC_MAX_INBOUND_STREAMS = 4
/** History-sync streams a peer opens at once on one connection. */
export const DEFAULT_HISTORY_SYNC_MAX_OUTBOUND_STREAMS = 4
