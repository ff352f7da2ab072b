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
  /**
   * The least time (ms) between two writes of lines seen live: a line seen after a quiet spell is written at once
   * (after the task that handed it over), the lines that follow it within this time together once it has passed
   * (a browser's IndexedDB write costs its page's main thread ~3 ms, whatever it holds). {@link RoomHistory.written}
   * writes them at once. @default 0
   */
  keepDelay?: number
}

/**
 * A room's memory: the lines seen (kept, bounded, in the store), the lines written while nobody could take
 * them (the outbox), and catching up with a peer over the history-sync protocol. Every line read back from the
 * store or from a peer is verified again (signature, and the private room's key) before it is shown.
 *
 * Lines seen live are kept in the background ({@link keepLater}): nobody waits on storage to publish or show
 * a line. Lines handed over in one task are written after it, together, and at most once per `keepDelay`: what
 * arrives sooner after the last write, or while a write is under way, goes into the next write, one transaction
 * for all of it.
 */
export class RoomHistory {
  private readonly init: RoomHistoryInit
  private readonly lastSync = new Map<string, number>()
  /** lines waiting for the write under way to end */
  private unwritten: HistoryRecord[] = []
  /** the background write under way, if any */
  private writing?: Promise<void>
  /** ends the wait of the write under way, if it still waits */
  private writeNow?: () => void
  /** when the last write began (`performance.now()`: a clock set back must not hold writes up) */
  private lastWrite = -Infinity

  constructor (init: RoomHistoryInit) {
    this.init = init
  }

  private get topic (): string {
    return this.init.codec.topic
  }

  /** The kept lines, oldest first by (timestamp, id); lines that no longer verify are skipped. */
  async load (): Promise<RoomChat[]> {
    return verifyRoomLines(this.init.codec, await this.init.store.list(this.topic))
  }

  /** Keeps lines as published (`data`) in the background; a line kept before is not kept twice. */
  keepLater (...lines: Array<{ chat: Chat, data: Uint8Array }>): void {
    if (lines.length === 0) {
      return // write() would end before it is remembered as under way
    }
    this.unwritten.push(...lines.map(({ chat, data }) => ({ topic: this.topic, id: chat.id, timestamp: chat.timestamp, data })))
    this.writing ??= this.write()
  }

  /**
   * Resolves once every line handed to {@link keepLater} so far is written (or failed to be); a write still
   * waiting for its delay starts at once.
   */
  async written (): Promise<void> {
    this.writeNow?.()
    while (this.writing != null) {
      await this.writing
    }
  }

  private async write (): Promise<void> {
    try {
      // after the task that handed the lines over: that task shows them, and issuing a transaction's requests
      // (a thousand lines' worth, after a sync) would hold the page up before it does
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, Math.max(0, this.lastWrite + (this.init.keepDelay ?? 0) - performance.now()))
        this.writeNow = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.writeNow = undefined
      while (this.unwritten.length > 0) {
        const batch = this.unwritten
        this.unwritten = []
        this.lastWrite = performance.now()
        try {
          await this.init.store.add(batch)
        } catch (err) {
          log.error('could not keep %d lines of %s: %s', batch.length, this.topic, (err as Error).message)
        }
      }
    } finally {
      this.writing = undefined
    }
  }

  /**
   * Asks `peerId` for the lines this node lacks; returns those that verify, oldest first, and keeps them (in the
   * background, see {@link keepLater}). Asks the same peer at most once per cooldown (a reconnection asks again).
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
      const verified = await verifyRoomLines(this.init.codec, records)
      signal?.throwIfAborted()
      const byId = new Map(records.map(record => [record.id, record]))
      this.keepLater(...verified.map(chat => ({ chat, data: byId.get(chat.id)!.data })))
      log('synced %d of %d lines of %s from %p', verified.length, records.length, this.topic, peerId)
      return verified
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

}

/**
 * The chat lines among `lines` (bytes as published on the room's topic) that verify and, where a line comes with
 * its record's id and time, are what their record says, in the order given; the rest are dropped (and logged).
 * The checks are all started at once, but they do not run beside each other: Chromium checks an Ed25519 signature
 * inside `crypto.subtle.verify`, in the calling thread (~0.06 ms each on the bench machine; bench/RESULTS.md,
 * "stop 45").
 */
export async function verifyRoomLines (codec: RoomCodec, lines: Array<{ data: Uint8Array, id?: string, timestamp?: number }>): Promise<RoomChat[]> {
  const checked = await Promise.all(lines.map(async line => {
    try {
      const event = await readRoomData(codec, line.data)
      if (event.type === 'chat' && (line.id == null || event.chat.id === line.id) && (line.timestamp == null || event.chat.timestamp === line.timestamp)) {
        return { ...event.chat, from: event.author }
      }
    } catch (err) {
      log('dropped a line of %s: %s', codec.topic, (err as Error).message)
    }
    return undefined
  }))
  return checked.filter(chat => chat != null)
}
