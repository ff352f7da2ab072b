import ipaddr from 'ipaddr.js'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * The key an address is limited by: an IPv4 address as it is, an IPv6 address by its /64 (one host or home
 * network usually has a whole /64), an IPv4-mapped IPv6 address as IPv4. `undefined` for addresses without
 * an IP (a circuit, a DNS name), which no per-address limit applies to.
 */
export function ipKey (addr: Multiaddr): string | undefined {
  const first = addr.getComponents()[0]
  if (first?.value == null || (first.name !== 'ip4' && first.name !== 'ip6') || !ipaddr.isValid(first.value)) {
    return undefined
  }
  const ip = ipaddr.process(first.value) // an IPv4-mapped IPv6 address becomes IPv4
  return ip.kind() === 'ipv4' ? ip.toString() : `${ipaddr.IPv6.networkAddressFromCIDR(`${ip.toString()}/64`).toString()}/64`
}
