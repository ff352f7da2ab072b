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
import { openNodeStore } from '@p2p-chat/shared/node'
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
  const node = await createRelayNode(options, store, scores)
  const rooms = new RoomFollower(node.services.pubsub, { scores })
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
      http.closeAllConnections()
      await new Promise<void>(resolve => http.close(() => { resolve() }))
      await node.stop()
      await store.datastore.close()
      log('relay stopped')
    }
  }
}
