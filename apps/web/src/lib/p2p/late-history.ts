import { LateService } from './late-service.js'
import type { LateModule } from './late-module.js'
import type { PeerId } from '@libp2p/interface'
import type { HistoryRecord, HistoryStore, HistorySync, HistorySyncClient, HistorySyncComponents, HistorySyncInit, HistorySyncOptions } from '@p2p-chat/shared'

export interface LateHistorySyncInit extends Omit<HistorySyncInit, 'store'> {
  /** the module that makes it (`history-sync.ts`) */
  module: LateModule<typeof import('./history-sync.js')>
  /** where answers come from (it may still be opening) */
  store?: HistoryStore | Promise<HistoryStore>
}

/**
 * History sync whose code loads on its first use (a room catching up with a peer) or with the node's other late
 * parts: it answers other peers' requests from then on.
 */
export class LateHistorySync extends LateService<typeof import('./history-sync.js'), HistorySync> implements HistorySyncClient {
  readonly [Symbol.toStringTag] = '@p2p-chat/late-history-sync'

  constructor (components: HistorySyncComponents, init: LateHistorySyncInit) {
    super(init.module, async module => module.createHistorySync(components, { ...init, store: await init.store }))
  }

  async sync (peerId: PeerId, topic: string, options: HistorySyncOptions = {}): Promise<HistoryRecord[]> {
    void this.module.load()
    return (await this.load()).sync(peerId, topic, options)
  }
}

export function lateHistorySync (init: LateHistorySyncInit): (components: HistorySyncComponents) => LateHistorySync {
  return (components) => new LateHistorySync(components, init)
}
