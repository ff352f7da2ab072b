// vitest runs in Node: an in-memory IndexedDB stands in for the browser's (e2e covers the real one)
import 'fake-indexeddb/auto'
import { historyStoreSuite } from '@p2p-chat/shared/testing'
import { describe, expect, it, vi } from 'vitest'
import { openHistoryStore, openIdbHistoryStore } from './history.js'

describe('IndexedDB history store', () => {
  historyStoreSuite({
    open: async (name, options) => openIdbHistoryStore({ ...options, name }),
    location: () => `history-${crypto.randomUUID()}`,
    persistent: true
  })

  it('lives in its own database, beside the settings one', async () => {
    const store = await openHistoryStore()
    await store.close()
    expect((await indexedDB.databases()).map(db => db.name)).toContain('p2p-chat-history')
  })

  it('falls back to memory where IndexedDB cannot be opened', async () => {
    vi.stubGlobal('indexedDB', { open: () => { throw new DOMException('denied', 'SecurityError') } })
    try {
      const store = await openHistoryStore()
      const record = { topic: 't', id: '0'.repeat(32), timestamp: Date.now(), data: new Uint8Array([1]) }
      expect(await store.add([record])).toEqual([record])
      expect(await store.list('t')).toEqual([record])
      await expect(openIdbHistoryStore()).rejects.toThrow()
    } finally {
      vi.unstubAllGlobals()
    }
  })
})
