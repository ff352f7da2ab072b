import { loadavg } from 'node:os'
import { createRoomId } from '@p2p-chat/shared'
import { RelayProcess } from '../../e2e/support/relay-process.ts'
import { launchChromium } from '../lib/browser.ts'
import { summarize } from '../lib/stats.ts'
import { isFrameTask, isTopLevelTask } from '../lib/trace-cpu.ts'
import { closeAll, directPairs, enterDelays, openOurPage, typeLines } from './latency.ts'
import type { Figure, Metric } from '../lib/report.ts'
import type { TraceEvent } from '../lib/trace-cpu.ts'
import type { Page } from 'playwright-core'

/** Lines in the room before the measured ones (BENCH_LONG_ROOM_BACKLOGS=1000 to pick); 1,000 is what a room keeps. */
const BACKLOGS = (process.env.BENCH_LONG_ROOM_BACKLOGS ?? '0,1000').split(',').map(Number)
/** Lines measured, and the time between two of them: a busy room, 20 lines a second. */
const MEASURED_LINES = 100
const LINE_INTERVAL_MS = 50
/** Longest wait for the two pages to be directly connected, and for lines to arrive. */
const DIRECT_TIMEOUT_MS = 45_000
const HEARD_TIMEOUT_MS = 120_000
/** Longest wait for the sender's composer to take one line of the backlog. */
const LINE_OUT_TIMEOUT_MS = 10_000
/** Marks the receiving page's main thread in the trace. */
const RECEIVER_MARK = 'bench-long-room-receiver'

declare global {
  interface Window {
    /** Lines the receiving page has added to its log so far. */
    benchShownLines?: number
  }
}

/**
 * The sender puts `count` lines into the room through its composer, one after the other as fast as the composer
 * takes them (each once the last has gone out, within LINE_OUT_TIMEOUT_MS).
 */
async function fillRoom (sender: Page, count: number): Promise<void> {
  await sender.evaluate(async ({ count, timeoutMs }) => {
    const box = document.querySelector<HTMLTextAreaElement>('textarea[aria-label="Message"]')!
    for (let i = 0; i < count; i++) {
      box.value = `an earlier line of the room, number ${i}`
      box.dispatchEvent(new Event('input', { bubbles: true }))
      box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }))
      const deadline = performance.now() + timeoutMs
      while (box.value !== '') {
        if (performance.now() > deadline) throw new Error(`line ${i} did not go out within ${timeoutMs} ms`)
        await new Promise(resolve => setTimeout(resolve, 1))
      }
    }
  }, { count, timeoutMs: LINE_OUT_TIMEOUT_MS })
}

async function linesShown (page: Page): Promise<number> {
  return page.evaluate(() => window.benchShownLines ?? 0)
}

/** The receiving page's main-thread CPU time (ms) in a trace: all its tasks, and the frames among them. */
function mainThreadTimes (events: TraceEvent[]): { tasks: number, frames: number } {
  const mark = events.find(e => e.name === 'TimeStamp' && e.args?.data?.message === RECEIVER_MARK)
  if (mark == null) throw new Error('the receiving page left no mark in the trace')
  let tasks = 0
  let frames = 0
  for (const e of events) {
    if (e.pid !== mark.pid || e.tid !== mark.tid || !isTopLevelTask(e)) continue
    tasks += e.tdur / 1000
    if (isFrameTask(e)) frames += e.tdur / 1000
  }
  return { tasks, frames }
}

/**
 * A long room: two pages of our app in a public room, directly connected; the room gets BACKLOG lines first, then
 * the sender types MEASURED_LINES stamped lines, LINE_INTERVAL_MS apart. Reports the receiving page's main-thread
 * CPU time per measured line (from a Chromium trace: every task, and the frames drawn) and each line's time from
 * typed to shown, for each backlog: a page whose cost per line grows with the lines it already holds shows it here.
 */
export const longRoom: Metric = async ({ log }) => {
  const browser = await launchChromium()
  const figures: Figure[] = []
  const notes: string[] = []
  try {
    for (const backlog of BACKLOGS) {
      const relay = await RelayProcess.start()
      let pages: Page[] = []
      try {
        const link = new URL(`/r/${createRoomId()}`, relay.url).href
        pages = [await openOurPage(browser, link), await openOurPage(browser, link)]
        const [sender, receiver] = pages as [Page, Page]
        const deadline = Date.now() + DIRECT_TIMEOUT_MS
        while ((await directPairs(pages)).direct < 1 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 250))
        if ((await directPairs(pages)).direct < 1) notes.push(`backlog ${backlog}: the pair was not direct after ${DIRECT_TIMEOUT_MS} ms`)
        await receiver.evaluate(() => {
          window.benchShownLines = 0
          new MutationObserver(records => {
            for (const record of records) {
              record.addedNodes.forEach(node => { if (node instanceof HTMLLIElement && node.closest('[aria-label="Messages"]') != null) window.benchShownLines!++ })
            }
          }).observe(document.querySelector('[aria-label="Messages"]')!, { childList: true, subtree: true })
        })
        await fillRoom(sender, backlog)
        const filled = Date.now() + HEARD_TIMEOUT_MS
        while (await linesShown(receiver) < backlog && Date.now() < filled) await new Promise(resolve => setTimeout(resolve, 250))
        log(`backlog ${backlog}: ${await linesShown(receiver)} lines shown before the measured ones`)
        await receiver.evaluate(() => { window.benchHeard!.length = 0 })

        await browser.startTracing(receiver, { categories: ['toplevel', 'devtools.timeline'] })
        await receiver.evaluate((mark: string) => { console.timeStamp(mark) }, RECEIVER_MARK)
        const seqs = Array.from({ length: MEASURED_LINES }, (_, i) => i)
        await typeLines(sender, 'ours', 0, seqs, LINE_INTERVAL_MS, 0)
        const heardBy = Date.now() + HEARD_TIMEOUT_MS
        while ((await receiver.evaluate(() => window.benchHeard!.length)) < MEASURED_LINES && Date.now() < heardBy) {
          await new Promise(resolve => setTimeout(resolve, 100))
        }
        // a moment for the last line's frame
        await new Promise(resolve => setTimeout(resolve, 500))
        const trace = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] }
        const heard = await receiver.evaluate(() => window.benchHeard!)
        const delays = await enterDelays([sender])
        const { tasks, frames } = mainThreadTimes(trace.traceEvents)
        figures.push(
          { label: `${backlog} lines before: receiver main thread per line, all tasks`, unit: 'ms', value: tasks / heard.length },
          { label: `${backlog} lines before: receiver main thread per line, frames drawn`, unit: 'ms', value: frames / heard.length },
          { label: `${backlog} lines before: line typed → shown`, unit: 'ms', summary: summarize(heard.map(h => h.latency - (delays.get(h.key) ?? 0))) }
        )
        notes.push(`${backlog} lines before: ${heard.length}/${MEASURED_LINES} delivered, load ${loadavg()[0]!.toFixed(1)}`)
      } finally {
        await closeAll(pages)
        await relay.dispose()
      }
    }
  } finally {
    await browser.close()
  }
  return { id: 'long-room', title: 'A long room: the receiving page\'s cost per line', figures, notes }
}
