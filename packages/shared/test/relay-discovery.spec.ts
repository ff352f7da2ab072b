import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '../src/testing/index.js'
import { loopbackOptions, randomPeer } from './helpers.js'
import type { Libp2p } from '@libp2p/interface'

/**
 * The circuit-relay transport's relay discovery (the circuit-relay-v2 patch). A node listening on `/p2p-circuit`
 * without a reservation, as a page is until its relay grants one, dials every peer it newly learns of to find out
 * whether it is a relay. A room member known only by its `/p2p-circuit/webrtc` address was dialled so: in a room
 * of 16 pages, 20 WebRTC dials outside the room's rule, each aborted half-way when the page's reservation arrived,
 * leaving the far page to time its signalling out (bench `latency`, bench/RESULTS.md, stop 48).
 */
describe('relay discovery (circuit-relay-v2 patch)', () => {
  const nodes: Libp2p[] = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async node => node.stop()))
  })

  it('dials a newly known peer with an address of its own, not one reachable only through a relay', async () => {
    const dialled: string[] = []
    const seeker = await createLibp2p({
      ...loopbackOptions(),
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit'] },
      transports: [tcp(), circuitRelayTransport()],
      connectionGater: { denyDialPeer: peer => { dialled.push(peer.toString()); return false } },
      services: { identify: identify() }
    })
    nodes.push(seeker)
    // discovery takes peers once it has looked through the peer store, a few promise turns after the seeker
    // started; this node's start (a TCP listener) takes longer than that, so the peers below come after it
    const direct = await createLibp2p({ ...loopbackOptions(), services: { identify: identify() } })
    nodes.push(direct)
    const relayed = await randomPeer()
    const relay = await randomPeer()
    const circuit = `/ip4/127.0.0.1/tcp/9/p2p/${relay.toString()}/p2p-circuit`
    await seeker.peerStore.merge(relayed, {
      multiaddrs: [multiaddr(`${circuit}/webrtc/p2p/${relayed.toString()}`), multiaddr(`${circuit}/p2p/${relayed.toString()}`)]
    })
    await seeker.peerStore.merge(direct.peerId, { multiaddrs: direct.getMultiaddrs() })

    // the peer learnt of second is dialled and connected: discovery ran, and took the first one before it
    await waitFor(() => seeker.getConnections(direct.peerId).length > 0 ? true : undefined, 10_000, 'discovery dialling the peer with an address of its own')
    expect(dialled).toContain(direct.peerId.toString())
    expect(dialled).not.toContain(relayed.toString())
  })
})
