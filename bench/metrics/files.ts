import { fork } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createRoomId, createRoomSecret, derivePrivateRoom, fileTransfer, memorySink, roomTopic } from '@p2p-chat/shared'
import { createLibp2p } from 'libp2p'
import { launchChromium } from '../lib/browser.ts'
import { FLOOR_PROTOCOL } from '../lib/file-floor.ts'
import { openRawPair, rawThroughput } from '../lib/floor.ts'
import { openHarness, startHarnessRelay, waitForFullMesh } from '../lib/harness.ts'
import { median, summarize } from '../lib/stats.ts'
import type { FilePeerReady } from '../lib/file-floor.ts'
import type { Figure, Metric } from '../lib/report.ts'

/** The file: 50 MB of random bytes (incompressible, like a video). */
const FILE_BYTES = 50 * 1000 * 1000
const MiB = 1024 * 1024
const PEER = fileURLToPath(new URL('../lib/file-peer.ts', import.meta.url))

const mibPerSecond = (ms: number): number => FILE_BYTES / MiB / (ms / 1000)

/**
 * Node → Node over loopback TCP, the serving peer in a process of its own: a raw libp2p stream of the same bytes
 * (the floor: Noise and yamux, nothing else), the file fetched in a public room and in a private one.
 */
async function nodeToNode (runs: number, log: (line: string) => void): Promise<Figure[]> {
  const roomId = createRoomId()
  const secret = createRoomSecret()
  const keys = await derivePrivateRoom(roomId, secret)
  const topic = roomTopic(roomId)
  const child = fork(PEER, [String(FILE_BYTES), topic, roomId, secret])
  const client = await createLibp2p({ transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()], services: { files: fileTransfer() } })
  const times = { floor: [] as number[], public: [] as number[], private: [] as number[] }
  try {
    const [ready] = await once(child, 'message') as [FilePeerReady]
    const server = (await client.dial(multiaddr(ready.multiaddrs[0]!))).remotePeer
    for (let run = 0; run < runs; run++) {
      let started = performance.now()
      const stream = await client.dialProtocol(server, FLOOR_PROTOCOL)
      let received = 0
      for await (const chunk of stream) {
        received += chunk.byteLength
      }
      if (received !== FILE_BYTES) throw new Error(`the floor stream carried ${received} bytes`)
      times.floor.push(performance.now() - started)
      for (const room of ['public', 'private'] as const) {
        started = performance.now()
        await client.services.files.fetch(server, { id: ready.id, size: FILE_BYTES, topic: room === 'public' ? topic : keys.topic, keys: room === 'public' ? undefined : keys, sink: memorySink() })
        times[room].push(performance.now() - started)
      }
      log(`Node over TCP, run ${run + 1}: floor ${mibPerSecond(times.floor.at(-1)!).toFixed(1)}, public ${mibPerSecond(times.public.at(-1)!).toFixed(1)}, private ${mibPerSecond(times.private.at(-1)!).toFixed(1)} MiB/s`)
    }
  } finally {
    await client.stop()
    child.send('stop')
  }
  return [
    { label: '50 MB, Node → Node, loopback TCP: raw libp2p stream (floor)', unit: 'MiB/s', summary: summarize(times.floor.map(mibPerSecond)) },
    { label: '50 MB, Node → Node, loopback TCP: file fetched, public room', unit: 'MiB/s', summary: summarize(times.public.map(mibPerSecond)) },
    { label: '50 MB, Node → Node, loopback TCP: file fetched, private room', unit: 'MiB/s', summary: summarize(times.private.map(mibPerSecond)) }
  ]
}

/**
 * Browser → browser over their direct WebRTC connection (two harness pages in one Chromium, signalled through a
 * relay on loopback): the file fetched into memory and into OPFS, beside a raw RTCDataChannel (the floor).
 */
async function browserToBrowser (runs: number, log: (line: string) => void): Promise<Figure[]> {
  const browser = await launchChromium()
  const relay = await startHarnessRelay()
  const times = { memory: [] as number[], opfs: [] as number[] }
  let floor: number[] = []
  try {
    const [a, b] = [await openHarness(browser, relay), await openHarness(browser, relay)]
    const roomId = createRoomId()
    const secret = createRoomSecret()
    await Promise.all([a, b].map(async (p, i) => p.evaluate(async ({ roomId, secret, i }) => window.bench.join(roomId, `peer-${i}`, secret), { roomId, secret, i })))
    if (!await waitForFullMesh([a, b], 1, 30_000)) throw new Error('the two pages did not connect directly')
    const aId = (await b.evaluate(() => window.bench.members()))[0]!.peerId
    const id = await a.evaluate(async (size: number) => window.bench.fileServe(size), FILE_BYTES)
    for (let run = 0; run < runs; run++) {
      for (const into of ['memory', 'opfs'] as const) {
        times[into].push(await b.evaluate(async ({ peer, id, size, into }) => window.bench.fileFetch(peer, id, size, into), { peer: aId, id, size: FILE_BYTES, into }))
      }
      log(`browsers over WebRTC, run ${run + 1}: memory ${mibPerSecond(times.memory.at(-1)!).toFixed(1)}, OPFS ${mibPerSecond(times.opfs.at(-1)!).toFixed(1)} MiB/s`)
    }
    await Promise.all([a, b].map(async p => p.context().close()))
    const pair = await openRawPair(browser, relay.url)
    for (let run = 0; run < runs; run++) {
      floor.push(await rawThroughput(pair, 64 * 1024, FILE_BYTES) / MiB)
    }
    await pair.close()
  } finally {
    await relay.dispose()
    await browser.close()
  }
  floor = floor.filter(Number.isFinite)
  log(`raw datachannel p50 ${median(floor).toFixed(1)} MiB/s`)
  return [
    { label: '50 MB, browser → browser, WebRTC: raw RTCDataChannel, 64 KiB messages (floor)', unit: 'MiB/s', summary: summarize(floor) },
    { label: '50 MB, browser → browser, WebRTC: file fetched into memory, private room', unit: 'MiB/s', summary: summarize(times.memory.map(mibPerSecond)) },
    { label: '50 MB, browser → browser, WebRTC: file fetched into OPFS, private room', unit: 'MiB/s', summary: summarize(times.opfs.map(mibPerSecond)) }
  ]
}

/** File transfer (`/p2p-chat/file/1.0.0`) throughput: Node over TCP, and browsers over WebRTC. */
export const files: Metric = async ({ runs, log }) => {
  const figures = [...await nodeToNode(runs, log), ...await browserToBrowser(runs, log)]
  return {
    id: 'files',
    title: 'File transfer throughput (50 MB, SHA-256 checked, over direct connections)',
    figures,
    notes: [
      'MiB/s from asking to the last byte written and its SHA-256 checked; both peers (and, for browsers, the relay) share this machine\'s cores',
      'the floor carries the same bytes with nothing of ours: a raw libp2p stream (Node), a raw RTCDataChannel between two pages (browsers)'
    ]
  }
}
