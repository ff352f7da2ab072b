import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { KAD_DHT_PROTOCOL } from '@p2p-chat/shared'
import { waitFor } from '@p2p-chat/shared/testing'
import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { createLibp2p } from 'libp2p'
import { describe, expect, it } from 'vitest'
import { PeerForgetter, relayDatastore } from '../src/peer-store.js'
import { tcpAddr, useTestResources } from './helpers.js'
import type { Libp2p } from '@libp2p/interface'

const { relay, client, track } = useTestResources()

/** A Node peer that runs a DHT server, as a terminal peer with a public address does. */
async function dhtServer (): Promise<Libp2p> {
  return track(await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify(), ping: ping(), dht: kadDHT({ protocol: KAD_DHT_PROTOCOL, clientMode: false, peerInfoMapper: passthroughMapper }) }
  }))
}

/** A bare node that only listens and identifies, with its own forgetter. */
async function bareNode (forgetter: PeerForgetter): Promise<Libp2p> {
  const node = track(await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  }))
  forgetter.start(node)
  track({ stop: () => { forgetter.stop() } })
  return node
}

describe('the relay\'s peer store', () => {
  it('keeps peers\' records in memory, copied, and everything else in the persistent store', async () => {
    const persistent = new MemoryDatastore()
    const { datastore, peerRecords } = relayDatastore(persistent)
    const big = new Uint8Array(4096).fill(7)
    await datastore.put(new Key('/peers/abc'), big.subarray(0, 3))
    await datastore.put(new Key('/dht/provider/x/y'), Uint8Array.of(1))
    const kept = await datastore.get(new Key('/peers/abc'))
    expect([...kept]).toEqual([7, 7, 7])
    expect(kept.buffer.byteLength).toBe(3)
    expect(peerRecords()).toBe(1)
    expect(await persistent.has(new Key('/peers/abc'))).toBe(false)
    expect(await persistent.has(new Key('/dht/provider/x/y'))).toBe(true)
    const listed: string[] = []
    for await (const { key } of datastore.query({ prefix: '/peers' })) {
      listed.push(key.toString())
    }
    expect(listed).toEqual(['/peers/abc'])
    await datastore.delete(new Key('/peers/abc'))
    expect(peerRecords()).toBe(0)
  })

  it('forgets a peer that leaves, and remembers a DHT server that leaves, with its addresses', async () => {
    const r = await relay()
    const relayAddr = multiaddr(tcpAddr(r.relay))
    const store = r.relay.node.peerStore
    const plain = await client()
    await plain.dial(relayAddr)
    const server = await dhtServer()
    await server.dial(relayAddr)
    // identify has written both records
    await waitFor(async () => (await store.get(server.peerId).catch(() => undefined))?.protocols.includes(KAD_DHT_PROTOCOL) === true)
    await waitFor(async () => store.has(plain.peerId))
    expect(r.relay.limits().peerRecords).toBe(3)
    const serverAddrs = server.getMultiaddrs().map(a => a.decapsulateCode(421).toString())

    await plain.stop()
    await server.stop()
    await waitFor(async () => !await store.has(plain.peerId))
    await waitFor(() => r.relay.node.getConnections(server.peerId).length === 0)
    r.relay.sweepLimits()
    r.relay.sweepLimits()
    await waitFor(() => r.relay.limits().peerRecords === 2)
    expect((await store.get(server.peerId)).addresses.map(a => a.multiaddr.toString())).toEqual(serverAddrs)
  })

  it('remembers at most maxRemembered peers that left: the one that left first is forgotten first', async () => {
    const node = await bareNode(new PeerForgetter({ maxRemembered: 1, remember: () => true }))
    const [a, b] = [await dhtServer(), await dhtServer()]
    for (const peer of [a, b]) {
      await peer.dial(node.getMultiaddrs()[0]!)
      await waitFor(async () => node.peerStore.has(peer.peerId))
      await peer.stop()
      await waitFor(() => node.getConnections(peer.peerId).length === 0)
    }
    await waitFor(async () => !await node.peerStore.has(a.peerId))
    expect(await node.peerStore.has(b.peerId)).toBe(true)
  })
})
