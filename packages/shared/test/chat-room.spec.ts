import { generateKeyPair } from '@libp2p/crypto/keys'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { PING_PROTOCOL } from '@libp2p/ping'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { equals as uint8ArrayEquals } from 'uint8arrays/equals'
import { afterEach, describe, expect, it } from 'vitest'
import { Room } from '../src/chat/room.js'
import { chatPeerServices } from '../src/chat/services.js'
import { DirectUpgrader, webrtcPairGater } from '../src/chat/upgrader.js'
import { createMessageId, decodeRoomMessage, encodeChat, encodeDeparture } from '../src/codec.js'
import { blobSource, memorySink, normalizeMimeType } from '../src/file/index.js'
import { createMemoryHistoryStore } from '../src/history/memory.js'
import { compareRecords } from '../src/history/timeline.js'
import { createRoomId, DM_PROTOCOL, FILE_PROTOCOL, HISTORY_SYNC_PROTOCOL, isRoomTopic } from '../src/index.js'
import { createRoomSecret, derivePrivateRoom, openRoomData } from '../src/private-room/index.js'
import { RoomMessage } from '../src/proto/room.js'
import { waitFor } from '../src/testing/index.js'
import { isWebRTCAddr } from '../src/util/multiaddrs.js'
import { randomFile } from './file/helpers.js'
import { loopbackOptions } from './helpers.js'
import type { DirectPathsInit } from '../src/chat/direct-paths.js'
import type { MemberRecord } from '../src/chat/members.js'
import type { RoomNode } from '../src/chat/peer-pinger.js'
import type { HistorySyncClient } from '../src/chat/room-history.js'
import type { Presence } from '../src/codec.js'
import type { FileTransfer } from '../src/file/index.js'
import type { HistoryRecord, HistoryStore, HistorySync } from '../src/history/index.js'
import type { RoomChat, RoomInit, RoomMember, RoomTyping } from '../src/index.js'
import type { EnvelopeHeader } from '../src/private-room/index.js'
import type { Connection, PeerId, PrivateKey } from '@libp2p/interface'

