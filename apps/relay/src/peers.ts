import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { backoffDelay } from '@p2p-chat/shared'
import { DEFAULT_PEER_RELAY_DIAL_TIMEOUT_MS, PEER_RELAY_RETRY_MAX_MS, PEER_RELAY_RETRY_MIN_MS, PEER_RELAY_TAG } from './constants.js'
import { silentLogger } from './log.js'
import type { RelayLogger } from './log.js'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = logger('p2p-chat:relay:peers')

/** The peer id a multiaddr ends with (`…/p2p/<id>`), if any. */
export function targetPeerId (addr: Multiaddr): string | undefined {
  const last = addr.getComponents().at(-1)
  return last?.name === 'p2p' ? last.value : undefined
}

interface PeerRelay {
  addr: Multiaddr
  peerId: PeerId
  failures: number
  timer?: ReturnType<typeof setTimeout>
}

/**
 * Keeps the relay connected to the other relays its operator named (`--peer`), redialling with backoff for
 * as long as the relay runs. Connected relays are in each other's DHT routing table, so a room announced on
 * one is found from the other, and each follows the rooms the other carries (their gossip meshes join).
 * The connections are tagged so the connection manager never prunes them.
 */
export class RelayPeers {
  private readonly node: Libp2p
  private readonly peers: PeerRelay[]
  private readonly logger: RelayLogger
  private running = false

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const peer = this.peers.find(p => p.peerId.equals(evt.detail))
    if (peer != null && this.running) {
      log('lost peer relay %p', peer.peerId)
      this.logger.warn('peer relay lost', { peer: peer.peerId })
      this.schedule(peer)
    }
  }

  constructor (node: Libp2p, addrs: Multiaddr[], logger: RelayLogger = silentLogger) {
    this.node = node
    this.logger = logger
    // config.ts made sure every address ends with a peer id
    this.peers = addrs.map(addr => ({ addr, peerId: peerIdFromString(targetPeerId(addr) ?? ''), failures: 0 }))
      .filter(p => !p.peerId.equals(node.peerId))
  }

  start (): void {
    this.running = true
    this.node.addEventListener('peer:disconnect', this.onDisconnect)
    for (const peer of this.peers) {
      void this.connect(peer)
    }
  }

  stop (): void {
    this.running = false
    this.node.removeEventListener('peer:disconnect', this.onDisconnect)
    for (const peer of this.peers) {
      clearTimeout(peer.timer)
    }
  }

  private async connect (peer: PeerRelay): Promise<void> {
    peer.timer = undefined
    if (!this.running) {
      return
    }
    try {
      await this.node.peerStore.merge(peer.peerId, { tags: { [PEER_RELAY_TAG]: { value: 100 } } })
      await this.node.dial(peer.addr, { signal: AbortSignal.timeout(DEFAULT_PEER_RELAY_DIAL_TIMEOUT_MS) })
      peer.failures = 0
      log('connected to peer relay %p', peer.peerId)
      this.logger.info('peer relay connected', { peer: peer.peerId, addr: peer.addr })
    } catch (err) {
      log('could not reach peer relay %a: %s', peer.addr, (err as Error).message)
      // the first failure in a row is worth a warning; the retries (up to one a minute) are detail
      this.logger[peer.failures === 0 ? 'warn' : 'debug']('peer relay unreachable', { addr: peer.addr, error: err, failures: peer.failures + 1 })
      this.schedule(peer)
    }
  }

  private schedule (peer: PeerRelay): void {
    if (peer.timer != null || !this.running) {
      return
    }
    const delay = backoffDelay(peer.failures++, PEER_RELAY_RETRY_MIN_MS, PEER_RELAY_RETRY_MAX_MS)
    peer.timer = setTimeout(() => { void this.connect(peer) }, delay)
    peer.timer.unref()
  }
}
