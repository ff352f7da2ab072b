import { describe, expect, it } from 'vitest'
import { dialableRelayAddrs, isWebSocketAddr, pageRelayInfo } from './relay.js'

const id = '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf'
const info = {
  peerId: id,
  iceServers: [],
  multiaddrs: [
    `/ip4/127.0.0.1/tcp/4001/p2p/${id}`,
    `/ip4/127.0.0.1/udp/4003/webrtc-direct/certhash/uEiCg8A749b9LipIzb7CGTJnSzCEkbdy5Zfl08ALdw2OjZQ/p2p/${id}`,
    `/ip4/127.0.0.1/tcp/4002/ws/p2p/${id}`
  ]
}

describe('dialableRelayAddrs', () => {
  it('leaves out WebTransport, which the page does not bundle', () => {
    const webTransport = `/ip4/127.0.0.1/udp/4004/quic-v1/webtransport/certhash/uEiCg8A749b9LipIzb7CGTJnSzCEkbdy5Zfl08ALdw2OjZQ/p2p/${id}`
    const addrs = dialableRelayAddrs({ ...info, multiaddrs: [webTransport, ...info.multiaddrs] }, 'https:').map(String)
    expect(addrs).toEqual([info.multiaddrs[1]])
  })

  it('reads what an address is from its components, not its text: a host named ws.… is not a WebSocket', () => {
    const named = {
      ...info,
      multiaddrs: [`/dns4/ws.example.org/tcp/4001/p2p/${id}`, `/dns4/webrtc-direct.example.org/tcp/4001/p2p/${id}`, `/dns4/relay.example.org/tcp/443/tls/ws/p2p/${id}`]
    }
    expect(dialableRelayAddrs(named, 'https:').map(String)).toEqual([named.multiaddrs[2]])
  })

  it('prefers WebSocket from an http page, then WebRTC-direct, and never plain TCP', () => {
    const addrs = dialableRelayAddrs(info, 'http:').map(String)
    expect(addrs).toHaveLength(2)
    expect(addrs[0]).toContain('/ws/')
    expect(addrs[1]).toContain('/webrtc-direct/')
  })

  it('skips plain ws from an https page, which browsers would block', () => {
    expect(dialableRelayAddrs(info, 'https:').map(String)).toEqual([info.multiaddrs[1]])
  })
})

describe('pageRelayInfo', () => {
  it('reads the relay info the relay put into the page, and nothing else', () => {
    expect(pageRelayInfo(JSON.stringify(info))).toEqual(info)
    expect(pageRelayInfo(undefined)).toBeUndefined()
    expect(pageRelayInfo('{"peerId":')).toBeUndefined()
    expect(pageRelayInfo(JSON.stringify({ peerId: id }))).toBeUndefined()
  })
})

describe('isWebSocketAddr', () => {
  it('tells the addresses the node can dial before its late transports are in', () => {
    expect(dialableRelayAddrs(info, 'http:').map(isWebSocketAddr)).toEqual([true, false])
  })
})
