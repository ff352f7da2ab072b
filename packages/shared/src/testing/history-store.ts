import { afterEach, describe, expect, it } from 'vitest'
import { createMessageId } from '../codec.js'
import type { HistoryRecord, HistoryStore, HistoryStoreOptions, OutboxEntry } from '../history/store.js'

export interface HistoryStoreSuiteInit {
  /** Opens the store kept at `location`; opening one location again opens the same data. */
  open: (location: string, options?: HistoryStoreOptions) => Promise<HistoryStore>
  /** A new, empty location: a directory, a database name. */
  location: () => string | Promise<string>
  /** Whether what is stored survives closing the store and opening its location again. */
  persistent: boolean
}

const TOPIC = '/p2p-chat/room/1/aaaaaaaaaaaaaaaaaaaaaaaaaa'
const OTHER = '/p2p-chat/private/1/bbbbbbbbbbbbbbbbbbbbbbbbbb'
const T0 = 1_700_000_000_000

/** A record with a recognisable id (n in hex) and data. */
function record (n: number, timestamp: number, topic = TOPIC): HistoryRecord {
  return { topic, id: n.toString(16).padStart(32, '0'), timestamp, data: new Uint8Array([n, 0, 255, n]) }
}

function entry (n: number, createdAt: number, topic = TOPIC): OutboxEntry {
  return { topic, id: n.toString(16).padStart(32, '0'), createdAt, data: new Uint8Array([n]) }
}

const ids = (items: Array<{ id: string }>): string[] => items.map(item => item.id)

/**
 * The behaviour every {@link HistoryStore} implementation must have (dedupe, order, bounds by count and age,
 * the outbox, and for persistent ones, reopening), as a vitest suite: call it from a spec file.
 *
 * @example
 *
 * ```ts
 * historyStoreSuite({ open: (dir, options) => openNodeHistoryStore(dir, options), location: tempDir, persistent: true })
 * ```
 */
