import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { addressOf, circuitRelay, isCircuitAddr, isWebRTCAddr } from '../src/util/multiaddrs.js'

const relay = '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf'
const peer = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'

describe('multiaddr kinds', () => {
  it('tells circuit and WebRTC addresses by their components', () => {
    const circuit = multiaddr(`/ip4/1.2.3.4/tcp/80/ws/p2p/${relay}/p2p-circuit/p2p/${peer}`)
    const webrtc = multiaddr(`/ip4/1.2.3.4/tcp/80/ws/p2p/${relay}/p2p-circuit/webrtc/p2p/${peer}`)
    expect([isCircuitAddr(circuit), isWebRTCAddr(circuit)]).toEqual([true, false])
    expect([isCircuitAddr(webrtc), isWebRTCAddr(webrtc)]).toEqual([true, true])
    expect([circuitRelay(circuit), circuitRelay(webrtc)]).toEqual([relay, relay])
    expect(circuitRelay(multiaddr(`/ip4/1.2.3.4/tcp/80/ws/p2p/${relay}`))).toBeUndefined()
  })

  it('is not fooled by a host name that reads like a protocol', () => {
    for (const name of ['webrtc.example.org', 'p2p-circuit.example.org']) {
      const ma = multiaddr(`/dns4/${name}/tcp/443/tls/ws/p2p/${relay}`)
      expect([isCircuitAddr(ma), isWebRTCAddr(ma)], name).toEqual([false, false])
    }
    expect(isCircuitAddr(multiaddr(`/ip4/1.2.3.4/udp/1/webrtc-direct/p2p/${relay}`))).toBe(false)
  })

  it('makes an address one to dial a given peer at: its id at the end, added where a DHT left it off', () => {
    const circuit = `/ip4/1.2.3.4/tcp/80/ws/p2p/${relay}/p2p-circuit`
    expect(addressOf(multiaddr(circuit), peer)?.toString()).toBe(`${circuit}/p2p/${peer}`)
    expect(addressOf(multiaddr(`${circuit}/webrtc`), peer)?.toString()).toBe(`${circuit}/webrtc/p2p/${peer}`)
    expect(addressOf(multiaddr(`${circuit}/p2p/${peer}`), peer)?.toString()).toBe(`${circuit}/p2p/${peer}`)
    expect(addressOf(multiaddr('/ip4/1.2.3.4/tcp/4001'), peer)?.toString()).toBe(`/ip4/1.2.3.4/tcp/4001/p2p/${peer}`)
    // an address of another peer is none of this one's
    expect(addressOf(multiaddr(`/ip4/1.2.3.4/tcp/80/ws/p2p/${relay}`), peer)).toBeUndefined()
  })
})
