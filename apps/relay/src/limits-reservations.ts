import { DEFAULT_MAX_RESERVATIONS, DEFAULT_MAX_RESERVATIONS_PER_IP } from './constants.js'
import { ipKey } from './ip-key.js'
import { Refusals } from './refusals.js'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface ReservationLimitsInit {
  /** reservations held at once @default 512 */
  maxReservations?: number
  /** reservations held by peers connected from one IP address @default 8 */
  maxReservationsPerIp?: number
}

/**
 * The relay's circuit-relay reservation limits: a total cap and a per-address one, answered with
 * RESERVATION_REFUSED (through `allowReservation`, which the relay server asks before each new reservation:
 * see patches/@libp2p__circuit-relay-v2@4.2.13.patch), and reservations freed as soon as their peer
 * disconnects. The stock server keeps a reservation for its whole TTL (2 hours) after the peer has gone, so
 * churn alone filled every slot (js-libp2p issue #2833); go-libp2p frees them on disconnect too.
 */
export class ReservationLimiter {
  private readonly maxReservations: number
  private readonly maxReservationsPerIp: number
  private readonly refusals: Refusals
  private node?: Libp2p
  private relay?: CircuitRelayService
  /**
   * The peers each IP address reserved for, as admitted here: counting them is then a lookup, not a pass over
   * every reservation (which made admitting thousands of peers quadratic). Entries whose reservation is gone
   * (released, or expired in the relay server) are dropped as they are met.
   */
  private readonly byIp = new Map<string, Map<string, PeerId>>()

  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    this.release(evt.detail)
  }

  constructor (init: ReservationLimitsInit = {}, refusals = new Refusals()) {
    this.maxReservations = init.maxReservations ?? DEFAULT_MAX_RESERVATIONS
    this.maxReservationsPerIp = init.maxReservationsPerIp ?? DEFAULT_MAX_RESERVATIONS_PER_IP
    this.refusals = refusals
  }

  /** For the relay server's `reservations.allowReservation`: whether `peer`, asking from `addr`, may reserve. */
  readonly allowReservation = (peer: PeerId, addr: Multiaddr, reservations: CircuitRelayService['reservations']): boolean => {
    if (this.node != null && this.node.getConnections(peer).length === 0) {
      // gone already (its request was still being read): a reservation now would outlive it
      return false
    }
    if (reservations.size >= this.maxReservations) {
      this.refusals.refuse('reservations', 'reservation for %p: %d held already', peer, this.maxReservations)
      return false
    }
    const ip = ipKey(addr)
    if (ip == null) {
      return true
    }
    const peers = this.byIp.get(ip) ?? new Map<string, PeerId>()
    for (const [id, holder] of peers) {
      if (!reservations.has(holder)) {
        peers.delete(id)
      }
    }
    if (peers.size >= this.maxReservationsPerIp) {
      this.refusals.refuse('reservations-per-ip', 'reservation for %p from %a: %d held from this address already', peer, addr, this.maxReservationsPerIp)
      return false
    }
    peers.set(peer.toString(), peer)
    this.byIp.set(ip, peers)
    return true
  }

  /** Starts freeing the reservations of peers that disconnect from `node`. */
  start (node: Libp2p, relay: CircuitRelayService): void {
    this.node = node
    this.relay = relay
    node.addEventListener('peer:disconnect', this.onDisconnect)
  }

  stop (): void {
    this.node?.removeEventListener('peer:disconnect', this.onDisconnect)
    this.byIp.clear()
  }

  /**
   * Frees the reservations of peers that are not connected (call now and then): a peer can leave while the
   * server is still writing its reservation, after the disconnect that would have freed it.
   */
  sweep (): void {
    for (const peer of this.relay?.reservations.keys() ?? []) {
      if (this.node?.getConnections(peer).length === 0) {
        this.release(peer)
      }
    }
    for (const [ip, peers] of this.byIp) {
      for (const [id, holder] of peers) {
        if (this.relay?.reservations.has(holder) !== true) {
          peers.delete(id)
        }
      }
      if (peers.size === 0) {
        this.byIp.delete(ip)
      }
    }
  }

  private release (peer: PeerId): void {
    const reservation = this.relay?.reservations.get(peer)
    if (reservation != null) {
      // stop its expiry timer too: left running, it would delete the peer's next reservation when it fired
      reservation.signal.clear()
      this.relay?.reservations.delete(peer)
    }
  }
}
