import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { ipKey } from '../src/ip-key.js'

describe('ipKey', () => {
  it('keys IPv4 by address, IPv6 by /64, IPv4-mapped IPv6 as IPv4, and gives no key without an IP', () => {
    expect(ipKey(multiaddr('/ip4/203.0.113.7/tcp/1234'))).toBe('203.0.113.7')
    expect(ipKey(multiaddr('/ip6/2001:db8:1:2:3:4:5:6/tcp/1'))).toBe('2001:db8:1:2::/64')
    expect(ipKey(multiaddr('/ip6/2001:db8:1:2::9/udp/1/quic-v1'))).toBe(ipKey(multiaddr('/ip6/2001:db8:1:2:ffff::1/tcp/2')))
    expect(ipKey(multiaddr('/ip6/2001:db8::1/tcp/1'))).toBe('2001:db8::/64')
    expect(ipKey(multiaddr('/ip6/::ffff:198.51.100.1/tcp/1'))).toBe('198.51.100.1')
    expect(ipKey(multiaddr('/dns4/example.org/tcp/443/wss'))).toBeUndefined()
  })

  it('gives one key to every spelling of an address: zeros written out, upper case, a mapped IPv4 in hex', () => {
    expect(ipKey(multiaddr('/ip6/2001:DB8:1:2:0:0:0:1/tcp/1'))).toBe(ipKey(multiaddr('/ip6/2001:db8:1:2::1/tcp/1')))
    expect(ipKey(multiaddr('/ip6/0:0:0:0:0:ffff:c633:6401/tcp/1'))).toBe('198.51.100.1')
    expect(ipKey(multiaddr('/ip6/fe80::1/tcp/1'))).toBe('fe80::/64')
    expect(ipKey(multiaddr('/ip6/fd12:3456:789a:1::5/tcp/1'))).toBe('fd12:3456:789a:1::/64')
  })
})
