import { logger } from '@libp2p/logger'
import ipaddr from 'ipaddr.js'
import { MAX_RATE_LIMITED_KEYS } from './constants.js'
import type { RelayLogger } from './log.js'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = logger('p2p-chat:relay:limits')

/**
 * Where the relay's limits report each refusal. The relay's metrics (`metrics.ts`) are one; the default counts
 * nothing.
 */
export interface RefusalCounter {
  /** counts one refusal of `kind`, one of {@link REFUSAL_KINDS} */
  refused: (kind: string) => void
}

/** A counter that counts nothing. */
export const NO_REFUSAL_COUNTER: RefusalCounter = { refused: () => {} }

/** Every kind of refusal the relay counts: a fixed few, so that a metrics label stays small. */
export const REFUSAL_KINDS = [
  // inbound connections (limits-connections.ts)
  'connections', 'connections-per-ip', 'pending-connections', 'pending-per-ip', 'connection-rate', 'handshake-timeout',
  // circuit-relay reservations (limits-reservations.ts)
  'reservations', 'reservations-per-ip',
  // rooms (rooms.ts)
  'rooms', 'rooms-per-peer', 'publish-rate',
  // the DHT server (limits-dht.ts)
  'dht-record', 'dht-providers', 'dht-providers-per-key'
] as const

export type RefusalKind = typeof REFUSAL_KINDS[number]

/**
 * Logs each refusal (`DEBUG=p2p-chat:relay:limits`, and at debug level in the relay's operational log, if
 * given: a flood of refusals must not flood the log), counts it by kind, and passes it on to a
 * {@link RefusalCounter}.
 */
export class Refusals {
  private readonly counter: RefusalCounter
  private readonly logger?: RelayLogger
  private readonly counts = new Map<RefusalKind, number>()

  constructor (counter: RefusalCounter = NO_REFUSAL_COUNTER, logger?: RelayLogger) {
    this.counter = counter
    this.logger = logger
  }

  /** Records one refusal of `kind`; `format` and `args` describe it (`%s`, `%d`, `%p` for a peer, `%a` for an address). */
  refuse (kind: RefusalKind, format: string, ...args: unknown[]): void {
    log(`refused (%s): ${format}`, kind, ...args)
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1)
    this.counter.refused(kind)
    if (this.logger != null) {
      let i = 0
      const detail = format.replace(/%[sdpa]/g, () => String(args[i++]))
      this.logger.debug('refused', { kind, detail, message: `refused (${kind}): ${detail}` })
    }
  }

  /** Refusals so far, by kind (kinds never refused are absent). */
  get totals (): Partial<Record<RefusalKind, number>> {
    return Object.fromEntries(this.counts)
  }
}

export interface TokenBucketsInit {
  /** tokens added to each bucket a second */
  rate: number
  /** tokens a bucket holds at most, and starts with */
  burst: number
  /** most buckets kept; the least recently used is dropped first (it starts full again) @default 16384 */
  maxKeys?: number
}

interface Bucket {
  tokens: number
  at: number
}

/**
 * One token bucket per key (an IP address, a peer id): each action takes a token; tokens come back at `rate`
 * a second up to `burst`. A bucket that has refilled is the same as none, so {@link prune} drops it, and at
 * most `maxKeys` are kept: memory stays bounded however many keys come and go.
 */
export class TokenBuckets {
  private readonly rate: number
  private readonly burst: number
  private readonly maxKeys: number
  private readonly buckets = new Map<string, Bucket>()

  constructor (init: TokenBucketsInit) {
    this.rate = init.rate
    this.burst = init.burst
    this.maxKeys = init.maxKeys ?? MAX_RATE_LIMITED_KEYS
  }

  /** Takes a token from the bucket of each key, if every one has a token; otherwise takes none. */
  take (keys: string | string[], now = Date.now()): boolean {
    const list = typeof keys === 'string' ? [keys] : [...new Set(keys)]
    const buckets = list.map(key => this.refill(key, now))
    if (buckets.some(b => b.tokens < 1)) {
      return false
    }
    for (const bucket of buckets) {
      bucket.tokens -= 1
    }
    return true
  }

  /** Buckets kept now. */
  get size (): number {
    return this.buckets.size
  }

  /** Drops the buckets that have refilled. */
  prune (now = Date.now()): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) / 1000 * this.rate >= this.burst) {
        this.buckets.delete(key)
      }
    }
  }

  private refill (key: string, now: number): Bucket {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now }
    bucket.tokens = Math.min(this.burst, bucket.tokens + Math.max(0, now - bucket.at) / 1000 * this.rate)
    bucket.at = now
    // most recently used last, so the first key is the one to forget
    this.buckets.delete(key)
    this.buckets.set(key, bucket)
    if (this.buckets.size > this.maxKeys) {
      this.buckets.delete(this.buckets.keys().next().value!)
    }
    return bucket
  }
}

/**
 * The key an address is limited by: an IPv4 address as it is, an IPv6 address by its /64 (one host or home
 * network usually has a whole /64), an IPv4-mapped IPv6 address as IPv4. `undefined` for addresses without
 * an IP (a circuit, a DNS name), which no per-address limit applies to.
 */
export function ipKey (addr: Multiaddr): string | undefined {
  const first = addr.getComponents()[0]
  if (first?.value == null || (first.name !== 'ip4' && first.name !== 'ip6') || !ipaddr.isValid(first.value)) {
    return undefined
  }
  const ip = ipaddr.process(first.value) // an IPv4-mapped IPv6 address becomes IPv4
  return ip.kind() === 'ipv4' ? ip.toString() : `${ipaddr.IPv6.networkAddressFromCIDR(`${ip.toString()}/64`).toString()}/64`
}
