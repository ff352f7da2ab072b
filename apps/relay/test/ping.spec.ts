import { queryObjects } from 'node:v8'
import { multiaddr } from '@multiformats/multiaddr'
import { waitFor } from '@p2p-chat/shared/testing'
import { describe, expect, it, vi } from 'vitest'
import { createBareClient, tcpAddr, useTestResources, wsAddr } from './helpers.js'

const { relay, track } = useTestResources()

const PING_PROTOCOL = '/ipfs/ping/1.0.0'

describe('ping, as the relay answers it (the @libp2p/ping and libp2p patches)', () => {
  it('keeps nothing of a ping it has answered: no stream lives on for the ping timeout', async () => {
    const { relay: r } = await relay()
    const client = track(await createBareClient('tcp'))
    const relayAddr = multiaddr(tcpAddr(r))
    const connection = await client.dial(relayAddr)
    // the class of every yamux stream, the relay's and the client's (one module), from a stream not kept
    const Stream = await (async () => {
      const probe = await connection.newStream(PING_PROTOCOL)
      await probe.close()
      return probe.constructor as new () => unknown
    })()
    for (let i = 0; i < 10; i++) {
      await client.services.ping.ping(relayAddr)
    }
    // every ping's stream closed on both sides
    const served = r.node.getConnections(client.peerId)[0]!
    await waitFor(() => served.streams.length === 0 && connection.streams.length === 0)
    // queryObjects collects garbage first: what it counts is held. Unpatched, each answered ping's stream was
    // held by the relay's timeout signal for 10 s
    expect(queryObjects(Stream, { format: 'count' })).toBe(0)
  })

  it('writes a client\'s ping protocol into its peer record once, not on every ping (the libp2p patch)', async () => {
    const { relay: r } = await relay()
    const client = track(await createBareClient('ws'))
    const relayAddr = multiaddr(wsAddr(r))
    const merge = vi.spyOn(r.node.peerStore, 'merge')
    for (let i = 0; i < 10; i++) {
      await client.services.ping.ping(relayAddr)
    }
    // unpatched, each of the 10 pings decoded, merged and re-encoded the client's record
    const pingMerges = merge.mock.calls.filter(([peer, data]) =>
      peer.equals(client.peerId) && data.protocols?.includes(PING_PROTOCOL) === true)
    expect(pingMerges).toHaveLength(1)
    expect((await r.node.peerStore.get(client.peerId)).protocols).toContain(PING_PROTOCOL)
  })
})
