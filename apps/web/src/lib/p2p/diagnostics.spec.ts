import { describe, expect, it } from 'vitest'
import { transportOf } from './diagnostics.js'

const PEER = '12D3KooWJQx4Tvdt5Q3vHE5iY1VwRJMcmN4Xh3Yd8K6Sg1dS4oKn'

describe('transportOf', () => {
  it('names each transport a browser uses', () => {
    expect(transportOf(`/ip4/127.0.0.1/tcp/8080/ws/p2p/${PEER}`)).toBe('websockets')
    expect(transportOf(`/dns4/relay.example/tcp/443/tls/sni/relay.example/ws/p2p/${PEER}`)).toBe('websockets')
    expect(transportOf(`/ip4/1.2.3.4/udp/4001/webrtc-direct/certhash/uEi/p2p/${PEER}`)).toBe('webrtc-direct')
    expect(transportOf(`/webrtc/p2p/${PEER}`)).toBe('webrtc')
    expect(transportOf(`/ip4/1.2.3.4/tcp/8080/ws/p2p/${PEER}/p2p-circuit/webrtc/p2p/${PEER}`)).toBe('webrtc')
    expect(transportOf(`/ip4/1.2.3.4/tcp/8080/ws/p2p/${PEER}/p2p-circuit/p2p/${PEER}`, true)).toBe('circuit')
    expect(transportOf(`/ip4/1.2.3.4/udp/443/quic-v1/webtransport/p2p/${PEER}`)).toBe('webtransport')
  })
})
