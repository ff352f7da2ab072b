/**
 * @packageDocumentation
 *
 * Whether this node can be dialled from the internet, as AutoNAT servers (the relay) see it: `public`,
 * `private` or `unknown`. `@libp2p/autonat` confirms addresses in the address manager but never says "not
 * reachable" (an address needs 8 failed dial-backs from 8 network segments before it is dropped, and a
 * peer with one relay never gets there), so this service asks each connected AutoNAT server itself, AutoNAT
 * v1 client side, to dial back the node's public addresses, and turns its answer into a verdict: OK is
 * `public`, a failed dial-back is `private`. An address that `@libp2p/autonat` verified also makes the node
 * `public`.
 *
 * The addresses tested are the public ones the address manager knows (listen, announced, observed) plus the
 * server's view of this node: the IP address it sees us at (the observed address identify's exchange on that
 * connection brought) with each of our TCP listening ports. js-libp2p's identify drops observed TCP addresses
 * (a dial's source port is not a listening port), so behind a NAT that is the only public candidate there is:
 * the router's address with our port. A NAT that forwards that port makes it dialable (public); one that does not refuses at once (private).
 * QUIC is only tested where announced (`--announce`): a dial-back to a QUIC address nobody listens on is not
 * refused but times out (~10 s with the relay's QUIC), and the server answers only after all its dial-backs.
 * So neither the router's address with our QUIC port is guessed, nor an observed QUIC address used: that is
 * the NAT mapping of `@chainsafe/libp2p-quic`'s dialling socket, not the listening one, and it accepts no
 * connection.
 *
 * @example
 *
 * ```ts
 * const node = await createLibp2p({ services: { autoNAT: autoNAT(), reachability: reachability() } })
 * node.services.reachability.addEventListener('change', evt => {
 *   console.info('reachability', evt.detail.reachability, evt.detail.reason)
 * })
 * ```
 */
import { ReachabilityService } from './reachability.js'
import type { ComponentLogger, Libp2pEvents, PeerId, PeerStore } from '@libp2p/interface'
import type { AddressManager, Registrar, TransportManager } from '@libp2p/interface-internal'
import type { TypedEventTarget } from 'main-event'

export type Reachability = 'public' | 'private' | 'unknown'

export interface ReachabilityStatus {
  reachability: Reachability
  /** what the verdict rests on, for people */
  reason: string
  /** when the verdict was reached (ms since the epoch); absent while unknown */
  since?: number
}

export interface ReachabilityEvents {
  /** the verdict changed */
  change: CustomEvent<ReachabilityStatus>
}

export interface ReachabilityChecker extends TypedEventTarget<ReachabilityEvents> {
  /** the latest verdict */
  readonly status: ReachabilityStatus
}

export interface ReachabilityInit {
  /** AutoNAT protocol id @default '/libp2p/autonat/1.0.0' */
  protocol?: string
  /** how long a server may take to dial back and answer, ms @default DEFAULT_CHECK_TIMEOUT_MS */
  timeout?: number
  /** wait this long after a server connects before asking it (identify brings observed addresses) @default DEFAULT_CHECK_DELAY_MS */
  checkDelay?: number
  /** ask a connected server again after this long, ms @default DEFAULT_RECHECK_INTERVAL_MS */
  recheckInterval?: number
  /** largest answer read, bytes @default DEFAULT_MAX_MESSAGE_BYTES */
  maxMessageSize?: number
}

export interface ReachabilityComponents {
  peerId: PeerId
  addressManager: AddressManager
  transportManager: TransportManager
  registrar: Registrar
  peerStore: PeerStore
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

export function reachability (init: ReachabilityInit = {}): (components: ReachabilityComponents) => ReachabilityChecker {
  return (components) => new ReachabilityService(components, init)
}
