import { openDB } from 'idb'
import { SETTINGS_DB } from './databases.js'
import type { DBSchema, IDBPDatabase } from 'idb'

const DB_VERSION = 2
/** The rooms list keeps this many rooms, the most recently visited. */
export const MAX_RECENT_ROOMS = 20

/** A room this browser has been in, to find it again from the home page. */
export interface RecentRoom {
  roomId: string
  /** a private room's secret (its link's fragment): kept only in this browser */
  secret?: string
  /** ms since the epoch */
  lastVisited: number
  /** lines that arrived while the page was hidden and nobody has seen yet */
  unread?: number
}

interface ChatDB extends DBSchema {
  settings: { key: string, value: string }
  rooms: { key: string, value: RecentRoom, indexes: { lastVisited: number } }
}

/** Small per-origin settings kept in IndexedDB: the display name, the libp2p key, the rooms visited. */
export interface Settings {
  get: (key: string) => Promise<string | undefined>
  set: (key: string, value: string) => Promise<void>
  delete: (key: string) => Promise<void>
  /** rooms visited, most recent first */
  rooms: () => Promise<RecentRoom[]>
  /** notes a visit (and forgets the oldest rooms beyond {@link MAX_RECENT_ROOMS}) */
  visit: (room: Omit<RecentRoom, 'lastVisited'>) => Promise<void>
  /** notes how many of a room's lines are unread (a room not in the list is left out) */
  setUnread: (roomId: string, unread: number) => Promise<void>
}

/** Opens the settings store; if IndexedDB is unavailable (private mode), settings live for the page only. */
export async function openSettings (): Promise<Settings> {
  let db: IDBPDatabase<ChatDB>
  try {
    db = await openDB<ChatDB>(SETTINGS_DB, DB_VERSION, {
      upgrade (database, oldVersion) {
        if (oldVersion < 1) {
          database.createObjectStore('settings')
        }
        if (oldVersion < 2) {
          database.createObjectStore('rooms', { keyPath: 'roomId' }).createIndex('lastVisited', 'lastVisited')
        }
      }
    })
  } catch {
    return memorySettings()
  }
  return {
    get: async key => db.get('settings', key),
    set: async (key, value) => { await db.put('settings', value, key) },
    delete: async key => { await db.delete('settings', key) },
    rooms: async () => (await db.getAllFromIndex('rooms', 'lastVisited')).reverse(),
    visit: async room => {
      const tx = db.transaction('rooms', 'readwrite')
      await tx.store.put({ ...room, lastVisited: Date.now() })
      const keys = await tx.store.index('lastVisited').getAllKeys()
      for (const key of keys.slice(0, Math.max(0, keys.length - MAX_RECENT_ROOMS))) {
        await tx.store.delete(key)
      }
      await tx.done
    },
    setUnread: async (roomId, unread) => {
      const tx = db.transaction('rooms', 'readwrite')
      const room = await tx.store.get(roomId)
      if (room != null) {
        await tx.store.put({ ...room, unread })
      }
      await tx.done
    }
  }
}

function memorySettings (): Settings {
  const memory = new Map<string, string>()
  const rooms = new Map<string, RecentRoom>()
  return {
    get: async key => memory.get(key),
    set: async (key, value) => { memory.set(key, value) },
    delete: async key => { memory.delete(key) },
    rooms: async () => [...rooms.values()].sort((a, b) => b.lastVisited - a.lastVisited),
    visit: async room => { rooms.set(room.roomId, { ...room, lastVisited: Date.now() }) },
    setUnread: async (roomId, unread) => {
      const room = rooms.get(roomId)
      if (room != null) rooms.set(roomId, { ...room, unread })
    }
  }
}
