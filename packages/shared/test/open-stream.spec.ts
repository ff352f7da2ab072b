import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { callSignals } from '../src/call/index.js'
import { DM_PROTOCOL } from '../src/constants.js'
import { directMessages } from '../src/dm/index.js'
import { CallSignal } from '../src/proto/call.js'
import { waitFor } from '../src/testing/index.js'
import { loopbackOptions } from './helpers.js'
import type { CallSignals, ReceivedCallSignal } from '../src/call/index.js'
import type { DirectMessages, ReceivedDirectMessage } from '../src/dm/index.js'
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

function isCircuit (ma: Multiaddr): boolean {
  return ma.toString().includes('/p2p-circuit')
}

describe('streams to a peer reached through a relay', () => {
  const nodes: Libp2p[] = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async node => node.stop()))
  })

  async function peer (listen: string[]): Promise<Libp2p<{ dm: DirectMessages, calls: CallSignals }>> {
    const options = loopbackOptions()
    const node = await createLibp2p({
      ...options,
      addresses: { listen },
      transports: [...options.transports!, circuitRelayTransport()],
      services: { identify: identify(), dm: directMessages(), calls: callSignals() }
    })
    nodes.push(node)
    return node
  }

  /**
   * Alice reachable only through a relay, Bob connected to her through it; `opened` lists every connection Bob
   * opens from then on. libp2p's own openStream dials the peer again when every connection to it is limited, as
   * a relayed one is; in a room upgrading the pair to WebRTC at that moment, one of the two dials to the same
   * /webrtc address was aborted as a duplicate, with the message's (or the ring's) stream on it.
   */
  async function relayedPair (aliceListens = ['/p2p-circuit']): Promise<{ alice: Awaited<ReturnType<typeof peer>>, bob: Awaited<ReturnType<typeof peer>>, opened: string[] }> {
    const relay = await createLibp2p({ ...loopbackOptions(), services: { identify: identify(), relay: circuitRelayServer() } })
    nodes.push(relay)
    const alice = await peer(aliceListens)
    const bob = await peer([])
    await alice.dial(relay.getMultiaddrs())
    await waitFor(() => alice.getMultiaddrs().some(isCircuit), 10_000)
    await bob.dial(alice.getMultiaddrs().filter(isCircuit))
    const opened: string[] = []
    bob.addEventListener('connection:open', evt => { opened.push(evt.detail.remoteAddr.toString()) })
    return { alice, bob, opened }
  }

  it('a direct message goes over the relayed connection there is, and opens no second connection on the way', async () => {
    const { alice, bob, opened } = await relayedPair()
    const received: ReceivedDirectMessage[] = []
    alice.services.dm.addEventListener('message', evt => { received.push(evt.detail) })
    await bob.services.dm.send(alice.peerId, { name: 'bob', text: 'through the relay' })
    expect(received.map(m => m.text)).toEqual(['through the relay'])
    expect(opened).toEqual([])
    expect(bob.getConnections(alice.peerId).map(c => [c.direct, c.limits != null])).toEqual([[false, true]])
  })

  it('a direct message goes over the newest of two direct connections, not the relayed one nor the older twin', async () => {
    // alice is reachable directly too
    const { alice, bob } = await relayedPair(['/p2p-circuit', '/ip4/127.0.0.1/tcp/0'])
    const direct = alice.getMultiaddrs().filter(ma => !isCircuit(ma))
    // a leftover direct connection, then the one that replaced it
    const older = await bob.dial(direct, { force: true })
    const newer = await bob.dial(direct, { force: true })
    expect(newer).not.toBe(older)
    const received: ReceivedDirectMessage[] = []
    alice.services.dm.addEventListener('message', evt => { received.push(evt.detail) })
    await bob.services.dm.send(alice.peerId, { name: 'bob', text: 'on the newest' })
    expect(received.map(m => m.text)).toEqual(['on the newest'])
    const carried = bob.getConnections(alice.peerId).filter(c => c.streams.some(s => s.protocol === DM_PROTOCOL))
    expect(carried).toEqual([newer])
  })

  it('a call signal (a ring) goes over the relayed connection there is, and opens no second connection on the way', async () => {
    const { alice, bob, opened } = await relayedPair()
    const received: ReceivedCallSignal[] = []
    alice.services.calls.addEventListener('signal', evt => { received.push(evt.detail) })
    const callId = 'c1'.padEnd(32, '0')
    await bob.services.calls.send(alice.peerId, { type: CallSignal.Type.RING, callId, scope: 'room', participants: [bob.peerId.toString()], sdp: '', candidate: '' })
    await waitFor(() => received.length === 1, 5_000, 'the ring')
    expect(received[0]!.signal.callId).toBe(callId)
    expect(opened).toEqual([])
    expect(bob.getConnections(alice.peerId).map(c => [c.direct, c.limits != null])).toEqual([[false, true]])
  })
})
