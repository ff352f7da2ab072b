/** The IndexedDB database of the settings store: display name, blocked and muted peers, rooms visited. */
export const SETTINGS_DB = 'p2p-chat'
/** The IndexedDB database of this origin's libp2p keychain (datastore-idb), which holds the browser's identity. */
export const KEYCHAIN_DB = 'p2p-chat-keychain'

/**
 * Whether this browser holds neither the settings nor the identity of this app yet: a first visit, in which nobody
 * is blocked and no line is mine. Ask before opening either store (opening one creates it): index.html's inline
 * script asked as the page loaded, and its answer is used. False when IndexedDB cannot list its databases: the
 * caller then waits for the stores themselves.
 */
export async function isFirstVisit (): Promise<boolean> {
  const early = (globalThis as { p2pChatDatabases?: Promise<Array<string | undefined> | undefined> }).p2pChatDatabases
  const names = await (early ?? indexedDB.databases().then(list => list.map(db => db.name))).catch(() => undefined)
  return names != null && !names.includes(SETTINGS_DB) && !names.includes(KEYCHAIN_DB)
}
