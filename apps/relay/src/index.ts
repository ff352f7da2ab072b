/**
 * @packageDocumentation
 *
 * The P2P Chat relay: a libp2p node that bootstraps browsers (WebSocket, WebRTC-direct), relays circuits
 * between them until they connect directly, follows every room its peers join, and serves the web app.
 *
 * @example
 *
 * ```ts
 * import { createRelay, parseConfig } from '@p2p-chat/relay'
 *
 * const relay = await createRelay(parseConfig(['--http-port', '0'])!)
 * await relay.start()
 * console.info(relay.url, relay.info())
 * await relay.stop()
 * ```
 */

import { once } from 'node:events'
import { logger } from '@libp2p/logger'
import { InvalidMessageScores } from '@p2p-chat/shared'
import { openNodeHistoryStore, openNodeStore } from '@p2p-chat/shared/node'
import { DEFAULT_HISTORY_MAX_DAYS, DEFAULT_HISTORY_MAX_MESSAGES } from './constants.js'
import { HistoryKeeper } from './history.js'
import { createHttpServer } from './http.js'
import { createRelayNode } from './node.js'
import { RelayPeers } from './peers.js'
import { RoomFollower } from './rooms.js'
import type { RelayOptions } from './config.js'
import type { RelayNode } from './node.js'
import type { RelayInfo } from '@p2p-chat/shared'
import type { AddressInfo } from 'node:net'

export { parseConfig, USAGE } from './config.js'
export type { RelayOptions } from './config.js'
export { ConfigError } from './errors.js'

const log = logger('p2p-chat:relay')

export interface Relay {
  readonly node: RelayNode
  /** the web app's URL, once started */
  readonly url: string
  /** what `GET /api/relay` answers */
  info: () => RelayInfo
  /** topics of the rooms the relay is in */
  rooms: () => string[]
  /** leaves rooms that no connected peer is in any more (also done on a timer) */
  sweepRooms: () => void
  start: () => Promise<void>
  stop: () => Promise<void>
}

/** Creates a relay from its options; nothing listens until `start()`. */
export async function createRelay (options: RelayOptions): Promise<Relay> {
  const store = await openNodeStore(options.dataDir)
  const scores = new InvalidMessageScores()
  const history = options.history === false
    ? undefined
    : await openNodeHistoryStore(options.dataDir, {
      maxMessages: options.historyMaxMessages ?? DEFAULT_HISTORY_MAX_MESSAGES,
      maxAgeMs: (options.historyMaxDays ?? DEFAULT_HISTORY_MAX_DAYS) * 24 * 60 * 60 * 1000
    })
  const node = await createRelayNode(options, store, scores, history)
  const rooms = new RoomFollower(node.services.pubsub, { scores })
  const keeper = history == null ? undefined : new HistoryKeeper(node.services.pubsub, history)
  const peers = new RelayPeers(node, options.peers ?? [])
  const info = (): RelayInfo => ({
    peerId: node.peerId.toString(),
    multiaddrs: node.getMultiaddrs().map(ma => ma.toString()),
    iceServers: options.iceServers
  })
  const http = createHttpServer({ webRoot: options.webRoot, relayInfo: info })
  let url = ''

  return {
    node,
    get url () { return url },
    info,
    rooms: () => rooms.rooms,
    sweepRooms: () => { rooms.sweep() },
    async start () {
      await node.start()
      if (options.followRooms !== false) {
        rooms.start()
        keeper?.start()
      }
      peers.start()
      http.listen(options.httpPort, options.host)
      await once(http, 'listening')
      const { port } = http.address() as AddressInfo
      url = `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}/`
      log('relay %p started; web app at %s', node.peerId, url)
    },
    async stop () {
      peers.stop()
      rooms.stop()
      await keeper?.stop()
      http.closeAllConnections()
      await new Promise<void>(resolve => http.close(() => { resolve() }))
      await node.stop()
      await store.datastore.close()
      await history?.close()
      log('relay stopped')
    }
  }
}
