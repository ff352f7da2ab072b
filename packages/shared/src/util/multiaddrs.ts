import { Circuit, WebRTC } from '@multiformats/multiaddr-matcher'
import { setMostRecent } from './most-recent.js'
import type { PeerInfo } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** How many addresses' kinds are remembered (see {@link kindOf}). */
const KNOWN_ADDR_KINDS = 1_024

const addrKinds = new Map<string, { circuit: boolean, webrtc: boolean }>()

/**
 * What the matchers say of an address, remembered by its text: every member repeats the same few addresses in
 * each presence and typing notice, and `multiaddr-matcher` tries its patterns' alternatives one by one, three
 * times per address of each (~1.5 % of a room page's time in a profile while its members talk; bench/RESULTS.md,
 * "stop 29").
 */
function kindOf (ma: Multiaddr): { circuit: boolean, webrtc: boolean } {
  const key = ma.toString()
  let kind = addrKinds.get(key)
  if (kind == null) {
    const webrtc = WebRTC.exactMatch(ma)
    kind = { webrtc, circuit: webrtc || Circuit.exactMatch(ma) }
    setMostRecent(addrKinds, key, kind, KNOWN_ADDR_KINDS)
  }
  return kind
}

/**
 * Whether an address reaches its peer through a relay: a `/p2p-circuit` address, or a WebRTC one
 * (`/p2p-circuit/webrtc`) that is signalled over such a circuit. Read from the address's components
 * (`@multiformats/multiaddr-matcher`), never from its text: `/dns4/webrtc.example.org/…` is not WebRTC.
 */
export function isCircuitAddr (ma: Multiaddr): boolean {
  return kindOf(ma).circuit
}

/**
 * The relay a circuit address goes through: the peer id just before its `/p2p-circuit`; undefined for an
 * address that is not a circuit.
 */
export function circuitRelay (ma: Multiaddr): string | undefined {
  const components = ma.getComponents()
  const circuit = components.findIndex(c => c.name === 'p2p-circuit')
  return circuit < 0 ? undefined : components.slice(0, circuit).findLast(c => c.name === 'p2p')?.value
}

/** Whether an address names a WebRTC (private-to-private) endpoint, `/p2p-circuit/webrtc`. */
export function isWebRTCAddr (ma: Multiaddr): boolean {
  return kindOf(ma).webrtc
}

/**
 * `ma` as an address to dial `peer` at: ending in `/p2p/<peer>`. A DHT lookup lists a provider's addresses partly
 * as the DHT server's peer store has them from identify, without the peer's own id, so such a circuit address names
 * only its relay: libp2p refuses a list that mixes those with the peer's own ("Multiaddrs must all have the same
 * peer id"), and dials the relay for a list of those alone. Undefined for an address that ends in another peer's id
 * (not an address of `peer`).
 */
export function addressOf (ma: Multiaddr, peer: string): Multiaddr | undefined {
  const last = ma.getComponents().at(-1)
  if (last?.name === 'p2p') {
    return last.value === peer ? ma : undefined
  }
  return ma.encapsulate(`/p2p/${peer}`)
}

/**
 * A Kademlia client's `peerInfoMapper` around `mapper`: circuit-relay addresses are left out too, so a peer known
 * only by them — a room member, found as a provider of its room — stays out of the client's routing table. A peer
 * on its way in is pinged by libp2p's ping (by peer id: for the pair's WebRTC dialler, a new WebRTC connection) and,
 * once in, tagged keep-alive, which makes libp2p's reconnect queue dial it again whenever it disconnects: in a room
 * of 16 each page was directly connected to up to 14 members, past the 8 ring neighbours of the rule, and a
 * connection closed as surplus came back at once (bench `latency`). The DHT servers a client uses are relays,
 * which it reaches directly.
 */
export function withoutCircuitAddrs (mapper: (peer: PeerInfo) => PeerInfo): (peer: PeerInfo) => PeerInfo {
  return peer => {
    const mapped = mapper(peer)
    return { ...mapped, multiaddrs: mapped.multiaddrs.filter(ma => !isCircuitAddr(ma)) }
  }
}
