import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { HISTORY_SQLITE_FILE } from '../../src/history/constants.js'
import { openNodeHistoryStore } from '../../src/node/index.js'
import { historyStoreSuite } from '../../src/testing/index.js'
import type { HistoryRecord } from '../../src/history/store.js'

const dirs: string[] = []

async function tempDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'p2p-chat-history-'))
  dirs.push(dir)
  return dir
}

afterAll(async () => {
  await Promise.all(dirs.map(async dir => rm(dir, { recursive: true, force: true })))
})

describe('SQLite history store (node:sqlite)', () => {
  historyStoreSuite({ open: openNodeHistoryStore, location: tempDir, persistent: true })

  it('keeps its database in <dataDir>/history.sqlite, creating the directory', async () => {
    const dir = join(await tempDir(), 'nested', 'data')
    const store = await openNodeHistoryStore(dir)
    await store.close()
    await store.close()
    expect(await readdir(dir)).toContain(HISTORY_SQLITE_FILE)
  })

  it('counts the records it keeps, across topics, within its bounds', async () => {
    const store = await openNodeHistoryStore(await tempDir(), { maxMessages: 2 })
    expect(await store.count()).toBe(0)
    const now = Date.now()
    const record = (topic: string, i: number): HistoryRecord => ({ topic, id: String(i).padStart(32, '0'), timestamp: now + i, data: Uint8Array.of(i) })
    await store.add([record('a', 1), record('a', 2), record('a', 3), record('b', 1)])
    expect(await store.count()).toBe(3)
    await store.close()
  })
})
