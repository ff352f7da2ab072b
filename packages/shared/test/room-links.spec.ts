import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { RoomLinks } from '../src/chat/room-links.js'
import { fastMessageId, roomGossipsubOptions } from '../src/pubsub.js'
import { waitFor } from '../src/testing/index.js'
import { loopbackOptions } from './helpers.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p } from '@libp2p/interface'

const topic = '/p2p-chat/room/1/aaaaaaaaaaaaaaaaaaaaaaaaaa'

describe('RoomLinks', () => {
  it('says two peers are linked when either one\'s presence names the other, in that room only', () => {
    const links = new RoomLinks()
    links.set(topic, 'a', ['b', 'relay'])
    expect(links.linked(topic, 'a', 'b')).toBe(true)
    expect(links.linked(topic, 'b', 'a')).toBe(true)
    expect(links.linked(topic, 'relay', 'a')).toBe(true)
    expect(links.linked(topic, 'b', 'relay')).toBe(false)
    expect(links.linked('/p2p-chat/room/1/other', 'a', 'b')).toBe(false)
    // a later presence replaces what the member said before
    links.set(topic, 'a', ['relay'])
    expect(links.linked(topic, 'a', 'b')).toBe(false)
  })

  it('forgets a member that left a room, in that room only, and a room this node left', () => {
    const links = new RoomLinks()
    const other = '/p2p-chat/room/1/other'
    links.set(topic, 'a', ['b'])
    links.set(other, 'a', ['b'])
    links.set(other, 'c', ['d'])
    links.forget('a', topic)
    expect(links.linked(topic, 'a', 'b')).toBe(false)
    expect(links.linked(other, 'a', 'b')).toBe(true)
    links.clear(other)
    expect(links.linked(other, 'a', 'b')).toBe(false)
    expect(links.linked(other, 'c', 'd')).toBe(false)
  })

  it('remembers at most maxMembers members of a room, forgetting the one heard from longest ago', () => {
    const links = new RoomLinks({ maxMembers: 2 })
    links.set(topic, 'a', ['x'])
    links.set(topic, 'b', ['x'])
    links.set(topic, 'a', ['x'])
    links.set(topic, 'c', ['x'])
    expect(['a', 'b', 'c'].map(member => links.linked(topic, member, 'x'))).toEqual([true, false, true])
  })
})

