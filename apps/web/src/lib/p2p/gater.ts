import { isPrivate, isPrivateIp } from '@libp2p/utils'
import { WebSockets } from '@multiformats/multiaddr-matcher'
import type { ConnectionGater } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * True when a page is served from a loopback or private-network host (development, a LAN relay, tests): a
 * `localhost` or `.local` name, or an address libp2p itself counts as private (`isPrivateIp` from
 * `@libp2p/utils`, the test its default gater dials by: RFC 1918, loopback, link-local, 100.64/10, IPv6 ULA…).
 */
export function isPrivateHost (hostname: string): boolean {
  // an IPv6 host comes in brackets: [::1]
  const host = hostname.replace(/^\[(.*)\]$/, '$1')
  return host === 'localhost' || host.endsWith('.local') || isPrivateIp(host) === true
}

/**
 * The browser node's connection gater. libp2p's default for browsers refuses to dial private and loopback
 * addresses, and plain `ws` (which an `https:` page may not open), which is right for a page served from the
 * internet over https: that is what this gater does there, written out, because the node's gater wraps it
 * (`webrtcPairGater`) and libp2p puts its default in only when a gater has no `denyDialMultiaddr` of its own. A
 * page served from a private host came from a relay on that network, so its node may dial private addresses too. A
 * page served over plain `http:` from a public address (a relay without TLS, reached in a browser that treats that
 * origin as secure) may open plain `ws`, as browsers allow there: it is how that page reaches the relay that served
 * it, and before WebRTC-direct loads it is the page's only transport.
 */
export function createConnectionGater (pageHostname: string, pageProtocol = 'https:'): ConnectionGater {
  if (isPrivateHost(pageHostname)) {
    return { denyDialMultiaddr: () => false }
  }
  if (pageProtocol === 'http:') {
    return { denyDialMultiaddr: (ma: Multiaddr) => isPrivate(ma) }
  }
  return { denyDialMultiaddr: (ma: Multiaddr) => WebSockets.matches(ma) || isPrivate(ma) }
}
