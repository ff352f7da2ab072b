import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { createConnectionGater, isPrivateHost } from './gater.js'

describe('connection gater', () => {
  it('knows loopback and private hosts', () => {
    for (const host of ['localhost', '127.0.0.1', '10.1.2.3', '192.168.0.9', '172.20.0.1', 'box.local', '[::1]']) {
      expect(isPrivateHost(host), host).toBe(true)
    }
    for (const host of ['chat.example.org', '8.8.8.8', '172.32.0.1', '[2a00:1450:4001:82b::200e]']) {
      expect(isPrivateHost(host), host).toBe(false)
    }
  })

  it('knows link-local, carrier-grade NAT (100.64/10) and IPv6 unique-local hosts', () => {
    for (const host of ['169.254.10.1', '[fe80::1]', '100.64.0.1', '100.127.255.254', '[fd12:3456:789a::1]', '[fc00::5]']) {
      expect(isPrivateHost(host), host).toBe(true)
    }
    for (const host of ['100.63.255.255', '100.128.0.1', '169.255.0.1', '[fe00::1]']) {
      expect(isPrivateHost(host), host).toBe(false)
    }
  })

  it('knows every range libp2p counts private, up to its edges (the @libp2p/utils patch checks them with @chainsafe/netmask)', () => {
    for (const host of ['0.1.2.3', '10.255.255.255', '172.31.255.255', '192.0.0.171', '192.0.2.200', '198.19.255.255', '203.0.113.1', '240.0.0.1', '255.255.255.255', '[::ffff:10.0.0.1]', '[::ffff:c0a8:0001]']) {
      expect(isPrivateHost(host), host).toBe(true)
    }
    for (const host of ['9.255.255.255', '11.0.0.0', '172.15.255.255', '192.0.1.1', '192.0.3.0', '198.17.255.255', '198.20.0.0', '203.0.114.0', '239.255.255.255', '[::ffff:8.8.8.8]', '[::ffff:0808:0808]']) {
      expect(isPrivateHost(host), host).toBe(false)
    }
  })

  it('lets a page from a private host dial private addresses, and keeps libp2p defaults otherwise', async () => {
    const addr = multiaddr('/ip4/127.0.0.1/tcp/4002/ws')
    expect(await createConnectionGater('127.0.0.1').denyDialMultiaddr?.(addr)).toBe(false)
    // from the internet over https, libp2p's browser default: no plain ws, no private addresses
    const https = createConnectionGater('chat.example.org')
    expect(await https.denyDialMultiaddr?.(multiaddr('/dns4/relay.example.org/tcp/443/wss'))).toBe(false)
    expect(await https.denyDialMultiaddr?.(multiaddr('/dns4/relay.example.org/tcp/80/ws'))).toBe(true)
    expect(await https.denyDialMultiaddr?.(multiaddr('/ip4/10.1.0.2/tcp/443/wss'))).toBe(true)
  })

  it('lets a page served over http from a public address dial its relay over plain ws, and no private address', async () => {
    const gater = createConnectionGater('11.0.0.1', 'http:')
    expect(await gater.denyDialMultiaddr?.(multiaddr('/ip4/11.0.0.1/tcp/4002/ws'))).toBe(false)
    expect(await gater.denyDialMultiaddr?.(multiaddr('/ip4/10.1.0.2/tcp/4002/ws'))).toBe(true)
    // over https libp2p's browser default stays: no plain ws, no private addresses
    const https = createConnectionGater('11.0.0.1', 'https:')
    expect(await https.denyDialMultiaddr?.(multiaddr('/ip4/11.0.0.1/tcp/4002/ws'))).toBe(true)
    expect(await https.denyDialMultiaddr?.(multiaddr('/ip4/10.1.0.2/tcp/4002/wss'))).toBe(true)
    expect(await https.denyDialMultiaddr?.(multiaddr('/ip4/11.0.0.1/tcp/4002/wss'))).toBe(false)
  })
})
