/**
 * History sync, as a chunk of its own: the node loads it on its first catch-up with a peer, or with the rest of
 * its late parts (`extras.ts`), whichever comes first.
 */
import { historySync } from '@p2p-chat/shared'
import type { HistorySync, HistorySyncComponents, HistorySyncInit } from '@p2p-chat/shared'

export function createHistorySync (components: HistorySyncComponents, init?: HistorySyncInit): HistorySync {
  return historySync(init)(components)
}
