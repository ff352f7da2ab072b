import { DEFAULT_DHT_MAX_PROVIDERS, DEFAULT_DHT_MAX_PROVIDERS_PER_KEY, DEFAULT_DHT_PROVIDER_TTL_S } from './constants.js'
import { DhtRecordRefusedError, ProviderLimitError } from './errors.js'
import { Refusals } from './refusals.js'
import type { KadDHTInit, Validators } from '@libp2p/kad-dht'
import type { Libp2pOptions } from 'libp2p'

type Datastore = NonNullable<Libp2pOptions['datastore']>
type Key = Parameters<Datastore['put']>[0]

/** Where kad-dht keeps provider records (its `datastorePrefix`, `/dht`, then `/provider/<key>/<peer id>`). */
const PROVIDER_PREFIX = '/dht/provider/'

export interface DhtLimitsInit {
  /** provider records kept, in all @default 16384 */
  maxProviders?: number
  /** provider records kept for one key (one room) @default 256 */
  maxProvidersPerKey?: number
  /** ms a provider record is kept after its last announcement @default 1800000 */
  providerTtlMs?: number
}

/**
 * The limits of the relay's DHT server. P2P Chat stores no value records in the DHT (members announce rooms as
 * provider records), so PUT_VALUE is refused for every namespace: kad-dht already has no validator for any but
 * `pk` (public-key records, which keys embedded in peer ids made useless) and this refuses those. Provider
 * records are bounded in number, in all and per key, and kept for `providerTtlMs` after their last
 * announcement instead of kad-dht's 48 hours. ADD_PROVIDER and PUT_VALUE have no refusal status in the DHT
 * protocol: a refused request's stream is reset.
 */
export class DhtLimiter {
  private readonly maxProviders: number
  private readonly maxProvidersPerKey: number
  private readonly providerTtlMs: number
  private readonly refusals: Refusals
  /** provider records held: key → provider peer ids */
  private readonly providers = new Map<string, Set<string>>()
  private total = 0

  constructor (init: DhtLimitsInit = {}, refusals = new Refusals()) {
    this.maxProviders = init.maxProviders ?? DEFAULT_DHT_MAX_PROVIDERS
    this.maxProvidersPerKey = init.maxProvidersPerKey ?? DEFAULT_DHT_MAX_PROVIDERS_PER_KEY
    this.providerTtlMs = init.providerTtlMs ?? DEFAULT_DHT_PROVIDER_TTL_S * 1000
    this.refusals = refusals
  }

  /** What to add to the relay's `kadDHT()` options. */
  get dhtInit (): Pick<KadDHTInit, 'validators' | 'reprovide'> {
    const validators: Validators = {
      pk: async () => {
        this.refusals.refuse('dht-record', 'PUT_VALUE of a public-key record')
        throw new DhtRecordRefusedError('this DHT server keeps no value records')
      }
    }
    // the reprovider is what deletes expired provider records, every `interval`
    return { validators, reprovide: { validity: this.providerTtlMs, interval: Math.max(1000, Math.round(this.providerTtlMs / 6)) } }
  }

  /** Provider records held now, and the keys they are for. */
  get stats (): { providers: number, keys: number } {
    return { providers: this.total, keys: this.providers.size }
  }

  /** Counts the provider records already in `datastore` (kept from an earlier run). Call before the node starts. */
  async load (datastore: Datastore): Promise<void> {
    for await (const key of datastore.queryKeys({ prefix: PROVIDER_PREFIX })) {
      const record = parse(key)
      if (record != null) {
        this.add(record)
      }
    }
  }

  /**
   * `datastore`, with every new provider record over a limit refused (its `put` throws
   * {@link ProviderLimitError}) and deleted records counted out. Everything else goes straight through.
   */
  wrap<D extends Datastore>(datastore: D): D {
    const put: Datastore['put'] = async (key, value, options) => {
      const record = parse(key)
      const added = record != null && this.admit(record)
      try {
        return await datastore.put(key, value, options)
      } catch (err) {
        if (added && record != null) {
          this.remove(record)
        }
        throw err
      }
    }
    const del: Datastore['delete'] = async (key, options) => {
      await datastore.delete(key, options)
      const record = parse(key)
      if (record != null) {
        this.remove(record)
      }
    }
    return new Proxy(datastore, {
      get (target, property) {
        if (property === 'put') {
          return put
        }
        if (property === 'delete') {
          return del
        }
        const value: unknown = Reflect.get(target, property, target)
        return typeof value === 'function' ? value.bind(target) : value
      }
    })
  }

  /** Admits a provider record (true if it is new), or throws if it is new and over a limit. */
  private admit (record: ProviderRecord): boolean {
    if (this.providers.get(record.key)?.has(record.peer) === true) {
      return false
    }
    if (this.total >= this.maxProviders) {
      this.refusals.refuse('dht-providers', 'provider record of %s for %s: %d kept already', record.peer, record.key, this.maxProviders)
      throw new ProviderLimitError(`${this.maxProviders} provider records kept already`)
    }
    if ((this.providers.get(record.key)?.size ?? 0) >= this.maxProvidersPerKey) {
      this.refusals.refuse('dht-providers-per-key', 'provider record of %s for %s: %d kept for this key already', record.peer, record.key, this.maxProvidersPerKey)
      throw new ProviderLimitError(`${this.maxProvidersPerKey} provider records kept for this key already`)
    }
    this.add(record)
    return true
  }

  private add (record: ProviderRecord): void {
    const peers = this.providers.get(record.key) ?? new Set()
    if (!peers.has(record.peer)) {
      peers.add(record.peer)
      this.providers.set(record.key, peers)
      this.total++
    }
  }

  private remove (record: ProviderRecord): void {
    const peers = this.providers.get(record.key)
    if (peers?.delete(record.peer) === true) {
      this.total--
      if (peers.size === 0) {
        this.providers.delete(record.key)
      }
    }
  }
}

interface ProviderRecord {
  key: string
  peer: string
}

function parse (key: Key): ProviderRecord | undefined {
  const text = key.toString()
  if (!text.startsWith(PROVIDER_PREFIX)) {
    return undefined
  }
  const [cid, peer, ...rest] = text.slice(PROVIDER_PREFIX.length).split('/')
  return cid != null && peer != null && rest.length === 0 ? { key: cid, peer } : undefined
}
