import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { isWebRTCConnection } from '../src/util/connections.js'
import type { Connection } from '@libp2p/interface'

const relay = '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf'
const peer = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'

/** A connection as far as its remote address goes. */
function connectionTo (addr: string): Connection {
  return { remoteAddr: multiaddr(addr) } as unknown as Connection
}

describe('isWebRTCConnection', () => {
  it('is true for both ends of a browser-to-browser connection and for WebRTC-direct to a relay', () => {
    // the dialling end keeps the address it dialled, the answering end names only the protocol and the peer
    expect(isWebRTCConnection(connectionTo(`/ip4/1.2.3.4/tcp/80/ws/p2p/${relay}/p2p-circuit/webrtc/p2p/${peer}`))).toBe(true)
    expect(isWebRTCConnection(connectionTo(`/webrtc/p2p/${peer}`))).toBe(true)
    expect(isWebRTCConnection(connectionTo(`/ip4/1.2.3.4/udp/9090/webrtc-direct/certhash/uEiD7TLibw8k0ZPr38jYnvx8rmUxSbx0oZ3v5EPmlJzM0LA/p2p/${relay}`))).toBe(true)
  })

  it('is false for a relay\'s WebSocket, TCP, and a circuit, whatever a host is called', () => {
    expect(isWebRTCConnection(connectionTo(`/dns4/webrtc.example.org/tcp/443/tls/ws/p2p/${relay}`))).toBe(false)
    expect(isWebRTCConnection(connectionTo(`/ip4/1.2.3.4/tcp/4001/p2p/${relay}`))).toBe(false)
    expect(isWebRTCConnection(connectionTo(`/ip4/1.2.3.4/tcp/80/ws/p2p/${relay}/p2p-circuit/p2p/${peer}`))).toBe(false)
  })
})
