/**
 * The parts of the browser's node loaded after the room is on screen (imported by `node.ts` on demand, so they
 * are a chunk of their own): ping, Kademlia, direct messages, file transfer, call signalling, and every transport but WebSockets — circuit relay (the
 * reservation that makes this browser reachable), WebRTC (direct connections) and WebRTC-direct
 * (relays without a WebSocket address this page may dial). A room is shown and chatted in over the relay's
 * WebSocket without them.
 */
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { contentRoutingSymbol, peerRoutingSymbol } from '@libp2p/interface'
import { kadDHT, passthroughMapper, removePrivateAddressesMapper } from '@libp2p/kad-dht'
import { webRTC, webRTCDirect } from '@libp2p/webrtc'
import { callSignals, directMessages, fileTransfer, KAD_DHT_PROTOCOL, pingService, withoutCircuitAddrs } from '@p2p-chat/shared'
import type { CircuitRelayTransportComponents } from '@libp2p/circuit-relay-v2'
import type { ContentRouting, PeerRouting, Transport } from '@libp2p/interface'
import type { KadDHT, KadDHTComponents } from '@libp2p/kad-dht'
import type { Ping, PingComponents } from '@libp2p/ping'
import type { WebRTCDirectTransportComponents, WebRTCTransportComponents } from '@libp2p/webrtc'
import type { CallSignals, CallSignalsComponents, DirectMessages, DirectMessagesComponents, FileTransfer, FileTransferComponents } from '@p2p-chat/shared'

export type ExtraTransportsComponents = CircuitRelayTransportComponents & WebRTCTransportComponents & WebRTCDirectTransportComponents

/** The transports beyond WebSockets, for `components`; each new WebRTC connection asks `rtcConfiguration`. */
export function createExtraTransports (components: ExtraTransportsComponents, rtcConfiguration: () => Promise<RTCConfiguration>): Transport[] {
  return [
    circuitRelayTransport()(components),
    webRTC({ rtcConfiguration })(components),
    webRTCDirect({ rtcConfiguration })(components)
  ]
}

/** Kademlia as libp2p's routing sees it: the service provides content and peer routing (that is how libp2p finds them). */
export type RoutingDHT = KadDHT & { [contentRoutingSymbol]: ContentRouting, [peerRoutingSymbol]: PeerRouting }

/** The browser's Kademlia client; `privateHost`: the page came from a private host, whose peers may sit on private addresses. */
export function createDHT (components: KadDHTComponents, privateHost: boolean): RoutingDHT {
  // the interface kadDHT() returns leaves out the routing its class provides
  return kadDHT({
    protocol: KAD_DHT_PROTOCOL,
    clientMode: true,
    // its routing table holds the relays it reaches directly, never a room member found as a provider of its room
    peerInfoMapper: withoutCircuitAddrs(privateHost ? passthroughMapper : removePrivateAddressesMapper)
  })(components) as RoutingDHT
}

/** Direct messages (`/p2p-chat/dm/1.0.0`): peers' messages are received from the moment it is made. */
export function createDirectMessages (components: DirectMessagesComponents): DirectMessages {
  return directMessages()(components)
}

/** File transfer (`/p2p-chat/file/1.0.0`): serves what this page offers, fetches from peers over direct connections. */
export function createFileTransfer (components: FileTransferComponents): FileTransfer {
  return fileTransfer()(components)
}

/** Call signalling (`/p2p-chat/call/1.0.0`): the offers, answers and candidates of calls' media connections. */
export function createCallSignals (components: CallSignalsComponents): CallSignals {
  return callSignals()(components)
}

/** Ping (`/ipfs/ping/1.0.0`): answers peers' pings, and pings a member whose connection has no round-trip time yet. */
export function createPing (components: PingComponents): Ping {
  return pingService()(components)
}