describe('gossipsub with room links', () => {
  type PubsubNode = Libp2p<{ pubsub: GossipSub }>
  interface Peer { node: PubsubNode, copies: Map<string, number> }
  const nodes: PubsubNode[] = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async node => node.stop()))
  })

  /** A node on loopback in the room; `copies` counts every copy of a message it receives, duplicates too, by text. */
  async function peer (role: 'peer' | 'relay', links: RoomLinks): Promise<Peer> {
    const copies = new Map<string, number>()
    const options = roomGossipsubOptions(role, undefined, links)
    const node = await createLibp2p({
      ...loopbackOptions(),
      services: {
        identify: identify(),
        pubsub: gossipsub({
          ...options,
          fastMsgIdFn: message => {
            const text = new TextDecoder().decode(message.data)
            copies.set(text, (copies.get(text) ?? 0) + 1)
            return fastMessageId(message)
          }
        })
      }
    }) as unknown as PubsubNode
    node.services.pubsub.subscribe(topic)
    nodes.push(node)
    return { node, copies }
  }

  /** Resolves once `node` has taken in a message with this text (gossipsub forwards it in the same step). */
  async function hears (node: PubsubNode, text: string): Promise<void> {
    await new Promise<void>(resolve => {
      const listener = (evt: CustomEvent<{ data: Uint8Array }>): void => {
        if (new TextDecoder().decode(evt.detail.data) === text) {
          node.services.pubsub.removeEventListener('message', listener)
          resolve()
        }
      }
      node.services.pubsub.addEventListener('message', listener)
    })
  }

  /** `from` publishes a message of its own, heard by `to` after whatever `from` forwarded to it before. */
  async function flush (from: PubsubNode, to: PubsubNode): Promise<void> {
    const text = `flush ${from.peerId.toString()}`
    const heard = hears(to, text)
    await from.services.pubsub.publish(topic, new TextEncoder().encode(text))
    await heard
  }

  /** The peers in a node's mesh of the room (gossipsub's own method; its interface does not name it). */
  function meshOf (node: PubsubNode): string[] {
    return (node.services.pubsub as unknown as { getMeshPeers: (topic: string) => string[] }).getMeshPeers(topic)
  }

  /** Each node in the other's mesh (gossipsub grafts at its heartbeat, every second). */
  async function meshed (a: PubsubNode, b: PubsubNode): Promise<void> {
    await a.dial(b.getMultiaddrs())
    await waitFor(() => meshOf(a).includes(b.peerId.toString()) && meshOf(b).includes(a.peerId.toString()), 10_000, 'the two to mesh')
  }

  /** An author, a member and a relay: the member and the author each meshed with the relay. */
  async function room (options: { authorAndMemberConnected: boolean }) {
    const relayLinks = new RoomLinks()
    const memberLinks = new RoomLinks()
    const relay = await peer('relay', relayLinks)
    const member = await peer('peer', memberLinks)
    const author = await peer('peer', new RoomLinks())
    await meshed(member.node, relay.node)
    await meshed(author.node, relay.node)
    if (options.authorAndMemberConnected) {
      await member.node.dial(author.node.getMultiaddrs())
      await waitFor(() => author.node.services.pubsub.getSubscribers(topic).some(p => p.equals(member.node.peerId)), 10_000, 'the author to see the member')
    }
    return { relay, member, author, relayLinks, memberLinks }
  }

  /** How many copies of the author's line reached the member and the relay, once both have all that was sent. */
  async function publishOne (author: PubsubNode, relay: Peer, member: Peer): Promise<{ member: number, relay: number }> {
    const line = Promise.all([hears(member.node, 'hello'), hears(relay.node, 'hello')])
    await author.services.pubsub.publish(topic, new TextEncoder().encode('hello'))
    await line
    // each has forwarded the line by now: a message of its own to the other comes after any copy
    await Promise.all([flush(relay.node, member.node), flush(member.node, relay.node)])
    return { member: member.copies.get('hello') ?? 0, relay: relay.copies.get('hello') ?? 0 }
  }

  it('without links, a copy of a line crosses between the relay and a member that both had it from its author', async () => {
    const { relay, member, author } = await room({ authorAndMemberConnected: true })
    // the author sends one copy to each; whichever of the two has it first forwards it to the other
    const copies = await publishOne(author.node, relay, member)
    expect(copies.member + copies.relay).toBeGreaterThanOrEqual(3)
  })

  it('tells a member directly connected to a line\'s author of the line (IHAVE) instead of copying it to it', async () => {
    const { relay, member, author, relayLinks, memberLinks } = await room({ authorAndMemberConnected: true })
    relayLinks.set(topic, member.node.peerId.toString(), [author.node.peerId.toString(), relay.node.peerId.toString()])
    // ...and the member, which had it from its author, does not copy it back to the relay the author named
    memberLinks.set(topic, author.node.peerId.toString(), [member.node.peerId.toString(), relay.node.peerId.toString()])
    expect(await publishOne(author.node, relay, member)).toEqual({ member: 1, relay: 1 })
  })

  it('still gets lines to a member wrongly said to be connected to their author, from the relay\'s IHAVE', async () => {
    const { relay, member, author, relayLinks } = await room({ authorAndMemberConnected: false })
    relayLinks.set(topic, member.node.peerId.toString(), [author.node.peerId.toString(), relay.node.peerId.toString()])
    const heard: string[] = []
    member.node.services.pubsub.addEventListener('message', evt => { heard.push(new TextDecoder().decode(evt.detail.data)) })
    // three lines within one heartbeat: one IHAVE names them all
    for (const text of ['late', 'but', 'here']) {
      await author.node.services.pubsub.publish(topic, new TextEncoder().encode(text))
    }
    await waitFor(() => heard.length === 3, 5_000, 'the three lines')
    expect(heard.sort()).toEqual(['but', 'here', 'late'])
  })
})
