import { NotFoundError } from '@libp2p/interface'
import { logger } from '@libp2p/logger'
import { KAD_DHT_PROTOCOL } from '@p2p-chat/shared'
import { BaseDatastore, MountDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { DEFAULT_MAX_REMEMBERED_PEERS, LIMITS_SWEEP_INTERVAL_MS, PEER_RELAY_TAG } from './constants.js'
import type { Libp2p, Peer, PeerId } from '@libp2p/interface'
import type { Pair } from 'interface-datastore'
import type { Libp2pOptions } from 'libp2p'

type Datastore = NonNullable<Libp2pOptions['datastore']>

const log = logger('p2p-chat:relay:peer-store')

/** Where libp2p's peer store keeps its records: `/peers/<peer id>` (`@libp2p/peer-store`). */
const PEER_STORE_PREFIX = new Key('/peers')

/**
 * The peer store's records, in memory. A copy of each value is kept: a value may be a view of a larger buffer,
 * which it would keep alive.
 */
class PeerRecords extends BaseDatastore {
  private readonly records = new Map<string, Uint8Array>()

  get size (): number {
    return this.records.size
  }

  override put (key: Key, value: Uint8Array): Key {
    this.records.set(key.toString(), new Uint8Array(value))
    return key
  }

  override get (key: Key): Uint8Array {
    const value = this.records.get(key.toString())
    if (value == null) {
      throw new NotFoundError(`no record for ${key.toString()}`)
    }
    return value
  }

  override has (key: Key): boolean {
    return this.records.has(key.toString())
  }

  override delete (key: Key): void {
    this.records.delete(key.toString())
  }

  override * _all (): Generator<Pair> {
    for (const [key, value] of this.records) {
      yield { key: new Key(key), value }
    }
  }

  override * _allKeys (): Generator<Key> {
    for (const key of this.records.keys()) {
      yield new Key(key)
    }
  }
}

/**
 * The datastore the relay's libp2p node is given: `persistent` (the relay's LevelDB: keychain, DHT provider
 * records) for everything but the peer store, whose records are kept in memory. libp2p writes a peer's record
 * on every identify and reservation and reads it on many more events; on LevelDB those reads and writes were the
 * largest single share of the relay's CPU while it admitted thousands of peers (bench `relay`), and the store
 * kept a record of every peer ever seen. The relay has no use for its peers' records across a restart: browsers
 * dial it, and the relays named with `--peer` are dialed again from their addresses. {@link PeerForgetter}
 * keeps the in-memory store to the peers that are connected, and a bounded few more.
 */
export function relayDatastore (persistent: Datastore): { datastore: Datastore, peerRecords: () => number } {
  const peers = new PeerRecords()
  return {
    datastore: new MountDatastore([
      { prefix: PEER_STORE_PREFIX, datastore: peers },
      { prefix: new Key('/'), datastore: persistent }
    ]),
    peerRecords: () => peers.size
  }
}

export interface PeerForgetterInit {
  /**
   * Peers whose records are kept after they disconnect, at most; the one that left first is forgotten first
   * @default DEFAULT_MAX_REMEMBERED_PEERS
   */
  maxRemembered?: number
  /**
   * Whether a peer's record is worth keeping after it disconnects @default it is a DHT server (the relay's DHT
   * hands out its addresses and dials it again) or a peer relay (`--peer`)
   */
  remember?: (peer: Peer) => boolean
}

/** The default of {@link PeerForgetterInit.remember}. */
export function isLastingPeer (peer: Peer): boolean {
  return peer.protocols.includes(KAD_DHT_PROTOCOL) || peer.tags.has(PEER_RELAY_TAG)
}

/**
 * Deletes a peer's record from the peer store once the peer has no connection left: a browser that leaves is
 * not dialed by the relay, and its next visit brings its record anew (identify). DHT servers and peer relays are
 * remembered, up to `maxRemembered` of them. A record written after its peer left (identify or a reservation
 * still under way when it hung up) is deleted by {@link sweep}, which forgets again every peer that left since
 * the sweep before last.
 */
export class PeerForgetter {
  private readonly maxRemembered: number
  private readonly remember: (peer: Peer) => boolean
  /** disconnected peers whose records are kept, the one that left first first */
  private readonly remembered = new Map<string, PeerId>()
  /** peers that left since the last sweep, and in the interval before it */
  private leaving = new Map<string, PeerId>()
  private left = new Map<string, PeerId>()
  private node?: Libp2p
  private timer?: ReturnType<typeof setInterval>

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    this.leaving.set(evt.detail.toString(), evt.detail)
    this.forget(evt.detail)
  }

  private readonly onConnect = (evt: CustomEvent<PeerId>): void => {
    const id = evt.detail.toString()
    this.remembered.delete(id)
    this.leaving.delete(id)
    this.left.delete(id)
  }

  constructor (init: PeerForgetterInit = {}) {
    this.maxRemembered = init.maxRemembered ?? DEFAULT_MAX_REMEMBERED_PEERS
    this.remember = init.remember ?? isLastingPeer
  }

  start (node: Libp2p): void {
    this.node = node
    node.addEventListener('peer:disconnect', this.onDisconnect)
    node.addEventListener('peer:connect', this.onConnect)
    this.timer = setInterval(() => { this.sweep() }, LIMITS_SWEEP_INTERVAL_MS)
    this.timer.unref()
  }

  stop (): void {
    this.node?.removeEventListener('peer:disconnect', this.onDisconnect)
    this.node?.removeEventListener('peer:connect', this.onConnect)
    clearInterval(this.timer)
    this.remembered.clear()
    this.leaving.clear()
    this.left.clear()
  }

  /** Forgets again the peers that left since the sweep before last (also done on a timer). */
  sweep (): void {
    for (const peer of [...this.left.values(), ...this.leaving.values()]) {
      this.forget(peer)
    }
    this.left = this.leaving
    this.leaving = new Map()
  }

  private connected (peer: PeerId): boolean {
    return (this.node?.getConnections(peer).length ?? 0) > 0
  }

  private forget (peerId: PeerId): void {
    this.forgetNow(peerId).catch(err => { log.error('could not forget %p: %e', peerId, err) })
  }

  private async forgetNow (peerId: PeerId): Promise<void> {
    const node = this.node
    if (node == null || this.connected(peerId)) {
      return
    }
    const peer = await node.peerStore.get(peerId).catch(() => undefined)
    // back already (its new connection may be writing its record)
    if (peer == null || this.connected(peerId)) {
      return
    }
    if (!this.remember(peer)) {
      await node.peerStore.delete(peerId)
      return
    }
    this.remembered.set(peerId.toString(), peerId)
    while (this.remembered.size > this.maxRemembered) {
      const [id, oldest] = this.remembered.entries().next().value!
      this.remembered.delete(id)
      if (!this.connected(oldest)) {
        await node.peerStore.delete(oldest)
      }
    }
  }
}
