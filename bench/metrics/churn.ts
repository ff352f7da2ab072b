/**
 * Churn: does our relay (apps/relay, a real child process on 127.0.0.1) give back what peers that come and go
 * took? `BENCH_CHURN_CYCLES` (default 10,000) times, a fresh Node peer (a new key) connects over TCP from its
 * own loopback address, asks for a circuit-relay reservation, joins one of a few rooms, and leaves; a few run
 * at once. The relay's RSS, and its V8 old space in use (from its `/metrics`: long-lived objects, where a leak
 * shows), are read after a warm-up and then every tenth of the cycles; what the relay still holds at the end
 * (connections, reservations, rooms) comes from its `/metrics` too.
 *
 * Run alone: `pnpm bench --only churn` (or `BENCH_CHURN_CYCLES=2000 pnpm bench --only churn`).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { peerIdFromString } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createRoomId, roomGossipsubOptions, roomTopic } from '@p2p-chat/shared'
import { createLibp2p } from 'libp2p'
import { RelayProcess } from '../../e2e/support/relay-process.ts'
import { readProcessStats } from '../lib/proc.ts'
import { sample } from '../lib/prometheus.ts'
import type { Figure, Metric } from '../lib/report.ts'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { TCPSocketOptions } from '@libp2p/tcp'

const DEFAULT_CYCLES = 10_000
/** Cycles run before the first reading (V8's heap sizing, LevelDB's buffers and caches, the JIT warm up). */
const WARMUP_CYCLES = 2000
/** Peers coming and going at once. */
const CONCURRENCY = 8
const ROOMS = 4
/** Time given to memory to settle (timers, GC) before RSS is read. */
const SETTLE_MS = 3000
const HOP_PROTOCOL = '/libp2p/circuit/relay/0.2.0/hop'
const MiB = 2 ** 20

function varint (bytes: Uint8Array, at: number): [number, number] {
  let value = 0
  for (let shift = 0; ; shift += 7) {
    const byte = bytes[at++] ?? 0
    value += (byte & 0x7f) * 2 ** shift
    if ((byte & 0x80) === 0 || at >= bytes.length) return [value, at]
  }
}

/** Asks for a reservation by hand (a length-prefixed HopMessage RESERVE) and returns the answer's status. */
async function reserve (node: Libp2p, relay: PeerId): Promise<number> {
  const stream = await node.dialProtocol(relay, HOP_PROTOCOL, { signal: AbortSignal.timeout(5000) })
  stream.send(Uint8Array.from([2, 0x08, 0x00]))
  let bytes = new Uint8Array(0)
  for await (const chunk of stream) {
    bytes = Uint8Array.from([...bytes, ...chunk.subarray()])
    const [length, start] = varint(bytes, 0)
    if (bytes.length >= start + length) break
  }
  await stream.close().catch(() => {})
  // walk the message's fields for the status (field 5)
  const [length, start] = varint(bytes, 0)
  const end = start + length
  let at = start
  while (at < end) {
    let key: number
    let value: number
    [key, at] = varint(bytes, at)
    if ((key & 7) === 2) {
      [value, at] = varint(bytes, at)
      at += value
    } else {
      [value, at] = varint(bytes, at)
      if (key >> 3 === 5) return value
    }
  }
  return -1
}

