/**
 * @packageDocumentation
 *
 * Test helpers (`@p2p-chat/shared/testing`) for the specs of packages that implement shared interfaces; they use
 * vitest and are never imported by application code.
 *
 * @example
 *
 * ```ts
 * import { historyStoreSuite } from '@p2p-chat/shared/testing'
 *
 * historyStoreSuite({ open: openMyStore, location: () => crypto.randomUUID(), persistent: true })
 * ```
 */

export * from './history-store.js'
