import { createRoomId, createRoomSecret } from '@p2p-chat/shared'
import { launchChromium } from '../lib/browser.ts'
import { openHarness, startHarnessRelay } from '../lib/harness.ts'
import { sample, scrape } from '../lib/prometheus.ts'
import { summarize } from '../lib/stats.ts'
import type { Figure, Metric } from '../lib/report.ts'

const LINES = 1000
const SIZES = [200, 4000]
const HOLD_TIMEOUT_MS = 60_000

/**
 * Waits until the relay keeps `lines` chat lines (its `/metrics`): a line has "gone out" of the writer once gossipsub
 * took it, and the relay may receive and keep the last of 1,000 long lines seconds later (the writer leaving
 * before then loses them, and the newcomer finds fewer).
 */
async function relayHolds (metricsUrl: string, lines: number): Promise<void> {
  const deadline = Date.now() + HOLD_TIMEOUT_MS
  for (;;) {
    const held = sample(await scrape(metricsUrl), 'p2p_chat_relay_history_lines')
    if (held >= lines) {
      return
    }
    if (Date.now() > deadline) {
      throw new Error(`the relay kept ${held} of ${lines} lines within ${HOLD_TIMEOUT_MS} ms`)
    }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/**
 * History sync: a member writes 1,000 lines in a private room and leaves; a newcomer joins with nobody else
 * there, and the relay (its only source) syncs the room's history to it. Timed in the newcomer's page, from
 * joining until the 1,000th line was verified, decrypted, stored in IndexedDB and shown to the room's listener.
 */
export const history: Metric = async ({ runs, log }) => {
  const browser = await launchChromium()
  const figures: Figure[] = []
  try {
    for (const size of SIZES) {
      const times: number[] = []
      for (let run = 0; run < runs; run++) {
        // the writer sends its 1,000 lines as fast as it can: far above the relay's per-author publish rate
        const relay = await startHarnessRelay(['--publish-rate', '100000', '--publish-burst', '100000'])
        try {
          const roomId = createRoomId()
          const secret = createRoomSecret()
          const writer = await openHarness(browser, relay)
          await writer.evaluate(async ({ roomId, secret }) => window.bench.join(roomId, 'writer', secret), { roomId, secret })
          await writer.waitForFunction(() => window.bench.relayStatus() === 'reserved', undefined, { timeout: 30_000 })
          const sent = await writer.evaluate(async ({ count, size }) => window.bench.sendMany(count, size), { count: LINES, size })
          // every line has gone out (a line that found no route at once waited in the outbox); the relay keeps what it
          // forwards: once it holds every line, nobody but the relay has the room
          if (sent < LINES) log(`${LINES - sent} lines waited in the outbox`)
          await relayHolds(relay.metricsUrl, LINES)
          await writer.context().close()

          const reader = await openHarness(browser, relay)
          await reader.evaluate(async ({ roomId, secret }) => window.bench.join(roomId, 'reader', secret), { roomId, secret })
          await reader.waitForFunction((count: number) => window.bench.timeToLines(count) >= 0, LINES, { timeout: 60_000, polling: 50 })
          const ms = await reader.evaluate((count: number) => window.bench.timeToLines(count), LINES)
          log(`${size}-character lines, run ${run + 1}: ${Math.round(ms)} ms`)
          times.push(ms)
          await reader.context().close()
        } finally {
          await relay.dispose()
        }
      }
      figures.push({ label: `join → ${LINES} lines of ${size} characters synced from the relay and shown`, unit: 'ms', summary: summarize(times) })
    }
  } finally {
    await browser.close()
  }
  return {
    id: 'history',
    title: 'History sync for a late joiner (private room, relay as the only source)',
    figures,
    notes: ['includes the node start-up to relay connection (join() is called as soon as the node exists), decryption and signature checks of every line, and IndexedDB writes']
  }
}
