import type { DiagnosticsSnapshot } from '../p2p/diagnostics.js'

export type { DiagnosticsSnapshot }

/** The snapshot as plain text, for "copy report". */
export function formatReport (s: DiagnosticsSnapshot): string {
  const lines = [
    `P2P Chat diagnostics, ${new Date(s.at).toISOString()}`,
    `peer id: ${s.peerId}`,
    `relay: ${s.relay == null ? 'none' : `${s.relay.relay} (${s.relay.status})`}`,
    `reservation: ${s.reservations.length > 0 ? s.reservations.join(' ') : 'none'}`,
    `connections (${s.connections.length}):`,
    ...s.connections.map(c => `  ${c.name ?? c.peerId} ${c.transport} ${c.route} ${c.direction} rtt=${c.rtt ?? '?'}ms ${c.remoteAddr}`),
    s.room == null ? 'room: none' : `room ${s.room.topic}: mesh ${s.room.mesh.length} [${s.room.mesh.join(', ')}], subscribers ${s.room.subscribers}`,
    `DHT routing table: ${s.dhtPeers ?? 'not loaded'} peers`,
    'hints:',
    ...s.hints.map(h => `  ${h}`),
    `recent errors (${s.errors.length}):`,
    ...s.errors.map(e => `  ${new Date(e.at).toISOString()} ${e.text}`)
  ]
  return lines.join('\n')
}
