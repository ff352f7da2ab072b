import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { HISTORY_SQLITE_FILE } from '../../src/history/constants.js'
import { openNodeHistoryStore } from '../../src/node/index.js'
import { historyStoreSuite } from '../../src/testing/index.js'

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
})
