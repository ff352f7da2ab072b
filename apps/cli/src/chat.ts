import { createInterface } from 'node:readline'
import { peerIdFromString } from '@libp2p/peer-id'
import { QUIC_V1, TCP, WebSockets, WebSocketsSecure } from '@multiformats/multiaddr-matcher'
import { derivePrivateRoom, describeRelayedReason, fetchRelayInfo, fingerprint, relayMultiaddrs, Room } from '@p2p-chat/shared'
import { RELAY_DIAL_TIMEOUT_MS, RESTORED_LINES_SHOWN } from './constants.js'
import { formatReachability, formatReservations, formatStatus, reservedRelays } from './status.js'
import { printable } from './terminal.js'
import { upgradeRelayedMembers } from './upgrades.js'
import type { CliOptions } from './config.js'
import type { CliNode } from './node.js'
import type { PrivateKey } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { HistoryStore, IceServer, RelayInfo, RoomMember } from '@p2p-chat/shared'
import type { Readable } from 'node:stream'

export interface ChatIo {
  input: Readable
  /** prints one line for the person at the terminal */
  print: (line: string) => void
  /** ends the conversation, as `/quit` or the end of input does (a signal: Ctrl-C, SIGTERM) @default never */
  signal?: AbortSignal
}

const time = (ms: number): string => new Date(ms).toTimeString().slice(0, 5)
// names and text come from other peers: printed through printable(), so they cannot drive the terminal
const who = (name: string, peerId: string): string => `${printable(name)} …${fingerprint(peerId)}`

/**
 * The relay's addresses: from --relay, or from the link's `/api/relay`; TCP first, as a Node peer prefers, then
 * QUIC, then WebSocket (WebRTC-direct is for browsers). QUIC does not come first: js-libp2p-quic dials from a
 * socket of its own, not the listening one, so it buys no NAT mapping for hole punching (see the lab README).
 */
async function relayAddrs (options: CliOptions, relayInfo?: Promise<RelayInfo>): Promise<Multiaddr[]> {
  const addrs = [...options.relays]
  if (relayInfo != null) {
    addrs.push(...relayMultiaddrs(await relayInfo))
  }
  const rank = (ma: Multiaddr): number => {
    return WebSockets.matches(ma) || WebSocketsSecure.matches(ma) ? 2 : TCP.exactMatch(ma) ? 0 : QUIC_V1.exactMatch(ma) ? 1 : 3
  }
  return addrs.filter(ma => rank(ma) < 3).sort((a, b) => rank(a) - rank(b))
}

/**
 * Asks the relay that serves the room's link how to reach it (`/api/relay`: its addresses and STUN/TURN
 * servers); `undefined` when the room was not given as a link.
 */
export function loadRelayInfo (options: CliOptions): Promise<RelayInfo> | undefined {
  if (options.origin == null) {
    return undefined
  }
  const info = fetchRelayInfo(options.origin, AbortSignal.timeout(RELAY_DIAL_TIMEOUT_MS))
  // read (and its failure reported) when the relay is dialled
  info.catch(() => {})
  return info
}

/** The STUN/TURN servers WebRTC uses: the relay's (from `/api/relay`), then those given with --ice-server. */
export async function iceServersOf (options: CliOptions, relayInfo?: Promise<RelayInfo>): Promise<IceServer[]> {
  const fromRelay = await relayInfo?.then(info => info.iceServers, () => []) ?? []
  return [...fromRelay, ...options.iceServers]
}

/**
 * Joins the room and runs the terminal conversation until `/quit`, the end of input or `io.signal`, then leaves
 * the room (the node is left running: the caller stops it). Lines are chat; `/peers`, `/dm <name> <text>`,
 * `/status` and `/quit` are commands. `relayInfo` is the link's relay ({@link loadRelayInfo}).
 */
