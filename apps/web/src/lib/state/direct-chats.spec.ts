import { generateKeyPair } from '@libp2p/crypto/keys'
import { noise } from '@libp2p/noise'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createMessageId, directMessages, MessageTooLargeError } from '@p2p-chat/shared'
import { waitFor } from '@p2p-chat/shared/testing'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { DirectChats } from './direct-chats.svelte.js'
import type { Libp2p } from '@libp2p/interface'
import type { DirectMessages, ReceivedDirectMessage } from '@p2p-chat/shared'

type DmNode = Libp2p<{ dm: DirectMessages }>

/** A node with the direct-message protocol on loopback TCP (vitest runs in Node; the browser's transports need a browser). */
async function dmNode (): Promise<DmNode> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { dm: directMessages({ timeout: 2000 }) }
  })
}

describe('DirectChats', () => {
  const nodes: DmNode[] = []
  const chats: DirectChats[] = []
  afterEach(async () => {
    chats.splice(0).forEach(c => { c.stop() })
    await Promise.all(nodes.splice(0).map(async n => n.stop()))
  })

  async function peer (name: string, refuse?: (peerId: string) => boolean): Promise<{ node: DmNode, chats: DirectChats, id: string }> {
    const node = await dmNode()
    const dms = new DirectChats(node.services.dm, node.peerId.toString(), () => name, { refuse })
    dms.start()
    nodes.push(node)
    chats.push(dms)
    return { node, chats: dms, id: node.peerId.toString() }
  }

  it('keeps the name a peer had as a room member once it has left the room, until it writes under its own', async () => {
    const [alice, bob] = [await peer('alice'), await peer('bob')]
    await alice.node.peerStore.merge(bob.node.peerId, { multiaddrs: bob.node.getMultiaddrs() })
    await bob.node.peerStore.merge(alice.node.peerId, { multiaddrs: alice.node.getMultiaddrs() })
    expect(alice.chats.nameOf(bob.id)).toBeUndefined()
    alice.chats.openWith(bob.id, 'bob, as the room knew him')
    expect(alice.chats.nameOf(bob.id)).toBe('bob, as the room knew him')
    await alice.chats.send(bob.id, 'hello').delivered
    expect(alice.chats.conversations).toEqual([{ peerId: bob.id, name: 'bob, as the room knew him', unread: 0 }])
    await bob.chats.send(alice.id, 'hi').delivered
    expect(alice.chats.nameOf(bob.id)).toBe('bob')
  })

  it('shows my line as sending, then delivered once the peer acknowledges it; the peer has it once, unread', async () => {
    const [alice, bob] = [await peer('alice'), await peer('bob')]
    await alice.node.peerStore.merge(bob.node.peerId, { multiaddrs: bob.node.getMultiaddrs() })
    const { delivered } = alice.chats.send(bob.id, 'hello bob')
    expect(alice.chats.conversation(bob.id)).toMatchObject([{ text: 'hello bob', mine: true, status: 'sending', name: 'alice' }])
    await delivered
    expect(alice.chats.conversation(bob.id)).toMatchObject([{ text: 'hello bob', status: 'delivered' }])
    expect(bob.chats.conversation(alice.id)).toMatchObject([{ text: 'hello bob', mine: false, from: alice.id, name: 'alice' }])
    expect(bob.chats.unread(alice.id)).toBe(1)
    expect(bob.chats.conversations).toEqual([{ peerId: alice.id, name: 'alice', unread: 1 }])
    bob.chats.openWith(alice.id)
    expect(bob.chats.unread(alice.id)).toBe(0)
    await alice.chats.send(bob.id, 'still there?').delivered
    // the open conversation counts nothing as unread
    expect(bob.chats.unread(alice.id)).toBe(0)
    expect(bob.chats.conversation(alice.id).map(l => l.text)).toEqual(['hello bob', 'still there?'])
  })

  it('marks a line failed, with the reason, when the peer cannot be reached; a retry sends it again with the same id', async () => {
    const [alice, bob] = [await peer('alice'), await peer('bob')]
    alice.chats.openWith(bob.id, 'bob')
    // alice has no address for bob yet
    await alice.chats.send(bob.id, 'are you there?').delivered
    const [failed] = alice.chats.conversation(bob.id)
    // said for people, with the peer's name; the error itself (bob's peer id, libp2p's reason) kept for a tooltip
    expect(failed).toMatchObject({ status: 'failed', error: 'bob cannot be reached now' })
    expect(failed!.detail).toContain(bob.id)
    await alice.node.peerStore.merge(bob.node.peerId, { multiaddrs: bob.node.getMultiaddrs() })
    await alice.chats.retry(bob.id, failed!.id)
    expect(alice.chats.conversation(bob.id)).toEqual([expect.objectContaining({ id: failed!.id, status: 'delivered', error: undefined, detail: undefined })])
    expect(bob.chats.conversation(alice.id).map(l => l.id)).toEqual([failed!.id])
  })

  it('refuses a text the codec refuses before anything is sent', async () => {
    const [alice, bob] = [await peer('alice'), await peer('bob')]
    expect(() => alice.chats.send(bob.id, 'x'.repeat(100_000))).toThrow(MessageTooLargeError)
    expect(alice.chats.conversation(bob.id)).toEqual([])
  })

  it('drops a blocked peer\'s messages unread, and lists no conversation with it', async () => {
    const blocked = new Set<string>()
    const [alice, bob] = [await peer('alice'), await peer('bob', id => blocked.has(id))]
    await alice.node.peerStore.merge(bob.node.peerId, { multiaddrs: bob.node.getMultiaddrs() })
    await alice.chats.send(bob.id, 'before').delivered
    blocked.add(alice.id)
    expect(bob.chats.conversations).toEqual([])
    await alice.chats.send(bob.id, 'after').delivered
    expect(bob.chats.conversation(alice.id).map(l => l.text)).toEqual(['before'])
    expect(bob.chats.unread(alice.id)).toBe(1)
  })

  it('keeps at most 100 conversations: a peer writing from ever new peer ids pushes out the quietest, never the open one', async () => {
    const bob = await peer('bob')
    const write = async (): Promise<string> => {
      const from = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
      const detail: ReceivedDirectMessage = { id: createMessageId(), from, name: 'sybil', text: 'hi', timestamp: Date.now() }
      bob.node.services.dm.safeDispatchEvent('message', { detail })
      return from.toString()
    }
    const first = await write()
    const second = await write()
    bob.chats.openWith(first)
    for (let i = 0; i < 100; i++) await write()
    await waitFor(() => bob.chats.conversations.length === 100)
    const listed = bob.chats.conversations.map(c => c.peerId)
    expect(listed).toContain(first)
    expect(listed).not.toContain(second)
    expect(bob.chats.unread(second)).toBe(0)
  })
})
