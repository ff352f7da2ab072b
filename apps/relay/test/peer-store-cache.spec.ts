import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { waitFor } from '@p2p-chat/shared/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { peerStoreCache } from '../src/peer-store-cache.js'
import { tcpAddr, useTestResources } from './helpers.js'
import type { PeerStoreCache } from '../src/peer-store-cache.js'
import type { Libp2pEvents, Peer, PeerData, PeerId, TypedEventTarget } from '@libp2p/interface'

const { relay, client } = useTestResources()

async function somePeerId (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

function record (id: PeerId, protocols: string[]): Peer {
  return { id, addresses: [], protocols, metadata: new Map(), tags: new Map() }
}

describe('the relay\'s peer store calls answered without the store (peer-store-cache.ts)', () => {
  afterEach(() => { vi.useRealTimers() })

  it('answers merges of protocols a record has, and reads of its own record, for their time', async () => {
    vi.useFakeTimers()
    const self = await somePeerId()
    const other = await somePeerId()
    const records = new Map<string, Peer>([[self.toString(), record(self, ['/ipfs/id/1.0.0'])]])
    const events = new EventTarget()
    // the store's own methods; the cache wraps them in `store`
    const reads = vi.fn(async (id: PeerId) => records.get(id.toString()) ?? record(id, []))
    const merges = vi.fn(async (id: PeerId, data: PeerData) => {
      const before = records.get(id.toString()) ?? record(id, [])
      const peer = { ...before, protocols: [...new Set([...before.protocols, ...data.protocols ?? []])] }
      records.set(id.toString(), peer)
      events.dispatchEvent(new CustomEvent(id.equals(self) ? 'self:peer:update' : 'peer:update', { detail: { peer, previous: before } }))
      return peer
    })
    const store = { get: reads, merge: merges, delete: async (id: PeerId) => { records.delete(id.toString()) } }
    const cache = peerStoreCache({ ttlMs: 1000 })({ peerId: self, peerStore: store, events: events as TypedEventTarget<Libp2pEvents> })

    // the relay's own record: read once, then from the copy
    for (let i = 0; i < 5; i++) {
      expect((await store.get(self)).protocols).toEqual(['/ipfs/id/1.0.0'])
    }
    // a handler added: libp2p publishes the change, and the next read has it
    await store.merge(self, { protocols: ['/chat/1.0.0'] })
    expect((await store.get(self)).protocols).toEqual(['/ipfs/id/1.0.0', '/chat/1.0.0'])
    // a caller that changes its copy changes nobody else's
    ;(await store.get(self)).protocols.pop()
    expect((await store.get(self)).protocols).toHaveLength(2)
    expect(reads).toHaveBeenCalledTimes(2)
    expect(cache.answered).toBe(6)

    // a client's record, as libp2p published it: merging what it has goes nowhere, anything new goes to the store
    await store.merge(other, { protocols: ['/ipfs/id/1.0.0', '/meshsub/1.2.0'] })
    const before = merges.mock.calls.length
    expect((await store.merge(other, { protocols: ['/meshsub/1.2.0'] })).protocols).toContain('/meshsub/1.2.0')
    expect(merges).toHaveBeenCalledTimes(before)
    await store.merge(other, { protocols: ['/libp2p/circuit/relay/0.2.0/hop'] })
    await store.merge(other, { protocols: ['/meshsub/1.2.0'], metadata: { AgentVersion: new Uint8Array([1]) } })
    expect(merges).toHaveBeenCalledTimes(before + 2)
    // after its time, or once the record is deleted, merges go to the store again
    vi.advanceTimersByTime(1000)
    await store.merge(other, { protocols: ['/meshsub/1.2.0'] })
    expect(merges).toHaveBeenCalledTimes(before + 3)
    await store.merge(other, { protocols: ['/ipfs/ping/1.0.0'] })
    await store.delete(other)
    await store.merge(other, { protocols: ['/ipfs/ping/1.0.0'] })
    expect(merges).toHaveBeenCalledTimes(before + 5)
    expect(records.get(other.toString())?.protocols).toEqual(['/ipfs/ping/1.0.0'])
    expect(cache.answered).toBe(7)
  })

  it('keeps clients\' records whole, and a protocol the relay starts to handle is in its next identify', async () => {
    const { relay: r } = await relay()
    const relayAddr = multiaddr(tcpAddr(r))
    const clients = await Promise.all(Array.from({ length: 6 }, async () => client()))
    await Promise.all(clients.map(async c => c.dial(relayAddr)))
    // each client's gossipsub stream reached the relay: its record there has every protocol it speaks
    await waitFor(() => clients.every(c => r.node.services.pubsub.getPeers().some(p => p.equals(c.peerId))), 10_000, 'the gossipsub streams')
    for (const c of clients) {
      const known = (await r.node.peerStore.get(c.peerId)).protocols
      expect(known).toEqual(expect.arrayContaining(['/ipfs/id/1.0.0', '/ipfs/ping/1.0.0', '/meshsub/1.2.0']))
      expect((await c.peerStore.get(r.node.peerId)).protocols).toContain('/meshsub/1.2.0')
    }
    // six identifies of the relay, and six gossipsub streams after identify: some answered from the copies
    expect((r.node.services as unknown as { peerStoreCache: PeerStoreCache }).peerStoreCache.answered).toBeGreaterThan(0)

    // the relay's own record changes while a copy is fresh: a client identifying it at once is told
    const late = await client()
    await r.node.peerStore.get(r.node.peerId)
    await r.node.handle('/p2p-chat/test-only/1.0.0', () => {})
    await late.dial(relayAddr)
    await waitFor(async () => (await late.peerStore.get(r.node.peerId).catch(() => undefined))?.protocols.includes('/ipfs/id/1.0.0') === true, 10_000, 'identify')
    expect((await late.peerStore.get(r.node.peerId)).protocols).toContain('/p2p-chat/test-only/1.0.0')
  })
})
