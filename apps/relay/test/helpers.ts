import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync, gzipSync } from 'node:zlib'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { chatPeerServices, KAD_DHT_PROTOCOL, PEER_CONNECTION_MANAGER, roomGossipsubOptions, webrtcPairGater } from '@p2p-chat/shared'
import { createLibp2p } from 'libp2p'
import { afterEach } from 'vitest'
import { createRelay, createRelayLogger } from '../src/index.js'
import type { Relay, RelayInit, RelayOptions } from '../src/index.js'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import type { HistorySync, RoomNode } from '@p2p-chat/shared'

/** One line of a test relay's operational log. */
export interface LogLine { level: string, event: string, [field: string]: unknown }

export interface TestRelay {
  relay: Relay
  options: RelayOptions
  /** what the relay logged (every level), oldest first */
  logs: LogLine[]
  cleanup: () => Promise<void>
}

/**
 * A relay on free loopback ports, in a fresh data dir, serving a tiny web root. It runs no STUN responder
 * (`stunPort` absent, as `--stun-port 0`): nothing in the tests binds the fixed 3478, and `stunPort: 0` picks a
 * free port for tests of the responder.
 */
export async function startTestRelay (overrides: Partial<RelayOptions> = {}, init: RelayInit = {}): Promise<TestRelay> {
  const dir = await mkdtemp(join(tmpdir(), 'p2p-chat-relay-test-'))
  const webRoot = join(dir, 'web')
  await mkdir(join(webRoot, 'assets'), { recursive: true })
  await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>P2P Chat</title><div id="app"></div>')
  await writeFile(join(webRoot, 'assets', 'app-123.js'), 'console.log(1)')
  // as the web build writes them (vite-plugin-compression2)
  await writeFile(join(webRoot, 'assets', 'app-123.js.br'), brotliCompressSync('console.log(1)'))
  await writeFile(join(webRoot, 'assets', 'app-123.js.gz'), gzipSync('console.log(1)'))
  const options: RelayOptions = {
    host: '127.0.0.1', httpPort: 0, tcpPort: 0, wsPort: 0, webrtcDirectPort: 0, quicPort: 0, metricsPort: 0,
    dataDir: join(dir, 'data'), webRoot, iceServers: [], ...overrides
  }
  const logs: LogLine[] = []
  const logger = createRelayLogger({ format: 'json', level: 'debug', write: line => { logs.push(JSON.parse(line) as LogLine) } })
  const relay = await createRelay(options, { logger, ...init })
  await relay.start()
  return {
    relay,
    options,
    logs,
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

export type BareClient = Libp2p<{ ping: Ping }>

/**
 * The barest peer that reaches a relay over `transport`: Noise, yamux and a ping service; it runs no connection
 * monitor, so nothing but the test pings or closes its connections.
 */
export async function createBareClient (transport: 'tcp' | 'ws'): Promise<BareClient> {
  return createLibp2p({
    transports: [transport === 'tcp' ? tcp() : webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    connectionMonitor: { enabled: false },
    services: { ping: ping() }
  })
}

/** The relay's WebSocket multiaddr, with its peer id. */
export function wsAddr (relay: Relay): string {
  return relay.info().multiaddrs.find(a => a.includes('/ws/'))!
}

/** No STUN or TURN, and ICE candidates on loopback only (node-datachannel's `bindAddress`). */
const LOOPBACK_ICE = { iceServers: [], bindAddress: '127.0.0.1' }

export interface ChatPeerOptions {
  /**
   * How others reach it: on loopback TCP and through relays, as a terminal peer; or, as a browser, only through
   * relays, going direct over WebRTC (signalled through a relay) @default 'tcp'
   */
  reach?: 'tcp' | 'relay-and-webrtc'
}

/**
 * A chat peer as the browser builds it (chat services, circuit-relay client, DHT client), over TCP instead of
 * WebSockets; listening on loopback TCP too, as a terminal peer does, unless `reach` says otherwise.
 */
export async function createChatPeer (privateKey: PrivateKey, options: ChatPeerOptions = {}): Promise<RoomNode> {
  const browserLike = options.reach === 'relay-and-webrtc'
  return createLibp2p({
    privateKey,
    addresses: { listen: browserLike ? ['/p2p-circuit', '/webrtc'] : ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit'] },
    transports: [
      tcp(),
      circuitRelayTransport(),
      ...(browserLike ? [webRTC({ rtcConfiguration: LOOPBACK_ICE })] : [])
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: webrtcPairGater(peerIdFromPrivateKey(privateKey), { denyDialMultiaddr: () => false }),
    connectionManager: PEER_CONNECTION_MANAGER,
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


/** The value of one sample in Prometheus text (`name{labels} value`), or undefined. */
export function sample (text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find(l => l.startsWith(`${name}${labels === '' ? '' : `{${labels}}`} `))
  return line == null ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1))
}

/** A chat peer's history-sync service (see {@link createChatPeer}): what a `Room` catches up through. */
export function historyOf (peer: RoomNode): HistorySync {
  return peer.services.history as HistorySync
}

/**
 * The relays and nodes a spec file's tests start, all stopped after each test. Call once, at the top of the file.
 */
export function useTestResources (): {
  relay: (overrides?: Partial<RelayOptions>, init?: RelayInit) => Promise<TestRelay>
  client: (privateKey?: PrivateKey) => Promise<TestClient>
  /** a chat peer (see {@link createChatPeer}) with its key */
  chatPeer: (options?: ChatPeerOptions) => Promise<{ node: RoomNode, key: PrivateKey }>
  /** stops `node` after the test too */
  track: <T extends { stop: () => void | Promise<void> }>(node: T) => T
} {
  const relays: TestRelay[] = []
  const nodes: Array<{ stop: () => void | Promise<void> }> = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async n => n.stop()))
    await Promise.all(relays.splice(0).map(async r => r.cleanup()))
  })
  const track = <T extends { stop: () => void | Promise<void> }>(node: T): T => {
    nodes.push(node)
    return node
  }
  return {
    relay: async (overrides = {}, init = {}) => {
      const r = await startTestRelay(overrides, init)
      relays.push(r)
      return r
    },
    client: async privateKey => track(await createTestClient(privateKey)),
    chatPeer: async options => {
      const key = await generateKeyPair('Ed25519')
      return { node: track(await createChatPeer(key, options)), key }
    },
    track
  }
}

/**
 * The bound on a test that runs hundreds of real peers or floods against one relay (the default is 30 s): they
 * take ~15 s on an idle 2-core machine, over a minute when the machine is busy with other work (how long they take
 * is bench/'s figure, not something a test asserts).
 */
export const LOAD_TEST_TIMEOUT_MS = 240_000
