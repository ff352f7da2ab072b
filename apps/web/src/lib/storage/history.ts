import { historyBounds, oldestKept, uniqueRecords, validateOutboxEntry } from '@p2p-chat/shared'
import { openDB, unwrap } from 'idb'
import type {
  HistoryBounds, HistoryListOptions, HistoryRecord, HistoryStore, HistoryStoreOptions, Outbox, OutboxEntry
} from '@p2p-chat/shared'
import type { DBSchema, IDBPDatabase, IDBPIndex, IDBPTransaction } from 'idb'

/** The IndexedDB database of history and outbox: apart from the settings one (`p2p-chat`), so each has its own version. */
export const DEFAULT_HISTORY_DB_NAME = 'p2p-chat-history'
const DB_VERSION = 1

/** [topic, timestamp or createdAt, id]: a topic's records in timeline order. */
type OrderKey = [string, number, string]

interface HistoryDB extends DBSchema {
  history: { key: [string, string], value: HistoryRecord, indexes: { order: OrderKey, age: number } }
  outbox: { key: [string, string], value: OutboxEntry, indexes: { order: OrderKey } }
}

type Database = IDBPDatabase<HistoryDB>
type WriteTransaction = IDBPTransaction<HistoryDB, ['history'], 'readwrite'>
type OrderIndex = IDBPIndex<HistoryDB, ['history'], 'history', 'order', 'readonly' | 'readwrite'>

export interface BrowserHistoryStoreOptions extends HistoryStoreOptions {
  /**
   * Name of the IndexedDB database.
   *
   * @default 'p2p-chat-history' (DEFAULT_HISTORY_DB_NAME)
   */
  name?: string
}

/** A topic's entries from `since` on (timestamps are finite, so Infinity is past the last). */
function topicRange (topic: string, since = -Infinity): IDBKeyRange {
  return IDBKeyRange.bound([topic, since, ''], [topic, Infinity, ''])
}

/** Every topic with a record at or after `since`: one cursor step per topic, jumping over the rest. */
async function topicsSince (index: OrderIndex, since: number): Promise<string[]> {
  const topics: string[] = []
  let cursor = await index.openKeyCursor()
  while (cursor != null) {
    const [topic, timestamp] = cursor.key
    if (timestamp >= since) {
      topics.push(topic)
      cursor = await cursor.continue([topic, Infinity, ''])
    } else {
      cursor = await cursor.continue([topic, since, ''])
    }
  }
  return topics
}

/**
 * Adds `record` unless the store holds its key already: resolves whether it was added. One request a record (its
 * reply is a task of the page's main thread), not a look-up and then an add: a record already held fails its add
 * alone, as a ConstraintError whose event is kept from aborting the transaction. Any other error aborts it.
 */
async function addIfNew (tx: WriteTransaction, record: HistoryRecord): Promise<boolean> {
  const request = unwrap(tx.store).add({ topic: record.topic, id: record.id, timestamp: record.timestamp, data: record.data })
  return new Promise((resolve, reject) => {
    request.onsuccess = () => { resolve(true) }
    request.onerror = event => {
      if (request.error?.name === 'ConstraintError') {
        event.preventDefault()
        event.stopPropagation()
        resolve(false)
      } else {
        reject(request.error ?? new DOMException('The record could not be added', 'UnknownError'))
      }
    }
  })
}

/** Drops what the bounds do not allow: old records everywhere, the oldest beyond the count in `topics`. */
async function prune (tx: WriteTransaction, bounds: HistoryBounds, topics: Iterable<string>): Promise<Set<string>> {
  const removed = new Set<string>()
  const cutoff = oldestKept(bounds)
  if (cutoff > 0) {
    let cursor = await tx.store.index('age').openCursor(IDBKeyRange.upperBound(cutoff, true))
    while (cursor != null) {
      removed.add(cursor.primaryKey.join('\n'))
      await cursor.delete()
      cursor = await cursor.continue()
    }
  }
  if (bounds.maxMessages !== Infinity) {
    const order = tx.store.index('order')
    for (const topic of topics) {
      let excess = await order.count(topicRange(topic)) - bounds.maxMessages
      let cursor = excess > 0 ? await order.openCursor(topicRange(topic)) : null
      while (cursor != null && excess-- > 0) {
        removed.add(cursor.primaryKey.join('\n'))
        await cursor.delete()
        cursor = await cursor.continue()
      }
    }
  }
  return removed
}

