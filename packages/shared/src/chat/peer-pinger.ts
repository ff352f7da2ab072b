import { peerIdFromString } from '@libp2p/peer-id'
import { PING_INTERVAL_MS, PING_TIMEOUT_MS } from '../constants.js'
import type { DirectPaths } from './direct-paths.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'

/** What a room member's libp2p node must run: gossipsub as `pubsub`, ping as `ping`, and `directPaths`. */
export type RoomNode = Libp2p<{ pubsub: GossipSub, ping: Ping, directPaths: DirectPaths } & Record<string, unknown>>

export interface PeerPingerInit {
  /** the peers to ping: only those with an open connection are pinged (a ping never dials) */
  peers: () => string[]
  /** called with each fresh round-trip time, or `undefined` when a ping failed */
  onRtt: (peerId: string, rtt: number | undefined) => void
  /** @default PING_INTERVAL_MS */
  interval?: number
}

/** Pings connected peers periodically (libp2p's `/ipfs/ping/1.0.0`) so the peers list can show round-trip times. */
export class PeerPinger {
  private readonly node: RoomNode
  private readonly init: PeerPingerInit
  private timer?: ReturnType<typeof setInterval>

  constructor (node: RoomNode, init: PeerPingerInit) {
    this.node = node
    this.init = init
  }

  start (): void {
    this.timer = setInterval(() => { this.pingAll() }, this.init.interval ?? PING_INTERVAL_MS)
  }

  stop (): void {
    clearInterval(this.timer)
  }

  /** Pings one peer now, if it is connected. */
  ping (peerId: string): void {
    const peer = peerIdFromString(peerId)
    if (this.node.getConnections(peer).length === 0) {
      return
    }
    this.node.services.ping.ping(peer, { signal: AbortSignal.timeout(PING_TIMEOUT_MS) })
      .then(rtt => { this.init.onRtt(peerId, rtt) }, () => { this.init.onRtt(peerId, undefined) })
  }

  private pingAll (): void {
    for (const peerId of this.init.peers()) {
      this.ping(peerId)
    }
  }
}
