import { openDB } from 'idb'
import type { DBSchema, IDBPDatabase } from 'idb'

const DB_NAME = 'p2p-chat'
const DB_VERSION = 1

interface ChatDB extends DBSchema {
  settings: { key: string, value: string }
}

/** Small per-origin settings kept in IndexedDB: the display name, the libp2p key. */
export interface Settings {
  get: (key: string) => Promise<string | undefined>
  set: (key: string, value: string) => Promise<void>
  delete: (key: string) => Promise<void>
}

/** Opens the settings store; if IndexedDB is unavailable (private mode), settings live for the page only. */
export async function openSettings (): Promise<Settings> {
  let db: IDBPDatabase<ChatDB>
  try {
    db = await openDB<ChatDB>(DB_NAME, DB_VERSION, {
      upgrade (database) {
        database.createObjectStore('settings')
      }
    })
  } catch {
    const memory = new Map<string, string>()
    return {
      get: async key => memory.get(key),
      set: async (key, value) => { memory.set(key, value) },
      delete: async key => { memory.delete(key) }
    }
  }
  return {
    get: async key => db.get('settings', key),
    set: async (key, value) => { await db.put('settings', value, key) },
    delete: async key => { await db.delete('settings', key) }
  }
}
