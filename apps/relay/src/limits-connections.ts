import {
  DEFAULT_CONNECTION_RATE_PER_IP, DEFAULT_HANDSHAKE_TIMEOUT_S, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_IP,
  DEFAULT_MAX_PENDING_CONNECTIONS, DEFAULT_MAX_PENDING_PER_IP
} from './constants.js'
import { ipKey, Refusals, TokenBuckets } from './limits-common.js'
import type { ConnectionGater, MultiaddrConnection } from '@libp2p/interface'

export interface ConnectionLimitsInit {
  /** inbound connections open or in their handshake, in all @default 1024 */
  maxConnections?: number
  /** the same, from one IP address @default 32 */
  maxConnectionsPerIp?: number
  /** inbound handshakes under way, in all @default 64 */
  maxPendingConnections?: number
  /** the same, from one IP address @default 8 */
  maxPendingPerIp?: number
  /** new inbound connections a second from one IP address (and the burst) @default 10 */
  connectionRatePerIp?: number
  /** ms a handshake may take; libp2p closes the connection then (`inboundUpgradeTimeout`) @default 5000 */
  handshakeTimeoutMs?: number
  /** the clock the connection rate is measured with, in ms since the epoch @default Date.now */
  now?: () => number
}

/** A handshake closed this close to the timeout (or later) is counted as timed out. */
const TIMER_SLACK_MS = 100

interface Tracked {
  ip: string
  state: 'pending' | 'open'
  since: number
}

interface PerIp {
  open: number
  pending: number
}

/**
 * Admits inbound connections within the relay's limits, as a libp2p connection gater: every connection from an
 * IP address is counted from its first byte (`denyInboundConnection`) through its handshake (until
 * `denyInboundUpgradedConnection`) to its close. A connection over any limit is closed before its handshake,
 * and the refusal logged and counted; connections already admitted are not touched.
 *
 * libp2p's connection manager applies its own caps first, so the relay sets them above these (see
 * `LIBP2P_*` in constants.ts); libp2p alone enforces the handshake timeout, which this counts.
 */
export class ConnectionLimiter {
  private readonly maxConnections: number
  private readonly maxConnectionsPerIp: number
  private readonly maxPending: number
  private readonly maxPendingPerIp: number
  private readonly handshakeTimeoutMs: number
  private readonly rate: TokenBuckets
  private readonly now: () => number
  private readonly refusals: Refusals
  private readonly byIp = new Map<string, PerIp>()
  private readonly tracked = new WeakMap<MultiaddrConnection, Tracked>()
  private open = 0
  private pending = 0

  /** The gater to give libp2p (`connectionGater`); it denies nothing else. */
  readonly gater: ConnectionGater = {
    denyInboundConnection: maConn => this.admit(maConn),
    denyInboundUpgradedConnection: (_peer, maConn) => {
      this.upgraded(maConn)
      return false
    }
  }

  constructor (init: ConnectionLimitsInit = {}, refusals = new Refusals()) {
    this.maxConnections = init.maxConnections ?? DEFAULT_MAX_CONNECTIONS
    this.maxConnectionsPerIp = init.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP
    this.maxPending = init.maxPendingConnections ?? DEFAULT_MAX_PENDING_CONNECTIONS
    this.maxPendingPerIp = init.maxPendingPerIp ?? DEFAULT_MAX_PENDING_PER_IP
    this.handshakeTimeoutMs = init.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_S * 1000
    const rate = init.connectionRatePerIp ?? DEFAULT_CONNECTION_RATE_PER_IP
    this.rate = new TokenBuckets({ rate, burst: rate })
    this.now = init.now ?? Date.now
    this.refusals = refusals
  }

  /** What is counted now: inbound connections open and in their handshake, the addresses they come from, rate buckets. */
  get stats (): { open: number, pending: number, addresses: number, rateBuckets: number } {
    return { open: this.open, pending: this.pending, addresses: this.byIp.size, rateBuckets: this.rate.size }
  }

  /** Forgets rate buckets that have refilled (call now and then). */
  prune (): void {
    this.rate.prune(this.now())
  }

  /** Whether to refuse `maConn`; if not, counts it until it closes. */
  private admit (maConn: MultiaddrConnection): boolean {
    const ip = ipKey(maConn.remoteAddr)
    if (ip == null || maConn.status !== 'open') {
      return false
    }
    const here = this.byIp.get(ip) ?? { open: 0, pending: 0 }
    const refuse = (kind: Parameters<Refusals['refuse']>[0], detail: string): boolean => {
      this.refusals.refuse(kind, 'inbound connection from %a: %s', maConn.remoteAddr, detail)
      return true
    }
    // every attempt counts against its address's rate, admitted or not
    if (!this.rate.take(ip, this.now())) {
      return refuse('connection-rate', 'too many new connections a second from this address')
    }
    if (here.open + here.pending >= this.maxConnectionsPerIp) {
      return refuse('connections-per-ip', `${this.maxConnectionsPerIp} connections from this address already`)
    }
    if (here.pending >= this.maxPendingPerIp) {
      return refuse('pending-per-ip', `${this.maxPendingPerIp} handshakes from this address under way already`)
    }
    if (this.pending >= this.maxPending) {
      return refuse('pending-connections', `${this.maxPending} handshakes under way already`)
    }
    if (this.open + this.pending >= this.maxConnections) {
      return refuse('connections', `${this.maxConnections} connections already`)
    }
    const tracked: Tracked = { ip, state: 'pending', since: Date.now() }
    this.count(tracked, 1)
    this.tracked.set(maConn, tracked)
    maConn.addEventListener('close', () => {
      // libp2p's timer starts a moment before the gater is asked
      if (tracked.state === 'pending' && Date.now() - tracked.since >= this.handshakeTimeoutMs - TIMER_SLACK_MS) {
        this.refusals.refuse('handshake-timeout', 'inbound connection from %a: no handshake within %d ms', maConn.remoteAddr, this.handshakeTimeoutMs)
      }
      this.count(tracked, -1)
    }, { once: true })
    return false
  }

  private upgraded (maConn: MultiaddrConnection): void {
    const tracked = this.tracked.get(maConn)
    if (tracked?.state === 'pending') {
      this.count(tracked, -1)
      tracked.state = 'open'
      this.count(tracked, 1)
    }
  }

  private count (tracked: Tracked, delta: 1 | -1): void {
    const here = this.byIp.get(tracked.ip) ?? { open: 0, pending: 0 }
    here[tracked.state] += delta
    this[tracked.state] += delta
    if (here.open + here.pending === 0) {
      this.byIp.delete(tracked.ip)
    } else {
      this.byIp.set(tracked.ip, here)
    }
  }
}
