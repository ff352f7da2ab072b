import { PEER_STORE_CACHE_TTL_MS } from './constants.js'
import type { AbortOptions, Libp2pEvents, Peer, PeerData, PeerId, PeerStore, TypedEventTarget } from '@libp2p/interface'

export interface PeerStoreCacheOptions {
  /** how long a record libp2p published (its `peer:update`) answers merges that would change nothing (ms) @default PEER_STORE_CACHE_TTL_MS */
  ttlMs?: number
}

export interface PeerStoreCacheComponents {
  peerId: PeerId
  /** libp2p's peer store, of which these methods are wrapped */
  peerStore: Pick<PeerStore, 'get' | 'merge' | 'delete'>
  events: TypedEventTarget<Libp2pEvents>
}

/** What the service did (its test reads it). */
export interface PeerStoreCache {
  /** peer store calls answered without the store: reads of the relay's own record, merges that changed nothing */
  readonly answered: number
}

interface Recent {
  peer: Peer
  until: number
}

/** A copy of a record: what a caller changes in it changes no other caller's. */
function copyOf (peer: Peer): Peer {
  return { ...peer, addresses: [...peer.addresses], protocols: [...peer.protocols], metadata: new Map(peer.metadata), tags: new Map(peer.tags) }
}

/** Whether `data` only adds protocols (libp2p's merge for each protocol a connection's stream speaks). */
function protocolsOnly (data: PeerData): data is { protocols: string[] } {
  return Object.keys(data).length === 1 && Array.isArray(data.protocols)
}

/**
 * Answers, without the peer store, two of the seven calls a relay makes on it for each client it admits: reading
 * its own record, which its identify answer is built from, and registering a protocol the client's record already
 * has (libp2p merges each protocol a stream on the connection speaks, and a client opens its gossipsub stream after
 * identify has recorded its protocols). Each call takes a lock on the record, decodes it and, for a merge, encodes
 * it and writes it again: with the peer store's locks, a third of what the relay allocated per admitted client
 * (358 of 1,027 KiB). With this service 5.3 of the 7 calls reach the store, and the relay allocates 935 KiB per
 * admitted client, not 1,008 (bench/RESULTS.md, stop 36).
 *
 * The relay's own record is read again after `ttlMs` or at once when libp2p publishes a change to it
 * (`self:peer:update`). A client's record is the one libp2p last published (`peer:update`, sent for every change),
 * for `ttlMs` after it: a merge of protocols it already has is answered with it. A record deleted through the
 * store is forgotten. Callers get copies.
 */
export function peerStoreCache (options: PeerStoreCacheOptions = {}): (components: PeerStoreCacheComponents) => PeerStoreCache {
  const ttlMs = options.ttlMs ?? PEER_STORE_CACHE_TTL_MS
  return components => {
    const store = components.peerStore
    const get = store.get.bind(store)
    const merge = store.merge.bind(store)
    const remove = store.delete.bind(store)
    /** records libp2p published in the last `ttlMs`, the oldest first */
    const recent = new Map<string, Recent>()
    let self: Recent | undefined
    /** counts the changes to the relay's own record: a read that started before one is not kept */
    let selfChanges = 0
    let answered = 0

    const prune = (now: number): void => {
      for (const [key, entry] of recent) {
        if (entry.until > now) {
          return
        }
        recent.delete(key)
      }
    }
    components.events.addEventListener('peer:update', evt => {
      const now = Date.now()
      const key = evt.detail.peer.id.toString()
      recent.delete(key)
      recent.set(key, { peer: evt.detail.peer, until: now + ttlMs })
      prune(now)
    })
    const selfChanged = (): void => {
      self = undefined
      selfChanges++
    }
    components.events.addEventListener('self:peer:update', selfChanged)

    store.get = async (id: PeerId, opts?: AbortOptions): Promise<Peer> => {
      if (!id.equals(components.peerId)) {
        return get(id, opts)
      }
      const now = Date.now()
      if (self != null && now < self.until) {
        answered++
        return copyOf(self.peer)
      }
      const changes = selfChanges
      const peer = await get(id, opts)
      if (changes === selfChanges) {
        self = { peer, until: now + ttlMs }
      }
      return copyOf(peer)
    }
    store.merge = async (id: PeerId, data: PeerData, opts?: AbortOptions): Promise<Peer> => {
      if (protocolsOnly(data)) {
        const entry = recent.get(id.toString())
        if (entry != null && Date.now() < entry.until && data.protocols.every(p => entry.peer.protocols.includes(p))) {
          answered++
          return copyOf(entry.peer)
        }
      }
      return merge(id, data, opts)
    }
    store.delete = async (id: PeerId, opts?: AbortOptions): Promise<void> => {
      recent.delete(id.toString())
      if (id.equals(components.peerId)) {
        selfChanged()
      }
      await remove(id, opts)
    }
    return {
      get answered () { return answered }
    }
  }
}
