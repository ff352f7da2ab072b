import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { isMessageId, timestampFromWire, utf8Length } from '../../codec.js'
import { MESSAGE_ID_HEX_LENGTH } from '../../constants.js'
import { HistoryRecordMessage, HistoryRequest, HistoryResponse } from '../../proto/history.js'
import { compareRecords } from '../timeline.js'
import {
  DEFAULT_HISTORY_SYNC_LIMIT, HISTORY_RECORD_ID_BYTES, MAX_HISTORY_HAVE_IDS, MAX_HISTORY_RECORD_DATA_BYTES,
  MAX_HISTORY_REQUEST_BYTES, MAX_HISTORY_RESPONSE_BYTES, MAX_HISTORY_SYNC_RECORDS, MAX_HISTORY_TOPIC_BYTES
} from './constants.js'
import { HistorySyncProtocolError, InvalidHistoryRequestError } from './errors.js'
import type { HistoryRecord } from '../store.js'
import type { HistorySyncOptions } from './index.js'
import type { Uint8ArrayList } from 'uint8arraylist'

/** What a requester asks for, validated, and the request frame that asks for it. */
export interface SyncRequest {
  topic: string
  since: number
  /** hex ids the requester holds: the answer must not repeat them */
  have: Set<string>
  limit: number
  bytes: Uint8Array
}

function checkTopic (topic: unknown): topic is string {
  return typeof topic === 'string' && topic !== '' && utf8Length(topic) <= MAX_HISTORY_TOPIC_BYTES
}

/**
 * Validates and encodes a requester's sync request. Throws {@link InvalidHistoryRequestError}, before anything
 * touches the network.
 */
export function prepareSyncRequest (topic: string, options: HistorySyncOptions = {}): SyncRequest {
  if (!checkTopic(topic)) {
    throw new InvalidHistoryRequestError(`A topic must be 1 to ${MAX_HISTORY_TOPIC_BYTES} UTF-8 bytes`)
  }
  const since = options.since ?? 0
  if (!Number.isSafeInteger(since) || since < 0) {
    throw new InvalidHistoryRequestError('`since` must be a non-negative integer of milliseconds')
  }
  const limit = options.limit ?? DEFAULT_HISTORY_SYNC_LIMIT
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_HISTORY_SYNC_RECORDS) {
    throw new InvalidHistoryRequestError(`\`limit\` must be an integer from 1 to ${MAX_HISTORY_SYNC_RECORDS}`)
  }
  const have = new Set(options.have ?? [])
  if (have.size > MAX_HISTORY_HAVE_IDS) {
    throw new InvalidHistoryRequestError(`At most ${MAX_HISTORY_HAVE_IDS} held ids fit in a request; ask with a later \`since\``)
  }
  for (const id of have) {
    if (!isMessageId(id)) {
      throw new InvalidHistoryRequestError(`A held id must be ${MESSAGE_ID_HEX_LENGTH} lowercase hex characters`)
    }
  }
  const bytes = HistoryRequest.encode({
    topic,
    since: BigInt(since),
    have: [...have].map(id => uint8ArrayFromString(id, 'base16')),
    limit
  })
  return { topic, since, have, limit, bytes }
}

/** A request as a server reads it: `limit` already capped at the server's maximum. */
export interface ParsedSyncRequest {
  topic: string
  since: number
  have: Set<string>
  limit: number
}

/**
 * Decodes and checks a request frame; `maxRecords` caps its limit (and stands for a limit of 0). Returns undefined
 * for a request that breaks the rules (the server answers INVALID). Never throws.
 */
export function parseSyncRequest (frame: Uint8Array | Uint8ArrayList, maxRecords: number): ParsedSyncRequest | undefined {
  if (frame.byteLength > MAX_HISTORY_REQUEST_BYTES) {
    return undefined
  }
  let request: HistoryRequest
  try {
    request = HistoryRequest.decode(frame, { limits: { have: MAX_HISTORY_HAVE_IDS } })
  } catch {
    return undefined
  }
  const since = timestampFromWire(request.since)
  if (!checkTopic(request.topic) || since < 0 || request.have.some(id => id.byteLength !== HISTORY_RECORD_ID_BYTES)) {
    return undefined
  }
  return {
    topic: request.topic,
    since,
    have: new Set(request.have.map(id => uint8ArrayToString(id, 'base16'))),
    limit: request.limit === 0 ? maxRecords : Math.min(request.limit, maxRecords)
  }
}

