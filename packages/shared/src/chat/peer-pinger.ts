import { peerIdFromString } from '@libp2p/peer-id'
import { PING_INTERVAL_MS, PING_TIMEOUT_MS } from '../constants.js'
import { hasUnlimitedConnection } from '../util/connections.js'
import type { DirectPaths } from './direct-paths.js'
import type { RoomLinks } from './room-links.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'

/**
 * A node that can be in rooms: gossipsub as `pubsub`, `ping`, `directPaths` and, to forward lines lazily to peers
 * that have them from their authors, `roomLinks` ({@link roomServices} gives all but `ping`).
 */
export type RoomNode = Libp2p<{ pubsub: GossipSub, ping: Ping, directPaths: DirectPaths, roomLinks?: RoomLinks } & Record<string, unknown>>

export interface PeerPingerInit {
  /** the peers to ping: only those with an open connection are pinged (a ping never dials) */
  peers: () => string[]
  /** called with each fresh round-trip time, or `undefined` when a ping failed */
  onRtt: (peerId: string, rtt: number | undefined) => void
  /** @default PING_INTERVAL_MS */
  interval?: number
}

/**
 * Round-trip times of connected peers, for the peers list. libp2p's connection monitor pings every connection
 * (every 10 s) and keeps the time on it (`connection.rtt`): this reads that every `interval` rather than opening
 * ping streams of its own (on WebRTC each stream is a data channel opened and closed: with a ping of its own
 * every 5 s per member, stream churn took a sixth of a page's main thread in a room of 8). A peer whose
 * connections have no time yet (one just made) is pinged once, so the list need not wait for the monitor.
 */
export class PeerPinger {
  private readonly node: RoomNode
  private readonly init: PeerPingerInit
  private timer?: ReturnType<typeof setInterval>
  /** peers with a ping under way */
  private readonly pinging = new Set<string>()

  constructor (node: RoomNode, init: PeerPingerInit) {
    this.node = node
    this.init = init
  }

  start (): void {
    this.timer = setInterval(() => { this.readAll() }, this.init.interval ?? PING_INTERVAL_MS)
  }

  stop (): void {
    clearInterval(this.timer)
  }

  /**
   * Tells a connected peer's round-trip time now: the one its connection has, else from a ping. A ping goes only
   * where a connection without limits is open, since libp2p reuses only such a connection for it: over a relayed
   * (limited) one alone, libp2p dialled the peer's stored addresses instead — for the pair's WebRTC dialler, a new
   * WebRTC connection, outside the ring rule, the upgrader's pace and its backoff (a member whose direct connection
   * had just closed was dialled again within milliseconds).
   */
  ping (peerId: string): void {
    const peer = peerIdFromString(peerId)
    if (!hasUnlimitedConnection(this.node, peer)) {
      return
    }
    const known = this.rttOf(peer)
    if (known != null) {
      this.init.onRtt(peerId, known)
      return
    }
    if (this.pinging.has(peerId)) {
      return
    }
    this.pinging.add(peerId)
    this.node.services.ping.ping(peer, { signal: AbortSignal.timeout(PING_TIMEOUT_MS) })
      .then(rtt => { this.init.onRtt(peerId, rtt) }, () => { this.init.onRtt(peerId, undefined) })
      .finally(() => { this.pinging.delete(peerId) })
  }

  /** The round-trip time the connection monitor measured, the direct connection's first. */
  private rttOf (peer: PeerId): number | undefined {
    const connections = this.node.getConnections(peer).sort((a, b) => Number(a.limits != null) - Number(b.limits != null))
    return connections.find(c => c.rtt != null)?.rtt
  }

  private readAll (): void {
    for (const peerId of this.init.peers()) {
      const peer = peerIdFromString(peerId)
      if (this.node.getConnections(peer).length > 0) {
        const rtt = this.rttOf(peer)
        if (rtt != null) {
          this.init.onRtt(peerId, rtt)
        }
      }
    }
  }
}
