import { createRoomId, MAX_TEXT_BYTES } from '@p2p-chat/shared'
import { launchChromium } from '../lib/browser.ts'
import { openRawPair, rawRoundTrips, rawThroughput } from '../lib/floor.ts'
import { openHarness, startHarnessRelay, waitForFullMesh } from '../lib/harness.ts'
import { median, summarize } from '../lib/stats.ts'
import type { Figure, Metric } from '../lib/report.ts'

const ROUND_TRIPS = 200
const THROUGHPUT_MESSAGES = 500

/**
 * Direct messages between two browsers over their direct WebRTC connection (`/p2p-chat/dm/1.0.0`): round
 * trip (request → ack) on a new stream per message and on one reused stream, and throughput of the largest
 * messages (4 KiB of text) in a loop, beside the raw RTCDataChannel.
 */
export const dm: Metric = async ({ log }) => {
  const browser = await launchChromium()
  const relay = await startHarnessRelay()
  const figures: Figure[] = []
  try {
    const [a, b] = [await openHarness(browser, relay), await openHarness(browser, relay)]
    const roomId = createRoomId()
    await Promise.all([a, b].map(async (p, i) => p.evaluate(async ({ roomId, i }) => window.bench.join(roomId, `peer-${i}`), { roomId, i })))
    if (!await waitForFullMesh([a, b], 1, 30_000)) throw new Error('the two pages did not connect directly')
    const bId = (await a.evaluate(() => window.bench.members()))[0]!.peerId
    await a.evaluate(async (peer: string) => window.bench.dmRoundTrips(peer, 20, true), bId) // warm-up
    const fresh = await a.evaluate(async (peer: string) => window.bench.dmRoundTrips(peer, 200, false), bId)
    const reused = await a.evaluate(async (peer: string) => window.bench.dmRoundTrips(peer, 200, true), bId)
    const throughput = await a.evaluate(async ({ peer, size, count }) => window.bench.dmThroughput(peer, size, count), { peer: bId, size: MAX_TEXT_BYTES, count: THROUGHPUT_MESSAGES })
    log(`new stream p50 ${median(fresh).toFixed(2)} ms, reused p50 ${median(reused).toFixed(2)} ms`)
    await Promise.all([a, b].map(async p => p.context().close()))

    const pair = await openRawPair(browser, relay.url)
    const rawRtt = await rawRoundTrips(pair, ROUND_TRIPS)
    const rawBps = await rawThroughput(pair, MAX_TEXT_BYTES, MAX_TEXT_BYTES * THROUGHPUT_MESSAGES)
    await pair.close()

    figures.push(
      { label: 'DM round trip, new stream per message', unit: 'ms', summary: summarize(fresh) },
      { label: 'DM round trip, one reused stream', unit: 'ms', summary: summarize(reused) },
      { label: 'floor: raw datachannel echo round trip', unit: 'ms', summary: summarize(rawRtt) },
      { label: 'ratio reused-stream RTT / floor (p50)', unit: '×', value: median(reused) / median(rawRtt) },
      { label: `DM throughput, ${MAX_TEXT_BYTES}-byte messages, acked one by one`, unit: 'MiB/s', value: throughput / 2 ** 20 },
      { label: `floor: raw datachannel, ${MAX_TEXT_BYTES}-byte messages, streamed`, unit: 'MiB/s', value: rawBps / 2 ** 20 },
      { label: 'ratio DM / raw throughput', unit: '×', value: throughput / rawBps }
    )
  } finally {
    await browser.close()
    await relay.dispose()
  }
  return {
    id: 'dm',
    title: 'Direct messages over WebRTC',
    figures,
    notes: [`${ROUND_TRIPS} round trips each after 20 warm-up; throughput: ${THROUGHPUT_MESSAGES} messages, each waiting for its ack (the protocol is request/response), vs the raw datachannel streaming with back-pressure`]
  }
}
