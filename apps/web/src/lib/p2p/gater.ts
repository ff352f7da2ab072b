import { isPrivateIp } from '@libp2p/utils'
import type { ConnectionGater } from '@libp2p/interface'

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
 * The browser node's connection gater. libp2p's default refuses to dial private and loopback addresses,
 * which is right for a page served from the internet. A page served from a private host came from a relay on
 * that network, so its node may dial private addresses too.
 */
export function createConnectionGater (pageHostname: string): ConnectionGater {
  return isPrivateHost(pageHostname) ? { denyDialMultiaddr: () => false } : {}
}
