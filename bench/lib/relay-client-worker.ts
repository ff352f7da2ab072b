/**
 * A child process hosting many headless stock js-libp2p clients of one relay (forked by `relay-clients.ts`;
 * it answers {@link WorkerRequest}s over IPC). Each client dials the relay over WebSocket and, when asked,
 * takes a circuit-relay reservation and joins a room whose other members are all reached through the relay.
 * Their libp2p connection monitor pings the relay as often as the web app's does.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { logger } from '@libp2p/logger'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { CONNECTION_PING_INTERVAL_MS, createMessageId, createRoomId, encodeChat, roomGossipsubOptions, roomTopic } from '@p2p-chat/shared'
import { createLibp2p } from 'libp2p'
import { spreadLoopbackSources } from './loopback-sources.ts'
import type { PingResult, StartResult, WorkerReply, WorkerRequest, WorkerStatus } from './relay-clients.ts'
import type { GossipSub } from '@libp2p/gossipsub'
import type { Libp2p, PrivateKey } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = logger('p2p-chat:bench:relay-client-worker')

/**
 * A client whose dial fails (a loaded relay may refuse it, or time it out) dials again after a backoff with
 * jitter, as the web app's relay link does, until the start request's deadline.
 */
const REDIAL_MIN_MS = 1000
const REDIAL_MAX_MS = 8000
/** Clients a ping of the relay is tried from before it counts as failed. */
const PING_CLIENTS = 3

type Client = Libp2p<{ pubsub: GossipSub, ping: Ping, identify: unknown }>

interface Member {
  client: Client
  topic: string
  /** how many clients are in its room, itself included */
  roomSize: number
}

/** the relay the last batch dialed, and its peer id */
let relay: Multiaddr | undefined
let relayPeer = ''
const clients: Client[] = []
/** clients that should hold a reservation */
const reserving = new Set<Client>()
const members: Member[] = []
/** each client's key: its chat lines are signed with it */
const keys = new WeakMap<Client, PrivateKey>()
let received = 0
let pings = 0
/** how late this process's timers run: past a few seconds, libp2p's connection monitor gives up on pings */
const lag = monitorEventLoopDelay({ resolution: 20 })
lag.enable()

async function createClient (reserve: boolean): Promise<Client> {
  const privateKey = await generateKeyPair('Ed25519')
  const client = await createLibp2p({
    privateKey,
    addresses: { listen: reserve ? ['/p2p-circuit'] : [] },
    transports: [webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    // the relay answers its clients' pings: they ping as often as the web app does
    connectionMonitor: { pingInterval: CONNECTION_PING_INTERVAL_MS },
    services: { identify: identify(), ping: ping(), pubsub: gossipsub(roomGossipsubOptions()) }
  }) as unknown as Client
  keys.set(client, privateKey)
  return client
}

function isReserved (client: Client): boolean {
  return client.getMultiaddrs().some(ma => ma.toString().includes('/p2p-circuit'))
}

/** Runs `task` over `items` with at most `concurrency` at a time. */
async function eachLimited<T> (items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      await task(items[next++]!)
    }
  }))
}

/** clients created and not yet dialed, with whether each should take a reservation */
let prepared: Array<{ client: Client, reserve: boolean }> = []

/**
 * Creates `count` clients, `concurrency` at a time, without dialing anything. With `roomSize`, they are put in
 * rooms of that many and subscribe at once, as the web app does before it dials the relay.
 */
async function prepare (count: number, reserve: boolean, roomSize: number, concurrency: number): Promise<void> {
  const created: Client[] = []
  await eachLimited(Array.from({ length: count }, (_, i) => i), concurrency, async () => {
    const client = await createClient(reserve)
    clients.push(client)
    created.push(client)
    prepared.push({ client, reserve })
  })
  if (roomSize > 0) {
    for (let first = 0; first < created.length; first += roomSize) {
      const room = created.slice(first, first + roomSize)
      const topic = roomTopic(createRoomId())
      for (const client of room) {
        client.services.pubsub.addEventListener('message', evt => {
          if (evt.detail.topic === topic) received++
        })
        client.services.pubsub.subscribe(topic)
        members.push({ client, topic, roomSize: room.length })
      }
    }
  }
}

/**
 * Dials the relay from every prepared client, `dialConcurrency` at a time (all at once for a burst), each
 * trying again with backoff until `deadline`.
 */
async function dialPrepared (relayAddr: string, dialConcurrency: number, deadline: number): Promise<StartResult> {
  const target = relay = multiaddr(relayAddr)
  relayPeer = target.getComponents().find(c => c.name === 'p2p')?.value ?? ''
  const batch = prepared
  prepared = []
  const errors: string[] = []
  const times: number[] = []
  const started = Date.now()
  let connected = 0
  let redials = 0
  await eachLimited(batch, dialConcurrency, async ({ client, reserve }) => {
    for (let attempt = 0; ; attempt++) {
      try {
        // no dial outlives the deadline (a loaded machine's would otherwise run on for libp2p's 10 s)
        await client.dial(target, { signal: AbortSignal.timeout(Math.max(REDIAL_MIN_MS, deadline - Date.now())) })
        times.push(Date.now() - started)
        connected++
        if (reserve) reserving.add(client)
        return
      } catch (err) {
        log('client %p could not reach the relay (attempt %d): %e', client.peerId, attempt + 1, err)
        const delay = Math.min(REDIAL_MAX_MS, REDIAL_MIN_MS * 2 ** attempt) * (0.5 + Math.random() / 2)
        if (Date.now() + delay > deadline) {
          errors.push((err as Error).message)
          await client.stop()
          return
        }
        redials++
        await new Promise(resolve => setTimeout(resolve, delay))
      }
    }
  })
  return { connected, failed: errors.length, redials, errors: [...new Set(errors)].slice(0, 3), times }
}

