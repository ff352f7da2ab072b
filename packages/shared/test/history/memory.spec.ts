import { describe } from 'vitest'
import { createMemoryHistoryStore } from '../../src/history/index.js'
import { historyStoreSuite } from '../../src/testing/index.js'

describe('memory history store', () => {
  historyStoreSuite({ open: async (_location, options) => createMemoryHistoryStore(options), location: () => '', persistent: false })
})
