import { setMostRecent } from '@p2p-chat/shared'
import { MAX_RATE_LIMITED_KEYS } from './constants.js'

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
    setMostRecent(this.buckets, key, bucket, this.maxKeys)
    return bucket
  }
}
