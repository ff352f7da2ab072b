import { circuitRelay, fingerprint, isCircuitAddr } from '@p2p-chat/shared'
import { printable } from './terminal.js'
import type { CliNode } from './node.js'
import type { Connection } from '@libp2p/interface'

const short = (id: string): string => `…${fingerprint(id)}`

/** The relays this node holds a reservation on: the peer id just before `/p2p-circuit` in its circuit addresses. */
export function reservedRelays (node: CliNode): string[] {
  const relays = new Set<string>()
  for (const ma of node.getMultiaddrs()) {
    const relay = circuitRelay(ma)
    if (relay != null) {
      relays.add(relay)
    }
  }
  return [...relays]
}

function describe (connection: Connection): string {
  // a WebRTC connection signalled through a relay names the circuit in its address, yet is direct
  const kind = connection.direct ? 'direct' : 'relayed'
  const addr = connection.remoteAddr.decapsulateCode(421).toString() // strip the trailing /p2p/<id>
  return `${short(connection.remotePeer.toString())} ${kind} ${connection.direction} ${printable(addr)}`
}

/** The lines for the person at the terminal when relay reservations come or go (`before` → `now`, relay ids). */
export function formatReservations (before: string[], now: string[]): string[] {
  return [
    ...now.filter(id => !before.includes(id)).map(id => `* reserved a slot on relay ${short(id)}: peers can reach you through it`),
    ...before.filter(id => !now.includes(id)).map(id => `* the reservation on relay ${short(id)} ended`)
  ]
}

/** One line for the person at the terminal when AutoNAT's verdict changes. */
export function formatReachability (node: CliNode): string {
  const { reachability, reason } = node.services.reachability.status
  return `* reachability: ${reachability} (${printable(reason)})`
}

/** What `/status` prints: reachability, listen addresses, relay reservations, DHT mode and connections. */
export function formatStatus (node: CliNode): string {
  const addrs = node.getMultiaddrs().filter(ma => !isCircuitAddr(ma)).map(ma => ma.decapsulateCode(421).toString())
  const relays = reservedRelays(node)
  const connections = node.getConnections().filter(c => c.status === 'open')
  const relayed = connections.filter(c => !c.direct).length
  const lines = [
    formatReachability(node),
    `* listening on: ${addrs.length === 0 ? 'nothing yet' : printable(addrs.join(', '))}`,
    `* relays reserved on: ${relays.length === 0 ? 'none' : relays.map(short).join(', ')}`,
    `* DHT: ${node.services.dht.getMode()}`,
    `* connections: ${connections.length - relayed} direct, ${relayed} relayed`,
    ...connections.map(c => `  ${describe(c)}`)
  ]
  return lines.join('\n')
}
