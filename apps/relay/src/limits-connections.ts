import { chatIdentitiesOnly } from '@p2p-chat/shared/protocol'
import { AdmissionPace } from './admission-pace.js'
import {
  DEFAULT_ADMISSION_WAIT_MS, DEFAULT_CONNECTION_RATE_PER_IP, DEFAULT_HANDSHAKE_TIMEOUT_S, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_IP,
  DEFAULT_MAX_PENDING_CONNECTIONS, DEFAULT_MAX_PENDING_PER_IP, DEFAULT_MAX_QUEUED_CONNECTIONS
} from './constants.js'
import { HandshakeTimeoutError } from './errors.js'
import { ipKey } from './ip-key.js'
import { Refusals } from './refusals.js'
import { TokenBuckets } from './token-buckets.js'
import type { ConnectionGater, MultiaddrConnection } from '@libp2p/interface'

export interface ConnectionLimitsInit {
  /** inbound connections open or in their handshake, in all @default 1024 */
  maxConnections?: number
  /** the same, from one IP address @default 32 */
  maxConnectionsPerIp?: number
  /** inbound handshakes under way, in all, at most (fewer while the event loop lags: `admissionDelayMs`) @default 16 */
  maxPendingConnections?: number
  /**
   * ms of event-loop delay above which fewer handshakes run at once (admission-pace.ts); 0: always
   * `maxPendingConnections` @default 25
   */
  admissionDelayMs?: number
  /**
   * inbound connections that wait for a handshake slot while `maxPendingConnections` are under way, first come
   * first served; more are refused @default 2048
   */
  maxQueuedConnections?: number
  /** ms a connection may wait for a handshake slot before it is refused @default 3000 */
  admissionWaitMs?: number
  /** the same, from one IP address @default 8 */
  maxPendingPerIp?: number
  /** new inbound connections a second from one IP address (and the burst) @default 10 */
  connectionRatePerIp?: number
  /** ms a handshake may take from the moment it is admitted; the connection is closed then @default 5000 */
  handshakeTimeoutMs?: number
  /** the clock the connection rate is measured with, in ms since the epoch @default Date.now */
  now?: () => number
}

interface Tracked {
  maConn: MultiaddrConnection
  ip: string
  /** waiting for a handshake slot, in its handshake, or upgraded */
  state: 'queued' | 'pending' | 'open'
  /** while queued: settles the gater's answer (`false`: go ahead) */
  answer?: (deny: boolean) => void
  /** while queued, the wait's end; while pending, the handshake's */
  timer?: ReturnType<typeof setTimeout>
}

interface PerIp {
  open: number
  pending: number
  queued: number
}

/**
 * Admits inbound connections within the relay's limits, as a libp2p connection gater: every connection from an
 * IP address is counted from its first byte (`denyInboundConnection`) through its handshake (until
 * `denyInboundUpgradedConnection`) to its close. A connection over any limit is closed before its handshake,
 * and the refusal logged and counted; connections already admitted are not touched.
 *
 * Handshakes are paced: at most `maxPendingConnections` are under way at once, fewer while the relay's event
 * loop lags behind (see {@link AdmissionPace}), and a connection that arrives while the slots are taken waits in
 * line (up to `maxQueuedConnections` of them, each at most `admissionWaitMs`) for one to finish. A burst of
 * arrivals (a relay restart: every browser redials at once) is then served at the pace the relay's CPU allows,
 * first come first served, instead of all handshakes slowing each other down past their timeouts while
 * everything else the relay does (`/healthz`, relaying) waits behind them. Each handshake has
 * `handshakeTimeoutMs` from its admission; libp2p's own upgrade timeout is set above both (see `limits.ts`).
 */
export class ConnectionLimiter {
  private readonly maxConnections: number
  private readonly maxConnectionsPerIp: number
  private readonly pace: AdmissionPace
  private readonly maxPendingPerIp: number
  private readonly maxQueued: number
  private readonly admissionWaitMs: number
  private readonly handshakeTimeoutMs: number
  private readonly rate: TokenBuckets
  private readonly now: () => number
  private readonly refusals: Refusals
  private readonly byIp = new Map<string, PerIp>()
  private readonly tracked = new WeakMap<MultiaddrConnection, Tracked>()
  /** connections waiting for a handshake slot, first come first */
  private readonly queue = new Set<Tracked>()
  private open = 0
  private pending = 0
  private queued = 0

  /**
   * The gater to give libp2p (`connectionGater`). Beside the limits, it refuses a peer whose identity is not
   * Ed25519 once its handshake names it (refusal kind `identity`): pages cannot read such a key (PROTOCOL.md,
   * "Identities"). It denies nothing else.
   */
  readonly gater: ConnectionGater = chatIdentitiesOnly({
    denyInboundConnection: maConn => this.admit(maConn),
    denyInboundUpgradedConnection: (_peer, maConn) => {
      this.upgraded(maConn)
      return false
    }
  }, peer => { this.refusals.refuse('identity', 'peer %p: its identity is a %s key, not Ed25519', peer, peer.type) })

  constructor (init: ConnectionLimitsInit = {}, refusals = new Refusals()) {
    this.maxConnections = init.maxConnections ?? DEFAULT_MAX_CONNECTIONS
    this.maxConnectionsPerIp = init.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP
    this.pace = new AdmissionPace({
      maxSlots: init.maxPendingConnections ?? DEFAULT_MAX_PENDING_CONNECTIONS,
      targetDelayMs: init.admissionDelayMs,
      onGrow: () => { this.admitWaiting() }
    })
    this.maxPendingPerIp = init.maxPendingPerIp ?? DEFAULT_MAX_PENDING_PER_IP
    this.maxQueued = init.maxQueuedConnections ?? DEFAULT_MAX_QUEUED_CONNECTIONS
    this.admissionWaitMs = init.admissionWaitMs ?? DEFAULT_ADMISSION_WAIT_MS
    this.handshakeTimeoutMs = init.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_S * 1000
    const rate = init.connectionRatePerIp ?? DEFAULT_CONNECTION_RATE_PER_IP
    this.rate = new TokenBuckets({ rate, burst: rate })
    this.now = init.now ?? Date.now
    this.refusals = refusals
  }

