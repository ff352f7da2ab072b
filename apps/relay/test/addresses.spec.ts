import { multiaddr } from '@multiformats/multiaddr'
import { waitFor } from '@p2p-chat/shared/testing'
import { describe, expect, it } from 'vitest'
import { advertisedAddrs } from '../src/addresses.js'
import { useTestResources } from './helpers.js'


const ID = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'

const { relay, client: newClient } = useTestResources()

describe('the addresses a relay tells browsers', () => {
  it('are the listen addresses when the address manager hides them (a relay bound to a public IP)', () => {
    const listen = [multiaddr('/ip4/203.0.113.7/tcp/4001'), multiaddr('/ip4/203.0.113.7/tcp/4002/ws')]
    expect(advertisedAddrs({ peerId: ID, announced: false, nodeAddrs: [], listenAddrs: listen }))
      .toEqual([`/ip4/203.0.113.7/tcp/4001/p2p/${ID}`, `/ip4/203.0.113.7/tcp/4002/ws/p2p/${ID}`])
  })

  it('add the listen addresses the node does not list to those it does, once each', () => {
    const nodeAddrs = [multiaddr(`/ip4/10.0.0.2/tcp/4001/p2p/${ID}`)]
    const listen = [multiaddr('/ip4/10.0.0.2/tcp/4001'), multiaddr('/ip4/203.0.113.7/tcp/4001')]
    expect(advertisedAddrs({ peerId: ID, announced: false, nodeAddrs, listenAddrs: listen }))
      .toEqual([`/ip4/10.0.0.2/tcp/4001/p2p/${ID}`, `/ip4/203.0.113.7/tcp/4001/p2p/${ID}`])
  })

  it('are exactly the announced ones when the operator announces', () => {
    const nodeAddrs = [multiaddr('/dns4/chat.example.org/tcp/443/tls/ws')]
    expect(advertisedAddrs({ peerId: ID, announced: true, nodeAddrs, listenAddrs: [multiaddr('/ip4/127.0.0.1/tcp/4002/ws')] }))
      .toEqual([`/dns4/chat.example.org/tcp/443/tls/ws/p2p/${ID}`])
  })

  it('a relay started with --announce lists exactly those at /api/relay and tells them to peers (identify)', async () => {
    const announce = ['/dns4/chat.example.org/tcp/443/tls/ws', '/ip4/198.51.100.7/tcp/4001', '/ip4/198.51.100.7/udp/4003/webrtc-direct']
    const r = await relay({ announce: announce.map(a => multiaddr(a)) })
    const id = r.relay.node.peerId.toString()
    const body = await (await fetch(new URL('/api/relay', r.relay.url))).json() as { multiaddrs: string[] }
    // a WebRTC-direct address gets the relay's certificate hash, as browsers need it
    const certhash = /\/certhash\/[^/]+/.exec(r.logs.find(l => String(l.addr).includes('/webrtc-direct/'))!.addr as string)![0]
    expect(body.multiaddrs).toEqual([
      `/dns4/chat.example.org/tcp/443/tls/ws/p2p/${id}`,
      `/ip4/198.51.100.7/tcp/4001/p2p/${id}`,
      `/ip4/198.51.100.7/udp/4003/webrtc-direct${certhash}/p2p/${id}`
    ])
    expect(r.logs.filter(l => l.event === 'announcing').map(l => l.addr)).toEqual(body.multiaddrs)
    // it still listens where it was told: a peer that dials the listener is told the announced addresses
    const listening = r.logs.filter(l => l.event === 'listening').map(l => String(l.addr))
    const tcp = listening.find(a => /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//.test(a))!
    const client = await newClient()
    await client.dial(multiaddr(tcp))
    await waitFor(async () => (await client.peerStore.get(r.relay.node.peerId)).addresses.some(a => a.multiaddr.toString().startsWith('/dns4/chat.example.org')))
  })

  it('without --announce, lists its listen addresses with its peer id', async () => {
    const r = await relay()
    const { multiaddrs } = r.relay.info()
    const listening = r.logs.filter(l => l.event === 'listening').map(l => String(l.addr))
    expect([...multiaddrs].sort()).toEqual([...listening].sort())
    expect(multiaddrs.every(a => a.endsWith(`/p2p/${r.relay.node.peerId.toString()}`))).toBe(true)
  })
})
