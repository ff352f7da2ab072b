import { createRoomId } from '@p2p-chat/shared'
import { launchChromium } from '../lib/browser.ts'
import { openRawPair, rawOneWay } from '../lib/floor.ts'
import { openHarness, startHarnessRelay, waitForFullMesh } from '../lib/harness.ts'
import { summarize } from '../lib/stats.ts'
import type { Figure, Metric } from '../lib/report.ts'
import type { Page } from 'playwright-core'

/** Room sizes measured (BENCH_ROOM_SIZES=2,8 to pick). */
const ROOM_SIZES = (process.env.BENCH_ROOM_SIZES ?? '2,8,16').split(',').map(Number)
/** Messages each member sends per room size, and the pause between a member's messages. */
const MESSAGES_PER_SENDER = 10
const SEND_INTERVAL_MS = 100

/** Waits (at most 5 s) for `expected` receptions across the pages, then returns and clears their latencies. */
async function collect (pages: Page[], expected: number): Promise<number[]> {
  const deadline = Date.now() + 5_000
  let latencies: number[] = []
  while (Date.now() < deadline) {
    latencies = (await Promise.all(pages.map(async p => p.evaluate(() => window.bench.received().map(r => r.latency))))).flat()
    if (latencies.length >= expected) break
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  await Promise.all(pages.map(async p => p.evaluate(() => { window.bench.received().length = 0 })))
  return latencies
}

/**
 * Room message latency: every member of a room of N harness pages sends stamped messages; every other
 * member records now − stamp. Reports p50/p95/p99 and the delivery ratio, beside the raw datachannel floor.
 */
export const latency: Metric = async ({ log }) => {
  const browser = await launchChromium()
  const figures: Figure[] = []
  const notes: string[] = []
  try {
    const floorRelay = await startHarnessRelay()
    const pair = await openRawPair(browser, floorRelay.url)
    const floor = await rawOneWay(pair, 200, 5)
    await pair.close()
    await floorRelay.dispose()
    figures.push({ label: 'floor: raw RTCDataChannel one-way', unit: 'ms', summary: summarize(floor) })

    // each room size with our settings; N=8 also with gossipsub's default mesh degree, for the before/after
    const variants = ROOM_SIZES.flatMap(n => n === 8 ? [{ n, stock: false }, { n, stock: true }] : [{ n, stock: false }])
    for (const { n, stock } of variants) {
      const relay = await startHarnessRelay()
      try {
        const pages = []
        const roomId = createRoomId()
        for (let i = 0; i < n; i++) {
          const page = await openHarness(browser, relay, stock)
          await page.evaluate(async ({ roomId, i }) => window.bench.join(roomId, `member-${i}`), { roomId, i })
          pages.push(page)
        }
        const settled = Date.now()
        const fullMesh = await waitForFullMesh(pages, n - 1)
        log(`N=${n}${stock ? ' stock D' : ''}: ${fullMesh ? 'all pairs direct' : 'NOT all pairs direct'} after ${Date.now() - settled} ms`)
        if (!fullMesh) notes.push(`N=${n}: not every pair was direct after 60 s; measured anyway`)
        // one member talks, then everyone does: the first is the protocol's latency, the second adds the load
        // of N senders on one machine
        for (const senders of n > 2 ? [1, n] : [n]) {
          await Promise.all(pages.slice(0, senders).map(async (page, i) => page.evaluate(async ({ count, interval, offset }) => {
            await new Promise(resolve => setTimeout(resolve, offset))
            for (let seq = 0; seq < count; seq++) {
              await window.bench.sendStamped(seq)
              await new Promise(resolve => setTimeout(resolve, interval))
            }
          }, { count: MESSAGES_PER_SENDER, interval: SEND_INTERVAL_MS, offset: Math.round(i * SEND_INTERVAL_MS / senders) })))
          const expected = senders * MESSAGES_PER_SENDER * (n - 1)
          const latencies = await collect(pages, expected)
          const label = `N=${n}${stock ? ' (gossipsub default D=6)' : ''}, ${senders === 1 ? 'one member sends' : 'all members send'}`
          figures.push({ label: `${label}: one-way latency`, unit: 'ms', summary: summarize(latencies) })
          figures.push({ label: `${label}: delivery ratio`, unit: '', value: latencies.length / expected })
        }
        await Promise.all(pages.map(async p => p.context().close()))
      } finally {
        await relay.dispose()
      }
    }
  } finally {
    await browser.close()
  }
  return {
    id: 'latency',
    title: 'Room message latency and delivery (harness pages, all in one Chromium)',
    figures,
    notes: [...notes, `${MESSAGES_PER_SENDER} messages per member, ${SEND_INTERVAL_MS} ms apart; stamps are performance.timeOrigin + performance.now()`]
  }
}
