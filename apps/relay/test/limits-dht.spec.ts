import { describe, expect, it } from 'vitest'
import { DhtLimiter } from '../src/limits-dht.js'
import type { Libp2pOptions } from 'libp2p'

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
