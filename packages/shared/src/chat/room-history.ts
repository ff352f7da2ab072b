import { logger } from '@libp2p/logger'
import { HISTORY_SYNC_COOLDOWN_MS } from '../constants.js'
import { readRoomData } from './room-codec.js'
import type { Chat } from '../codec.js'
import type { HistoryRecord, HistoryStore, OutboxEntry } from '../history/index.js'
import type { RoomCodec } from './room-codec.js'
import type { PeerId } from '@libp2p/interface'

const log = logger('p2p-chat:room:history')

/** A chat line with who signed it. */
export interface RoomChat extends Chat {
  /** peer id of the signer: the author */
  from: string
}

/** Asks a peer for a topic's messages this node does not have (the history-sync protocol's client). */
export interface HistorySyncClient {
  sync: (peerId: PeerId, topic: string, options: { have?: string[], signal?: AbortSignal }) => Promise<HistoryRecord[]>
}

export interface RoomHistoryInit {
  codec: RoomCodec
  store: HistoryStore
  /** without it the room keeps and serves history but never asks for any */
  sync?: HistorySyncClient
}

/**
 * A room's memory: the lines seen (kept, bounded, in the store), the lines written while nobody could take
 * them (the outbox), and catching up with a peer over the history-sync protocol. Every line read back from the
 * store or from a peer is verified again (signature, and the private room's key) before it is shown.
 */
export class RoomHistory {
  private readonly init: RoomHistoryInit
  private readonly lastSync = new Map<string, number>()

  constructor (init: RoomHistoryInit) {
    this.init = init
  }

  private get topic (): string {
    return this.init.codec.topic
  }

  /** The kept lines, oldest first by (timestamp, id); lines that no longer verify are skipped. */
  async load (): Promise<RoomChat[]> {
    return this.verify(await this.init.store.list(this.topic))
  }

  /** Keeps a line as published (`data`); true when it was not kept before. */
  async keep (chat: Chat, data: Uint8Array): Promise<boolean> {
    const added = await this.init.store.add([{ topic: this.topic, id: chat.id, timestamp: chat.timestamp, data }])
    return added.length > 0
  }

  /**
   * Asks `peerId` for the lines this node lacks and keeps the ones that verify; returns those that are new,
   * oldest first. Asks the same peer at most once per cooldown (a reconnection asks again).
   */
  async syncFrom (peerId: PeerId, signal?: AbortSignal): Promise<RoomChat[]> {
    const key = peerId.toString()
    const now = Date.now()
    if (this.init.sync == null || now - (this.lastSync.get(key) ?? 0) < HISTORY_SYNC_COOLDOWN_MS) {
      return []
    }
    this.lastSync.set(key, now)
    try {
      const have = await this.init.store.ids(this.topic)
      const records = await this.init.sync.sync(peerId, this.topic, { have, signal })
      const verified = await this.verify(records)
      const valid = records.filter(r => verified.some(c => c.id === r.id))
      const added = new Set((await this.init.store.add(valid)).map(r => r.id))
      log('synced %d of %d lines of %s from %p', added.size, records.length, this.topic, peerId)
      return verified.filter(c => added.has(c.id))
    } catch (err) {
      this.lastSync.delete(key)
      log('history sync of %s with %p failed: %s', this.topic, peerId, (err as Error).message)
      return []
    }
  }

  /** Forgets when a peer was last asked (its connection closed: ask again when it is back). */
  forget (peerId: string): void {
    this.lastSync.delete(peerId)
  }

  /** Lines waiting for a route, oldest first. */
  async pending (): Promise<OutboxEntry[]> {
    return this.init.store.outbox.list(this.topic)
  }

  async queue (id: string, data: Uint8Array): Promise<void> {
    await this.init.store.outbox.put({ topic: this.topic, id, createdAt: Date.now(), data })
  }

  async sent (id: string): Promise<void> {
    await this.init.store.outbox.remove(this.topic, id)
  }

  /** The chat lines among `records` that verify and are what their record says. */
  private async verify (records: HistoryRecord[]): Promise<RoomChat[]> {
    const chats: RoomChat[] = []
    for (const record of records) {
      try {
        const event = await readRoomData(this.init.codec, record.data)
        if (event.type === 'chat' && event.chat.id === record.id && event.chat.timestamp === record.timestamp) {
          chats.push({ ...event.chat, from: event.author })
        }
      } catch (err) {
        log('dropped a history record of %s: %s', this.topic, (err as Error).message)
      }
    }
    return chats
  }
}
