/**
 * Attacking peers, as the relay's advisory and limit tests replay them, and as the soak benchmark
 * (bench/metrics/soak.ts) keeps them running against a relay process: raw gossipsub frames from a peer that runs
 * no pubsub, gossipsub messages signed by hand, circuit-relay reservations asked for by hand, sockets that never
 * finish their handshake. Nothing here imports vitest, the relay or another file of this folder, so a plain Node
 * program (the benchmarks) can use it as it is.
 */
import { connect } from 'node:net'
import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { RPC } from '@libp2p/gossipsub/message'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import type { Libp2p, PeerId, PrivateKey, Stream } from '@libp2p/interface'
import type { TCPSocketOptions } from '@libp2p/tcp'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Socket } from 'node:net'

/** The gossipsub protocols the relay speaks, newest first. */
export const GOSSIPSUB_PROTOCOLS = ['/meshsub/1.2.0', '/meshsub/1.1.0']

const HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop'

/** Largest RPC frame {@link gossipStream} writes or reads (the relay itself reads at most 256 KiB). */
const MAX_FRAME_BYTES = 1 << 20

/** Circuit relay v2 status codes (circuit-v2 spec). */
export const Status = { OK: 100, RESERVATION_REFUSED: 200, RESOURCE_LIMIT_EXCEEDED: 201, PERMISSION_DENIED: 202 } as const

export interface RawPeerInit {
  /** run identify, so the relay learns the protocols this peer handles (and opens gossipsub to it) @default false */
  identify?: boolean
  privateKey?: PrivateKey
}

/**
 * An attacking peer: a libp2p node without pubsub whose TCP connections come from `from` (any 127.0.0.0/8 address
 * is loopback on Linux), writing raw gossipsub (or any protocol's) frames.
 */
export async function rawPeer (from = '127.0.0.1', init: RawPeerInit = {}): Promise<Libp2p> {
  // net.connect's localAddress: @libp2p/tcp passes dialOpts through, though its type leaves it out
  const dialOpts = { noDelay: true, localAddress: from } as TCPSocketOptions
  return createLibp2p({
    privateKey: init.privateKey,
    transports: [tcp({ dialOpts })],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: (init.identify === true ? { identify: identify() } : {}) as Record<string, never>
  })
}

/** A gossipsub stream to a peer; `send` writes one RPC frame on it (absent fields are empty). */
export interface GossipStream {
  stream: Stream
  send: (rpc: Partial<RPC>) => Promise<void>
}

/** Dials `relay` (a multiaddr with its peer id) and opens a gossipsub stream to it. */
export async function gossipStream (node: Libp2p, relay: Multiaddr, options: { signal?: AbortSignal } = {}): Promise<GossipStream> {
  const stream = await node.dialProtocol(relay, GOSSIPSUB_PROTOCOLS, options)
  const lp = lpStream(stream, { maxDataLength: MAX_FRAME_BYTES })
  return { stream, send: async (rpc) => { await lp.write(RPC.encode({ subscriptions: [], messages: [], ...rpc })) } }
}

/** A uint64 seqno as gossipsub writes it: 8 bytes, big-endian. */
export function bigEndian (value: bigint): Uint8Array {
  const bytes = new Uint8Array(8)
  new DataView(bytes.buffer).setBigUint64(0, value)
  return bytes
}

export interface SignedMessageInit {
  /** the key that signs it (its public key travels in the message) */
  key: PrivateKey
  topic: string
  data: Uint8Array
  seqno: bigint
  /** the peer the message claims to come from @default the signer */
  from?: PeerId
}

/** A gossipsub message signed by hand, as StrictSign asks (`libp2p-pubsub:` + the unsigned message). */
export async function signedMessage (init: SignedMessageInit): Promise<RPC.Message> {
  const from = init.from ?? peerIdFromPrivateKey(init.key)
  const unsigned = { from: from.toMultihash().bytes, data: init.data, seqno: bigEndian(init.seqno), topic: init.topic }
  const signature = await init.key.sign(Uint8Array.from([...new TextEncoder().encode('libp2p-pubsub:'), ...RPC.Message.encode(unsigned)]))
  return { ...unsigned, signature, key: publicKeyToProtobuf(init.key.publicKey) }
}

/**
 * A raw TCP socket to `port` on 127.0.0.1 from `from` that sends nothing: a handshake that never ends. `closed`
 * resolves to the ms it stayed open.
 */
export async function idleSocket (port: number, from: string): Promise<{ socket: Socket, closed: Promise<number> }> {
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
export async function reserve (client: Libp2p, relay: PeerId, options: { signal?: AbortSignal } = {}): Promise<ReserveAnswer> {
  const stream = await client.dialProtocol(relay, HOP_PROTOCOL, { signal: options.signal ?? AbortSignal.timeout(5000) })
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
