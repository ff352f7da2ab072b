import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { ipKey, Refusals, TokenBuckets } from '../src/limits-common.js'
import { DhtLimiter } from '../src/limits-dht.js'
import type { Libp2pOptions } from 'libp2p'

describe('token buckets', () => {
  it('allow a burst, then the rate, per key', () => {
    const buckets = new TokenBuckets({ rate: 2, burst: 3 })
    expect([1, 2, 3, 4].map(() => buckets.take('a', 0))).toEqual([true, true, true, false])
    expect(buckets.take('b', 0)).toBe(true)
    // 2 a second: one token back after 500 ms
    expect(buckets.take('a', 499)).toBe(false)
    expect(buckets.take('a', 500)).toBe(true)
    expect(buckets.take('a', 500)).toBe(false)
  })

  it('take from several keys only if each has a token', () => {
    const buckets = new TokenBuckets({ rate: 1, burst: 1 })
    expect(buckets.take('a', 0)).toBe(true)
    expect(buckets.take(['a', 'b'], 0)).toBe(false)
    expect(buckets.take('b', 0)).toBe(true)
    // the same key twice costs one token
    expect(buckets.take(['c', 'c'], 0)).toBe(true)
  })

  it('stay bounded: refilled buckets are pruned, and the least recently used is forgotten past maxKeys', () => {
    const buckets = new TokenBuckets({ rate: 10, burst: 10, maxKeys: 100 })
    for (let i = 0; i < 1000; i++) {
      buckets.take(`peer-${i}`, 0)
    }
    expect(buckets.size).toBe(100)
    buckets.prune(50)
    expect(buckets.size).toBe(100)
    buckets.prune(100)
    expect(buckets.size).toBe(0)
  })
})

describe('ipKey', () => {
  it('keys IPv4 by address, IPv6 by /64, IPv4-mapped IPv6 as IPv4, and gives no key without an IP', () => {
    expect(ipKey(multiaddr('/ip4/203.0.113.7/tcp/1234'))).toBe('203.0.113.7')
    expect(ipKey(multiaddr('/ip6/2001:db8:1:2:3:4:5:6/tcp/1'))).toBe('2001:db8:1:2::/64')
    expect(ipKey(multiaddr('/ip6/2001:db8:1:2::9/udp/1/quic-v1'))).toBe(ipKey(multiaddr('/ip6/2001:db8:1:2:ffff::1/tcp/2')))
    expect(ipKey(multiaddr('/ip6/2001:db8::1/tcp/1'))).toBe('2001:db8::/64')
    expect(ipKey(multiaddr('/ip6/::ffff:198.51.100.1/tcp/1'))).toBe('198.51.100.1')
    expect(ipKey(multiaddr('/dns4/example.org/tcp/443/wss'))).toBeUndefined()
  })

  it('gives one key to every spelling of an address: zeros written out, upper case, a mapped IPv4 in hex', () => {
    expect(ipKey(multiaddr('/ip6/2001:DB8:1:2:0:0:0:1/tcp/1'))).toBe(ipKey(multiaddr('/ip6/2001:db8:1:2::1/tcp/1')))
    expect(ipKey(multiaddr('/ip6/0:0:0:0:0:ffff:c633:6401/tcp/1'))).toBe('198.51.100.1')
    expect(ipKey(multiaddr('/ip6/fe80::1/tcp/1'))).toBe('fe80::/64')
    expect(ipKey(multiaddr('/ip6/fd12:3456:789a:1::5/tcp/1'))).toBe('fd12:3456:789a:1::/64')
  })
})

describe('refusals', () => {
  it('are counted by kind and passed on to the counter', () => {
    const passed: string[] = []
    const refusals = new Refusals({ refused: kind => passed.push(kind) })
    refusals.refuse('connection-rate', 'from %a', '/ip4/127.0.0.1/tcp/1')
    refusals.refuse('connection-rate', 'from %a', '/ip4/127.0.0.1/tcp/2')
    refusals.refuse('rooms-per-peer', 'peer %p', 'x')
    expect(refusals.totals).toEqual({ 'connection-rate': 2, 'rooms-per-peer': 1 })
    expect(passed).toEqual(['connection-rate', 'connection-rate', 'rooms-per-peer'])
  })
})

type Datastore = NonNullable<Libp2pOptions['datastore']>

/** Just enough of a datastore for the provider limits: keys in a set. */
function fakeDatastore (keys: string[] = []): { datastore: Datastore, keys: Set<string> } {
  const held = new Set(keys)
  const datastore = {
    put: async (key: { toString: () => string }) => { held.add(key.toString()); return key },
    delete: async (key: { toString: () => string }) => { held.delete(key.toString()) },
    has: async (key: { toString: () => string }) => held.has(key.toString()),
    async * queryKeys (q: { prefix?: string }) {
      for (const key of held) {
        if (key.startsWith(q.prefix ?? '')) {
          yield { toString: () => key }
        }
      }
    }
  }
  return { datastore: datastore as unknown as Datastore, keys: held }
}

const key = (text: string): Parameters<Datastore['put']>[0] => ({ toString: () => text }) as unknown as Parameters<Datastore['put']>[0]

describe('DHT provider limits', () => {
  it('count the records kept from an earlier run, refuse new ones over the caps, accept refreshes, and count deletions out', async () => {
    const { datastore, keys } = fakeDatastore(['/dht/provider/k1/p1', '/dht/provider/k1/p2', '/dht/record/x', '/peers/p1'])
    const limits = new DhtLimiter({ maxProviders: 3, maxProvidersPerKey: 2 })
    await limits.load(datastore)
    expect(limits.stats).toEqual({ providers: 2, keys: 1 })
    const store = limits.wrap(datastore)
    const value = new Uint8Array(1)

    await store.put(key('/dht/provider/k1/p1'), value)
    await expect(store.put(key('/dht/provider/k1/p3'), value)).rejects.toMatchObject({ name: 'ProviderLimitError' })
    await store.put(key('/dht/provider/k2/p3'), value)
    await expect(store.put(key('/dht/provider/k3/p3'), value)).rejects.toMatchObject({ name: 'ProviderLimitError' })
    // other keys go straight through
    await store.put(key('/peers/p9'), value)
    expect(limits.stats).toEqual({ providers: 3, keys: 2 })
    expect(keys.has('/dht/provider/k3/p3')).toBe(false)

    await store.delete(key('/dht/provider/k1/p1'))
    expect(limits.stats).toEqual({ providers: 2, keys: 2 })
    await store.put(key('/dht/provider/k3/p3'), value)
    expect(limits.stats).toEqual({ providers: 3, keys: 3 })
    // methods it does not touch still work, bound to the datastore
    expect(await store.has(key('/peers/p9'))).toBe(true)
  })
})
