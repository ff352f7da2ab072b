/**
 * What the Diagnostics dialog shows, read from the running libp2p node: the relay and the reservation, each
 * connection (transport, remote address, direct or relayed, round-trip time), the room's gossipsub mesh, the DHT's
 * routing table, reachability hints. Plain TypeScript, loaded only when diagnostics are asked for.
 */
import { describeRelayedReason } from '@p2p-chat/shared'
import type { BrowserNode } from './node.js'
import type { RelayState } from './relay-link.js'
import type { Connection } from '@libp2p/interface'
import type { RoomMember } from '@p2p-chat/shared'

export type TransportName = 'websockets' | 'webtransport' | 'webrtc-direct' | 'webrtc' | 'circuit' | 'other'

export interface ConnectionDiagnostics {
  peerId: string
  /** a room member's display name, when the peer is one */
  name?: string
  transport: TransportName
  /** relayed: a limited circuit through a relay; direct: anything else */
  route: 'direct' | 'relayed'
  remoteAddr: string
  direction: 'inbound' | 'outbound'
  /** ms, from libp2p's connection monitor (else the room's last ping of the member) */
  rtt?: number
  /** ms since the epoch */
  opened: number
}

/** A timestamped error, for the report. */
export interface RecentError {
  at: number
  text: string
}

export interface DiagnosticsSnapshot {
  /** ms since the epoch */
  at: number
  peerId: string
  relay?: RelayState
  /** this browser's circuit addresses: where peers reach it through a relay (empty: no reservation) */
  reservations: string[]
  connections: ConnectionDiagnostics[]
  /** the room's topic, and the peers gossipsub forwards its messages to (its mesh) */
  room?: { topic: string, mesh: string[], subscribers: number }
  /** peers in the DHT's routing table (undefined while the DHT has not loaded) */
  dhtPeers?: number
  hints: string[]
  errors: RecentError[]
}

export interface DiagnosticsInput {
  node: BrowserNode
  relay?: RelayState
  topic?: string
  members: RoomMember[]
  errors: RecentError[]
}

/**
 * Names the transport a connection runs on, from its remote address; `limited`: a relay's limits apply (a
 * circuit). A WebRTC connection signalled over a circuit may name the circuit in its address: it is WebRTC.
 */
export function transportOf (addr: string, limited = false): TransportName {
  if (addr.includes('/webrtc-direct')) return 'webrtc-direct'
  if (!limited && /\/webrtc(\/|$)/.test(addr)) return 'webrtc'
  if (limited || addr.includes('/p2p-circuit')) return 'circuit'
  if (addr.includes('/webtransport')) return 'webtransport'
  if (/\/wss?(\/|$)/.test(addr) || addr.includes('/tls/ws') || addr.includes('/tls/sni/')) return 'websockets'
  return 'other'
}

function describeConnection (connection: Connection, members: RoomMember[]): ConnectionDiagnostics {
  const remoteAddr = connection.remoteAddr.toString()
  const peerId = connection.remotePeer.toString()
  const transport = transportOf(remoteAddr, connection.limits != null)
  const member = members.find(m => m.peerId === peerId)
  return {
    peerId,
    name: member?.name,
    transport,
    route: transport === 'circuit' ? 'relayed' : 'direct',
    remoteAddr,
    direction: connection.direction,
    // the connection monitor measures each connection now and then; until it has, the room's ping of the member
    rtt: connection.rtt ?? member?.rtt,
    opened: connection.timeline.open
  }
}

/** A late part not made within this long (ms) is shown as not loaded. */
const LATE_PART_WAIT_MS = 50

/** The DHT's routing table size, once the page has loaded the DHT (a late part of the node). */
async function dhtSize (node: BrowserNode): Promise<number | undefined> {
  const made = await Promise.race([
    node.services.dht.load().catch(() => undefined),
    new Promise<undefined>(resolve => { setTimeout(resolve, LATE_PART_WAIT_MS, undefined) })
  ])
  // the KadDHT interface leaves out the routing table its class keeps
  return (made as { routingTable?: { size?: number } } | undefined)?.routingTable?.size
}

/** Reads a snapshot of the node now. */
export async function readDiagnostics (input: DiagnosticsInput): Promise<DiagnosticsSnapshot> {
  const { node, relay, topic, members, errors } = input
  const connections = node.getConnections().filter(c => c.status === 'open').map(c => describeConnection(c, members))
  const reservations = node.getMultiaddrs().map(String).filter(a => a.includes('/p2p-circuit'))
  const pubsub = node.services.pubsub
  // the GossipSub interface leaves out the mesh its class keeps
  const meshOf = (pubsub as unknown as { getMeshPeers?: (topic: string) => string[] }).getMeshPeers?.bind(pubsub)
  const hints: string[] = []
  hints.push(reservations.length > 0
    ? 'Reachable: the relay holds a reservation for this browser, so peers can dial it through the relay.'
    : 'No reservation yet: peers cannot dial this browser; it can still dial them and chat through the relay.')
  hints.push(typeof RTCPeerConnection === 'function'
    ? 'WebRTC is available: peers upgrade to direct connections when their networks allow it.'
    : 'WebRTC is unavailable in this browser: every peer stays relayed.')
  for (const member of members) {
    if (member.relayedReason != null) hints.push(`${member.name}: ${describeRelayedReason(member.relayedReason)}`)
  }
  if (connections.length > 0 && connections.every(c => c.route === 'relayed' || c.transport !== 'webrtc') && members.length > 0 && members.every(m => m.connection === 'relayed')) {
    hints.push('Every peer is relayed: a symmetric NAT or a firewall may be in the way; a TURN server on the relay helps.')
  }
  return {
    at: Date.now(),
    peerId: node.peerId.toString(),
    relay,
    reservations,
    connections,
    room: topic == null ? undefined : { topic, mesh: meshOf?.(topic) ?? [], subscribers: pubsub.getSubscribers(topic).length },
    dhtPeers: await dhtSize(node),
    hints,
    errors: [...errors]
  }
}
