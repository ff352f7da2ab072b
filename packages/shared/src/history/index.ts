/**
 * Message history: the recent messages of each room topic, bounded per topic by count and age, for late joiners
 * and reloads; and the outbox of messages composed while they could not be sent. Records hold the exact bytes
 * published, so a store can keep private rooms' ciphertext it cannot read. The implementations: in memory here,
 * SQLite for Node peers (`openNodeHistoryStore` in `@p2p-chat/shared/node`), IndexedDB in the web app.
 *
 * @example
 *
 * ```ts
 * import { createMemoryHistoryStore, Timeline } from '@p2p-chat/shared'
 *
 * const history = createMemoryHistoryStore({ maxMessages: 500 })
 * const fresh = await history.add([{ topic, id, timestamp, data }]) // [] if it was already there
 * const recent = await history.list(topic, { limit: 100 })          // the newest 100, oldest first
 * const shown = new Timeline(1000)
 * shown.add(...decoded)                                            // ordered by (timestamp, id), no duplicates
 * ```
 */

export * from './constants.js'
export * from './errors.js'
export * from './store.js'
export * from './timeline.js'
export { createMemoryHistoryStore } from './memory.js'
export * from './sync/index.js'