describe('Room', () => {
  /** a room member's node, with the history-sync service it runs */
  type MemberNode = RoomNode & { services: { history: HistorySync, files: FileTransfer } }
  const nodes: MemberNode[] = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async node => node.stop()))
  })

  function roomOf (node: MemberNode, roomId: string, name: string, init: Partial<RoomInit> = {}): Room {
    return new Room(node, { roomId, name: () => name, privateKey: keys.get(node)!, history: { store: createMemoryHistoryStore(), sync: node.services.history }, ...init })
  }

  /** every node's own key (Room signs its lines with it) */
  const keys = new WeakMap<MemberNode, PrivateKey>()
  /** A member's node on loopback; `store` serves history, `announce` adds addresses it tells others. */
  async function member (init: { store?: HistoryStore, announce?: string[], key?: PrivateKey, directPaths?: DirectPathsInit } = {}): Promise<MemberNode> {
    const key = init.key ?? await generateKeyPair('Ed25519')
    const options = loopbackOptions()
    const node = await createLibp2p({
      ...options,
      addresses: { ...options.addresses, appendAnnounce: init.announce ?? [] },
      privateKey: key,
      services: chatPeerServices({ history: { store: init.store, serves: isRoomTopic }, directPaths: init.directPaths })
    }) as unknown as MemberNode
    keys.set(node, key)
    nodes.push(node)
    return node
  }

  /** Calls `seen` with each room presence of `from`'s that `node` receives. */
  function onPresence (node: MemberNode, from: MemberNode, seen: (presence: Presence) => void): void {
    node.services.pubsub.addEventListener('message', evt => {
      if (evt.detail.type !== 'signed' || !evt.detail.from.equals(from.peerId)) return
      void decodeRoomMessage(evt.detail.data, evt.detail.topic).then(event => {
        if (event.type === 'presence') seen(event.presence)
      })
    })
  }

  /**
   * Alice and Bob in one room, directly connected, each in the other's members list; `bobServes` is the history
   * Bob's node serves to peers catching up (none by default).
   */
  async function twoMembers (init: { alice?: Partial<RoomInit>, bob?: Partial<RoomInit>, bobServes?: HistoryStore } = {}, roomId = createRoomId()): Promise<{ alice: MemberNode, bob: MemberNode, aliceRoom: Room, bobRoom: Room }> {
    const [alice, bob] = [await member(), await member({ store: init.bobServes })]
    const aliceRoom = roomOf(alice, roomId, 'alice', init.alice)
    const bobRoom = roomOf(bob, roomId, 'bob', init.bob)
    aliceRoom.join()
    bobRoom.join()
    await alice.dial(bob.getMultiaddrs())
    await waitFor(() => bobRoom.getMembers().length === 1 && aliceRoom.getMembers().length === 1, 10_000)
    return { alice, bob, aliceRoom, bobRoom }
  }

  /**
   * Alice and Bob in one room with a hub (the relay Bob's addresses name), both connected to it, and directly to
   * each other: Bob direct in Alice's list, his presence heard. Alice checks direct connections within `checkTimeout`.
   */
  async function directThroughHub (checkTimeout: number, bobKey?: PrivateKey): Promise<{ alice: MemberNode, bob: MemberNode, hub: MemberNode, viaHub: string[], aliceRoom: Room, bobRoom: Room, hubRoom: Room, connection: Connection }> {
    const roomId = createRoomId()
    const hub = await member()
    const viaHub = [`/ip4/127.0.0.1/tcp/1/p2p/${hub.peerId.toString()}/p2p-circuit`]
    const [alice, bob] = [await member({ directPaths: { checkTimeout } }), await member({ key: bobKey, announce: viaHub })]
    const [aliceRoom, bobRoom, hubRoom] = [roomOf(alice, roomId, 'alice'), roomOf(bob, roomId, 'bob'), roomOf(hub, roomId, 'hub')]
    let bobAnnounced = false
    onPresence(alice, bob, () => { bobAnnounced = true })
    for (const room of [aliceRoom, bobRoom, hubRoom]) {
      room.join()
    }
    await alice.dial(hub.getMultiaddrs())
    await bob.dial(hub.getMultiaddrs())
    const connection = await alice.dial(bob.getMultiaddrs())
    await waitFor(() => bobAnnounced && aliceRoom.getMembers().some(m => m.name === 'bob' && m.connection === 'direct'), 10_000, 'bob direct in alice\'s list')
    return { alice, bob, hub, viaHub, aliceRoom, bobRoom, hubRoom, connection }
  }

  /**
   * A crashed page, as its node's peers see it: nothing it receives on the topic runs (it would answer a departure
   * about it with a hello), and a stream to it opens and nothing comes back.
   */
  async function crash (node: MemberNode, topic: string): Promise<void> {
    node.services.pubsub.topicValidators.set(topic, () => TopicValidatorResult.Ignore)
    await node.unhandle(PING_PROTOCOL)
    await node.handle(PING_PROTOCOL, () => {})
  }

  it('lines written with nobody to take them wait, and go out in order once a member is reachable', async () => {
    const roomId = createRoomId()
    const alice = await member()
    const aliceRoom = roomOf(alice, roomId, 'alice')
    const sent: string[] = []
    aliceRoom.addEventListener('sent', evt => sent.push(evt.detail))
    aliceRoom.join()
    const written = []
    for (const text of ['one', 'two', 'three']) {
      const { chat, pending } = await aliceRoom.send(text)
      expect(pending).toBe(true)
      written.push(chat.id)
    }

    const bob = await member()
    const bobRoom = roomOf(bob, roomId, 'bob')
    const heard: string[] = []
    bobRoom.addEventListener('chat', evt => heard.push(evt.detail.text))
    bobRoom.join()
    await alice.dial(bob.getMultiaddrs())
    await waitFor(() => heard.length === 3 && sent.length === 3, 10_000)
    expect(heard).toEqual(['one', 'two', 'three'])
    expect(sent).toEqual(written)
    // and a line written now, with the route up, goes out at once
    expect((await aliceRoom.send('four')).pending).toBe(false)
    await waitFor(() => heard.length === 4, 5_000)
    aliceRoom.leave()
    bobRoom.leave()
  })

  it('a line goes out and is shown while storage is slow; it is kept once the store answers', async () => {
    const roomId = createRoomId()
    // both stores hold every write until told to go on
    let release!: () => void
    const released = new Promise<void>(resolve => { release = resolve })
    const slow = (): HistoryStore => {
      const store = createMemoryHistoryStore()
      return new Proxy(store, {
        get: (target, key) => key === 'add'
          ? async (records: HistoryRecord[]) => { await released; return target.add(records) }
          : Reflect.get(target, key)
      })
    }
    const [aliceStore, bobStore] = [slow(), slow()]
    const alice = await member()
    const bob = await member()
    const aliceRoom = roomOf(alice, roomId, 'alice', { history: { store: aliceStore } })
    const bobRoom = roomOf(bob, roomId, 'bob', { history: { store: bobStore } })
    const heard: string[] = []
    bobRoom.addEventListener('chat', evt => heard.push(evt.detail.text))
    aliceRoom.join()
    bobRoom.join()
    await alice.dial(bob.getMultiaddrs())
    await waitFor(() => alice.services.pubsub.getSubscribers(aliceRoom.topic).length > 0, 10_000)

    expect((await aliceRoom.send('hi')).pending).toBe(false)
    await waitFor(() => heard.length === 1, 5_000)
    expect(heard).toEqual(['hi'])
    expect(await aliceStore.list(aliceRoom.topic)).toEqual([])

    release()
    await waitFor(() => heard.length === 1, 100)
    await expect.poll(async () => (await aliceStore.list(aliceRoom.topic)).length).toBe(1)
    await expect.poll(async () => (await bobStore.list(bobRoom.topic)).length).toBe(1)
    aliceRoom.leave()
    bobRoom.leave()
  })

  it('a line that comes both live and from a peer\'s history is shown once', async () => {
    const roomId = createRoomId()
    const aliceStore = createMemoryHistoryStore()
    const alice = await member({ store: aliceStore })
    const aliceRoom = roomOf(alice, roomId, 'alice', { history: { store: aliceStore } })
    const bob = await member()
    const shown: string[] = []
    // Bob's catch-up with Alice waits until her line came live, and asks as if he held nothing
    let heardLive!: () => void
    const live = new Promise<void>(resolve => { heardLive = resolve })
    let synced = 0
    const sync: HistorySyncClient = {
      sync: async (peerId, topic, options) => {
        await live
        const records = await bob.services.history.sync(peerId, topic, { ...options, have: [] })
        synced += records.length
        return records
      }
    }
    const bobRoom = roomOf(bob, roomId, 'bob', { history: { store: createMemoryHistoryStore(), sync } })
    bobRoom.addEventListener('chat', evt => {
      shown.push(evt.detail.text)
      heardLive()
    })
    aliceRoom.join()
    bobRoom.join()
    await bob.dial(alice.getMultiaddrs())
    await waitFor(() => alice.services.pubsub.getSubscribers(aliceRoom.topic).length > 0, 10_000)
    await aliceRoom.send('hi')
    await waitFor(() => synced === 1, 10_000)
    await aliceRoom.send('and again')
    await waitFor(() => shown.length === 2, 5_000)
    expect(shown).toEqual(['hi', 'and again'])
    aliceRoom.leave()
    bobRoom.leave()
  })

  it('a line its author published with a broken signature of its own is shown live, where the author\'s gossipsub signature vouches for it, and dropped by a newcomer catching up from history', async () => {
    const roomId = createRoomId()
    const bobStore = createMemoryHistoryStore()
    const { alice, bob, aliceRoom, bobRoom } = await twoMembers({ bob: { history: { store: bobStore } }, bobServes: bobStore }, roomId)
    const heard: string[] = []
    bobRoom.addEventListener('chat', evt => heard.push(evt.detail.text))
    const broken = RoomMessage.decode(await encodeChat({ id: createMessageId(), name: 'alice', text: 'broken', timestamp: Date.now() }, aliceRoom.topic, keys.get(alice)!))
    broken.chat!.signature = broken.chat!.signature.map((b, i) => i === 0 ? b ^ 1 : b)
    await alice.services.pubsub.publish(aliceRoom.topic, RoomMessage.encode(broken))
    await aliceRoom.send('signed')
    await waitFor(() => heard.length === 2, 5_000)
    expect(heard).toEqual(['broken', 'signed'])
    await expect.poll(async () => (await bobStore.list(bobRoom.topic)).length).toBe(2)
    // a newcomer that subscribes within a heartbeat of a line hears it live, from bob's gossip (IHAVE, then IWANT);
    // carol comes once bob's next heartbeat has moved both lines out of what it gossips (one heartbeat's worth)
    await new Promise(resolve => { bob.services.pubsub.addEventListener('gossipsub:heartbeat', resolve, { once: true }) })

    const carol = await member()
    const carolRoom = roomOf(carol, roomId, 'carol')
    const shown: string[] = []
    carolRoom.addEventListener('chat', evt => shown.push(evt.detail.text))
    let caughtUp = false
    carolRoom.addEventListener('caught-up', () => { caughtUp = true })
    carolRoom.join()
    await carol.dial(bob.getMultiaddrs())
    await waitFor(() => caughtUp, 10_000)
    expect(shown).toEqual(['signed'])
    aliceRoom.leave()
    bobRoom.leave()
    carolRoom.leave()
  })

  it('a member\'s addresses go into the peer store once, not again with every presence that repeats them', async () => {
    const roomId = createRoomId()
    const alice = await member()
    const bob = await member({ announce: ['/ip4/127.0.0.1/tcp/9/p2p/12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf/p2p-circuit'] })
    const merged: string[] = []
    const merge = alice.peerStore.merge.bind(alice.peerStore)
    alice.peerStore.merge = async (peer, data, options) => {
      if (peer.equals(bob.peerId) && data.multiaddrs != null) merged.push(data.multiaddrs.map(String).join())
      return merge(peer, data, options)
    }
    let presences = 0
    alice.services.pubsub.addEventListener('message', () => { presences++ })
    const aliceRoom = roomOf(alice, roomId, 'alice', { presenceInterval: 100 })
    const bobRoom = roomOf(bob, roomId, 'bob', { presenceInterval: 100 })
    aliceRoom.join()
    bobRoom.join()
    await alice.dial(bob.getMultiaddrs())
    await waitFor(() => presences >= 5, 10_000, 'five of bob\'s presences')
    // the presences' (the dial's own merge of the address it reached bob at aside)
    expect(merged.filter(addrs => addrs.includes('/p2p-circuit'))).toHaveLength(1)
    aliceRoom.leave()
    bobRoom.leave()
  })

  it('a member that keeps talking skips its repeated presence; a quiet one repeats it', async () => {
    const roomId = createRoomId()
    const alice = await member()
    const bob = await member()
    // every presence of bob's alice receives, with when it came
    const presences: number[] = []
    onPresence(alice, bob, () => presences.push(Date.now()))
    const interval = { presenceInterval: 200 }
    const aliceRoom = roomOf(alice, roomId, 'alice', interval)
    const bobRoom = roomOf(bob, roomId, 'bob', interval)
    aliceRoom.join()
    bobRoom.join()
    await alice.dial(bob.getMultiaddrs())
    await waitFor(() => aliceRoom.getMembers().length === 1 && bobRoom.getMembers().length === 1, 10_000)

    // two seconds of lines 10 ms apart: each interval has lines of bob's in it (about ten presences without them)
    await bobRoom.send('first')
    const talking = Date.now()
    while (Date.now() - talking < 2_000) {
      await bobRoom.send('and more')
      await new Promise(resolve => setTimeout(resolve, 10))
    }
    const quiet = Date.now()
    // two quiet seconds: a presence every interval (a long pause of the test process could only skip one)
    await new Promise(resolve => setTimeout(resolve, 2_000))
    expect(presences.filter(t => t >= talking && t < quiet).length).toBeLessThanOrEqual(2)
    expect(presences.filter(t => t >= quiet).length).toBeGreaterThanOrEqual(4)
    aliceRoom.leave()
    bobRoom.leave()
  })

  it('a member tells the room whom it is directly connected to, soon after that changes; others note it for forwarding', async () => {
    const { alice, bob, aliceRoom, bobRoom } = await twoMembers()
    const links = alice.services.roomLinks!
    const [a, b] = [alice.peerId.toString(), bob.peerId.toString()]
    // the direct peers named by each presence of bob's that alice receives
    const named: string[][] = []
    alice.services.pubsub.addEventListener('message', evt => {
      if (evt.detail.type !== 'signed' || !evt.detail.from.equals(bob.peerId)) return
      void decodeRoomMessage(evt.detail.data, evt.detail.topic).then(event => {
        if (event.type === 'presence') named.push(event.presence.direct ?? [])
      })
    })
    await waitFor(() => links.linked(aliceRoom.topic, b, a), 5_000, 'bob\'s presence to name alice')
    // carol joins and connects to bob alone: bob's next presence names her too
    const carol = await member()
    const carolRoom = roomOf(carol, aliceRoom.roomId, 'carol')
    carolRoom.join()
    await carol.dial(bob.getMultiaddrs())
    const c = carol.peerId.toString()
    await waitFor(() => named.at(-1)?.includes(c), 5_000, 'bob\'s presence to name carol')
    expect(links.linked(aliceRoom.topic, b, c)).toBe(true)
    expect(links.linked(aliceRoom.topic, a, c)).toBe(false)
    // once their connection is gone, bob's next presence names alice alone
    const before = named.length
    await bob.hangUp(carol.peerId)
    await waitFor(() => named.length > before, 5_000, 'bob\'s next presence')
    expect(named.at(-1)).toEqual([a])
    aliceRoom.leave()
    bobRoom.leave()
    carolRoom.leave()
    // a room left is forgotten
    expect(links.linked(aliceRoom.topic, b, a)).toBe(false)
  })

  it('in a private room a member names its direct peers in the clear on its announcements\' envelopes, not in the sealed presence', async () => {
    const roomId = createRoomId()
    const roomKeys = await derivePrivateRoom(roomId, createRoomSecret())
    const { alice, bob, aliceRoom, bobRoom } = await twoMembers({ alice: { keys: roomKeys }, bob: { keys: roomKeys } }, roomId)
    const [a, b] = [alice.peerId.toString(), bob.peerId.toString()]
    // bob's announcements as alice receives them: the envelope's direct peers, and the sealed presence's
    const named: Array<{ clear: string[], sealed: string[] }> = []
    alice.services.pubsub.addEventListener('message', evt => {
      if (evt.detail.type !== 'signed' || !evt.detail.from.equals(bob.peerId)) return
      void openRoomData(roomKeys, evt.detail.data).then(async ({ plaintext, direct }) => {
        const event = await decodeRoomMessage(plaintext, roomKeys.topic)
        if (event.type === 'presence') named.push({ clear: direct, sealed: event.presence.direct ?? [] })
      })
    })
    await waitFor(() => alice.services.roomLinks!.linked(roomKeys.topic, b, a), 5_000, 'bob\'s announcement to name alice')
    bobRoom.typing(true)
    await waitFor(() => named.length > 0, 5_000, 'an announcement of bob\'s')
    expect(named.at(-1)).toEqual({ clear: [a], sealed: [] })
    aliceRoom.leave()
    bobRoom.leave()
  })

  it('a member not heard from for the expiry, and not connected directly, leaves the list', async () => {
    const roomId = createRoomId()
    const timing = { presenceInterval: 100, memberExpiry: 400 }
    const alice = await member()
    const bob = await member()
    const aliceRoom = roomOf(alice, roomId, 'alice', timing)
    const bobRoom = roomOf(bob, roomId, 'bob', timing)
    let members: RoomMember[] = []
    aliceRoom.addEventListener('members', evt => { members = evt.detail })
    aliceRoom.join()
    bobRoom.join()
    await alice.dial(bob.getMultiaddrs())
    await waitFor(() => members.some(m => m.name === 'bob' && m.connection === 'direct'), 10_000)

    bobRoom.leave()
    await bob.stop()
    await waitFor(() => members.length === 0, 5_000)
    aliceRoom.leave()
  })

  it('of a pair, only the smaller peer id dials the other\'s WebRTC address, and a failed dial is tried again', async () => {
    const roomId = createRoomId()
    // both announce a WebRTC address through a relay that does not exist: every upgrade fails
    const relay = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const webrtc = [`/ip4/127.0.0.1/tcp/9/p2p/${relay}/p2p-circuit/webrtc`]
    const [a, b] = [await member({ announce: webrtc }), await member({ announce: webrtc })]
    const dials = new Map<MemberNode, number>([[a, 0], [b, 0]])
    for (const node of [a, b]) {
      // as if the node ran the WebRTC transport, which registers the signalling protocol
      await node.handle('/webrtc-signaling/0.0.1', () => {})
      const dial = node.dial.bind(node)
      node.dial = async (target, options) => {
        if ([target].flat().some(t => typeof t !== 'string' && 'getComponents' in t && t.getComponents().some(c => c.name === 'webrtc'))) {
          dials.set(node, dials.get(node)! + 1)
        }
        return dial(target, options)
      }
    }
    // a third member that both reach carries the room between them (as a relay does); it has no WebRTC address
    const hub = await member()
    const fast = { upgradeRetryMin: 100, upgradeRetryMax: 200 }
    const rooms = [roomOf(a, roomId, 'a', fast), roomOf(b, roomId, 'b', fast), roomOf(hub, roomId, 'hub')]
    rooms.forEach(room => { room.join() })
    await a.dial(hub.getMultiaddrs().filter(ma => !ma.toString().includes('p2p-circuit')))
    await b.dial(hub.getMultiaddrs().filter(ma => !ma.toString().includes('p2p-circuit')))
    const [smaller, larger] = a.peerId.toString() < b.peerId.toString() ? [a, b] : [b, a]
    await waitFor(() => dials.get(smaller)! >= 3, 10_000)
    expect(dials.get(larger)).toBe(0)
    rooms.forEach(room => { room.leave() })
  })

  it('a newcomer that renames itself before its hello still says hello: the members answer at once with their presence, and so their addresses', async () => {
    // in the page, a name typed right after opening a room's link went out as a plain presence before the hello,
    // which then never came: nobody answered, and the newcomer could not upgrade to a direct connection with a
    // member (it had no address for it) until that member's next presence, 15–60 s later
    const roomId = createRoomId()
    const [alice, bob, hub] = [await member(), await member(), await member()]
    // alice repeats her presence only after the test: what bob learns of her comes from her answer to his hello
    const aliceRoom = roomOf(alice, roomId, 'alice', { presenceInterval: 60_000 })
    // a third member that both reach carries the room between them (as a relay does)
    const hubRoom = roomOf(hub, roomId, 'hub', { presenceInterval: 60_000 })
    // alice settled: the hub has heard her say she is directly connected to it (a presence of hers sent for that
    // after bob joined would pass for an answer)
    let settled = false
    onPresence(hub, alice, presence => { settled ||= presence.direct?.includes(hub.peerId.toString()) === true })
    hubRoom.join()
    aliceRoom.join()
    await alice.dial(hub.getMultiaddrs())
    await waitFor(() => settled, 10_000, 'alice\'s presence naming the hub direct')

    let bobName = 'bob'
    // bob has no address to wait for (no relay reservation), so his hello waits the whole helloWait
    const bobRoom = roomOf(bob, roomId, 'bob', { name: () => bobName, helloWait: 1_000, presenceInterval: 60_000 })
    // alice's presences that reach bob and are not her hello (which the hub's gossip may bring him too): her answers
    let answers = 0
    onPresence(bob, alice, presence => { if (presence.hello !== true) answers++ })
    bobRoom.join()
    await bob.dial(hub.getMultiaddrs())
    await waitFor(() => bob.services.pubsub.getSubscribers(bobRoom.topic).length > 0, 10_000, 'the hub in the room')
    bobName = 'bobby'
    bobRoom.rename()
    await waitFor(() => aliceRoom.getMembers().some(m => m.name === 'bobby'), 5_000, 'bob, renamed, in alice\'s list')
    await waitFor(() => answers > 0, 5_000, 'alice\'s answer to bob\'s hello')
    for (const room of [aliceRoom, bobRoom, hubRoom]) {
      room.leave()
    }
  })

  it('a member that leaves the room is gone from the others\' lists at once; a line of its still on the way is shown without bringing it back; its hello does', async () => {
    // a page closed: its room's leave tells the peers it has a gossipsub stream to, and the others dropped it only
    // once it had been quiet for the member expiry (40 s)
    const roomId = createRoomId()
    const { bob, aliceRoom, bobRoom } = await twoMembers({}, roomId)
    const heard: string[] = []
    aliceRoom.addEventListener('chat', evt => heard.push(evt.detail.text))
    bobRoom.leave()
    await waitFor(() => aliceRoom.getMembers().length === 0, 5_000, 'bob gone from alice\'s list')

    // bob's last line, delayed on its way (it came through the relay, the leave directly)
    await bob.services.pubsub.publish(aliceRoom.topic, await encodeChat({ id: createMessageId(), name: 'bob', text: 'bye', timestamp: Date.now() }, aliceRoom.topic, keys.get(bob)!))
    await waitFor(() => heard.includes('bye'), 5_000, 'bob\'s last line')
    expect(aliceRoom.getMembers()).toEqual([])

    // bob comes back: his hello brings him into the list again
    const again = roomOf(bob, roomId, 'bob')
    again.join()
    await waitFor(() => aliceRoom.getMembers().some(m => m.name === 'bob'), 5_000, 'bob back in alice\'s list')
    aliceRoom.leave()
    again.leave()
  })

  it('a member reached only through its relay is gone from the list when that relay says it left; the same notice from anyone else is not believed', async () => {
    // a member a page has no gossipsub stream to (a large room's non-neighbour, a pair behind a symmetric NAT) never
    // told it that it left: only its relay heard, and the page dropped it once it had been quiet for the member expiry
    const roomId = createRoomId()
    const hub = await member()
    const viaHub = [`/ip4/127.0.0.1/tcp/1/p2p/${hub.peerId.toString()}/p2p-circuit`]
    const [alice, bob, carol] = [await member({ announce: viaHub }), await member({ announce: viaHub }), await member()]
    const [aliceRoom, bobRoom, carolRoom, hubRoom] = [roomOf(alice, roomId, 'alice'), roomOf(bob, roomId, 'bob'), roomOf(carol, roomId, 'carol'), roomOf(hub, roomId, 'hub')]
    let bobAnnounced = false
    onPresence(alice, bob, () => { bobAnnounced = true })
    for (const room of [aliceRoom, bobRoom, carolRoom, hubRoom]) {
      room.join()
    }
    await alice.dial(hub.getMultiaddrs())
    await bob.dial(hub.getMultiaddrs())
    // carol is directly connected to alice, and is not bob's relay
    await carol.dial(alice.getMultiaddrs())
    await waitFor(() => bobAnnounced && aliceRoom.getMembers().some(m => m.name === 'bob') && aliceRoom.getMembers().some(m => m.name === 'carol'), 10_000, 'bob and carol in alice\'s list')
    const heard: string[] = []
    aliceRoom.addEventListener('chat', evt => heard.push(evt.detail.text))

    // carol says bob left, then says something: alice reads both in that order, and bob stays
    await carol.services.pubsub.publish(aliceRoom.topic, encodeDeparture(bob.peerId.toString()))
    await carolRoom.send('after the forgery')
    await waitFor(() => heard.includes('after the forgery'), 5_000, 'carol\'s line')
    expect(aliceRoom.getMembers().map(m => m.name)).toContain('bob')

    // bob leaves; only his relay hears it (he has no gossipsub stream to alice), and alice's list still has him
    bobRoom.leave()
    await waitFor(() => !hub.services.pubsub.getSubscribers(aliceRoom.topic).some(peer => peer.equals(bob.peerId)), 5_000, 'bob gone from the hub\'s room')
    expect(aliceRoom.getMembers().map(m => m.name)).toContain('bob')
    // his relay says he left: he is gone at once
    await hub.services.pubsub.publish(aliceRoom.topic, encodeDeparture(bob.peerId.toString()))
    await waitFor(() => !aliceRoom.getMembers().some(m => m.name === 'bob'), 2_000, 'bob gone from alice\'s list')

    // the relay says alice left (she lost her connection to it, briefly): she says hello again, which brings her back
    // into the lists of those who believed it
    let hellos = 0
    onPresence(carol, alice, presence => { if (presence.hello === true) hellos++ })
    await hub.services.pubsub.publish(aliceRoom.topic, encodeDeparture(alice.peerId.toString()))
    await waitFor(() => hellos === 1, 5_000, 'alice\'s hello again')
    for (const room of [aliceRoom, carolRoom, hubRoom]) {
      room.leave()
    }
  })

  it('a relay\'s departure notice about a member this node is directly connected to is checked on that connection: a live member stays, one that no longer answers is dropped', async () => {
    // a crashed page's WebRTC connection stays open at the other end until ICE gives up on it (~18 s)
    const checkTimeout = 300
    const { bob, hub, aliceRoom, bobRoom, hubRoom, connection } = await directThroughHub(checkTimeout)

    // bob answers the check: he stays
    await hub.services.pubsub.publish(aliceRoom.topic, encodeDeparture(bob.peerId.toString()))
    await new Promise(resolve => setTimeout(resolve, 3 * checkTimeout))
    expect(connection.status).toBe('open')
    expect(aliceRoom.getMembers().map(m => m.name)).toEqual(['bob', 'hub'])

    // bob's page crashed
    await crash(bob, aliceRoom.topic)
    await hub.services.pubsub.publish(aliceRoom.topic, encodeDeparture(bob.peerId.toString()))
    await waitFor(() => !aliceRoom.getMembers().some(m => m.name === 'bob'), 3 * checkTimeout + 2_000, 'bob gone from alice\'s list')
    expect(connection.status).not.toBe('open')
    for (const room of [aliceRoom, bobRoom, hubRoom]) {
      room.leave()
    }
  })

  it('a member whose relay said it left, and who says hello from a new node (a crashed page opened again), stays in the list when the old node\'s connection closes', async () => {
    const checkTimeout = 2_000
    const bobKey = await generateKeyPair('Ed25519')
    const { alice, bob, hub, viaHub, aliceRoom, hubRoom, connection } = await directThroughHub(checkTimeout, bobKey)
    // bob's page crashed, and its connection to the hub closed with it; his new page is connected to the hub
    await crash(bob, aliceRoom.topic)
    await bob.hangUp(hub.peerId)
    let hellos = 0
    onPresence(alice, bob, presence => { if (presence.hello === true) hellos++ })
    const newBob = await member({ key: bobKey, announce: viaHub })
    await newBob.dial(hub.getMultiaddrs())

    // the hub says bob left, and his new page says hello before the check of the old connection ends
    await hub.services.pubsub.publish(aliceRoom.topic, encodeDeparture(bob.peerId.toString()))
    const newBobRoom = roomOf(newBob, aliceRoom.roomId, 'bob')
    newBobRoom.join()
    // (one hello, or two: the new node may get the hub's departure about its peer id too, from the hub's gossip)
    await waitFor(() => hellos > 0 && connection.status !== 'open', 3 * checkTimeout, 'the new hello, and the old node\'s connection closed')
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(aliceRoom.getMembers().map(m => m.name)).toContain('bob')
    for (const room of [aliceRoom, hubRoom, newBobRoom]) {
      room.leave()
    }
  })

  it('a relay\'s departure notice about a member\'s earlier node, brought late (gossip to a newcomer), does not drop the member back on a new node; one after its last message does', async () => {
    // a newcomer's first seconds bring the room's last seconds of gossip: a notice of a member that left and came
    // back within them (a page reloaded) hid that member from the newcomer for up to 40 s
    const roomId = createRoomId()
    const hub = await member()
    const viaHub = [`/ip4/127.0.0.1/tcp/1/p2p/${hub.peerId.toString()}/p2p-circuit`]
    const bobKey = await generateKeyPair('Ed25519')
    const [alice, bob] = [await member({ announce: viaHub }), await member({ key: bobKey, announce: viaHub })]
    // the seqno of bob's last message the hub has, as a relay notes it for his departure
    let lastAtHub = 0n
    hub.services.pubsub.addEventListener('message', evt => {
      if (evt.detail.type === 'signed' && evt.detail.from.equals(bob.peerId)) lastAtHub = evt.detail.sequenceNumber
    })
    const [aliceRoom, hubRoom] = [roomOf(alice, roomId, 'alice'), roomOf(hub, roomId, 'hub')]
    const bobRoom = roomOf(bob, roomId, 'bob')
    for (const room of [aliceRoom, hubRoom, bobRoom]) {
      room.join()
    }
    await alice.dial(hub.getMultiaddrs())
    await bob.dial(hub.getMultiaddrs())
    await waitFor(() => lastAtHub > 0n && aliceRoom.getMembers().some(m => m.name === 'bob'), 10_000, 'bob in alice\'s list')
    const heard: string[] = []
    aliceRoom.addEventListener('chat', evt => heard.push(evt.detail.text))

    // bob's page reloads: the old node goes, the new one (his peer id) says hello through the hub
    const unsubscribed = async (): Promise<void> => {
      await waitFor(() => !hub.services.pubsub.getSubscribers(aliceRoom.topic).some(peer => peer.equals(bob.peerId)), 5_000, 'bob gone from the hub\'s room')
    }
    bobRoom.leave()
    await unsubscribed()
    const oldNode = lastAtHub
    await bob.stop()
    let hellos = 0
    onPresence(alice, bob, presence => { if (presence.hello === true) hellos++ })
    const newBob = await member({ key: bobKey, announce: viaHub })
    const newBobRoom = roomOf(newBob, roomId, 'bob')
    newBobRoom.join()
    // the new node had the old node's departure already, the first seconds of its own gossip (gossipsub takes a
    // message once): it does not take it again, and so says no second hello when alice gets it
    const stale = encodeDeparture(bob.peerId.toString(), oldNode)
    const validate = newBob.services.pubsub.topicValidators.get(newBobRoom.topic)!
    newBob.services.pubsub.topicValidators.set(newBobRoom.topic, async (from, message) =>
      uint8ArrayEquals(message.data, stale) ? TopicValidatorResult.Ignore : validate(from, message))
    await newBob.dial(hub.getMultiaddrs())
    await waitFor(() => hellos > 0 && lastAtHub > oldNode, 10_000, 'the new node\'s hello')

    // the old node's departure, late: bob stays (the line after it reaches alice after it)
    await hub.services.pubsub.publish(aliceRoom.topic, stale)
    await hubRoom.send('after the old notice')
    await waitFor(() => heard.includes('after the old notice'), 5_000, 'the hub\'s line')
    expect(aliceRoom.getMembers().map(m => m.name)).toContain('bob')

    // the new node leaves: its notice names its last message, which alice has too, and bob is gone at once
    await newBobRoom.send('bye')
    await waitFor(() => heard.includes('bye'), 5_000, 'bob\'s last line')
    newBobRoom.leave()
    await unsubscribed()
    await hub.services.pubsub.publish(aliceRoom.topic, encodeDeparture(bob.peerId.toString(), lastAtHub))
    await waitFor(() => !aliceRoom.getMembers().some(m => m.name === 'bob'), 2_000, 'bob gone from alice\'s list')
    for (const room of [aliceRoom, hubRoom]) {
      room.leave()
    }
  })

  it('a member back on a new node under its peer id (a page reloaded): the old node\'s connection, which the new hello does not name, is closed at once; a member that only rejoins keeps its own', async () => {
    // the old node's WebRTC connection lingers at the other end until ICE gives up on it (~15 s), a page's shown as
    // direct meanwhile, and the pair's dialler did not dial the new node until a check of it timed out
    const checkTimeout = 300
    const roomId = createRoomId()
    const [alice, hub] = [await member({ directPaths: { checkTimeout } }), await member()]
    const bobKey = await generateKeyPair('Ed25519')
    const bob = await member({ key: bobKey })
    const [aliceRoom, hubRoom] = [roomOf(alice, roomId, 'alice'), roomOf(hub, roomId, 'hub')]
    let bobRoom = roomOf(bob, roomId, 'bob')
    for (const room of [aliceRoom, hubRoom, bobRoom]) {
      room.join()
    }
    await alice.dial(hub.getMultiaddrs())
    const connection = await alice.dial(bob.getMultiaddrs())
    await waitFor(() => aliceRoom.getMembers().some(m => m.name === 'bob' && m.connection === 'direct'), 10_000, 'bob direct in alice\'s list')
    // older than twice the check timeout: long enough for bob to have proven it too, and named it
    await new Promise(resolve => setTimeout(resolve, 3 * checkTimeout))

    // bob leaves and joins again on the same node: his hello names alice, and their connection stays
    let hellos = 0
    onPresence(alice, bob, presence => { if (presence.hello === true) hellos++ })
    bobRoom.leave()
    bobRoom = roomOf(bob, roomId, 'bob')
    bobRoom.join()
    await waitFor(() => hellos === 1, 5_000, 'bob\'s hello again')
    await new Promise(resolve => setTimeout(resolve, 3 * checkTimeout))
    expect(connection.status).toBe('open')

    // a new node under bob's peer id joins through the hub; the old one runs on, in no room, and answers pings:
    // only the new hello, which names the hub and not alice, says that connection is the old node's
    bobRoom.leave()
    const newBob = await member({ key: bobKey })
    await newBob.dial(hub.getMultiaddrs())
    const newBobRoom = roomOf(newBob, roomId, 'bob')
    await waitFor(() => newBob.services.pubsub.getSubscribers(newBobRoom.topic).length > 0, 5_000, 'the hub in the room')
    newBobRoom.join()
    await waitFor(() => connection.status !== 'open', 5_000, 'the old node\'s connection closed')
    expect(alice.getConnections(bob.peerId)).toEqual([])
    await waitFor(() => aliceRoom.getMembers().some(m => m.name === 'bob' && m.connection === 'relayed'), 5_000, 'bob in alice\'s list, through the hub')
    for (const room of [aliceRoom, hubRoom, newBobRoom]) {
      room.leave()
    }
  })

  it('a member is neither dialled nor said to lack WebRTC before this node runs its own WebRTC transport, and is dialled once it does', async () => {
    // a page loads its WebRTC transport after the room is shown: a dial before it could only fail, which counted
    // as a failed upgrade (the retry came seconds later), and the peers list said the member had no WebRTC
    const roomId = createRoomId()
    const relay = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const webrtc = [`/ip4/127.0.0.1/tcp/9/p2p/${relay}/p2p-circuit/webrtc`]
    const [a, b] = [await member({ announce: webrtc }), await member({ announce: webrtc })]
    const [smaller, larger] = a.peerId.toString() < b.peerId.toString() ? [a, b] : [b, a]
    // the larger runs WebRTC from the start; the smaller (the pair's dialler) not yet
    await larger.handle('/webrtc-signaling/0.0.1', () => {})
    let webrtcDials = 0
    const dial = smaller.dial.bind(smaller)
    smaller.dial = async (target, options) => {
      if ([target].flat().some(t => typeof t !== 'string' && 'getComponents' in t && isWebRTCAddr(t))) {
        webrtcDials++
      }
      return dial(target, options)
    }
    // a third member that both reach carries the room between them (as a relay does)
    const hub = await member()
    const smallerRoom = roomOf(smaller, roomId, 'smaller')
    const largerRoom = roomOf(larger, roomId, 'larger')
    const hubRoom = roomOf(hub, roomId, 'hub')
    for (const room of [smallerRoom, largerRoom, hubRoom]) {
      room.join()
    }
    await smaller.dial(hub.getMultiaddrs())
    await larger.dial(hub.getMultiaddrs())
    const other = (): RoomMember | undefined => smallerRoom.getMembers().find(m => m.peerId === larger.peerId.toString())
    await waitFor(() => other()?.name === 'larger' && largerRoom.getMembers().some(m => m.name === 'smaller'), 10_000)
    // presence has come both ways and nothing was dialled
    expect(webrtcDials).toBe(0)
    expect(other()?.relayedReason).toBeUndefined()

    // as the WebRTC transport does when it starts: it registers the signalling protocol
    await smaller.handle('/webrtc-signaling/0.0.1', () => {})
    await waitFor(() => webrtcDials === 1, 5_000)
    for (const room of [smallerRoom, largerRoom, hubRoom]) {
      room.leave()
    }
  })

  it('the pair gater refuses a WebRTC dial from the larger peer id, whoever asks for it; other dials go to the gater inside', async () => {
    const ids = await Promise.all([0, 1, 2].map(async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
    const [smaller, self, larger] = ids.sort()
    const relay = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const circuit = (target: string, webrtc: boolean): ReturnType<typeof multiaddr> =>
      multiaddr(`/ip4/127.0.0.1/tcp/9/p2p/${relay}/p2p-circuit${webrtc ? '/webrtc' : ''}/p2p/${target}`)
    const asked: string[] = []
    const gater = webrtcPairGater(self!, { denyDialMultiaddr: ma => { asked.push(ma.toString()); return false } })
    // the smaller id is the pair's dialler: this node does not dial its WebRTC address, even by peer id
    expect(await gater.denyDialMultiaddr!(circuit(smaller!, true))).toBe(true)
    expect(await gater.denyDialMultiaddr!(circuit(larger!, true))).toBe(false)
    // a plain relayed address of either is not WebRTC: the rule does not touch it
    expect(await gater.denyDialMultiaddr!(circuit(smaller!, false))).toBe(false)
    expect(asked).toEqual([circuit(larger!, true).toString(), circuit(smaller!, false).toString()])
  })

  it('dials a few upgrades at a time: the others wait their turn, and each is dialled once one ends', async () => {
    const node = await member()
    const pending: Array<() => void> = []
    let inFlight = 0
    let most = 0
    const dialled: string[] = []
    node.dial = async target => {
      dialled.push([target].flat().map(String)[0]!)
      inFlight++
      most = Math.max(most, inFlight)
      await new Promise<void>(resolve => pending.push(resolve))
      inFlight--
      throw new Error('no WebRTC here')
    }
    const upgrader = new DirectUpgrader(node, {
      signal: new AbortController().signal, dialTimeout: 10_000, retryMin: 60_000, retryMax: 60_000, concurrency: 2, canUpgrade: () => true, onSettled: () => {}
    })
    const relay = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const members: MemberRecord[] = []
    while (members.length < 5) {
      const id = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
      // of each pair, the smaller peer id dials
      if (id > node.peerId.toString()) {
        members.push({ peerId: id, name: id, connection: 'relayed', multiaddrs: [multiaddr(`/ip4/127.0.0.1/tcp/9/p2p/${relay}/p2p-circuit/webrtc/p2p/${id}`)], relays: [relay], announced: true, lastSeen: 0, dialing: false, failures: 0 })
      }
    }
    members.forEach(m => { upgrader.maybeDial(m) })
    expect(dialled).toHaveLength(2)
    while (dialled.length < 5) {
      pending.shift()!()
      await waitFor(() => pending.length === 2 || dialled.length === 5, 1_000)
    }
    pending.splice(0).forEach(release => { release() })
    expect(most).toBe(2)
    expect(new Set(dialled).size).toBe(5)
    members.forEach(m => { clearTimeout(m.retry) })
  })

  it('in a large room a member closes the WebRTC connections it dialled to members that are not its neighbours, unless a direct message, file or history sync runs on one', async () => {
    const node = await member()
    const self = node.peerId.toString()
    const relay = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const larger: string[] = []
    let smaller: string | undefined
    while (larger.length < 7 || smaller == null) {
      const id = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
      if (id > self) larger.push(id)
      else smaller ??= id
    }
    const [gossipOnly, idle, withDm, withFile, withHistory, neighbour, relayedOnly] = larger as [string, string, string, string, string, string, string]
    const closed: string[] = []
    const connection = (id: string, webrtc: boolean, protocols: string[]): Connection => ({
      remoteAddr: multiaddr(`/ip4/127.0.0.1/tcp/9/p2p/${relay}/p2p-circuit${webrtc ? '/webrtc' : ''}/p2p/${id}`),
      streams: protocols.map(protocol => ({ protocol })),
      close: async () => { closed.push(id) },
      abort: () => {}
    }) as unknown as Connection
    const connections = new Map<string, Connection[]>([
      [gossipOnly, [connection(gossipOnly, true, ['/meshsub/1.2.0', '/ipfs/ping/1.0.0'])]],
      [idle, [connection(idle, true, [])]],
      [withDm, [connection(withDm, true, ['/meshsub/1.2.0', DM_PROTOCOL])]],
      [withFile, [connection(withFile, true, [FILE_PROTOCOL])]],
      [withHistory, [connection(withHistory, true, [HISTORY_SYNC_PROTOCOL])]],
      [neighbour, [connection(neighbour, true, ['/meshsub/1.2.0'])]],
      // a member that is not a neighbour is reached through the relay
      [relayedOnly, [connection(relayedOnly, false, ['/meshsub/1.2.0'])]],
      // the other member dialled this pair: closing it is that member's to decide
      [smaller, [connection(smaller, true, ['/meshsub/1.2.0'])]]
    ])
    node.getConnections = (peer?: PeerId) => connections.get(peer?.toString() ?? '') ?? []
    const upgrader = new DirectUpgrader(node, {
      signal: new AbortController().signal, dialTimeout: 10_000, retryMin: 60_000, retryMax: 60_000, canUpgrade: () => true, onSettled: () => {}, isNeighbour: id => id === neighbour
    })
    const records = [...larger, smaller].map(id => ({ peerId: id, name: id, connection: 'direct', multiaddrs: [], relays: [], announced: true, lastSeen: 0, dialing: false, failures: 0 }) satisfies MemberRecord)
    upgrader.closeSurplus(records)
    expect(closed.sort()).toEqual([gossipOnly, idle].sort())
  })

  it('a member found in the DHT is dialled over WebRTC only by the smaller peer id of the pair, also when the other has reached it through the relay; the larger goes through its relay', async () => {
    const node = await member()
    const webrtcDials: string[] = []
    const otherDials: string[] = []
    const refusals: string[] = []
    let dialled = 0
    let settled = 0
    const dial = node.dial.bind(node)
    node.dial = async (target, options) => {
      dialled++
      for (const t of [target].flat()) {
        if (typeof t !== 'string' && 'getComponents' in t) {
          (isWebRTCAddr(t) ? webrtcDials : otherDials).push(t.toString())
        }
      }
      // nothing listens at these addresses: the dial fails, but it must be a dial, not a list libp2p refuses
      return dial(target, options).catch((err: Error) => {
        if (err.name === 'InvalidParametersError') refusals.push(err.message)
        throw err
      }).finally(() => { settled++ })
    }
    const upgrader = new DirectUpgrader(node, {
      signal: new AbortController().signal, dialTimeout: 200, retryMin: 100, retryMax: 200, canUpgrade: () => true, onSettled: () => {}
    })
    const relay = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    /** peers this node has a relayed (limited) connection to, as when the other member dialled its circuit address */
    const relayed = new Set<string>()
    const getConnections = node.getConnections.bind(node)
    node.getConnections = (peer?: PeerId) => relayed.has(peer?.toString() ?? '') ? [{ status: 'open', limits: { seconds: 120 } } as unknown as Connection] : getConnections(peer)
    const found = async (smaller: boolean, reachedThroughRelay = false): Promise<void> => {
      let id = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
      while ((id.toString() < node.peerId.toString()) !== smaller) {
        id = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
      }
      if (reachedThroughRelay) relayed.add(id.toString())
      // as a DHT lists a provider's addresses: without its own id at the end, so the circuits name only the relay
      const circuit = `/ip4/127.0.0.1/tcp/9/p2p/${relay}/p2p-circuit`
      upgrader.connect({ id, multiaddrs: [multiaddr(`${circuit}/webrtc`), multiaddr(circuit), multiaddr('/ip4/127.0.0.1/tcp/9')] })
      if (reachedThroughRelay && smaller) {
        // the relayed connection is all the larger side can have: nothing to dial
        await new Promise(resolve => setTimeout(resolve, 100))
        expect(webrtcDials.length + otherDials.length).toBe(0)
        return
      }
      await waitFor(() => webrtcDials.length + otherDials.length > 0, 5_000)
      // every address dialled is one of the found peer (libp2p dialled the relay for a circuit without it)
      expect([...webrtcDials, ...otherDials].every(ma => ma.endsWith(`/p2p/${id.toString()}`))).toBe(true)
    }
    // the found peer's id is the smaller: it dials WebRTC when it hears of this node; this node goes through the relay
    await found(true)
    expect([webrtcDials.length, otherDials.length]).toEqual([0, 2])
    otherDials.length = 0
    // this node's id is the smaller: it is the pair's WebRTC dialler
    await found(false)
    expect([webrtcDials.length, otherDials.length]).toEqual([1, 0])
    webrtcDials.length = 0
    // the other member reached this one through the relay (a circuit gossip does not run on): the larger side
    // dials nothing more, the smaller still dials WebRTC, or the two never hear each other
    await found(true, true)
    await found(false, true)
    expect([webrtcDials.length, otherDials.length]).toEqual([1, 0])
    // a list mixing a circuit (naming its relay) with a plain address was refused whole
    await waitFor(() => settled === dialled, 5_000, 'every dial to end')
    expect(refusals).toEqual([])
  })

  it('replies, reactions and file offers reach members with their fields, and are kept as history', async () => {
    const bobStore = createMemoryHistoryStore()
    const { alice, aliceRoom, bobRoom } = await twoMembers({ bob: { history: { store: bobStore } } })
    const heard: RoomChat[] = []
    bobRoom.addEventListener('chat', evt => heard.push(evt.detail))

    const question = await aliceRoom.send('photos?')
    const photo = { id: 'c0'.repeat(32), name: 'beach.png', size: 2_100_000, mime: 'image/png', width: 800, height: 600 }
    const answer = await aliceRoom.send('here', { replyTo: question.chat.id, attachment: photo })
    const reaction = await aliceRoom.react(question.chat.id, '👍')
    expect([question, answer, reaction].map(r => r.pending)).toEqual([false, false, false])
    await waitFor(() => heard.length === 3, 10_000)

    const from = alice.peerId.toString()
    expect(heard[0]).toMatchObject({ id: question.chat.id, text: 'photos?', from })
    expect(heard[1]).toMatchObject({ text: '📎 beach.png (2.1 MB)\nhere', replyTo: question.chat.id, attachment: photo, from })
    expect(heard[2]).toMatchObject({ text: '👍', reactTo: question.chat.id, from })
    expect(heard[2]!.replyTo).toBeUndefined()
    // kept as they came, and read back (verified again) with every field, in the timeline's order: by timestamp,
    // then id (lines said in one millisecond came in the order said, and read back in their ids' order)
    expect((await bobRoom.restore()).lines).toEqual([...heard].sort(compareRecords))
    expect(await bobStore.ids(bobRoom.topic)).toHaveLength(3)

    // refused before anything is sent: a malformed id, a reaction that is a paragraph
    await expect(aliceRoom.send('x', { replyTo: 'nope' })).rejects.toMatchObject({ name: 'InvalidMessageError' })
    await expect(aliceRoom.react(question.chat.id, 'x'.repeat(65))).rejects.toMatchObject({ name: 'MessageTooLargeError' })
    aliceRoom.leave()
    bobRoom.leave()
  })

  it('a file offered in a private room is fetched by a member from the line\'s author, over their direct connection', async () => {
    const roomId = createRoomId()
    const roomKeys = await derivePrivateRoom(roomId, createRoomSecret())
    const { alice, bob, aliceRoom, bobRoom } = await twoMembers({ alice: { keys: roomKeys }, bob: { keys: roomKeys } }, roomId)
    const heard: RoomChat[] = []
    bobRoom.addEventListener('chat', evt => heard.push(evt.detail))

    // what the UI does with a picked file: serve it, then offer it in a line
    const photo = new File([randomFile(300_000)], 'Beach Day.PNG', { type: 'image/PNG' })
    const id = await alice.services.files.serve(blobSource(photo), { topic: aliceRoom.topic, keys: roomKeys })
    await aliceRoom.send('', { attachment: { id, name: photo.name, size: photo.size, mime: normalizeMimeType(photo.type), width: 640, height: 480 } })
    await waitFor(() => heard.length === 1, 10_000)
    const [line] = heard
    expect(line!.text).toBe('📎 Beach Day.PNG (300 kB)')
    expect(line!.attachment).toEqual({ id, name: 'Beach Day.PNG', size: 300_000, mime: 'image/png', width: 640, height: 480 })

    // and what it does when Bob clicks it
    const sink = memorySink()
    await bob.services.files.fetch(peerIdFromString(line!.from), { id: line!.attachment!.id, size: line!.attachment!.size, topic: bobRoom.topic, keys: roomKeys, sink })
    expect(Buffer.from(sink.bytes()).equals(Buffer.from(await photo.arrayBuffer()))).toBe(true)
    expect(alice.getConnections(bob.peerId).every(c => c.direct)).toBe(true)
  })

  it('each member applies its own file limit: a larger offer is refused when sending, and not shown when received', async () => {
    const { aliceRoom, bobRoom } = await twoMembers({ bob: { maxFileSize: 1_000_000 } })
    const heard: RoomChat[] = []
    bobRoom.addEventListener('chat', evt => heard.push(evt.detail))

    const file = { id: 'c0'.repeat(32), name: 'big.bin', size: 1_000_001, mime: 'application/octet-stream' }
    await expect(bobRoom.send('', { attachment: file })).rejects.toMatchObject({ name: 'MessageTooLargeError', limit: 1_000_000 })
    await aliceRoom.send('', { attachment: file })
    await aliceRoom.send('', { attachment: { ...file, name: 'small.bin', size: 1_000_000 } })
    await waitFor(() => heard.length === 1, 10_000)
    // the small one came after the big one: the big one was refused, not late
    expect(heard.map(c => c.text)).toEqual(['📎 small.bin (1.0 MB)'])
    aliceRoom.leave()
    bobRoom.leave()
  })

  it('typing: one notice after the delay and at most one per interval, "stopped" at the end, shown until the expiry or the next line; none for a quick line', async () => {
    const { alice, bob, aliceRoom, bobRoom } = await twoMembers({ alice: { typingDelay: 200 }, bob: { typingExpiry: 500 } })
    const notices: Array<boolean | undefined> = []
    bob.services.pubsub.addEventListener('gossipsub:message', evt => {
      void decodeRoomMessage(evt.detail.msg.data, bobRoom.topic).then(event => {
        if (event.type === 'presence' && event.presence.typing != null) {
          notices.push(event.presence.typing)
        }
      })
    })
    const shown: RoomTyping[] = []
    const shownAt: number[] = []
    bobRoom.addEventListener('typing', evt => { shown.push(evt.detail); shownAt.push(Date.now()) })

    const who = { peer: alice.peerId.toString(), name: 'alice' }
    // keystrokes: one notice (the next may go 3 s later)
    for (let i = 0; i < 20; i++) {
      aliceRoom.typing(true)
    }
    await waitFor(() => shown.length === 1, 5_000)
    expect(shown).toEqual([{ ...who, active: true }])
    expect(bobRoom.getTyping()).toEqual([{ ...who, active: true }])
    // abandoned draft: "stopped"
    aliceRoom.typing(false)
    aliceRoom.typing(false)
    await waitFor(() => shown.length === 2, 5_000)
    expect(shown[1]).toEqual({ ...who, active: false })
    expect(notices).toEqual([true, false])

    // the line itself says she stopped; and no "stopped" notice is sent for it
    aliceRoom.typing(true)
    await waitFor(() => shown.length === 3, 5_000)
    await aliceRoom.send('done')
    await waitFor(() => shown.length === 4, 5_000)
    expect(shown[3]).toEqual({ ...who, active: false })
    expect(bobRoom.getTyping()).toEqual([])

    // a line sent within the delay: the line alone, no notice (the last check counts them)
    const heardLines: string[] = []
    bobRoom.addEventListener('chat', evt => heardLines.push(evt.detail.text))
    aliceRoom.typing(true)
    await aliceRoom.send('quick')
    await waitFor(() => heardLines.includes('quick'), 5_000)
    await new Promise(resolve => setTimeout(resolve, 400))
    expect(shown).toHaveLength(4)

    // a notice not followed by anything expires on the receiver
    aliceRoom.typing(true)
    await waitFor(() => shown.length === 6, 5_000)
    expect(shown[5]).toEqual({ ...who, active: false })
    // the expiry is a timer of 500 ms (Node may fire one a millisecond early)
    expect(shownAt[5]! - shownAt[4]!).toBeGreaterThanOrEqual(495)
    expect(notices).toEqual([true, false, true, true])
    aliceRoom.leave()
    bobRoom.leave()
  })

  it('typing notices are ephemeral: sealed as such in a private room, never kept in history', async () => {
    const roomId = createRoomId()
    const roomKeys = await derivePrivateRoom(roomId, createRoomSecret())
    const bobStore = createMemoryHistoryStore()
    const { bob, aliceRoom, bobRoom } = await twoMembers({ alice: { keys: roomKeys }, bob: { keys: roomKeys, history: { store: bobStore } } }, roomId)
    /** the typing notices bob received, as their envelopes label them */
    const notices: EnvelopeHeader[] = []
    bob.services.pubsub.addEventListener('gossipsub:message', evt => {
      void openRoomData(roomKeys, evt.detail.msg.data).then(async ({ plaintext, ...header }) => {
        const event = await decodeRoomMessage(plaintext, roomKeys.topic)
        if (event.type === 'presence' && event.presence.typing != null) {
          notices.push(header)
        }
      })
    })
    const shown: RoomTyping[] = []
    bobRoom.addEventListener('typing', evt => shown.push(evt.detail))

    aliceRoom.typing(true)
    await waitFor(() => shown.length === 1 && notices.length === 1, 5_000)
    expect(notices[0]!.ephemeral).toBe(true)
    expect(await bobStore.ids(bobRoom.topic)).toEqual([])
    aliceRoom.leave()
    bobRoom.leave()
  })

  it('leave() cancels a catch-up under way: what arrives afterwards is neither kept nor shown', async () => {
    const roomId = createRoomId()
    // Bob has two lines of the room, which Carol wrote before (while alone): he never published them himself, so
    // only a catch-up can bring them to Alice, not gossipsub's gossip of the lines he sent lately (which did, in CI,
    // before she left)
    const carolStore = createMemoryHistoryStore()
    const carol = await member({ store: carolStore })
    const carolRoom = roomOf(carol, roomId, 'carol', { history: { store: carolStore } })
    await carolRoom.send('one')
    await carolRoom.send('two')
    await waitFor(async () => (await carolStore.list(carolRoom.topic)).length === 2, 10_000)
    const bobStore = createMemoryHistoryStore()
    await bobStore.add(await carolStore.list(carolRoom.topic))
    // and answers history requests only when told to: a slow peer
    let release!: () => void
    const released = new Promise<void>(resolve => { release = resolve })
    let asked = false
    const slowList: HistoryStore['list'] = async (topic, options) => {
      asked = true
      await released
      return bobStore.list(topic, options)
    }
    const slowStore = new Proxy(bobStore, {
      get: (target, key) => {
        const value: unknown = key === 'list' ? slowList : Reflect.get(target, key)
        return typeof value === 'function' && key !== 'list' ? value.bind(target) : value
      }
    })
    const bob = await member({ store: slowStore })
    const bobRoom = roomOf(bob, roomId, 'bob', { history: { store: slowStore } })
    expect(await bobStore.list(bobRoom.topic)).toHaveLength(2)

    const aliceStore = createMemoryHistoryStore()
    const alice = await member({ store: aliceStore })
    // Alice's history-sync client, watched: did her request end, and why
    let settled: 'answered' | 'aborted' | undefined
    const sync: HistorySyncClient = {
      sync: async (peerId, topic, options) => {
        try {
          const records: HistoryRecord[] = await alice.services.history.sync(peerId, topic, options)
          settled = 'answered'
          return records
        } catch (err) {
          settled = options.signal?.aborted === true ? 'aborted' : 'answered'
          throw err
        }
      }
    }
    const room = roomOf(alice, roomId, 'alice', { history: { store: aliceStore, sync } })
    const shown: RoomChat[] = []
    room.addEventListener('chat', evt => shown.push(evt.detail))
    bobRoom.join()
    room.join()
    await alice.dial(bob.getMultiaddrs())
    await waitFor(() => asked, 10_000)

    room.leave()
    release()
    await waitFor(() => settled != null, 10_000)
    expect(settled).toBe('aborted')
    expect(shown).toEqual([])
    expect(await aliceStore.list(room.topic)).toEqual([])
    bobRoom.leave()
    carolRoom.leave()
  })
})