/** One peer's visit: connect from `from`, reserve, join `topic`, leave. Resolves to what went wrong, if anything. */
async function visit (relayAddr: string, relayId: PeerId, from: string, topic: string): Promise<string | undefined> {
  const node = await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    transports: [tcp({ dialOpts: { noDelay: true, localAddress: from } as TCPSocketOptions })],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify(), pubsub: gossipsub(roomGossipsubOptions()) }
  })
  try {
    node.services.pubsub.subscribe(topic)
    await node.dial(multiaddr(relayAddr), { signal: AbortSignal.timeout(10_000) })
    const status = await reserve(node, relayId)
    // long enough for the relay to hear the subscription
    await sleep(20)
    return status === 100 ? undefined : `reservation status ${status}`
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`
  } finally {
    await node.stop()
  }
}

export const churn: Metric = async ({ log }) => {
  const cycles = Number(process.env.BENCH_CHURN_CYCLES ?? DEFAULT_CYCLES)
  const relay = await RelayProcess.start()
  try {
    const info = await relay.info()
    const relayAddr = info.multiaddrs.find(a => /\/tcp\/\d+\/p2p\//.test(a))!
    const relayId = peerIdFromString(info.peerId)
    const topics = Array.from({ length: ROOMS }, () => roomTopic(createRoomId()))
    const rss: Array<{ cycle: number, mib: number, oldMib: number }> = []
    let done = 0
    let failed = 0
    const failures = new Map<string, number>()
    const started = Date.now()
    const readRss = async (): Promise<void> => {
      await sleep(SETTLE_MS)
      const mib = (await readProcessStats(relay.pid)).rssBytes / MiB
      const text = await (await fetch(relay.metricsUrl)).text()
      const oldMib = sample(text, 'nodejs_heap_space_size_used_bytes{space="old"}') / MiB
      rss.push({ cycle: done, mib, oldMib })
      log(`after ${done} cycles (${failed} failed, ${((Date.now() - started) / 1000).toFixed(0)} s): relay RSS ${mib.toFixed(1)} MiB, old space ${oldMib.toFixed(1)} MiB`)
    }
    const checkpoints = [...new Set([WARMUP_CYCLES, ...Array.from({ length: 10 }, (_, i) => Math.round(cycles * (i + 1) / 10))])]
      .filter(c => c >= WARMUP_CYCLES && c <= cycles).sort((a, b) => a - b)
    let next = 0
    while (done < cycles) {
      const batch = Math.min(CONCURRENCY, cycles - done)
      const results = await Promise.all(Array.from({ length: batch }, async (_, i) => {
        const n = done + i
        // one loopback address per visit, 127.3.1.0 on: peers in the wild come from many addresses
        const m = n % 65_000 + 256
        const from = `127.3.${m >> 8}.${m & 255}`
        return visit(relayAddr, relayId, from, topics[n % ROOMS]!)
      }))
      for (const failure of results.filter(r => r != null)) {
        failed++
        failures.set(failure, (failures.get(failure) ?? 0) + 1)
      }
      done += batch
      if (done >= (checkpoints[next] ?? Infinity)) {
        next++
        await readRss()
      }
    }
    // the relay sweeps rooms nobody is in every 30 s
    await sleep(31_000)
    const metrics = await (await fetch(relay.metricsUrl)).text()
    const health = await (await fetch(new URL('/healthz', relay.url))).json() as { connections: number }
    const first = rss[0]!
    const last = rss.at(-1)!
    const figures: Figure[] = [
      { label: 'cycles (connect, reserve, join a room, leave)', unit: '', value: done },
      { label: 'cycles that failed', unit: '', value: failed },
      { label: `relay RSS after ${first.cycle} cycles (warm-up)`, unit: 'MiB', value: first.mib },
      { label: `relay RSS after ${last.cycle} cycles`, unit: 'MiB', value: last.mib },
      { label: 'relay RSS growth per 1,000 cycles after warm-up', unit: 'MiB', value: (last.mib - first.mib) / Math.max(1, (last.cycle - first.cycle) / 1000) },
      { label: `relay V8 old space in use after ${first.cycle} cycles`, unit: 'MiB', value: first.oldMib },
      { label: `relay V8 old space in use after ${last.cycle} cycles`, unit: 'MiB', value: last.oldMib },
      { label: 'connections held afterwards', unit: '', value: health.connections },
      { label: 'reservations held afterwards', unit: '', value: sample(metrics, 'p2p_chat_relay_reservations') },
      { label: 'rooms followed afterwards (after a room sweep)', unit: '', value: sample(metrics, 'p2p_chat_relay_rooms_followed') },
      { label: 'cycles per second', unit: '/s', value: done / ((Date.now() - started - 31_000) / 1000) }
    ]
    return {
      id: 'churn',
      title: 'Churn: relay memory as peers come and go',
      figures,
      notes: [
        `RSS at each tenth: ${rss.map(r => `${r.cycle}: ${r.mib.toFixed(0)}`).join(', ')} MiB`,
        `old space in use at each tenth: ${rss.map(r => `${r.cycle}: ${r.oldMib.toFixed(1)}`).join(', ')} MiB (read without forcing a GC: it saws)`,
        `${CONCURRENCY} visits at once, each a new key from its own 127.3.x.y address; ${ROOMS} rooms`,
        ...(failures.size === 0 ? [] : [`failures: ${[...failures].map(([what, n]) => `${what} ×${n}`).join(', ')}`])
      ]
    }
  } finally {
    await relay.dispose()
  }
}
