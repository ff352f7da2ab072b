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
import { idleSocket as rawIdleSocket } from './attackers.js'
import { sample, tcpAddr } from './helpers.js'
import type { TestClient, TestRelay } from './helpers.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Ping } from '@libp2p/ping'
import type { TCPSocketOptions } from '@libp2p/tcp'
import type { Socket } from 'node:net'

export { reserve, Status } from './attackers.js'
export type { ReserveAnswer } from './attackers.js'

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
  return rawIdleSocket(Number(multiaddr(tcpAddr(relay.relay)).getComponents().find(c => c.name === 'tcp')!.value), from)
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
