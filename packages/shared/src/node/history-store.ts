import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { DEFAULT_SQLITE_BUSY_TIMEOUT_MS, HISTORY_SQLITE_FILE } from '../history/constants.js'
import { historyBounds, oldestKept, uniqueRecords, validateOutboxEntry } from '../history/store.js'
import type {
  HistoryBounds, HistoryListOptions, HistoryRecord, HistoryStore, HistoryStoreOptions, Outbox, OutboxEntry
} from '../history/store.js'
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite'

/** Version of the tables below, in `PRAGMA user_version`: a later one migrates from it. */
const SCHEMA_VERSION = 1

const SCHEMA = `
CREATE TABLE IF NOT EXISTS history (
  topic TEXT NOT NULL,
  id TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (topic, id)
);
CREATE INDEX IF NOT EXISTS history_order ON history (topic, timestamp, id);
CREATE INDEX IF NOT EXISTS history_age ON history (timestamp);
CREATE TABLE IF NOT EXISTS outbox (
  topic TEXT NOT NULL,
  id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (topic, id)
);
CREATE INDEX IF NOT EXISTS outbox_order ON outbox (topic, created_at, id);
PRAGMA user_version = ${SCHEMA_VERSION};
`

interface Row { topic: string, id: string, timestamp: number, data: Uint8Array }
interface OutboxRow { topic: string, id: string, created_at: number, data: Uint8Array }

/** Runs `fn` in one write transaction: all of it or nothing. */
function transaction<T> (db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE')
  try {
    const result = fn()
    db.exec('COMMIT')
    return result
  } catch (err) {
    db.exec('ROLLBACK')
    throw err
  }
}

class SqliteOutbox implements Outbox {
  private readonly insert: StatementSync
  private readonly select: StatementSync
  private readonly delete: StatementSync

  constructor (db: DatabaseSync) {
    this.insert = db.prepare('INSERT OR REPLACE INTO outbox (topic, id, created_at, data) VALUES (?, ?, ?, ?)')
    this.select = db.prepare('SELECT topic, id, created_at, data FROM outbox WHERE topic = ? ORDER BY created_at, id')
    this.delete = db.prepare('DELETE FROM outbox WHERE topic = ? AND id = ?')
  }

  async put (entry: OutboxEntry): Promise<void> {
    validateOutboxEntry(entry)
    this.insert.run(entry.topic, entry.id, entry.createdAt, entry.data)
  }

  async list (topic: string): Promise<OutboxEntry[]> {
    return (this.select.all(topic) as unknown as OutboxRow[])
      .map(row => ({ topic: row.topic, id: row.id, createdAt: row.created_at, data: row.data }))
  }

  async remove (topic: string, id: string): Promise<void> {
    this.delete.run(topic, id)
  }
}

/** The SQLite history store, which can also count what it keeps (for a relay's metrics). */
export interface NodeHistoryStore extends HistoryStore {
  /** How many records are kept, across every topic, within the age bound. */
  count: () => Promise<number>
}

class SqliteHistoryStore implements NodeHistoryStore {
  readonly outbox: Outbox
  private readonly db: DatabaseSync
  private readonly bounds: HistoryBounds
  private closed = false
  private readonly statements: Record<'insert' | 'exists' | 'pruneAge' | 'pruneCount' | 'newest' | 'ids' | 'topics' | 'count', StatementSync>

