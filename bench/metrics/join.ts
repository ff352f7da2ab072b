import { createRoomId, roomTopic } from '@p2p-chat/shared'
import { RelayProcess } from '../../e2e/support/relay-process.ts'
import { BareChromium } from '../lib/bare-chromium.ts'
import { launchChromium } from '../lib/browser.ts'
import { startPublisher, startStockRelay, stockNewcomerJoin } from '../lib/node-peers.ts'
import { median, summarize } from '../lib/stats.ts'
import type { Figure, Metric } from '../lib/report.ts'

const PUBLISH_INTERVAL_MS = 20
const JOIN_TIMEOUT_MS = 30_000
const POLL_MS = 50

/**
 * Installed in the newcomer's page before any of its scripts: notes when the first message from someone else is in
 * the document (`bench:first-message-shown`), and when the frame after it has been drawn (`…-painted`: the next
 * animation frame, then the task after it). It watches the document from the start: a line the app adds before
 * `DOMContentLoaded` (the relay's room preview, shown as the page starts) counts when it is added.
 */
function watchFirstMessage (): void {
  const observer = new MutationObserver(() => {
    const line = document.querySelector('[aria-label="Messages"] li:not(.mine)')
    if (line != null) {
      performance.mark('bench:first-message-shown')
      observer.disconnect()
      requestAnimationFrame(() => { setTimeout(() => { performance.mark('bench:first-message-painted') }, 0) })
    }
  })
  observer.observe(document, { childList: true, subtree: true })
}

/** A newcomer's page, as the two browsers below open it: a fresh context, `watchFirstMessage` installed. */
interface NewcomerPage {
  evaluate<T>(expression: string): Promise<T>
  close(): Promise<void>
}

/** One kind of newcomer's browser: how it opens a page, and the label its figures carry. */
interface Newcomers {
  label: string
  open(url: string): Promise<NewcomerPage>
  close(): Promise<void>
}

const WATCH_FIRST_MESSAGE = `(${watchFirstMessage.toString()})()`

/**
 * A user's browser: Chromium driven without any page's `Runtime` domain on (`BareChromium`), so nothing is
 * spent that a user's page does not spend.
 */
async function bareNewcomers (): Promise<Newcomers> {
  const browser = await BareChromium.launch()
  return {
    label: '',
    open: async url => await browser.newPage(url, { initScript: WATCH_FIRST_MESSAGE }),
    close: async () => { await browser.close() }
  }
}

/**
 * The same Chromium under Playwright, as the e2e tests drive it. Its `Runtime` domain makes V8 parse the first
 * script a second time as the app starts (see bare-chromium.ts); kept beside the bare figures so earlier runs,
 * all taken this way, can be compared.
 */
async function playwrightNewcomers (): Promise<Newcomers> {
  const browser = await launchChromium()
  return {
    label: ' (under Playwright)',
    open: async url => {
      const context = await browser.newContext()
      await context.addInitScript({ content: WATCH_FIRST_MESSAGE })
      const page = await context.newPage()
      await page.goto(url)
      return { evaluate: async expression => await page.evaluate(expression), close: async () => { await context.close() } }
    },
    close: async () => { await browser.close() }
  }
}

/** The newcomer's User Timing marks, by name, once the frame with the first message has been drawn. */
async function joinOnce (newcomers: Newcomers, url: string): Promise<Record<string, number>> {
  const page = await newcomers.open(url)
  try {
    const deadline = Date.now() + JOIN_TIMEOUT_MS
    while (!await page.evaluate<boolean>("performance.getEntriesByName('bench:first-message-painted').length > 0")) {
      if (Date.now() > deadline) throw new Error(`no message shown in ${JOIN_TIMEOUT_MS} ms`)
      await new Promise(resolve => setTimeout(resolve, POLL_MS))
    }
    return await page.evaluate("Object.fromEntries(performance.getEntriesByType('mark').map(m => [m.name, m.startTime]))")
  } finally {
    await page.close()
  }
}

/**
 * Join → first message: a fresh browser context opens a room link while another peer is talking in the room
 * (a Node peer publishing every 20 ms); measured from the app's start (its bundle downloaded and evaluated,
 * mark `p2p-chat:app-start`) to the first message from that peer on screen, and from navigation. Each run opens
 * the link twice: in a bare Chromium (as a user's) and in one under Playwright. Baseline: two stock js-libp2p
 * nodes in Node through a stock relay, the newcomer joining once it has its relay address.
 */
