import type { Multiaddr } from '@multiformats/multiaddr'

export interface AdvertisedAddrsInit {
  /** the relay's peer id, appended (`/p2p/<id>`) to addresses that lack it */
  peerId: string
  /** whether the operator gave `--announce`: then the node's addresses are exactly those */
  announced: boolean
  /** `node.getMultiaddrs()`: the address manager's verified addresses (or the announced ones) */
  nodeAddrs: Multiaddr[]
  /** what the transports' listeners report they are bound to */
  listenAddrs: Multiaddr[]
}

/**
 * The addresses the relay tells browsers (`/api/relay`): with `--announce`, exactly the announced ones (the
 * node has added a WebRTC-direct certhash and the peer id); otherwise the node's addresses plus every listen
 * address it does not list. libp2p's address manager hides a public listen address until AutoNAT has
 * verified it, so a relay bound to a public IP (or to 0.0.0.0 on a host with one) would otherwise answer with
 * nothing, or only its private addresses.
 */
export function advertisedAddrs (init: AdvertisedAddrsInit): string[] {
  const withId = (ma: Multiaddr): string => {
    const last = ma.getComponents().at(-1)
    return last?.name === 'p2p' ? ma.toString() : ma.encapsulate(`/p2p/${init.peerId}`).toString()
  }
  const addrs = init.nodeAddrs.map(withId)
  if (init.announced) {
    return addrs
  }
  return [...new Set([...addrs, ...init.listenAddrs.map(withId)])]
}
