/**
 * @packageDocumentation
 *
 * Node-only helpers (`@p2p-chat/shared/node`), for the relay and Node peers: never imported by the web app.
 *
 * @example
 *
 * ```ts
 * import { openNodeStore, openNodeHistoryStore } from '@p2p-chat/shared/node'
 *
 * const { datastore, privateKey } = await openNodeStore(dataDir) // persistent identity
 * const history = await openNodeHistoryStore(dataDir)            // <dataDir>/history.sqlite
 * const source = await openFileSource('photo.jpg')               // served with the file-transfer service
 * const sink = await openFileSink('downloads/photo.jpg')         // fetched into, resumed after a drop
 * ```
 */

export * from './store.js'
export * from './history-store.js'
export * from './file.js'
