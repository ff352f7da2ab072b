import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openNodeStore } from '@p2p-chat/shared/node'
import { createCliNode } from '../src/node.js'
import type { CliNode, CliNodeOptions } from '../src/node.js'
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