export function historyStoreSuite (init: HistoryStoreSuiteInit): void {
  const opened: HistoryStore[] = []
  let clock = T0

  async function open (location?: string, options: HistoryStoreOptions = {}): Promise<HistoryStore> {
    const store = await init.open(location ?? await init.location(), { now: () => clock, ...options })
    opened.push(store)
    return store
  }

  afterEach(async () => {
    clock = T0
    await Promise.all(opened.splice(0).map(async store => store.close()))
  })

  describe('history', () => {
    it('stores records once, returning only the new ones, and keeps the exact bytes', async () => {
      const store = await open()
      const a = record(1, T0 - 10)
      const b = record(2, T0 - 20)
      expect(await store.add([a, b, { ...a, data: new Uint8Array([9]) }])).toEqual([a, b])
      expect(await store.add([b, record(3, T0 - 5)])).toEqual([record(3, T0 - 5)])
      expect(await store.add([])).toEqual([])
      const listed = await store.list(TOPIC)
      expect(listed).toEqual([b, a, record(3, T0 - 5)])
      expect(listed[1]!.data).toBeInstanceOf(Uint8Array)
      expect([...listed[1]!.data]).toEqual([1, 0, 255, 1])
    })

    it('orders by timestamp, then id, whatever the order of arrival', async () => {
      const store = await open()
      await store.add([record(5, T0 - 1), record(4, T0 - 2), record(7, T0 - 2)])
      await store.add([record(6, T0 - 2), record(1, T0 - 3)])
      expect(ids(await store.list(TOPIC))).toEqual(ids([record(1, 0), record(4, 0), record(6, 0), record(7, 0), record(5, 0)]))
      expect(await store.ids(TOPIC)).toEqual(ids(await store.list(TOPIC)))
    })

    it('lists from `since` on, and the newest `limit` records oldest first', async () => {
      const store = await open()
      await store.add([1, 2, 3, 4, 5].map(n => record(n, T0 - 100 + n)))
      expect(ids(await store.list(TOPIC, { since: T0 - 97 }))).toEqual(ids([3, 4, 5].map(n => record(n, 0))))
      expect(await store.ids(TOPIC, T0 - 97)).toEqual(ids([3, 4, 5].map(n => record(n, 0))))
      expect(ids(await store.list(TOPIC, { limit: 2 }))).toEqual(ids([4, 5].map(n => record(n, 0))))
      expect(ids(await store.list(TOPIC, { since: T0 - 98, limit: 10 }))).toEqual(ids([2, 3, 4, 5].map(n => record(n, 0))))
      expect(await store.list(TOPIC, { limit: 0 })).toEqual([])
      expect(await store.list('/p2p-chat/room/1/nothing')).toEqual([])
    })

    it('keeps topics apart and lists them', async () => {
      const store = await open()
      expect(await store.topics()).toEqual([])
      // the same id on two topics is two records
      await store.add([record(1, T0 - 2, TOPIC), record(1, T0 - 1, OTHER)])
      expect(await store.topics()).toEqual([OTHER, TOPIC].sort())
      expect(await store.list(OTHER)).toEqual([record(1, T0 - 1, OTHER)])
    })

    it('keeps the newest maxMessages of each topic', async () => {
      const store = await open(undefined, { maxMessages: 3 })
      await store.add([1, 2].map(n => record(n, T0 - 100 + n)))
      expect(await store.add([3, 4, 5].map(n => record(n, T0 - 100 + n)))).toEqual([3, 4, 5].map(n => record(n, T0 - 100 + n)))
      expect(ids(await store.list(TOPIC))).toEqual(ids([3, 4, 5].map(n => record(n, 0))))
      // older than everything kept: not new, not stored
      expect(await store.add([record(9, T0 - 99)])).toEqual([])
      expect(ids(await store.list(TOPIC))).toEqual(ids([3, 4, 5].map(n => record(n, 0))))
      // ties on timestamp are broken by id, like the order
      await store.add([record(2, T0 - 95), record(8, T0 - 95)])
      expect(ids(await store.list(TOPIC))).toEqual(ids([2, 5, 8].map(n => record(n, 0))))
      // another topic has its own bound
      await store.add([record(1, T0 - 200, OTHER)])
      expect(await store.list(OTHER)).toHaveLength(1)
    })

    it('drops records older than maxAgeMs, as they age', async () => {
      const store = await open(undefined, { maxAgeMs: 1000 })
      expect(await store.add([record(1, T0 - 2000), record(2, T0 - 500), record(3, T0 - 100, OTHER)])).toEqual([record(2, T0 - 500), record(3, T0 - 100, OTHER)])
      expect(ids(await store.list(TOPIC))).toEqual(ids([record(2, 0)]))
      clock = T0 + 600
      expect(await store.list(TOPIC)).toEqual([])
      expect(await store.ids(TOPIC)).toEqual([])
      expect(await store.topics()).toEqual([OTHER])
      await store.add([record(4, T0 + 500)])
      expect(ids(await store.list(TOPIC))).toEqual(ids([record(4, 0)]))
    })

    it('refuses a malformed record and stores none of the batch', async () => {
      const store = await open()
      for (const bad of [
        { ...record(1, T0), topic: '' },
        { ...record(1, T0), id: 'ABC' },
        { ...record(1, T0), id: createMessageId().toUpperCase() },
        { ...record(1, T0), timestamp: -1 },
        { ...record(1, T0), timestamp: 1.5 },
        { ...record(1, T0), data: 'bytes' as unknown as Uint8Array }
      ]) {
        await expect(store.add([record(2, T0), bad])).rejects.toThrow(expect.objectContaining({ name: 'InvalidHistoryRecordError' }))
      }
      expect(await store.list(TOPIC)).toEqual([])
    })

    it('refuses bounds that are not positive integers', async () => {
      await expect(open(undefined, { maxMessages: 0 })).rejects.toThrow(RangeError)
      await expect(open(undefined, { maxAgeMs: -1 })).rejects.toThrow(RangeError)
      await expect(open(undefined, { maxMessages: Infinity, maxAgeMs: Infinity })).resolves.toBeDefined()
    })
  })

  describe('outbox', () => {
    it('keeps entries per topic in createdAt order, replaces by id and removes', async () => {
      const { outbox } = await open()
      await outbox.put(entry(2, T0 + 5))
      await outbox.put(entry(1, T0 + 9))
      await outbox.put(entry(3, T0 + 5))
      await outbox.put(entry(4, T0, OTHER))
      expect(await outbox.list(TOPIC)).toEqual([entry(2, T0 + 5), entry(3, T0 + 5), entry(1, T0 + 9)])
      await outbox.put({ ...entry(1, T0 + 1), data: new Uint8Array([7]) })
      expect(await outbox.list(TOPIC)).toEqual([{ ...entry(1, T0 + 1), data: new Uint8Array([7]) }, entry(2, T0 + 5), entry(3, T0 + 5)])
      await outbox.remove(TOPIC, entry(2, 0).id)
      await outbox.remove(TOPIC, entry(9, 0).id)
      expect(ids(await outbox.list(TOPIC))).toEqual(ids([entry(1, 0), entry(3, 0)]))
      expect(await outbox.list(OTHER)).toEqual([entry(4, T0, OTHER)])
    })

    it('refuses a malformed entry', async () => {
      const { outbox } = await open()
      await expect(outbox.put({ ...entry(1, T0), id: 'x' })).rejects.toThrow(expect.objectContaining({ name: 'InvalidHistoryRecordError' }))
      expect(await outbox.list(TOPIC)).toEqual([])
    })
  })

  if (!init.persistent) {
    return
  }

  describe('reopening', () => {
    it('keeps history and outbox, and applies the bounds it is opened with', async () => {
      const location = await init.location()
      const first = await open(location)
      await first.add([record(1, T0 - 3000), record(2, T0 - 2000), record(3, T0 - 1000)])
      await first.outbox.put(entry(5, T0))
      await first.close()

      const second = await open(location)
      expect(await second.list(TOPIC)).toEqual([record(1, T0 - 3000), record(2, T0 - 2000), record(3, T0 - 1000)])
      expect(await second.outbox.list(TOPIC)).toEqual([entry(5, T0)])
      expect(await second.add([record(1, T0 - 3000)])).toEqual([])
      await second.close()

      const third = await open(location, { maxAgeMs: 2500, maxMessages: 1 })
      expect(await third.list(TOPIC)).toEqual([record(3, T0 - 1000)])
      await third.add([record(4, T0)])
      expect(await third.list(TOPIC)).toEqual([record(4, T0)])
    })
  })
}
