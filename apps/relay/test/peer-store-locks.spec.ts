import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MemoryDatastore } from 'datastore-core'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Key } from 'interface-datastore'

/** A datastore whose next write of a peer's record, once `hold(peer)` is called, waits for the function it returns. */
class HeldDatastore extends MemoryDatastore {
  private held?: { key: string, until: Promise<void> }

  hold (peer: PeerId): () => void {
    let resolve: () => void = () => {}
    const promise = new Promise<void>(r => { resolve = r })
    // the peer store's key for a record: /peers/<the peer id as a base32 CID>
    this.held = { key: `/peers/${peer.toCID().toString()}`, until: promise }
    return resolve
  }

  override async put (key: Key, value: Uint8Array): Promise<Key> {
    const held = this.held
    if (held?.key === key.toString()) {
      this.held = undefined
      await held.until
    }
    return super.put(key, value)
  }
}

async function somePeerId (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

describe('the peer store\'s record locks (the @libp2p/peer-store patch, utils/peer-lock.ts)', () => {
  const nodes: Libp2p[] = []
  afterEach(async () => { await Promise.all(nodes.splice(0).map(async node => node.stop())) })

  it('keeps every one of many merges of one record made at once', async () => {
    const node = await createLibp2p({})
    nodes.push(node)
    const peer = await somePeerId()
    const protocols = Array.from({ length: 50 }, (_, i) => `/p2p-chat/test-only/${i}`)
    await Promise.all(protocols.map(async protocol => node.peerStore.merge(peer, { protocols: [protocol] })))
    expect((await node.peerStore.get(peer)).protocols).toEqual(expect.arrayContaining(protocols))
  })

  it('has a read wait for the write before it, and lets a waiting write be aborted without holding up the rest', async () => {
    const datastore = new HeldDatastore()
    const node = await createLibp2p({ datastore })
    nodes.push(node)
    const peer = await somePeerId()
    const release = datastore.hold(peer)
    // the first write holds the record's lock until its datastore write is let through
    const first = node.peerStore.merge(peer, { protocols: ['/p2p-chat/first/1.0.0'] })
    const read = node.peerStore.get(peer)
    const abort = new AbortController()
    const aborted = node.peerStore.merge(peer, { protocols: ['/p2p-chat/aborted/1.0.0'] }, { signal: abort.signal })
    const last = node.peerStore.merge(peer, { protocols: ['/p2p-chat/last/1.0.0'] })
    abort.abort()
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' })
    release()
    await first
    expect((await read).protocols).toEqual(['/p2p-chat/first/1.0.0'])
    await last
    expect((await node.peerStore.get(peer)).protocols.sort()).toEqual(['/p2p-chat/first/1.0.0', '/p2p-chat/last/1.0.0'])
  })
})