export async function runChat (node: CliNode, privateKey: PrivateKey, options: CliOptions, io: ChatIo, history?: HistoryStore, relayInfo?: Promise<RelayInfo>): Promise<void> {
  const keys = options.secret == null ? undefined : await derivePrivateRoom(options.roomId, options.secret)
  const room = new Room(node, {
    roomId: options.roomId,
    name: () => options.name,
    privateKey,
    keys,
    history: history == null ? undefined : { store: history, sync: node.services.history }
  })
  let members: RoomMember[] = []
  room.addEventListener('chat', evt => { io.print(`[${time(evt.detail.timestamp)}] ${who(evt.detail.name, evt.detail.from)}: ${printable(evt.detail.text)}`) })
  room.addEventListener('members', evt => {
    // a member may be direct at first sight: a peer found on the LAN (mDNS) is dialled before its presence comes
    for (const m of evt.detail.filter(m => !members.some(o => o.peerId === m.peerId))) io.print(`* ${who(m.name, m.peerId)} is in the room${m.connection === 'direct' ? ', connected directly' : ''}`)
    for (const m of members.filter(m => !evt.detail.some(o => o.peerId === m.peerId))) io.print(`* ${who(m.name, m.peerId)} left`)
    for (const m of evt.detail.filter(m => m.connection === 'direct' && members.some(o => o.peerId === m.peerId && o.connection !== 'direct'))) io.print(`* ${who(m.name, m.peerId)} is now connected directly`)
    members = evt.detail
    upgradeRelayedMembers(node, members)
  })
  node.services.reachability.addEventListener('change', () => {
    io.print(formatReachability(node))
    upgradeRelayedMembers(node, members)
  })
  // a relay reservation taken or lost: whether peers can reach this one through a relay
  let reserved: string[] = []
  const onSelfUpdate = (): void => {
    const now = reservedRelays(node)
    const lines = formatReservations(reserved, now)
    reserved = now
    lines.forEach(line => { io.print(line) })
  }
  node.addEventListener('self:peer:update', onSelfUpdate)
  room.addEventListener('sent', () => { io.print('* a pending message went out') })
  node.services.dm.addEventListener('message', evt => {
    io.print(`[${time(evt.detail.timestamp)}] (private) ${who(evt.detail.name, evt.detail.from.toString())}: ${printable(evt.detail.text)}`)
  })
  const restored = await room.restore()
  for (const line of restored.lines.slice(-RESTORED_LINES_SHOWN)) {
    io.print(`[${time(line.timestamp)}] ${who(line.name, line.from)}: ${printable(line.text)}${restored.pending.includes(line.id) ? ' (pending)' : ''}`)
  }
  room.join()
  io.print(`* you are ${who(options.name, node.peerId.toString())} in ${keys == null ? 'public' : 'private (end-to-end encrypted)'} room ${options.roomId}`)

  if (options.origin == null && options.relays.length === 0) {
    io.print('* no relay: chatting with peers on the local network (mDNS)')
  } else {
    try {
      const timeout = AbortSignal.timeout(RELAY_DIAL_TIMEOUT_MS)
      await node.dial(await relayAddrs(options, relayInfo), { signal: io.signal == null ? timeout : AbortSignal.any([timeout, io.signal]) })
      io.print('* connected to the relay')
    } catch (err) {
      io.print(`* cannot reach the relay (${printable((err as Error).message)}); messages wait until a peer is reachable`)
    }
  }

  // aborting the signal closes the interface, which ends the loop
  const lines = createInterface({ input: io.input, terminal: false, signal: io.signal })
  for await (const line of lines) {
    const text = line.trim()
    if (text === '') continue
    if (text === '/quit') break
    try {
      if (text === '/status') {
        io.print(formatStatus(node))
      } else if (text === '/peers') {
        io.print(members.length === 0 ? '* nobody else is here' : members.map(m => `* ${who(m.name, m.peerId)} ${m.connection}${m.rtt != null ? ` ${m.rtt} ms` : ''}${m.relayedReason != null ? ` (${describeRelayedReason(m.relayedReason)})` : ''}`).join('\n'))
      } else if (text.startsWith('/dm ')) {
        const [, name = '', ...rest] = text.split(' ')
        const member = members.find(m => m.name === name || m.peerId.endsWith(name))
        if (member == null) {
          io.print(`* no peer called "${printable(name)}" here (see /peers)`)
        } else {
          await node.services.dm.send(peerIdFromString(member.peerId), { name: options.name, text: rest.join(' ') })
          io.print(`* delivered to ${who(member.name, member.peerId)}`)
        }
      } else if (text.startsWith('/')) {
        io.print('* commands: /peers, /dm <name> <text>, /status, /quit')
      } else {
        const { pending } = await room.send(text)
        if (pending) io.print('* pending: no peer of the room is reachable yet')
      }
    } catch (err) {
      io.print(`* failed: ${printable((err as Error).message)}`)
    }
  }
  node.removeEventListener('self:peer:update', onSelfUpdate)
  room.leave()
}
