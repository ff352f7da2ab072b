import { logger } from '@libp2p/logger'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import {
  DISCOVERY_LOOKUP_DELAYS_MS, DISCOVERY_LOOKUP_INTERVAL_MS, DISCOVERY_MAX_DIALS, DISCOVERY_QUERY_TIMEOUT_MS,
  DISCOVERY_REPROVIDE_INTERVAL_MS, DISCOVERY_RETRY_MAX_MS, DISCOVERY_RETRY_MIN_MS
} from '../constants.js'
import { backoffDelay } from '../util/backoff.js'
import type { Libp2p, PeerInfo } from '@libp2p/interface'

const log = logger('p2p-chat:room:discovery')

/**
 * A room's key in the DHT: CIDv1, raw codec, sha256 of the room's gossipsub topic (UTF-8). Members announce
 * themselves as providers of it; newcomers look it up.
 */
export async function roomKey (topic: string): Promise<CID> {
  return CID.createV1(raw.code, await sha256.digest(uint8ArrayFromString(topic)))
}

export interface RoomDiscoveryInit {
  /** the room's gossipsub topic */
  topic: string
  /** called for every provider a lookup finds, other than this node */
  onFound: (peer: PeerInfo) => void
  /** delays (ms after start) of the first lookups @default DISCOVERY_LOOKUP_DELAYS_MS */
  lookupDelays?: number[]
  /** lookups after the first ones @default DISCOVERY_LOOKUP_INTERVAL_MS */
  lookupInterval?: number
  /** announcements are repeated this often @default DISCOVERY_REPROVIDE_INTERVAL_MS */
  reprovideInterval?: number
}

/**
 * Finds a room's members through the DHT (libp2p's content routing, here Kademlia): the node announces
 * itself as a provider of the room's key whenever its addresses change (a new relay reservation) and every
 * few minutes, and looks the key up on joining and then periodically. This finds members that are in the
 * same room but reach it through another relay, where the room's gossip does not reach yet. A node without
 * content routing (no DHT) simply finds nobody.
 */
export class RoomDiscovery {
  private readonly node: Libp2p
  private readonly init: RoomDiscoveryInit
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private readonly controller = new AbortController()
  private key?: CID
  private providedAddrs = ''
  private providing = false
  private provideFailures = 0
  private looked = false

  private readonly onAddressesChange = (): void => {
    void this.provide()
  }

  constructor (node: Libp2p, init: RoomDiscoveryInit) {
    this.node = node
    this.init = init
  }

  start (): void {
    this.node.addEventListener('self:peer:update', this.onAddressesChange)
    for (const delay of this.init.lookupDelays ?? DISCOVERY_LOOKUP_DELAYS_MS) {
      this.after(delay, () => { void this.lookup(`at ${delay} ms`) })
    }
    this.every(this.init.lookupInterval ?? DISCOVERY_LOOKUP_INTERVAL_MS, () => { void this.lookup('periodic') })
    this.every(this.init.reprovideInterval ?? DISCOVERY_REPROVIDE_INTERVAL_MS, () => {
      this.providedAddrs = ''
      void this.provide()
    })
    void this.provide()
  }

  stop (): void {
    this.node.removeEventListener('self:peer:update', this.onAddressesChange)
    this.controller.abort()
    for (const timer of this.timers) {
      clearTimeout(timer)
      clearInterval(timer)
    }
    this.timers.clear()
  }

  /** Announces this node for the room's key, if it has addresses others could use and they changed. */
  async provide (): Promise<void> {
    const addrs = this.node.getMultiaddrs().map(String).sort().join()
    if (this.providing || addrs === '' || addrs === this.providedAddrs || this.controller.signal.aborted) {
      return
    }
    this.providing = true
    try {
      await this.node.contentRouting.provide(await this.getKey(), { signal: this.signal() })
      this.providedAddrs = addrs
      this.provideFailures = 0
      log('announced %p in %s', this.node.peerId, this.init.topic)
      if (!this.looked) {
        // the DHT answers now: no need to wait for the next scheduled lookup
        void this.lookup('after announcing')
      }
    } catch (err) {
      // no DHT server reachable yet: try again later (an address change also tries again)
      const delay = backoffDelay(this.provideFailures++, DISCOVERY_RETRY_MIN_MS, DISCOVERY_RETRY_MAX_MS)
      log('could not announce in %s (%s), retrying in %d ms', this.init.topic, (err as Error).message, delay)
      this.after(delay, () => { void this.provide() })
    } finally {
      this.providing = false
    }
    if (this.provideFailures === 0 && this.node.getMultiaddrs().map(String).sort().join() !== this.providedAddrs) {
      void this.provide() // the addresses changed while announcing
    }
  }

  /** Looks the room's key up and reports every provider found; `why` names the lookup in the debug log. */
  async lookup (why = 'asked'): Promise<void> {
    if (this.controller.signal.aborted) {
      return
    }
    let found = 0
    try {
      for await (const peer of this.node.contentRouting.findProviders(await this.getKey(), { signal: this.signal() })) {
        if (peer.id.equals(this.node.peerId) || peer.multiaddrs.length === 0) {
          continue
        }
        if (++found > DISCOVERY_MAX_DIALS) {
          break
        }
        this.init.onFound(peer)
      }
      this.looked = true
      log('lookup (%s) of %s done: %d providers', why, this.init.topic, found)
    } catch (err) {
      log('lookup (%s) of %s failed: %s', why, this.init.topic, (err as Error).message)
    }
  }

  private async getKey (): Promise<CID> {
    this.key ??= await roomKey(this.init.topic)
    return this.key
  }

  private signal (): AbortSignal {
    return AbortSignal.any([this.controller.signal, AbortSignal.timeout(DISCOVERY_QUERY_TIMEOUT_MS)])
  }

  private after (ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      fn()
    }, ms)
    this.timers.add(timer)
  }

  private every (ms: number, fn: () => void): void {
    this.timers.add(setInterval(fn, ms))
  }
}
