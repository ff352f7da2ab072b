import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { chatPeerServices } from '../src/chat/services.js'
import { PING_MAX_STREAMS } from '../src/constants.js'
import { loopbackOptions } from './helpers.js'
import type { Libp2p } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'

describe('chat peer services', () => {
  const nodes: Libp2p[] = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async node => node.stop()))
  })

  it('pings that overlap on one connection all get their answer (the connection monitor\'s among them)', async () => {
    const node = async (): Promise<Libp2p<{ ping: Ping }>> => {
      const created = await createLibp2p({ ...loopbackOptions(), services: chatPeerServices() })
      nodes.push(created)
      return created
    }
    const [a, b] = [await node(), await node()]
    const connection = await a.dial(b.getMultiaddrs())
    // libp2p's connection monitor, the room's pinger and the direct-path check ping the same connection; when one of
    // them found libp2p's single ping slot taken, the monitor aborted the connection
    const rtts = await Promise.all(Array.from({ length: PING_MAX_STREAMS }, async () => a.services.ping.ping(b.peerId)))
    expect(rtts).toHaveLength(PING_MAX_STREAMS)
    expect(connection.status).toBe('open')
  })
})
