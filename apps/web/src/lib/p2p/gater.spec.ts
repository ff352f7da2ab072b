import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { createConnectionGater, isPrivateHost } from './gater.js'

describe('connection gater', () => {
  it('knows loopback and private hosts', () => {
    for (const host of ['localhost', '127.0.0.1', '10.1.2.3', '192.168.0.9', '172.20.0.1', 'box.local']) {
      expect(isPrivateHost(host), host).toBe(true)
    }
    for (const host of ['chat.example.org', '8.8.8.8', '172.32.0.1']) {
      expect(isPrivateHost(host), host).toBe(false)
    }
  })

  it('lets a page from a private host dial private addresses, and keeps libp2p defaults otherwise', async () => {
    const addr = multiaddr('/ip4/127.0.0.1/tcp/4002/ws')
    expect(await createConnectionGater('127.0.0.1').denyDialMultiaddr?.(addr)).toBe(false)
    expect(createConnectionGater('chat.example.org').denyDialMultiaddr).toBeUndefined()
  })
})
