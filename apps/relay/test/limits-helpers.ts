import { connect } from 'node:net'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { KAD_DHT_PROTOCOL, roomGossipsubOptions } from '@p2p-chat/shared'
import { createLibp2p } from 'libp2p'
import { sample, tcpAddr } from './helpers.js'
import type { TestClient, TestRelay } from './helpers.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Ping } from '@libp2p/ping'
import type { TCPSocketOptions } from '@libp2p/tcp'
import type { Socket } from 'node:net'

const HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop'

/** Circuit relay v2 status codes (circuit-v2 spec). */
export const Status = { OK: 100, RESERVATION_REFUSED: 200, RESOURCE_LIMIT_EXCEEDED: 201, PERMISSION_DENIED: 202 } as const

export interface ClientInit {
  /** the loopback address its TCP connections come from (every 127.0.0.0/8 address is loopback on Linux) */
  from?: string
  privateKey?: PrivateKey
  /** run a DHT client, listening on loopback TCP too (a DHT provider must have an address) */
  dht?: boolean
}

export type DhtClient = Libp2p<{ pubsub: GossipSub, identify: unknown, ping: Ping, dht: KadDHT }>

/**
 * A plain Node peer (gossipsub, and a DHT client if asked: its routing table takes the one ping stream
 * allowed, so such a peer cannot ping) whose TCP connections come from `from`.
 */
export async function clientFrom (init: ClientInit = {}): Promise<DhtClient> {
  // net.connect's localAddress: @libp2p/tcp passes dialOpts through, though its type leaves it out
  const dialOpts = { noDelay: true, localAddress: init.from ?? '127.0.0.1' } as TCPSocketOptions
  return createLibp2p({
    privateKey: init.privateKey,
    addresses: { listen: init.dht === true ? ['/ip4/127.0.0.1/tcp/0'] : [] },
    transports: [tcp({ dialOpts })],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub(roomGossipsubOptions()),
      ...(init.dht === true ? { dht: kadDHT({ protocol: KAD_DHT_PROTOCOL, clientMode: true, peerInfoMapper: passthroughMapper }) } : {})
    }
  }) as unknown as Promise<DhtClient>
}

/** Dials the relay over TCP; resolves to the error's name if it was refused, else to 'open'. */
export async function dialRelay (client: DhtClient | TestClient, relay: TestRelay): Promise<string> {
  try {
    // a refused connection is closed before its handshake, so the dial fails
    const connection = await client.dial(multiaddr(tcpAddr(relay.relay)), { signal: AbortSignal.timeout(5000) })
    return connection.status
  } catch (err) {
    return (err as Error).name
  }
}

/** A raw TCP socket to the relay's TCP port from `from` that sends nothing: a handshake that never ends. */
export async function idleSocket (relay: TestRelay, from: string): Promise<{ socket: Socket, closed: Promise<number> }> {
  const port = Number(multiaddr(tcpAddr(relay.relay)).getComponents().find(c => c.name === 'tcp')!.value)
  const opened = Date.now()
  const socket = connect({ host: '127.0.0.1', port, localAddress: from })
  socket.on('error', () => {})
  const closed = new Promise<number>(resolve => { socket.on('close', () => { resolve(Date.now() - opened) }) })
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject) })
  return { socket, closed }
}

function varint (bytes: Uint8Array, at: number): [bigint, number] {
  let value = 0n
  let shift = 0n
  for (;;) {
    const byte = bytes[at++]!
    value |= BigInt(byte & 0x7f) << shift
    shift += 7n
    if ((byte & 0x80) === 0) {
      return [value, at]
    }
  }
}

/** The fields of a protobuf message: field number → values (varints as bigint, length-delimited as bytes). */
function fields (bytes: Uint8Array): Map<number, Array<bigint | Uint8Array>> {
  const out = new Map<number, Array<bigint | Uint8Array>>()
  for (let at = 0; at < bytes.length;) {
    let key: bigint
    [key, at] = varint(bytes, at)
    const [field, wire] = [Number(key >> 3n), Number(key & 7n)]
    let value: bigint | Uint8Array
    if (wire === 0) {
      [value, at] = varint(bytes, at)
    } else if (wire === 2) {
      let length: bigint
      [length, at] = varint(bytes, at)
      value = bytes.subarray(at, at + Number(length))
      at += Number(length)
    } else {
      throw new Error(`unexpected wire type ${wire}`)
    }
    out.set(field, [...(out.get(field) ?? []), value])
  }
  return out
}

export interface ReserveAnswer {
  status: number
  /** the limit of each relayed connection: seconds and bytes */
  limit?: { duration?: number, data?: bigint }
}

/**
 * Asks `relay` for a circuit-relay reservation by hand (a HopMessage RESERVE on the hop protocol, as the
 * circuit-v2 spec has it) and returns the relay's answer: its status code and the circuit limit.
 */
export async function reserve (client: Libp2p, relay: PeerId): Promise<ReserveAnswer> {
  const stream = await client.dialProtocol(relay, HOP_PROTOCOL, { signal: AbortSignal.timeout(5000) })
  // HopMessage { type: RESERVE (0) }, length-prefixed
  stream.send(Uint8Array.from([2, 0x08, 0x00]))
  const chunks: Uint8Array[] = []
  let length = -1
  let start = 0
  for await (const chunk of stream) {
    chunks.push(chunk.subarray())
    const all = Buffer.concat(chunks)
    if (length < 0 && all.length > 0) {
      const [value, at] = varint(all, 0)
      length = Number(value)
      start = at
    }
    if (length >= 0 && all.length >= start + length) {
      break
    }
  }
  await stream.close().catch(() => {})
  const message = fields(Buffer.concat(chunks).subarray(start, start + length))
  const limit = message.get(4)?.[0] as Uint8Array | undefined
  const limits = limit == null ? undefined : fields(limit)
  return {
    status: Number(message.get(5)?.[0] ?? -1),
    limit: limits == null
      ? undefined
      : { duration: limits.has(1) ? Number(limits.get(1)![0]) : undefined, data: limits.get(2)?.[0] as bigint | undefined }
  }
}

/** Refusals of `kind` so far, as the relay counts them, as its metrics say, and as it logged them. */
export async function refusals (relay: TestRelay, kind: string): Promise<{ counted: number, metric: number, logged: number }> {
  return {
    counted: relay.relay.limits().refused[kind as keyof ReturnType<TestRelay['relay']['limits']>['refused']] ?? 0,
    metric: sample(await relay.relay.metrics.text(), 'p2p_chat_relay_refused_total', `kind="${kind}"`) ?? 0,
    logged: relay.logs.filter(line => line.event === 'refused' && line.kind === kind).length
  }
}

/** Whether the relay still answers `client` (a ping, retried: ping allows one stream at a time). */
export async function served (client: DhtClient, relay: TestRelay): Promise<boolean> {
  for (let i = 0; i < 5; i++) {
    try {
      await client.services.ping.ping(relay.relay.node.peerId, { signal: AbortSignal.timeout(2000) })
      return true
    } catch {
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }
  return false
}