  constructor (db: DatabaseSync, bounds: HistoryBounds) {
    this.db = db
    this.bounds = bounds
    this.outbox = new SqliteOutbox(db)
    this.statements = {
      insert: db.prepare('INSERT OR IGNORE INTO history (topic, id, timestamp, data) VALUES (?, ?, ?, ?)'),
      exists: db.prepare('SELECT 1 FROM history WHERE topic = ? AND id = ?'),
      pruneAge: db.prepare('DELETE FROM history WHERE timestamp < ?'),
      // everything of a topic but its newest N (LIMIT -1 is no limit)
      pruneCount: db.prepare(`DELETE FROM history WHERE topic = ?1 AND id IN (
        SELECT id FROM history WHERE topic = ?1 ORDER BY timestamp DESC, id DESC LIMIT -1 OFFSET ?2)`),
      newest: db.prepare('SELECT topic, id, timestamp, data FROM history WHERE topic = ? AND timestamp >= ? ORDER BY timestamp DESC, id DESC LIMIT ?'),
      ids: db.prepare('SELECT id FROM history WHERE topic = ? AND timestamp >= ? ORDER BY timestamp, id'),
      topics: db.prepare('SELECT DISTINCT topic FROM history WHERE timestamp >= ? ORDER BY topic'),
      count: db.prepare('SELECT COUNT(*) AS n FROM history WHERE timestamp >= ?')
    }
    // the bounds may be tighter than those the records were stored with
    transaction(db, () => {
      this.pruneAge()
      this.pruneCount(db.prepare('SELECT DISTINCT topic FROM history').all().map(row => String(row.topic)))
    })
  }

  async add (records: HistoryRecord[]): Promise<HistoryRecord[]> {
    const batch = uniqueRecords(records)
    return transaction(this.db, () => {
      const inserted = batch.filter(record =>
        this.statements.insert.run(record.topic, record.id, record.timestamp, record.data).changes !== 0)
      this.pruneAge()
      this.pruneCount(new Set(inserted.map(record => record.topic)))
      return inserted.filter(record => this.statements.exists.get(record.topic, record.id) != null)
    })
  }

  async list (topic: string, options: HistoryListOptions = {}): Promise<HistoryRecord[]> {
    const limit = options.limit == null ? -1 : Math.max(0, options.limit)
    const rows = this.statements.newest.all(topic, this.since(options.since), limit) as unknown as Row[]
    return rows.reverse().map(row => ({ topic: row.topic, id: row.id, timestamp: row.timestamp, data: row.data }))
  }

  async ids (topic: string, since?: number): Promise<string[]> {
    return (this.statements.ids.all(topic, this.since(since)) as Array<{ id: string }>).map(row => row.id)
  }

  async topics (): Promise<string[]> {
    return (this.statements.topics.all(this.since()) as Array<{ topic: string }>).map(row => row.topic)
  }

  async count (): Promise<number> {
    return Number((this.statements.count.get(this.since()) as { n: number | bigint }).n)
  }

  async close (): Promise<void> {
    if (!this.closed) {
      this.closed = true
      this.db.close()
    }
  }

  /** The oldest timestamp to list: `since`, or the age bound if it is later. */
  private since (since?: number): SQLInputValue {
    return Math.max(since ?? 0, oldestKept(this.bounds), 0)
  }

  private pruneCount (topics: Iterable<string>): void {
    if (this.bounds.maxMessages !== Infinity) {
      for (const topic of topics) {
        this.statements.pruneCount.run(topic, this.bounds.maxMessages)
      }
    }
  }

  private pruneAge (): void {
    const cutoff = oldestKept(this.bounds)
    if (cutoff > 0) {
      this.statements.pruneAge.run(cutoff)
    }
  }
}

/**
 * Opens (or creates) a Node peer's message history and outbox: one SQLite database, `history.sqlite` in `dataDir`,
 * with `node:sqlite` (Node 22.13 or later; loaded only when this is called, so its experimental warning is printed
 * only by peers that keep history).
 */
export async function openNodeHistoryStore (dataDir: string, options: HistoryStoreOptions = {}): Promise<NodeHistoryStore> {
  const bounds = historyBounds(options)
  await mkdir(dataDir, { recursive: true })
  const { DatabaseSync } = await import('node:sqlite')
  const db = new DatabaseSync(join(dataDir, HISTORY_SQLITE_FILE), { timeout: DEFAULT_SQLITE_BUSY_TIMEOUT_MS })
  try {
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;')
    db.exec(SCHEMA)
    return new SqliteHistoryStore(db, bounds)
  } catch (err) {
    db.close()
    throw err
  }
}
