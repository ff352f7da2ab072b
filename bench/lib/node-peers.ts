import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { createMessageId, encodeChat, roomGossipsubOptions } from '@p2p-chat/shared'
import { createLibp2p } from 'libp2p'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p } from '@libp2p/interface'

export type PubsubNode = Libp2p<{ pubsub: GossipSub, identify: unknown }>

const allowLoopback = { denyDialMultiaddr: () => false }

/** A running {@link startPublisher}: its node, how many lines it has published, and stopping it. */
export interface Publisher {
  node: PubsubNode
  stop: () => Promise<void>
  sent: () => number
}

/**
 * A Node peer that publishes a stamped chat line on `topic` every `intervalMs` until stopped: the "other peer"
 * whose first message a newcomer waits for (and the soak's publish flooder). `ours` picks P2P Chat's gossipsub
 * settings, else stock defaults; while `active()` says false it publishes nothing.
 */
export async function startPublisher (relayAddr: string, topic: string, intervalMs: number, ours: boolean, active: () => boolean = () => true): Promise<Publisher> {
  const privateKey = await generateKeyPair('Ed25519')
  const node = await createLibp2p({
    privateKey,
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: allowLoopback,
    services: { identify: identify(), pubsub: gossipsub(ours ? roomGossipsubOptions() : { allowPublishToZeroTopicPeers: true }) }
  }) as unknown as PubsubNode
  node.services.pubsub.subscribe(topic)
  try {
    await node.dial((await import('@multiformats/multiaddr')).multiaddr(relayAddr))
  } catch (err) {
    await node.stop()
    throw err
  }
  let seq = 0
  const timer = setInterval(() => {
    if (!active()) return
    encodeChat({ id: createMessageId(), name: 'publisher', text: `bench:${seq++}:${Date.now()}`, timestamp: Date.now() }, topic, privateKey)
      .then(async data => node.services.pubsub.publish(topic, data))
      .catch(() => {})
  }, intervalMs)
  return { node, stop: async () => { clearInterval(timer); await node.stop() }, sent: () => seq }
}

/**
 * A stock js-libp2p relay, configured as js-libp2p's examples do (circuit relay server, identify, gossipsub
 * with its defaults) and, like universal-connectivity's bootstrapper, subscribed to the chat topic.
 */
export async function startStockRelay (topic: string): Promise<{ node: PubsubNode, tcpAddr: string, wsAddr: string }> {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), relay: circuitRelayServer(), pubsub: gossipsub() }
  }) as unknown as PubsubNode
  node.services.pubsub.subscribe(topic)
  const addrs = node.getMultiaddrs().map(String)
  return { node, tcpAddr: addrs.find(a => !a.includes('/ws'))!, wsAddr: addrs.find(a => a.includes('/ws'))! }
}

/**
 * A stock js-libp2p newcomer, as the examples build a browser peer (WebSockets, circuit relay transport,
 * identify, gossipsub defaults): it dials the relay, waits for its relay address, then joins the topic.
 * Resolves to ms from node creation to the first message heard.
 */
export async function stockNewcomerJoin (relayWsAddr: string, topic: string, timeoutMs: number): Promise<number> {
  const started = performance.now()
  const node = await createLibp2p({
    addresses: { listen: ['/p2p-circuit'] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: allowLoopback,
    services: { identify: identify(), pubsub: gossipsub() }
  }) as unknown as PubsubNode
  try {
    const heard = new Promise<number>(resolve => {
      node.services.pubsub.addEventListener('message', evt => {
        if (evt.detail.topic === topic) resolve(performance.now() - started)
      })
    })
    const reserved = new Promise<void>(resolve => {
      node.addEventListener('self:peer:update', () => {
        if (node.getMultiaddrs().some(ma => ma.toString().includes('/p2p-circuit'))) resolve()
      })
    })
    await node.dial((await import('@multiformats/multiaddr')).multiaddr(relayWsAddr))
    await reserved
    node.services.pubsub.subscribe(topic)
    return await Promise.race([heard, new Promise<number>(resolve => setTimeout(() => { resolve(Number.NaN) }, timeoutMs))])
  } finally {
    await node.stop()
  }
}
