import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { chatPeerServices, NEGOTIATION_TIMEOUTS } from '@p2p-chat/shared'
import { createLibp2p } from 'libp2p'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import type { DirectMessages } from '@p2p-chat/shared'
import type { NodeStore } from '@p2p-chat/shared/node'

export type CliNode = Libp2p<{ pubsub: GossipSub, ping: Ping, dm: DirectMessages } & Record<string, unknown>>

/**
 * The terminal peer's libp2p node: TCP and WebSockets to relays, a circuit-relay reservation so others can
 * reach it, gossipsub rooms and direct messages, exactly the protocols the browsers speak.
 */
export async function createCliNode (store: NodeStore): Promise<CliNode> {
  return createLibp2p({
    privateKey: store.privateKey,
    datastore: store.datastore,
    addresses: { listen: ['/p2p-circuit'] },
    transports: [tcp(), webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // a terminal peer is run on purpose, often on a LAN or beside its own relay: private addresses are fine
    connectionGater: { denyDialMultiaddr: () => false },
    connectionManager: NEGOTIATION_TIMEOUTS,
    services: chatPeerServices()
  }) as unknown as Promise<CliNode>
}
