import { isMessageId } from '../codec.js'
import { MESSAGE_ID_HEX_LENGTH } from '../constants.js'
import { DEFAULT_HISTORY_MAX_AGE_MS, DEFAULT_HISTORY_MAX_MESSAGES } from './constants.js'
import { InvalidHistoryRecordError } from './errors.js'

/**
 * One message as published on a topic. `data` is the exact published bytes (an encoded room message, or a sealed
 * private envelope the keeper cannot read), so history can be replayed to a late joiner unchanged.
 */
export interface HistoryRecord {
  /** the gossipsub topic it was published on */
  topic: string
  /** the message id, 32 lowercase hex characters: unique per topic */
  id: string
  /** milliseconds since the Unix epoch, author's clock */
  timestamp: number
  data: Uint8Array
}

/** A message composed while it could not be sent, kept until it is. */
export interface OutboxEntry {
  topic: string
  /** the message id, 32 lowercase hex characters */
  id: string
  /** milliseconds since the Unix epoch, when it was composed */
  createdAt: number
  /** the bytes to publish */
  data: Uint8Array
}

export interface HistoryListOptions {
  /** only records with a timestamp at or after this (ms since the epoch) */
  since?: number
  /** at most this many records: the newest ones (still returned oldest first) */
  limit?: number
}

export interface HistoryStoreOptions {
  /**
   * Messages kept per topic; beyond this the oldest, by (timestamp, id), are dropped. `Infinity` keeps all.
   *
   * @default 1000 (DEFAULT_HISTORY_MAX_MESSAGES)
   */
  maxMessages?: number
  /**
   * Messages whose timestamp is older than this many ms are dropped (and never listed). `Infinity` keeps all.
   *
   * @default 30 days (DEFAULT_HISTORY_MAX_AGE_MS)
   */
  maxAgeMs?: number
  /**
   * The clock the age bound is measured with, in ms since the epoch.
   *
   * @default Date.now
   */
  now?: () => number
}

/**
 * Messages composed while no peer could take them, persisted so a reload does not lose them. An entry stays until
 * it is removed (once it was published).
 */
export interface Outbox {
  /** Keeps an entry; an entry with the same topic and id is replaced. */
  put: (entry: OutboxEntry) => Promise<void>
  /** The topic's entries, oldest first by (createdAt, id). */
  list: (topic: string) => Promise<OutboxEntry[]>
  /** Forgets an entry; nothing happens if there is none. */
  remove: (topic: string, id: string) => Promise<void>
}

/**
 * The recent messages of each topic, bounded per topic by count and by age, and the outbox kept beside them in the
 * same database. Records are ordered by (timestamp, id) everywhere ({@link compareRecords}).
 */
export interface HistoryStore {
  /**
   * Stores records, ignoring those already stored (same topic and id) or repeated in the batch, then drops what
   * the bounds no longer allow. Returns the records that were new and are still kept, in the order given.
   * Throws {@link InvalidHistoryRecordError} (storing none) if any record is malformed.
   */
  add: (records: HistoryRecord[]) => Promise<HistoryRecord[]>
  /** A topic's records, oldest first, within the age bound. */
  list: (topic: string, options?: HistoryListOptions) => Promise<HistoryRecord[]>
  /** The ids of a topic's records with a timestamp at or after `since`, oldest first: what a sync peer compares. */
  ids: (topic: string, since?: number) => Promise<string[]>
  /** Every topic with at least one record, sorted. */
  topics: () => Promise<string[]>
  /** Messages waiting to be sent, in the same database. */
  readonly outbox: Outbox
  /** Closes the database (history and outbox); the store cannot be used after. */
  close: () => Promise<void>
}

/** {@link HistoryStoreOptions} with the defaults applied and checked. */
export interface HistoryBounds {
  maxMessages: number
  maxAgeMs: number
  now: () => number
}

/** Applies the defaults to `options`; throws RangeError for a bound that is not a positive integer (or Infinity). */
export function historyBounds (options: HistoryStoreOptions = {}): HistoryBounds {
  const maxMessages = options.maxMessages ?? DEFAULT_HISTORY_MAX_MESSAGES
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_HISTORY_MAX_AGE_MS
  for (const [name, value] of [['maxMessages', maxMessages], ['maxAgeMs', maxAgeMs]] as const) {
    if (value !== Infinity && (!Number.isSafeInteger(value) || value <= 0)) {
      throw new RangeError(`${name} must be a positive integer or Infinity, not ${value}`)
    }
  }
  return { maxMessages, maxAgeMs, now: options.now ?? Date.now }
}

/** The oldest timestamp the age bound keeps, now. */
export function oldestKept (bounds: HistoryBounds): number {
  return bounds.maxAgeMs === Infinity ? -Infinity : bounds.now() - bounds.maxAgeMs
}

function check (topic: unknown, id: unknown, time: unknown, data: unknown): void {
  if (typeof topic !== 'string' || topic === '') {
    throw new InvalidHistoryRecordError('A history topic must be a non-empty string')
  }
  if (!isMessageId(id)) {
    throw new InvalidHistoryRecordError(`A history id must be ${MESSAGE_ID_HEX_LENGTH} lowercase hex characters`)
  }
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) {
    throw new InvalidHistoryRecordError('A history time must be a non-negative integer of milliseconds')
  }
  if (!(data instanceof Uint8Array)) {
    throw new InvalidHistoryRecordError('History data must be a Uint8Array')
  }
}

/** Throws {@link InvalidHistoryRecordError} unless the record can be stored. */
export function validateHistoryRecord (record: HistoryRecord): void {
  check(record.topic, record.id, record.timestamp, record.data)
}

/** Throws {@link InvalidHistoryRecordError} unless the entry can be stored. */
export function validateOutboxEntry (entry: OutboxEntry): void {
  check(entry.topic, entry.id, entry.createdAt, entry.data)
}

/** The records of a batch that are not repeated in it (the first of each topic and id), validated. */
export function uniqueRecords (records: HistoryRecord[]): HistoryRecord[] {
  records.forEach(validateHistoryRecord)
  const seen = new Set<string>()
  return records.filter(record => {
    const key = `${record.topic}\n${record.id}`
    if (seen.has(key)) {
      return false
    }
    seen.add(key)
    return true
  })
}
