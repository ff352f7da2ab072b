
import { multiaddr } from '@multiformats/multiaddr'
import { createRoomId, isWebRTCAddr, Room } from '@p2p-chat/shared'
import { waitFor } from '@p2p-chat/shared/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { tcpAddr, useTestResources } from './helpers.js'
import type { ChatPeerOptions, TestRelay } from './helpers.js'
import type { PrivateKey } from '@libp2p/interface'
import type { RoomChat, RoomNode } from '@p2p-chat/shared'

const RELAY_HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop'

const { relay: startRelay, chatPeer } = useTestResources()
const keys = new Map<RoomNode, PrivateKey>()
let rooms: Room[] = []

afterEach(() => {
  rooms.forEach(r => { r.leave() })
  rooms = []
})

/** Two relays that know each other (B is started with `--peer A`) and, unless told, carry no room gossip. */
async function twoRelays (followRooms = false): Promise<[TestRelay, TestRelay]> {
  const a = await startRelay({ followRooms })
  const b = await startRelay({ followRooms, peers: [multiaddr(tcpAddr(a.relay))] })
  await waitFor(() => a.relay.node.getConnections(b.relay.node.peerId).length > 0)
  return [a, b]
}

async function peerOn (relay: TestRelay, options?: ChatPeerOptions): Promise<RoomNode> {
  const { node: peer, key } = await chatPeer(options)
  keys.set(peer, key)
  await peer.dial(multiaddr(tcpAddr(relay.relay)))
  return peer
}

function join (peer: RoomNode, roomId: string, name: string): { room: Room, heard: RoomChat[] } {
  const room = new Room(peer, { roomId, name: () => name, privateKey: keys.get(peer)! })
  const heard: RoomChat[] = []
  room.addEventListener('chat', evt => { heard.push(evt.detail) })
  rooms.push(room)
  room.join()
  return { room, heard }
}

describe('rooms in the DHT', () => {
  it('two peers on different relays find each other through the DHT and chat', async () => {
    const [a, b] = await twoRelays()
    const alice = await peerOn(a)
    const bob = await peerOn(b)
    const roomId = createRoomId()
    const inAlice = join(alice, roomId, 'Alice')
    const inBob = join(bob, roomId, 'Bob')

    await waitFor(() => inAlice.room.getMembers().some(m => m.name === 'Bob') &&
      inBob.room.getMembers().some(m => m.name === 'Alice'), 20_000)
    // they met directly, not through either relay's gossip (neither relay is in the room)
    expect(a.relay.rooms()).toEqual([])
    expect(b.relay.rooms()).toEqual([])
    expect(alice.getConnections(bob.peerId).some(c => c.limits == null)).toBe(true)

    await inAlice.room.send('hello from relay A')
    await inBob.room.send('hello from relay B')
    await waitFor(() => inBob.heard.some(c => c.text === 'hello from relay A') &&
      inAlice.heard.some(c => c.text === 'hello from relay B'))
  })

  it('two peers reachable only through their own relays (as browsers are) find each other through the DHT, go direct over WebRTC and chat', async () => {
    const [a, b] = await twoRelays()
    const alice = await peerOn(a, { reach: 'relay-and-webrtc' })
    const bob = await peerOn(b, { reach: 'relay-and-webrtc' })
    // each has a reservation on its own relay: its only addresses are circuits through it
    await waitFor(() => alice.getMultiaddrs().some(isWebRTCAddr) && bob.getMultiaddrs().some(isWebRTCAddr), 10_000)
    const roomId = createRoomId()
    const inAlice = join(alice, roomId, 'Alice')
    const inBob = join(bob, roomId, 'Bob')

    // the DHT lists each partly as its relay knows it (circuit addresses without the peer's own id); the room
    // dials what it found (chat-room.spec: every address dialled names the peer found)
    await waitFor(() => inAlice.room.getMembers().some(m => m.name === 'Bob' && m.connection === 'direct') &&
      inBob.room.getMembers().some(m => m.name === 'Alice' && m.connection === 'direct'), 30_000)
    expect(alice.getConnections(bob.peerId).some(c => isWebRTCAddr(c.remoteAddr))).toBe(true)
    expect(a.relay.rooms()).toEqual([])
    expect(b.relay.rooms()).toEqual([])

    await inAlice.room.send('hello across relays')
    await inBob.room.send('and back')
    await waitFor(() => inBob.heard.some(c => c.text === 'hello across relays') && inAlice.heard.some(c => c.text === 'and back'))
  }, 60_000)

  it('peers in different rooms do not find each other', async () => {
    const [a, b] = await twoRelays()
    const [alice, dave] = [await peerOn(a), await peerOn(a)]
    const [bob, carol] = [await peerOn(b), await peerOn(b)]
    const [aliceRoom, bobRoom] = [createRoomId(), createRoomId()]
    const inAlice = join(alice, aliceRoom, 'Alice')
    const inBob = join(bob, bobRoom, 'Bob')
    // each room has a member on the other relay: finding them proves that Alice and Bob looked their rooms up
    // in the DHT after every announcement was made
    join(carol, aliceRoom, 'Carol')
    join(dave, bobRoom, 'Dave')
    await waitFor(() => inAlice.room.getMembers().some(m => m.name === 'Carol') &&
      inBob.room.getMembers().some(m => m.name === 'Dave'), 20_000)
    expect(inAlice.room.getMembers().map(m => m.name)).toEqual(['Carol'])
    expect(inBob.room.getMembers().map(m => m.name)).toEqual(['Dave'])
    expect(alice.getConnections(bob.peerId)).toEqual([])
  })

  it('a peer whose relay goes away reserves on the other relay, which it learnt of through the DHT', async () => {
    const [a, b] = await twoRelays()
    const alice = await peerOn(a)
    join(alice, createRoomId(), 'Alice')
    const circuitVia = (relay: TestRelay): boolean =>
      alice.getMultiaddrs().some(ma => ma.toString().includes(`/p2p/${relay.relay.node.peerId.toString()}/p2p-circuit`))
    await waitFor(() => circuitVia(a))
    // the DHT's queries have introduced B (identify told Alice it is a relay)
    await waitFor(async () => alice.peerStore.get(b.relay.node.peerId)
      .then(peer => peer.protocols.includes(RELAY_HOP_PROTOCOL), () => false))
    expect(circuitVia(b)).toBe(false)

    await a.relay.stop()
    await waitFor(() => !circuitVia(a) && circuitVia(b), 15_000)
  })
})
