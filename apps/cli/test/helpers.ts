import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { openNodeStore } from '@p2p-chat/shared/node'
import { createLibp2p } from 'libp2p'
import { createCliNode } from '../src/node.js'
import type { CliNode, CliNodeOptions } from '../src/node.js'
import type { CircuitRelayServerInit, CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { Identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import type { NodeStore } from '@p2p-chat/shared/node'

export interface TestNode {
  node: CliNode
  store: NodeStore
  cleanup: () => Promise<void>
}

/** A terminal peer's node in a fresh data dir; on loopback unless told otherwise, mDNS off. */
export async function startCliNode (options: CliNodeOptions = {}): Promise<TestNode> {
  const dir = await mkdtemp(join(tmpdir(), 'p2p-chat-cli-test-'))
  const store = await openNodeStore(dir)
  const node = await createCliNode(store, { listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/udp/0/quic-v1'], mdns: false, webrtc: { bindAddress: '127.0.0.1' }, ...options })
  return {
    node,
    store,
    cleanup: async () => {
      await node.stop()
      await store.datastore.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/** A bare circuit relay on loopback TCP (identify and the hop protocol, nothing else), started; `init` for its server. */
export async function startBareRelay (init?: CircuitRelayServerInit): Promise<Libp2p<{ identify: Identify, relay: CircuitRelayService }>> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), relay: circuitRelayServer(init) }
  })
}