export const join: Metric = async ({ runs, log }) => {
  const figures: Figure[] = []
  const browsers: Newcomers[] = []
  const marksOf = new Map<Newcomers, Array<Record<string, number>>>()
  let relay: RelayProcess | undefined
  try {
    browsers.push(await bareNewcomers())
    browsers.push(await playwrightNewcomers())
    for (const newcomers of browsers) marksOf.set(newcomers, [])
    relay = await RelayProcess.start()
    const relayTcp = (await (await fetch(new URL('/api/relay', relay.url))).json() as { multiaddrs: string[] }).multiaddrs.find(a => /\/tcp\/\d+\/p2p\//.test(a))!
    for (let run = 0; run < runs; run++) {
      for (const newcomers of browsers) {
        const roomId = createRoomId()
        const publisher = await startPublisher(relayTcp, roomTopic(roomId), PUBLISH_INTERVAL_MS, true)
        try {
          marksOf.get(newcomers)!.push(await joinOnce(newcomers, new URL(`/r/${roomId}`, relay.url).href))
        } finally {
          await publisher.stop()
        }
      }
    }
  } finally {
    for (const newcomers of browsers) await newcomers.close()
    await relay?.dispose()
  }
  for (const [newcomers, all] of marksOf) {
    log(`ours${newcomers.label}, navigation → shown: ${all.map(m => Math.round(m['bench:first-message-shown']!)).join(' ')}`)
  }

  const baseline: number[] = []
  for (let run = 0; run < runs; run++) {
    const topic = roomTopic(createRoomId())
    const stockRelay = await startStockRelay(topic)
    const publisher = await startPublisher(stockRelay.tcpAddr, topic, PUBLISH_INTERVAL_MS, false)
    try {
      baseline.push(await stockNewcomerJoin(stockRelay.wsAddr, topic, JOIN_TIMEOUT_MS))
    } finally {
      await publisher.stop()
      await stockRelay.node.stop()
    }
  }
  log(`baseline: ${baseline.map(Math.round).join(' ')}`)

  for (const [newcomers, all] of marksOf) {
    figures.push({ label: `ours${newcomers.label}: app start → first message shown (Chromium)`, unit: 'ms', summary: summarize(all.map(m => m['bench:first-message-shown']! - m['p2p-chat:app-start']!)) })
    figures.push({ label: `ours${newcomers.label}: navigation → first message shown (incl. bundle)`, unit: 'ms', summary: summarize(all.map(m => m['bench:first-message-shown']!)) })
    figures.push({ label: `ours${newcomers.label}: navigation → the frame with it drawn`, unit: 'ms', summary: summarize(all.map(m => m['bench:first-message-painted']!)) })
  }
  figures.push({ label: 'baseline: stock node start → first message (Node)', unit: 'ms', summary: summarize(baseline.filter(Number.isFinite)) })
  const bare = marksOf.get(browsers[0]!)!
  figures.push({ label: 'ratio ours / baseline (p50)', unit: '×', value: median(bare.map(m => m['bench:first-message-shown']! - m['p2p-chat:app-start']!)) / median(baseline) })
  const milestones: Record<string, number[]> = {}
  for (const marks of bare) {
    for (const [name, at] of Object.entries(marks)) {
      if (name.startsWith('p2p-chat:') && name !== 'p2p-chat:app-start') (milestones[name.slice(9)] ??= []).push(at - marks['p2p-chat:app-start']!)
    }
  }
  for (const [name, values] of Object.entries(milestones)) figures.push({ label: `ours: app start → ${name} (p50)`, unit: 'ms', value: median(values) })
  return {
    id: 'join',
    title: 'Join → first message',
    figures,
    notes: [
      `the other peer publishes every ${PUBLISH_INTERVAL_MS} ms, so figures include up to ${PUBLISH_INTERVAL_MS} ms of waiting for its next message`,
      ...(baseline.some(v => !Number.isFinite(v)) ? [`baseline: ${baseline.filter(v => !Number.isFinite(v)).length} runs heard nothing in ${JOIN_TIMEOUT_MS} ms`] : [])
    ]
  }
}
