import { ADDRESS_CACHE_TTL_MS } from './constants.js'
import type { Libp2pEvents, TypedEventTarget } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface AddressCacheOptions {
  /** longest the relay answers with an address list it computed earlier (ms) @default ADDRESS_CACHE_TTL_MS */
  ttlMs?: number
}

export interface AddressCacheComponents {
  /** libp2p's address manager (`@libp2p/interface-internal`), of which only this method is used */
  addressManager: { getAddresses: () => Multiaddr[] }
  events: TypedEventTarget<Libp2pEvents>
}

/** What the service did (its test reads it). */
export interface AddressCache {
  /** how many times the address list was computed */
  readonly computed: number
}

/**
 * Has the relay compute its own address list at most once per `ttlMs`, and again at once when its addresses
 * change (a transport starts or stops listening, libp2p's `self:peer:update`). libp2p's address manager computes
 * it afresh on every call - its transports' addresses, observed, IP- and DNS-mapped ones, each checked for
 * expiry and privacy and given the peer id - and a relay asks twice for every client it admits: for the client's
 * identify and for its reservation. That was a tenth of what the relay allocated per admitted client (111 of
 * 1,140 KiB, bench/RESULTS.md, stop 35): young-generation garbage while thousands arrive. Every caller gets a copy
 * of the list. The time must stay within the address manager's own 1 s debounce before it publishes a change (its
 * `self:peer:update`), so that what it publishes was computed after the change.
 */
export function addressCache (options: AddressCacheOptions = {}): (components: AddressCacheComponents) => AddressCache {
  const ttlMs = options.ttlMs ?? ADDRESS_CACHE_TTL_MS
  return components => {
    const manager = components.addressManager
    const compute = manager.getAddresses.bind(manager)
    let cached: { addrs: Multiaddr[], until: number } | undefined
    let computed = 0
    const forget = (): void => { cached = undefined }
    for (const event of ['self:peer:update', 'transport:listening', 'transport:close'] as const) {
      components.events.addEventListener(event, forget)
    }
    manager.getAddresses = () => {
      const now = Date.now()
      if (cached == null || now >= cached.until) {
        computed++
        cached = { addrs: compute(), until: now + ttlMs }
      }
      return [...cached.addrs]
    }
    return {
      get computed () { return computed }
    }
  }
}
