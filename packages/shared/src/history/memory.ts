import { historyBounds, oldestKept, uniqueRecords, validateOutboxEntry } from './store.js'
import { compareRecords } from './timeline.js'
import type { HistoryBounds, HistoryListOptions, HistoryRecord, HistoryStore, HistoryStoreOptions, Outbox, OutboxEntry } from './store.js'

/** The newest `limit` items of an ordered list (all of them without a limit). */
function newest<T> (items: T[], limit?: number): T[] {
  return limit == null ? items : items.slice(Math.max(0, items.length - Math.max(0, limit)))
}

function copy<T extends { data: Uint8Array }> (item: T): T {
  return { ...item, data: item.data.slice() }
}

class MemoryOutbox implements Outbox {
  private readonly entries = new Map<string, Map<string, OutboxEntry>>()

  async put (entry: OutboxEntry): Promise<void> {
    validateOutboxEntry(entry)
    const topic = this.entries.get(entry.topic) ?? new Map<string, OutboxEntry>()
    this.entries.set(entry.topic, topic)
    topic.set(entry.id, copy(entry))
  }

  async list (topic: string): Promise<OutboxEntry[]> {
    return [...this.entries.get(topic)?.values() ?? []]
      .map(copy)
      .sort((a, b) => compareRecords({ id: a.id, timestamp: a.createdAt }, { id: b.id, timestamp: b.createdAt }))
  }

  async remove (topic: string, id: string): Promise<void> {
    this.entries.get(topic)?.delete(id)
  }
}

class MemoryHistoryStore implements HistoryStore {
  readonly outbox = new MemoryOutbox()
  /** each topic's records, ordered */
  private readonly records = new Map<string, HistoryRecord[]>()
  private readonly bounds: HistoryBounds

  constructor (options: HistoryStoreOptions) {
    this.bounds = historyBounds(options)
  }

  async add (records: HistoryRecord[]): Promise<HistoryRecord[]> {
    const added: HistoryRecord[] = []
    const touched = new Set<HistoryRecord[]>()
    for (const record of uniqueRecords(records)) {
      const topic = this.records.get(record.topic) ?? []
      this.records.set(record.topic, topic)
      if (!topic.some(stored => stored.id === record.id)) {
        topic.push(copy(record))
        touched.add(topic)
        added.push(record)
      }
    }
    touched.forEach(topic => topic.sort(compareRecords))
    this.prune()
    return added.filter(record => this.records.get(record.topic)?.some(stored => stored.id === record.id) === true)
  }

  async list (topic: string, options: HistoryListOptions = {}): Promise<HistoryRecord[]> {
    const since = Math.max(options.since ?? -Infinity, oldestKept(this.bounds))
    return newest((this.records.get(topic) ?? []).filter(record => record.timestamp >= since), options.limit).map(copy)
  }

  async ids (topic: string, since?: number): Promise<string[]> {
    return (await this.list(topic, { since })).map(record => record.id)
  }

  async topics (): Promise<string[]> {
    this.prune()
    return [...this.records.keys()].sort()
  }

  async close (): Promise<void> {}

  private prune (): void {
    const cutoff = oldestKept(this.bounds)
    for (const [topic, records] of this.records) {
      const kept = newest(records.filter(record => record.timestamp >= cutoff), this.bounds.maxMessages)
      if (kept.length === 0) {
        this.records.delete(topic)
      } else {
        this.records.set(topic, kept)
      }
    }
  }
}

/**
 * A history store that keeps everything in memory, for as long as the page or process: where no database can be
 * opened (a browser in private mode), and for tests.
 */
export function createMemoryHistoryStore (options: HistoryStoreOptions = {}): HistoryStore {
  return new MemoryHistoryStore(options)
}
