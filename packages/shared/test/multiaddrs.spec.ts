import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { addressOf, circuitRelay, isCircuitAddr, isWebRTCAddr, withoutCircuitAddrs } from '../src/util/multiaddrs.js'
import type { PeerInfo } from '@libp2p/interface'

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

  it('keeps a peer known only by relayed addresses (a room member) out of a Kademlia client\'s routing table: its mapper leaves it no address', () => {
    // the mapper inside (kad-dht's removePrivateAddressesMapper in the page) still has its say
    const noTenNet = (info: PeerInfo): PeerInfo => ({ ...info, multiaddrs: info.multiaddrs.filter(ma => !ma.toString().startsWith('/ip4/10.')) })
    const mapper = withoutCircuitAddrs(noTenNet)
    const viaRelay = `/dns4/relay.example.org/tcp/443/wss/p2p/${relay}/p2p-circuit`
    const mapped = mapper({ id: peerIdFromString(peer), multiaddrs: [multiaddr(`${viaRelay}/webrtc/p2p/${peer}`), multiaddr(`${viaRelay}/p2p/${peer}`)] })
    expect(mapped.id.toString()).toBe(peer)
    expect(mapped.multiaddrs).toEqual([])
    const relayAddrs = mapper({ id: peerIdFromString(relay), multiaddrs: [multiaddr('/dns4/relay.example.org/tcp/443/wss'), multiaddr('/ip4/10.0.0.2/tcp/4001'), multiaddr('/ip4/203.0.113.7/tcp/4001')] })
    expect(relayAddrs.multiaddrs.map(String)).toEqual(['/dns4/relay.example.org/tcp/443/wss', '/ip4/203.0.113.7/tcp/4001'])
  })
})
