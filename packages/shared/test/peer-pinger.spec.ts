import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { PeerPinger } from '../src/chat/peer-pinger.js'
import { waitFor } from '../src/testing/index.js'
import type { RoomNode } from '../src/chat/peer-pinger.js'
import type { Connection, PeerId } from '@libp2p/interface'

describe('PeerPinger', () => {
  /** A node whose connections to the peer are `connections`; its ping service answers in 7 ms and counts the pings. */
  function nodeWith (connections: Array<Partial<Connection>>): { node: RoomNode, pings: PeerId[] } {
    const pings: PeerId[] = []
    const node = {
      getConnections: () => connections as Connection[],
      services: { ping: { ping: async (peer: PeerId) => { pings.push(peer); return 7 } } }
    } as unknown as RoomNode
    return { node, pings }
  }

  it('pings a peer only over a connection without limits: over a relayed one alone, libp2p would dial the peer instead', async () => {
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const rtts: Array<number | undefined> = []
    const onRtt = (_: string, rtt: number | undefined): void => { rtts.push(rtt) }

    const relayedOnly = nodeWith([{ status: 'open', limits: { bytes: 1n << 17n, seconds: 120 } }])
    new PeerPinger(relayedOnly.node, { peers: () => [peer], onRtt }).ping(peer)
    const closing = nodeWith([{ status: 'closing' }, { status: 'open', limits: { seconds: 120 } }])
    new PeerPinger(closing.node, { peers: () => [peer], onRtt }).ping(peer)
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(relayedOnly.pings).toHaveLength(0)
    expect(closing.pings).toHaveLength(0)
    expect(rtts).toEqual([])

    const direct = nodeWith([{ status: 'open', limits: { seconds: 120 } }, { status: 'open' }])
    new PeerPinger(direct.node, { peers: () => [peer], onRtt }).ping(peer)
    await waitFor(() => rtts.length === 1, 1_000)
    expect(direct.pings.map(String)).toEqual([peer])
    expect(rtts).toEqual([7])
  })

  it('reads a round-trip time the connection monitor measured, without pinging', async () => {
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const rtts: Array<number | undefined> = []
    const measured = nodeWith([{ status: 'open', limits: { seconds: 120 }, rtt: 40 }, { status: 'open', rtt: 3 }])
    new PeerPinger(measured.node, { peers: () => [peer], onRtt: (_, rtt) => { rtts.push(rtt) } }).ping(peer)
    expect(rtts).toEqual([3])
    expect(measured.pings).toHaveLength(0)
  })
})
