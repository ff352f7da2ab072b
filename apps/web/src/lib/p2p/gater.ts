import type { ConnectionGater } from '@libp2p/interface'

const PRIVATE_HOST = /^(localhost|127\.\d+\.\d+\.\d+|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|\[::1\]|.+\.local)$/

/** True when a page is served from a loopback or private-network host (development, a LAN relay, tests). */
export function isPrivateHost (hostname: string): boolean {
  return PRIVATE_HOST.test(hostname)
}

/**
 * The browser node's connection gater. libp2p's default refuses to dial private and loopback addresses,
 * which is right for a page served from the internet. A page served from a private host came from a relay on
 * that network, so its node may dial private addresses too.
 */
export function createConnectionGater (pageHostname: string): ConnectionGater {
  return isPrivateHost(pageHostname) ? { denyDialMultiaddr: () => false } : {}
}
