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
 * const relay = await createRelay(parseConfig(['--http-port', '0', '--metrics-port', '0'])!)
 * await relay.start()
 * console.info(relay.url, relay.info())
 * await relay.stop()
 * ```
 */

import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { isIPv6 } from 'node:net'
import { RELAY_V2_STOP_CODEC } from '@libp2p/circuit-relay-v2'
import { logger } from '@libp2p/logger'
import { InvalidMessageScores, isRoomTopic, RoomLinks } from '@p2p-chat/shared'
import { openNodeHistoryStore, openNodeStore } from '@p2p-chat/shared/node'
import { advertisedAddrs } from './addresses.js'
import { configWarnings } from './config.js'
import { DEFAULT_HISTORY_MAX_DAYS, DEFAULT_HISTORY_MAX_MESSAGES, DEFAULT_METRICS_HOST, DEFAULT_METRICS_PORT } from './constants.js'
import { HistoryKeeper, roomPreview } from './history.js'
import { createAdminServer, createHttpServer } from './http.js'
import { iceServersFor } from './ice.js'
import { RelayLimits } from './limits.js'
import { createRelayLogger } from './log.js'
import { createRelayMetrics } from './metrics.js'
import { createRelayNode } from './node.js'
import { PeerForgetter, relayDatastore } from './peer-store.js'
import { RelayPeers, targetPeerId } from './peers.js'
import { RoomFollower } from './rooms.js'
import { createStunResponder } from './stun.js'
import type { RelayOptions } from './config.js'
import type { RelayHealth } from './http.js'
import type { LimitStats } from './limits.js'
import type { RelayLogger } from './log.js'
import type { RelayMetrics } from './metrics.js'
import type { RelayNode } from './node.js'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { GossipsubMessage } from '@libp2p/gossipsub'
import type { Listener } from '@libp2p/interface'
import type { RelayInfo } from '@p2p-chat/shared'
import type { AddressInfo } from 'node:net'

export { parseConfig, USAGE } from './config.js'
export type { RelayOptions } from './config.js'
export { ConfigError } from './errors.js'
export { createRelayLogger, silentLogger } from './log.js'
export type { LogFormat, LogLevel, RelayLogger } from './log.js'
export type { RelayMetrics } from './metrics.js'
export type { RelayHealth } from './http.js'
export { STUN_RESULTS } from './stun.js'
export type { StunResult } from './stun.js'
export { REFUSAL_KINDS } from './limits.js'
export type { LimitStats, RefusalCounter, RefusalKind } from './limits.js'

const log = logger('p2p-chat:relay')

export interface Relay {
  readonly node: RelayNode
  /** the web app's URL, once started */
  readonly url: string
  /** the admin listener's URL (`/metrics`, `/healthz`), once started */
  readonly metricsUrl: string
  /**
   * What `GET /api/relay` answers. `host` is the host name the browser reached the HTTP server by (validated,
   * in URL form: `chat.example.org`, `[2001:db8::1]`): it names the relay's STUN server unless `--announce` does.
   */
  info: (host?: string) => RelayInfo
  /** the UDP port the relay's STUN responder answers on, while it runs (none with `--stun-port 0`) */
  readonly stunPort: number | undefined
  /** what `GET /healthz` answers (503 unless `status` is 'ok': 'starting' until started, then 'stopping') */
  health: () => RelayHealth
  /** the relay's metrics (`GET /metrics` on the admin listener); the limits count their refusals here */
  readonly metrics: RelayMetrics
  /** the relay's operational log */
  readonly logger: RelayLogger
  /** topics of the rooms the relay is in */
  rooms: () => string[]
  /** leaves rooms that no connected peer is in any more (also done on a timer) */
  sweepRooms: () => void
  /** what the limits hold now (each bounded), and refusals so far by kind */
  limits: () => RelayLimitStats
  /** frees what peers that are gone still hold, such as reservations and peer store records (also done on a timer) */
  sweepLimits: () => void
  start: () => Promise<void>
  /**
   * Shuts down: `/healthz` turns 503, the HTTP servers, the STUN socket and libp2p's listeners close, connections
   * are closed (each gets 500 ms to close cleanly), the history is flushed and closed. The process may not end by
   * itself afterwards (the WebRTC-direct listener's native part stays: see patches/), so a program ends with exit().
   */
  stop: () => Promise<void>
}

/** {@link LimitStats}, and what the room follower and the circuit-relay server hold. */
export interface RelayLimitStats extends LimitStats {
  /** peers whose rooms the follower counts, and its publish-rate buckets */
  rooms: RoomFollower['stats']
  /** circuit-relay reservations held */
  reservations: number
  /** peers the peer store holds a record of: those connected, and a bounded few DHT servers and peer relays */
  peerRecords: number
}

export interface RelayInit {
  /** where the relay's operational events go @default a logger of `options.logFormat`/`logLevel` on stdout */
  logger?: RelayLogger
  /** the clock the relay's rates are measured with (per address connections, a room's messages and departure notices), in ms since the epoch @default Date.now */
  now?: () => number
}

/** A listen address as a URL's host: a wildcard as the machine's loopback, IPv6 in brackets. */
function urlHost (host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '[::1]'
  return isIPv6(host) ? `[${host}]` : host
}

/** Creates a relay from its options; nothing listens until `start()`. */
export async function createRelay (options: RelayOptions, init: RelayInit = {}): Promise<Relay> {
  const ops = {
    logger: init.logger ?? createRelayLogger({ format: options.logFormat, level: options.logLevel }),
    metrics: createRelayMetrics(),
    tls: options.tlsCert == null || options.tlsKey == null
      ? undefined
      : { cert: await readFile(options.tlsCert, 'utf8'), key: await readFile(options.tlsKey, 'utf8') }
  }
  const store = await openNodeStore(options.dataDir)
  // refusals are counted in the relay's metrics and logged at debug level
  const limits = new RelayLimits(options, ops.metrics, ops.logger, init.now)
  await limits.dht.load(store.datastore)
  const scores = new InvalidMessageScores()
  // whom each member of a public room says it is directly connected to: its lines go to those peers lazily
  const links = new RoomLinks()
  const history = options.history === false
    ? undefined
    : await openNodeHistoryStore(options.dataDir, {
      maxMessages: options.historyMaxMessages ?? DEFAULT_HISTORY_MAX_MESSAGES,
      maxAgeMs: (options.historyMaxDays ?? DEFAULT_HISTORY_MAX_DAYS) * 24 * 60 * 60 * 1000
    })
  // history sync answers for a room while the relay follows it, or once it has kept lines of it
  const servesHistory = async (topic: string): Promise<boolean> => history != null && isRoomTopic(topic) &&
    (rooms.rooms.includes(topic) || (await history.list(topic, { limit: 1 })).length > 0)
  // provider records over the DHT limits are refused where kad-dht stores them; peers' records stay in memory
  const { datastore, peerRecords } = relayDatastore(limits.dht.wrap(store.datastore))
  const node = await createRelayNode(options, store, { scores, links }, history, { ...ops, limits, datastore, servesHistory })
  const forgetter = new PeerForgetter()
  const { logger, metrics } = ops
  // peer relays forward every author of the rooms they share: only those authors' publish rates apply
  const peerRelays = new Set((options.peers ?? []).map(targetPeerId))
  const rooms = new RoomFollower(node.services.pubsub, { scores, links, logger, ...limits.rooms, forwarders: peer => peerRelays.has(peer), connections: node, now: init.now })
  const relayServer = (): CircuitRelayService => node.services.relay as CircuitRelayService
  const keeper = history == null ? undefined : new HistoryKeeper(node.services.pubsub, history)
  const peers = new RelayPeers(node, options.peers ?? [], logger)
  const stun = options.stunPort == null ? undefined : createStunResponder({ port: options.stunPort, host: options.host, counter: metrics })

  // what the transports are bound to (the address manager may hide some of it: see advertisedAddrs)
  const listeners = new Set<Listener>()
  node.addEventListener('transport:listening', evt => { listeners.add(evt.detail) })
  node.addEventListener('transport:close', evt => { listeners.delete(evt.detail) })
  // counted as they open and close: `getConnections()` makes a peer id for every connected peer, 3.3 ms a call at
  // 3,500 clients, which every `/healthz` paid
  let connections = 0
  node.addEventListener('connection:open', () => { connections++ })
  node.addEventListener('connection:close', () => { connections-- })
  const listenAddrs = (): string[] => advertisedAddrs({ peerId: node.peerId.toString(), announced: false, nodeAddrs: [], listenAddrs: [...listeners].flatMap(l => l.getAddrs()) })
  const info = (host?: string): RelayInfo => ({
    peerId: node.peerId.toString(),
    multiaddrs: advertisedAddrs({
      peerId: node.peerId.toString(),
      announced: (options.announce?.length ?? 0) > 0,
      nodeAddrs: node.getMultiaddrs(),
      listenAddrs: [...listeners].flatMap(l => l.getAddrs())
    }),
    iceServers: iceServersFor({
      stunPort: stun?.port,
      host: options.host,
      announce: options.announce,
      urls: options.iceServers,
      turnSecret: options.turnSecret,
      turnTtlSeconds: options.turnTtlSeconds
    }, host)
  })

  // every circuit the relay opens starts with a stop stream it opens to the destination peer
  node.use(RELAY_V2_STOP_CODEC, [(stream, connection, next) => {
    if (stream.direction === 'outbound') {
      metrics.circuitRelayed()
    }
    next(stream, connection)
  }])
  const countRoomMessage = (evt: CustomEvent<GossipsubMessage>): void => {
    if (isRoomTopic(evt.detail.msg.topic)) {
      metrics.roomMessage()
    }
  }
  metrics.observe({
    reservations: () => (node.services.relay as CircuitRelayService).reservations.size,
    circuitsOpen: () => node.getConnections().reduce((open, connection) => open + connection.streams
      .filter(s => s.protocol === RELAY_V2_STOP_CODEC && s.direction === 'outbound' && s.status === 'open').length, 0),
    roomsFollowed: () => rooms.rooms.length,
    historyLines: history == null ? undefined : async () => history.count()
  })

  let startedAt = 0
  let stopping = false
  const health = (): RelayHealth => ({
    status: stopping ? 'stopping' : startedAt === 0 ? 'starting' : 'ok',
    uptime: startedAt === 0 ? 0 : Math.round((Date.now() - startedAt) / 1000),
    connections
  })
  const http = createHttpServer({
    webRoot: options.webRoot,
    relayInfo: info,
    ...(history == null ? {} : { roomPreview: async (roomId: string) => roomPreview(history, roomId) }),
    health,
    tls: ops.tls
  })
  const admin = createAdminServer({
    health,
    metrics: async () => ({ contentType: metrics.contentType, body: await metrics.text() })
  })
  let url = ''
  let metricsUrl = ''

  return {
    node,
    get url () { return url },
    get stunPort () { return stun?.port },
    get metricsUrl () { return metricsUrl },
    info,
    health,
    metrics,
    logger,
    rooms: () => rooms.rooms,
    sweepRooms: () => { rooms.sweep() },
    limits: () => ({ ...limits.stats, rooms: rooms.stats, reservations: relayServer().reservations.size, peerRecords: peerRecords() }),
    sweepLimits: () => {
      limits.sweep()
      forgetter.sweep()
    },
    async start () {
      await node.start()
      limits.start(node, relayServer())
      forgetter.start(node)
      if (options.followRooms !== false) {
        rooms.start()
        keeper?.start()
      }
      node.services.pubsub.addEventListener('gossipsub:message', countRoomMessage)
      peers.start()
      // bound before /api/relay can name it
      await stun?.start()
      http.listen(options.httpPort, options.host)
      await once(http, 'listening')
      url = `${ops.tls == null ? 'http' : 'https'}://${urlHost(options.host)}:${(http.address() as AddressInfo).port}/`
      const metricsHost = options.metricsHost ?? DEFAULT_METRICS_HOST
      admin.listen(options.metricsPort ?? DEFAULT_METRICS_PORT, metricsHost)
      await once(admin, 'listening')
      metricsUrl = `http://${urlHost(metricsHost)}:${(admin.address() as AddressInfo).port}/metrics`
      startedAt = Date.now()
      stopping = false
      log('relay %p started; web app at %s', node.peerId, url)
      const peerId = node.peerId.toString()
      logger.info('relay started', { peerId, url, tls: ops.tls != null, message: `P2P Chat relay ${peerId}` })
      for (const addr of listenAddrs()) {
        logger.info('listening', { addr, message: `  listening on ${addr}` })
      }
      if (stun?.port != null) {
        const addr = `${options.host}:${stun.port}/udp`
        logger.info('stun listening', { addr, message: `  answering STUN on ${addr}` })
      }
      logger.info('metrics', { url: metricsUrl, message: `  metrics at ${metricsUrl}` })
      if ((options.announce?.length ?? 0) > 0) {
        for (const addr of info().multiaddrs) {
          logger.info('announcing', { addr, message: `  announcing ${addr}` })
        }
      }
      for (const { event, message } of configWarnings(options)) {
        logger.warn(event, { message })
      }
    },
    async stop () {
      if (stopping) {
        return
      }
      stopping = true
      const since = Date.now()
      logger.info('relay stopping', { connections: node.getConnections().length })
      // stop accepting: no new HTTP requests (health checks now see 503 on open connections)
      const closed = [http, admin].map(async server => new Promise<void>(resolve => server.close(() => { resolve() })))
      http.closeIdleConnections()
      admin.closeIdleConnections()
      await stun?.stop()
      peers.stop()
      rooms.stop()
      limits.stop()
      forgetter.stop()
      node.services.pubsub.removeEventListener('gossipsub:message', countRoomMessage)
      await keeper?.stop()
      // closes libp2p's listeners and every connection (500 ms each to close cleanly, then reset)
      await node.stop()
      http.closeAllConnections()
      admin.closeAllConnections()
      await Promise.all(closed)
      await store.datastore.close()
      // flushes and closes the SQLite history
      await history?.close()
      log('relay stopped')
      logger.info('relay stopped', { ms: Date.now() - since })
    }
  }
}
