import { multiaddr } from '@multiformats/multiaddr'
import { waitFor } from '@p2p-chat/shared/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { addressCache } from '../src/address-cache.js'
import { tcpAddr, useTestResources } from './helpers.js'
import type { Libp2pEvents, TypedEventTarget } from '@libp2p/interface'

const { relay, chatPeer } = useTestResources()

/** The relay node's address manager: libp2p's components are on the node, not in its typed API. */
function addressManagerOf (node: unknown): { getAddressesWithMetadata: () => unknown[] } {
  return (node as { components: { addressManager: ReturnType<typeof addressManagerOf> } }).components.addressManager
}

describe('the relay\'s own address list (address-cache.ts)', () => {
  afterEach(() => { vi.useRealTimers() })

  it('is computed again only after its time, or at once when the addresses change', () => {
    vi.useFakeTimers()
    let addrs = [multiaddr('/ip4/127.0.0.1/tcp/4001')]
    const manager = { getAddresses: vi.fn(() => addrs) }
    const events = new EventTarget()
    const cache = addressCache({ ttlMs: 1000 })({ addressManager: manager, events: events as TypedEventTarget<Libp2pEvents> })
    for (let i = 0; i < 10; i++) {
      expect(manager.getAddresses().map(String)).toEqual(['/ip4/127.0.0.1/tcp/4001'])
    }
    expect(cache.computed).toBe(1)
    // a new listener: the next caller gets it
    addrs = [...addrs, multiaddr('/ip4/127.0.0.1/tcp/4002/ws')]
    events.dispatchEvent(new Event('transport:listening'))
    expect(manager.getAddresses()).toHaveLength(2)
    // a change no event tells of (an observed address confirmed): within the cache's time
    addrs = [...addrs, multiaddr('/ip4/203.0.113.7/tcp/4001')]
    vi.advanceTimersByTime(999)
    expect(manager.getAddresses()).toHaveLength(2)
    vi.advanceTimersByTime(1)
    expect(manager.getAddresses()).toHaveLength(3)
    expect(cache.computed).toBe(3)
    // callers get copies: one that changes its list changes nobody else's
    manager.getAddresses().pop()
    expect(manager.getAddresses()).toHaveLength(3)
  })

  it('tells every client the relay\'s addresses, without computing them for each identify and reservation', async () => {
    const { relay: r } = await relay()
    const relayAddr = multiaddr(tcpAddr(r))
    const computed = vi.spyOn(addressManagerOf(r.node), 'getAddressesWithMetadata')
    const peers = await Promise.all(Array.from({ length: 6 }, async () => chatPeer()))
    await Promise.all(peers.map(async ({ node }) => node.dial(relayAddr)))
    // each took a reservation (the relay's addresses go into it) and identified the relay
    await waitFor(() => peers.every(({ node }) => node.getMultiaddrs().some(ma => ma.toString().includes('/p2p-circuit'))), 10_000, 'the reservations')
    for (const { node } of peers) {
      const known = (await node.peerStore.get(r.node.peerId)).addresses.map(a => `${a.multiaddr.toString()}/p2p/${r.node.peerId.toString()}`)
      expect(known).toContain(relayAddr.toString())
    }
    // without the cache, libp2p computed it for each identify and each reservation: 12 times
    expect(computed.mock.calls.length).toBeLessThan(12)
  })
})