class IdbOutbox implements Outbox {
  constructor (private readonly db: Database) {}

  async put (entry: OutboxEntry): Promise<void> {
    validateOutboxEntry(entry)
    await this.db.put('outbox', { topic: entry.topic, id: entry.id, createdAt: entry.createdAt, data: entry.data })
  }

  async list (topic: string): Promise<OutboxEntry[]> {
    return this.db.getAllFromIndex('outbox', 'order', topicRange(topic))
  }

  async remove (topic: string, id: string): Promise<void> {
    await this.db.delete('outbox', [topic, id])
  }
}

class IdbHistoryStore implements HistoryStore {
  readonly outbox: Outbox

  constructor (private readonly db: Database, private readonly bounds: HistoryBounds) {
    this.outbox = new IdbOutbox(db)
  }

  async add (records: HistoryRecord[]): Promise<HistoryRecord[]> {
    const batch = uniqueRecords(records)
    const tx = this.db.transaction('history', 'readwrite')
    // every request at once, not one round trip each: the transaction runs them in order
    const added = await Promise.all(batch.map(async record => addIfNew(tx, record)))
    const inserted = batch.filter((_, i) => added[i])
    const removed = await prune(tx, this.bounds, new Set(inserted.map(record => record.topic)))
    await tx.done
    return inserted.filter(record => !removed.has(`${record.topic}\n${record.id}`))
  }

  async list (topic: string, options: HistoryListOptions = {}): Promise<HistoryRecord[]> {
    const range = topicRange(topic, this.since(options.since))
    if (options.limit == null) {
      return this.db.getAllFromIndex('history', 'order', range)
    }
    const newest: HistoryRecord[] = []
    let cursor = options.limit > 0 ? await this.db.transaction('history').store.index('order').openCursor(range, 'prev') : null
    while (cursor != null) {
      newest.push(cursor.value)
      cursor = newest.length < options.limit ? await cursor.continue() : null
    }
    return newest.reverse()
  }

  async ids (topic: string, since?: number): Promise<string[]> {
    const keys = await this.db.getAllKeysFromIndex('history', 'order', topicRange(topic, this.since(since)))
    return keys.map(([, id]) => id)
  }

  async topics (): Promise<string[]> {
    return (await topicsSince(this.db.transaction('history').store.index('order'), this.since())).sort()
  }

  async close (): Promise<void> {
    this.db.close()
  }

  private since (since = -Infinity): number {
    return Math.max(since, oldestKept(this.bounds))
  }
}

/**
 * Opens the browser's message history and outbox, in IndexedDB (database `p2p-chat-history`), applying the bounds
 * to what earlier pages stored. Throws if IndexedDB cannot be opened: see {@link openHistoryStore}.
 */
export async function openIdbHistoryStore (options: BrowserHistoryStoreOptions = {}): Promise<HistoryStore> {
  const bounds = historyBounds(options)
  const db = await openDB<HistoryDB>(options.name ?? DEFAULT_HISTORY_DB_NAME, DB_VERSION, {
    upgrade (database) {
      const history = database.createObjectStore('history', { keyPath: ['topic', 'id'] })
      history.createIndex('order', ['topic', 'timestamp', 'id'])
      history.createIndex('age', 'timestamp')
      const outbox = database.createObjectStore('outbox', { keyPath: ['topic', 'id'] })
      outbox.createIndex('order', ['topic', 'createdAt', 'id'])
    },
    // a newer page wants to upgrade the database: let it
    blocking () {
      db.close()
    }
  })
  const tx = db.transaction('history', 'readwrite')
  await prune(tx, bounds, await topicsSince(tx.store.index('order'), -Infinity))
  await tx.done
  return new IdbHistoryStore(db, bounds)
}

/**
 * Opens the message history and outbox; where IndexedDB is unavailable (some private modes), they live in memory
 * for the page only, like the settings.
 */
export async function openHistoryStore (options: BrowserHistoryStoreOptions = {}): Promise<HistoryStore> {
  historyBounds(options)
  try {
    return await openIdbHistoryStore(options)
  } catch {
    // a rare page's fallback: its code loads only then
    const { createMemoryHistoryStore } = await import('@p2p-chat/shared/history/memory')
    return createMemoryHistoryStore(options)
  }
}