/**
 * What a server sends for a request, from the topic's records at or after `since` (oldest first): those the
 * requester lacks and whose data fits on the wire, the newest `limit` of them, oldest first.
 */
export function selectRecords (records: HistoryRecord[], request: ParsedSyncRequest): HistoryRecord[] {
  const wanted = records.filter(record => !request.have.has(record.id) && record.data.byteLength <= MAX_HISTORY_RECORD_DATA_BYTES)
  return wanted.slice(Math.max(0, wanted.length - request.limit))
}

export function encodeRecord (record: HistoryRecord): Uint8Array {
  return HistoryRecordMessage.encode({
    id: uint8ArrayFromString(record.id, 'base16'),
    timestamp: BigInt(record.timestamp),
    // protons types bytes as backed by an ArrayBuffer; it only reads them, whatever backs them
    data: record.data as Uint8Array<ArrayBuffer>
  })
}

/**
 * Decodes the server's response frame and checks that it announces no more records than asked for. Throws
 * {@link HistorySyncProtocolError}.
 */
export function parseResponse (frame: Uint8Array | Uint8ArrayList, request: SyncRequest): HistoryResponse {
  if (frame.byteLength > MAX_HISTORY_RESPONSE_BYTES) {
    throw new HistorySyncProtocolError(`The response is ${frame.byteLength} bytes; the limit is ${MAX_HISTORY_RESPONSE_BYTES}`)
  }
  let response: HistoryResponse
  try {
    response = HistoryResponse.decode(frame)
  } catch (err) {
    throw new HistorySyncProtocolError(`The response does not decode: ${(err as Error).message}`, { cause: err })
  }
  if (response.status === HistoryResponse.Status.OK && response.count > request.limit) {
    throw new HistorySyncProtocolError(`The peer announced ${response.count} records; ${request.limit} were asked for`)
  }
  return response
}

/**
 * Decodes one record frame of an answer to `request` and checks it: an id of 16 bytes, a timestamp that is a safe
 * integer at or after `since`, data within {@link MAX_HISTORY_RECORD_DATA_BYTES}, an id the requester does not
 * hold, and after `previous` in (timestamp, id) order. Throws {@link HistorySyncProtocolError}.
 */
export function parseRecord (frame: Uint8Array | Uint8ArrayList, request: SyncRequest, previous?: HistoryRecord): HistoryRecord {
  let message: HistoryRecordMessage
  try {
    message = HistoryRecordMessage.decode(frame)
  } catch (err) {
    throw new HistorySyncProtocolError(`A record does not decode: ${(err as Error).message}`, { cause: err })
  }
  if (message.id.byteLength !== HISTORY_RECORD_ID_BYTES) {
    throw new HistorySyncProtocolError(`A record id is ${message.id.byteLength} bytes, not ${HISTORY_RECORD_ID_BYTES}`)
  }
  if (message.data.byteLength > MAX_HISTORY_RECORD_DATA_BYTES) {
    throw new HistorySyncProtocolError(`A record's data is ${message.data.byteLength} bytes; the limit is ${MAX_HISTORY_RECORD_DATA_BYTES}`)
  }
  const record: HistoryRecord = {
    topic: request.topic,
    id: uint8ArrayToString(message.id, 'base16'),
    timestamp: timestampFromWire(message.timestamp),
    // a copy: the decoded bytes are a view of the frame, which may be a view of a larger network buffer
    data: new Uint8Array(message.data)
  }
  if (record.timestamp < 0) {
    throw new HistorySyncProtocolError('A record timestamp is beyond the safe integers')
  }
  if (record.timestamp < request.since) {
    throw new HistorySyncProtocolError(`Record ${record.id} is older than the \`since\` asked for`)
  }
  if (request.have.has(record.id)) {
    throw new HistorySyncProtocolError(`Record ${record.id} was listed as held`)
  }
  if (previous != null && compareRecords(previous, record) >= 0) {
    throw new HistorySyncProtocolError(`Record ${record.id} is out of order or repeated`)
  }
  return record
}
