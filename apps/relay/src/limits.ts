import {
  DEFAULT_ADMISSION_WAIT_MS, DEFAULT_CIRCUIT_DATA_BYTES, DEFAULT_CIRCUIT_DURATION_MS, DEFAULT_CONNECTION_RATE_PER_IP, DEFAULT_HANDSHAKE_TIMEOUT_S,
  DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PENDING_CONNECTIONS, DEFAULT_MAX_QUEUED_CONNECTIONS, DEFAULT_MAX_RESERVATIONS, DEFAULT_MAX_ROOMS,
  LIBP2P_CONNECTION_HEADROOM, LIBP2P_PENDING_FACTOR, LIBP2P_RATE_FACTOR, LIBP2P_UPGRADE_TIMEOUT_SLACK_MS, LIMITS_SWEEP_INTERVAL_MS
} from './constants.js'
import { ConnectionLimiter } from './limits-connections.js'
import { DhtLimiter } from './limits-dht.js'
import { ReservationLimiter } from './limits-reservations.js'
import { Refusals } from './refusals.js'
import type { RelayOptions } from './config.js'
import type { RelayLogger } from './log.js'
import type { RefusalCounter, RefusalKind } from './refusals.js'
import type { RoomFollowerOptions } from './rooms.js'
import type { CircuitRelayService, ServerReservationStoreInit } from '@libp2p/circuit-relay-v2'
import type { Libp2p } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'

export { NO_REFUSAL_COUNTER, REFUSAL_KINDS, Refusals } from './refusals.js'
export { TokenBuckets } from './token-buckets.js'
export { ipKey } from './ip-key.js'
export type { RefusalCounter, RefusalKind } from './refusals.js'

/** What the limits hold now: each figure stays bounded however many peers come and go. */
export interface LimitStats {
  /** inbound connections counted (open, in their handshake), addresses they come from, connection-rate buckets */
  connections: ConnectionLimiter['stats']
  /** provider records kept and the keys they are for */
  dht: DhtLimiter['stats']
  /** refusals so far, by kind */
  refused: Partial<Record<RefusalKind, number>>
}

/**
 * Every limit of the relay, made from its options: the pieces each part of the libp2p node is configured with,
 * and one place where refusals are logged and counted (`counter`: the relay's metrics). The limits and their
 * defaults are listed in docs/PROTOCOL.md ("Limits of the reference relay").
 */
export class RelayLimits {
  readonly refusals: Refusals
  readonly connections: ConnectionLimiter
  readonly reservations: ReservationLimiter
  readonly dht: DhtLimiter
  private readonly options: RelayOptions
  private timer?: ReturnType<typeof setInterval>

  /** `now`: the clock the connection rate is measured with (tests move it) @default Date.now */
  constructor (options: RelayOptions, counter?: RefusalCounter, logger?: RelayLogger, now?: () => number) {
    this.options = options
    this.refusals = new Refusals(counter, logger)
    this.connections = new ConnectionLimiter({
      maxConnections: options.maxConnections,
      maxConnectionsPerIp: options.maxConnectionsPerIp,
      maxPendingConnections: options.maxPendingConnections,
      admissionDelayMs: options.admissionDelayMs,
      maxQueuedConnections: options.maxQueuedConnections,
      maxPendingPerIp: options.maxPendingPerIp,
      connectionRatePerIp: options.connectionRatePerIp,
      handshakeTimeoutMs: this.handshakeTimeoutMs,
      now
    }, this.refusals)
    this.reservations = new ReservationLimiter(options, this.refusals)
    this.dht = new DhtLimiter({
      maxProviders: options.dhtMaxProviders,
      maxProvidersPerKey: options.dhtMaxProvidersPerKey,
      providerTtlMs: options.dhtProviderTtlSeconds == null ? undefined : options.dhtProviderTtlSeconds * 1000
    }, this.refusals)
  }

  private get handshakeTimeoutMs (): number {
    return (this.options.handshakeTimeoutSeconds ?? DEFAULT_HANDSHAKE_TIMEOUT_S) * 1000
  }

  /**
   * The connection manager's options. Its own caps are checked before the relay's gater and refuse without
   * counting, so they sit above the relay's (see `LIBP2P_*` in constants.ts): its count of connections in
   * their handshake includes those waiting for a slot, and its upgrade timeout runs from arrival, so it covers
   * the wait and the handshake (which the gater times from its admission).
   */
  get connectionManager (): NonNullable<Libp2pOptions['connectionManager']> {
    const { options } = this
    const handshaking = (options.maxPendingConnections ?? DEFAULT_MAX_PENDING_CONNECTIONS) + (options.maxQueuedConnections ?? DEFAULT_MAX_QUEUED_CONNECTIONS)
    return {
      maxConnections: (options.maxConnections ?? DEFAULT_MAX_CONNECTIONS) + LIBP2P_CONNECTION_HEADROOM,
      maxIncomingPendingConnections: handshaking * LIBP2P_PENDING_FACTOR,
      inboundConnectionThreshold: (options.connectionRatePerIp ?? DEFAULT_CONNECTION_RATE_PER_IP) * LIBP2P_RATE_FACTOR,
      inboundUpgradeTimeout: DEFAULT_ADMISSION_WAIT_MS + this.handshakeTimeoutMs + LIBP2P_UPGRADE_TIMEOUT_SLACK_MS
    }
  }

  /** The circuit-relay server's `reservations` options. */
  get relayReservations (): ServerReservationStoreInit {
    const { options } = this
    return {
      maxReservations: options.maxReservations ?? DEFAULT_MAX_RESERVATIONS,
      defaultDurationLimit: options.circuitDurationSeconds == null ? DEFAULT_CIRCUIT_DURATION_MS : options.circuitDurationSeconds * 1000,
      defaultDataLimit: options.circuitDataBytes == null ? DEFAULT_CIRCUIT_DATA_BYTES : BigInt(options.circuitDataBytes),
      allowReservation: this.reservations.allowReservation
    }
  }

  /** The room follower's limits. */
  get rooms (): RoomFollowerOptions {
    const { options } = this
    return {
      maxRooms: options.maxRooms ?? DEFAULT_MAX_ROOMS,
      maxRoomsPerPeer: options.maxRoomsPerPeer,
      publishRate: options.publishRate,
      publishBurst: options.publishBurst,
      refusals: this.refusals
    }
  }

  get stats (): LimitStats {
    return { connections: this.connections.stats, dht: this.dht.stats, refused: this.refusals.totals }
  }

  /**
   * Starts what runs alongside the node: handshakes paced by the event loop, reservations freed on disconnect,
   * {@link sweep} on a timer.
   */
  start (node: Libp2p, relay: CircuitRelayService): void {
    this.connections.start()
    this.reservations.start(node, relay)
    this.timer = setInterval(() => { this.sweep() }, LIMITS_SWEEP_INTERVAL_MS)
    this.timer.unref()
  }

  /** Frees what peers that are gone still hold (reservations), and drops refilled rate buckets. */
  sweep (): void {
    this.reservations.sweep()
    this.connections.prune()
  }

  stop (): void {
    this.connections.stop()
    this.reservations.stop()
    clearInterval(this.timer)
  }
}