/**
 * Hangs up and dials the relay again from every client that should hold a reservation and does not: a stock
 * client tries once per connection, and a loaded relay may time out or reset that one attempt.
 */
async function redialUnreserved (concurrency: number): Promise<number> {
  const stuck = [...reserving].filter(c => c.status === 'started' && !isReserved(c))
  await eachLimited(stuck, concurrency, async client => {
    try {
      await client.hangUp(relay!)
      await client.dial(relay!)
    } catch (err) {
      log('client %p could not redial the relay: %e', client.peerId, err)
    }
  })
  return stuck.length
}

/**
 * One ping of the relay, in ms. A different client each time, and another if one is busy: the ping service
 * allows one outbound ping stream per connection, and libp2p's connection monitor pings on it too.
 */
async function pingRelay (timeoutMs: number): Promise<number> {
  const live = clients.filter(c => c.status === 'started')
  if (live.length === 0 || relay == null) throw new Error('no client to ping from')
  const signal = AbortSignal.timeout(timeoutMs)
  for (let attempt = 1; ; attempt++) {
    const client = live[pings++ % live.length]!
    try {
      return await client.services.ping.ping(relay, { signal })
    } catch (err) {
      if ((err as Error).name !== 'TooManyOutboundProtocolStreamsError' || attempt === PING_CLIENTS) throw err
    }
  }
}

/** Spreads `count` sends evenly over `spreadMs` from now: `await pace(i)` waits until the i-th one is due. */
function pacer (count: number, spreadMs: number): (i: number) => Promise<void> {
  const started = Date.now()
  return async i => {
    const wait = started + i * spreadMs / count - Date.now()
    if (wait > 0) {
      await new Promise(resolve => setTimeout(resolve, wait))
    }
  }
}

/**
 * Pings the relay `count` times, from one client after another, spread evenly over `spreadMs`; returns how many
 * were answered. A ping that finds its client's ping stream busy (its connection monitor's) counts as not answered.
 */
async function pingMany (count: number, spreadMs: number, timeoutMs: number): Promise<PingResult> {
  const live = clients.filter(c => c.status === 'started')
  if (live.length === 0 || relay == null) throw new Error('no client to ping from')
  const pace = pacer(count, spreadMs)
  const pending: Array<Promise<number>> = []
  for (let i = 0; i < count; i++) {
    await pace(i)
    const client = live[pings++ % live.length]!
    pending.push(client.services.ping.ping(relay, { signal: AbortSignal.timeout(timeoutMs) }).then(() => 1, () => 0))
  }
  const answered = (await Promise.all(pending)).reduce((a, b) => a + b, 0)
  return { sent: count, answered }
}

/** The worst event-loop delay since the last call, in ms. */
function resetLag (): number {
  const worst = lag.count > 0 ? lag.max / 1e6 : 0
  lag.reset()
  return worst
}

function status (): WorkerStatus {
  const live = clients.filter(c => c.status === 'started')
  return {
    clients: live.length,
    connected: live.filter(c => c.getConnections().some(conn => conn.remotePeer.toString() === relayPeer)).length,
    reserved: live.filter(isReserved).length,
    roomReady: members.filter(m => m.client.services.pubsub.getSubscribers(m.topic).some(p => p.toString() === relayPeer)).length,
    members: members.length,
    received,
    lagMs: resetLag()
  }
}

/** Publishes `count` chat lines round-robin over the room members, spread evenly over `spreadMs`. */
async function publish (count: number, spreadMs: number): Promise<{ sent: number, expected: number }> {
  let sent = 0
  let expected = 0
  const pace = pacer(count, spreadMs)
  for (let i = 0; i < count && members.length > 0; i++) {
    const { client, topic, roomSize } = members[i % members.length]!
    await pace(i)
    const data = await encodeChat({ id: createMessageId(), name: 'bench', text: `message ${i}`, timestamp: Date.now() }, topic, keys.get(client)!)
    await client.services.pubsub.publish(topic, data)
    sent++
    expected += roomSize - 1
  }
  return { sent, expected }
}

async function handle (request: WorkerRequest): Promise<unknown> {
  switch (request.type) {
    case 'prepare': return prepare(request.count, request.reserve, request.roomSize, request.concurrency)
    case 'dial': return dialPrepared(request.relay, request.dialConcurrency, request.deadline)
    case 'status': return status()
    case 'redial': return redialUnreserved(request.concurrency)
    case 'publish': return publish(request.count, request.spreadMs)
    case 'ping': return pingRelay(request.timeoutMs)
    case 'pings': return pingMany(request.count, request.spreadMs, request.timeoutMs)
    case 'stop':
      await Promise.allSettled(clients.map(async c => c.stop()))
      clients.length = 0
      reserving.clear()
      members.length = 0
      prepared = []
      received = 0
      return undefined
  }
}

spreadLoopbackSources(Number(process.env.BENCH_LOOPBACK_SUBNET ?? '1'))
process.on('message', (request: WorkerRequest) => {
  handle(request).then(
    result => { process.send!({ id: request.id, result } satisfies WorkerReply) },
    (err: Error) => { process.send!({ id: request.id, error: err.message } satisfies WorkerReply) }
  )
})
// the parent went away: nothing else would stop these clients
process.on('disconnect', () => { process.exit(0) })
