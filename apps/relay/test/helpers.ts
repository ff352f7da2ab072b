import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { chatPeerServices, KAD_DHT_PROTOCOL, NEGOTIATION_TIMEOUTS, roomGossipsubOptions } from '@p2p-chat/shared'
import { createLibp2p } from 'libp2p'
import { createRelay } from '../src/index.js'
import type { Relay, RelayOptions } from '../src/index.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import type { RoomNode } from '@p2p-chat/shared'

export interface TestRelay {
  relay: Relay
  options: RelayOptions
  cleanup: () => Promise<void>
}

/** A relay on free loopback ports, in a fresh data dir, serving a tiny web root. */
export async function startTestRelay (overrides: Partial<RelayOptions> = {}): Promise<TestRelay> {
  const dir = await mkdtemp(join(tmpdir(), 'p2p-chat-relay-test-'))
  const webRoot = join(dir, 'web')
  await mkdir(join(webRoot, 'assets'), { recursive: true })
  await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>P2P Chat</title>')
  await writeFile(join(webRoot, 'assets', 'app-123.js'), 'console.log(1)')
  const options: RelayOptions = {
    host: '127.0.0.1', httpPort: 0, tcpPort: 0, wsPort: 0, webrtcDirectPort: 0,
    dataDir: join(dir, 'data'), webRoot, iceServers: [], ...overrides
  }
  const relay = await createRelay(options)
  await relay.start()
  return {
    relay,
    options,
    cleanup: async () => {
      await relay.stop().catch(() => {})
      await rm(dir, { recursive: true, force: true })
    }
  }
}

export type TestClient = Libp2p<{ pubsub: GossipSub, ping: Ping, identify: unknown }>

/** A plain Node libp2p peer, as a third-party client would build one. */
export async function createTestClient (privateKey?: PrivateKey): Promise<TestClient> {
  return createLibp2p({
    privateKey,
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify(), ping: ping(), pubsub: gossipsub(roomGossipsubOptions()) }
  }) as unknown as Promise<TestClient>
}

/**
 * A chat peer as the browser builds it (chat services, circuit-relay client, DHT client), over TCP instead of
 * WebSockets/WebRTC, listening on loopback TCP too, as a terminal peer does.
 */
export async function createChatPeer (privateKey: PrivateKey): Promise<RoomNode> {
  return createLibp2p({
    privateKey,
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit'] },
    transports: [tcp(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    connectionManager: NEGOTIATION_TIMEOUTS,
    services: {
      ...chatPeerServices(),
      dht: kadDHT({ protocol: KAD_DHT_PROTOCOL, clientMode: true, peerInfoMapper: passthroughMapper })
    }
  }) as unknown as Promise<RoomNode>
}

export function tcpAddr (relay: Relay): string {
  const addr = relay.info().multiaddrs.find(a => a.includes('/tcp/') && !a.includes('/ws'))
  if (addr == null) throw new Error('relay has no TCP address')
  return addr
}

/** Resolves once `check` returns true, polling; rejects after `timeout` ms. */
export async function eventually (check: () => boolean | Promise<boolean>, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}
