import { fetchRelayInfo } from '@p2p-chat/shared'
import { ICE_SERVERS_MAX_AGE_MS } from './constants.js'
import type { IceServer, RelayInfo } from '@p2p-chat/shared'

export interface IceServersInit {
  /** origin of the relay's HTTP server: its `/api/relay` names the STUN/TURN servers */
  origin: string
  /** the relay info the page fetched at start, if it has it (or is still fetching it) */
  initial?: Promise<RelayInfo | undefined>
  /** ask the relay again when the servers are older than this (TURN credentials expire) @default ICE_SERVERS_MAX_AGE_MS */
  maxAge?: number
}

/**
 * The STUN/TURN servers for each new WebRTC connection: the relay's, as `/api/relay` last named them. TURN
 * credentials the relay mints are time-limited, so a page that stays open asks again once they are older than
 * `maxAge`; if the relay cannot be reached then, the servers it named last are used.
 */
export function relayIceServers (init: IceServersInit): () => Promise<IceServer[]> {
  const maxAge = init.maxAge ?? ICE_SERVERS_MAX_AGE_MS
  let fetchedAt = Date.now()
  let current: Promise<IceServer[]> = (init.initial ?? fetchRelayInfo(init.origin)).then(info => info?.iceServers ?? [], () => [])
  return async () => {
    if (Date.now() - fetchedAt > maxAge) {
      const previous = current
      fetchedAt = Date.now()
      current = fetchRelayInfo(init.origin).then(info => info.iceServers, async () => previous)
    }
    return current
  }
}