  /**
   * What is counted now: inbound connections open, in their handshake and waiting for one, the addresses they
   * come from, rate buckets.
   */
  get stats (): { open: number, pending: number, queued: number, slots: number, addresses: number, rateBuckets: number } {
    return { open: this.open, pending: this.pending, queued: this.queued, slots: this.pace.slots, addresses: this.byIp.size, rateBuckets: this.rate.size }
  }

  /** Starts pacing the handshakes by the event loop's delay. */
  start (): void {
    this.pace.start()
  }

  stop (): void {
    this.pace.stop()
  }

  /** Forgets rate buckets that have refilled (call now and then). */
  prune (): void {
    this.rate.prune(this.now())
  }

  /** Whether to refuse `maConn` (at once, or once it has waited its turn); if not, counts it until it closes. */
  private admit (maConn: MultiaddrConnection): boolean | Promise<boolean> {
    const ip = ipKey(maConn.remoteAddr)
    if (ip == null || maConn.status !== 'open') {
      return false
    }
    const here = this.byIp.get(ip) ?? { open: 0, pending: 0, queued: 0 }
    const refuse = (kind: Parameters<Refusals['refuse']>[0], detail: string): boolean => {
      this.refusals.refuse(kind, 'inbound connection from %a: %s', maConn.remoteAddr, detail)
      return true
    }
    // every attempt counts against its address's rate, admitted or not
    if (!this.rate.take(ip, this.now())) {
      return refuse('connection-rate', 'too many new connections a second from this address')
    }
    if (here.open + here.pending + here.queued >= this.maxConnectionsPerIp) {
      return refuse('connections-per-ip', `${this.maxConnectionsPerIp} connections from this address already`)
    }
    if (here.pending + here.queued >= this.maxPendingPerIp) {
      return refuse('pending-per-ip', `${this.maxPendingPerIp} handshakes from this address under way already`)
    }
    if (this.pending >= this.pace.slots && this.queued >= this.maxQueued) {
      return refuse('pending-connections', `${this.pending} handshakes under way and ${this.maxQueued} waiting already`)
    }
    if (this.open + this.pending + this.queued >= this.maxConnections) {
      return refuse('connections', `${this.maxConnections} connections already`)
    }
    const tracked: Tracked = { maConn, ip, state: 'queued' }
    this.count(tracked, 1)
    this.tracked.set(maConn, tracked)
    maConn.addEventListener('close', () => {
      // gone while in line (its peer gave up): nothing to admit
      const answer = tracked.answer
      this.settle(tracked)
      answer?.(true)
      this.count(tracked, -1)
      this.admitWaiting()
    }, { once: true })
    if (this.pending < this.pace.slots && this.queue.size === 0) {
      this.startHandshake(tracked)
      return false
    }
    this.pace.full()
    return new Promise<boolean>(resolve => {
      tracked.answer = resolve
      tracked.timer = setTimeout(() => {
        this.settle(tracked)
        resolve(refuse('pending-connections', `no handshake slot within ${this.admissionWaitMs} ms (${this.pending} under way)`))
      }, this.admissionWaitMs)
      this.queue.add(tracked)
    })
  }

  /** Moves `tracked` from the line (if it was in it) to a handshake, whose time starts now. */
  private startHandshake (tracked: Tracked): void {
    this.count(tracked, -1)
    tracked.state = 'pending'
    this.count(tracked, 1)
    tracked.timer = setTimeout(() => {
      this.refusals.refuse('handshake-timeout', 'inbound connection from %a: no handshake within %d ms', tracked.maConn.remoteAddr, this.handshakeTimeoutMs)
      tracked.maConn.abort(new HandshakeTimeoutError(`no handshake within ${this.handshakeTimeoutMs} ms`))
    }, this.handshakeTimeoutMs)
  }

  /** Lets the first connections in line start their handshakes, as long as slots are free. */
  private admitWaiting (): void {
    for (const next of this.queue) {
      if (this.pending >= this.pace.slots) {
        this.pace.full()
        return
      }
      const answer = next.answer
      this.settle(next)
      this.startHandshake(next)
      answer?.(false)
    }
  }

  /** Takes `tracked` out of the line and stops its timer, if any. */
  private settle (tracked: Tracked): void {
    clearTimeout(tracked.timer)
    tracked.timer = undefined
    tracked.answer = undefined
    this.queue.delete(tracked)
  }

  private upgraded (maConn: MultiaddrConnection): void {
    const tracked = this.tracked.get(maConn)
    if (tracked?.state === 'pending') {
      this.settle(tracked)
      this.count(tracked, -1)
      tracked.state = 'open'
      this.count(tracked, 1)
      this.admitWaiting()
    }
  }

  private count (tracked: Tracked, delta: 1 | -1): void {
    const here = this.byIp.get(tracked.ip) ?? { open: 0, pending: 0, queued: 0 }
    here[tracked.state] += delta
    this[tracked.state] += delta
    if (here.open + here.pending + here.queued === 0) {
      this.byIp.delete(tracked.ip)
    } else {
      this.byIp.set(tracked.ip, here)
    }
  }
}
