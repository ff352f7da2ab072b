import { queryObjects } from 'node:v8'
import { multiaddr } from '@multiformats/multiaddr'
import { waitFor } from '@p2p-chat/shared/testing'
import { describe, expect, it } from 'vitest'
import { createBareClient, tcpAddr, useTestResources } from './helpers.js'

const { relay, track } = useTestResources()

describe('ping, as the relay answers it (the @libp2p/ping patch)', () => {
  it('keeps nothing of a ping it has answered: no stream lives on for the ping timeout', async () => {
    const { relay: r } = await relay()
    const client = track(await createBareClient('tcp'))
    const relayAddr = multiaddr(tcpAddr(r))
    const connection = await client.dial(relayAddr)
    // the class of every yamux stream, the relay's and the client's (one module), from a stream not kept
    const Stream = await (async () => {
      const probe = await connection.newStream('/ipfs/ping/1.0.0')
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
})
