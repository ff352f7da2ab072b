/**
 * @packageDocumentation
 *
 * Test helpers (`@p2p-chat/shared/testing`) for the specs of packages that implement shared interfaces or fuzz
 * their decoders; they use vitest and fast-check and are never imported by application code.
 *
 * @example
 *
 * ```ts
 * import { fuzz, historyStoreSuite, outcomeOf, settle, wireInput } from '@p2p-chat/shared/testing'
 *
 * historyStoreSuite({ open: openMyStore, location: () => crypto.randomUUID(), persistent: true })
 *
 * // mutations of real messages; a refusal must be one of the decoder's typed errors
 * await fuzz('room messages', wireInput(fc.constantFrom(...encoded)), async (bytes) => {
 *   const settled = await settle(async () => decodeRoomMessage(bytes, topic), ['InvalidMessageError', 'InvalidSignatureError'])
 *   return outcomeOf(settled) // counted: 'accepted', or the error's name
 * }, { runs: 1000 })
 * ```
 */

export * from './fuzz.js'
export * from './history-store.js'
export * from './mutate.js'
export * from './wait-for.js'
