import { createRoomId, roomTopic } from '@p2p-chat/shared'
import { RelayProcess } from '../../e2e/support/relay-process.ts'
import { startPublisher, startStockRelay, stockNewcomerJoin } from '../lib/node-peers.ts'
import { marksOf, waitUntil, withBothOpeners } from '../lib/page-openers.ts'
import { median, summarize } from '../lib/stats.ts'
import type { PageOpener } from '../lib/page-openers.ts'
import type { Figure, Metric } from '../lib/report.ts'

const PUBLISH_INTERVAL_MS = 20
const JOIN_TIMEOUT_MS = 30_000

/**
 * Installed in the newcomer's page before any of its scripts: notes when the app has the first message from someone
 * else in the document (`bench:first-message-shown`), and when the frame after it has been drawn (`…-painted`: the
 * next animation frame, then the task after it); the same for the relay's drawing of the room's newest lines, in the
 * page before any script ran (`bench:preview-page-shown`, `…-painted`). It watches the document from the start: a
 * line added before `DOMContentLoaded` counts when it is added. And the first contentful paint, as a mark.
 */
function watchFirstMessage (): void {
  const firstOf = (selector: string, name: string): void => {
    const observer = new MutationObserver(() => {
      if (document.querySelector(selector) != null) {
        performance.mark(`${name}-shown`)
        observer.disconnect()
        requestAnimationFrame(() => { setTimeout(() => { performance.mark(`${name}-painted`) }, 0) })
      }
    })
    observer.observe(document, { childList: true, subtree: true })
  }
  firstOf('[aria-label="Messages"] li:not(.mine)', 'bench:first-message')
  firstOf('#p2p-chat-room-preview-page li', 'bench:preview-page')
  new PerformanceObserver(list => {
    for (const paint of list.getEntriesByName('first-contentful-paint')) performance.mark('bench:first-contentful-paint', { startTime: paint.startTime })
  }).observe({ type: 'paint', buffered: true })
}

const WATCH_FIRST_MESSAGE = `(${watchFirstMessage.toString()})()`

/** The newcomer's User Timing marks, by name, once the frame with the first message has been drawn. */
async function joinOnce (opener: PageOpener, url: string): Promise<Record<string, number>> {
  const page = await opener.open(url, WATCH_FIRST_MESSAGE)
  try {
    // the first contentful paint is told to its observer a while after the frame: it is waited for too
    await waitUntil(page, "['bench:first-message-painted', 'bench:first-contentful-paint'].every(name => performance.getEntriesByName(name).length > 0)", 'no message shown', JOIN_TIMEOUT_MS)
    return await marksOf(page)
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
  const joins = new Map<PageOpener, Array<Record<string, number>>>()
  const relay = await RelayProcess.start()
  try {
    const relayTcp = (await (await fetch(new URL('/api/relay', relay.url))).json() as { multiaddrs: string[] }).multiaddrs.find(a => /\/tcp\/\d+\/p2p\//.test(a))!
    await withBothOpeners(async openers => {
      for (let run = 0; run < runs; run++) {
        for (const opener of openers) {
          const roomId = createRoomId()
          const publisher = await startPublisher(relayTcp, roomTopic(roomId), PUBLISH_INTERVAL_MS, true)
          try {
            const marks = await joinOnce(opener, new URL(`/r/${roomId}`, relay.url).href)
            joins.set(opener, [...joins.get(opener) ?? [], marks])
          } finally {
            await publisher.stop()
          }
        }
      }
    })
  } finally {
    await relay.dispose()
  }
  for (const [opener, all] of joins) {
    log(`ours${opener.label}, navigation → shown: ${all.map(m => Math.round(m['bench:first-message-shown']!)).join(' ')}`)
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

  for (const [opener, all] of joins) {
    figures.push({ label: `ours${opener.label}: app start → first message shown (Chromium)`, unit: 'ms', summary: summarize(all.map(m => m['bench:first-message-shown']! - m['p2p-chat:app-start']!)) })
    figures.push({ label: `ours${opener.label}: navigation → first message shown (incl. bundle)`, unit: 'ms', summary: summarize(all.map(m => m['bench:first-message-shown']!)) })
    figures.push({ label: `ours${opener.label}: navigation → the frame with it drawn`, unit: 'ms', summary: summarize(all.map(m => m['bench:first-message-painted']!)) })
    const drawn = all.filter(m => m['bench:preview-page-painted'] != null)
    if (drawn.length > 0) {
      figures.push({ label: `ours${opener.label}: navigation → the relay's drawing of the room's lines, drawn`, unit: 'ms', summary: summarize(drawn.map(m => m['bench:preview-page-painted']!)) })
    }
    figures.push({ label: `ours${opener.label}: navigation → first contentful paint`, unit: 'ms', summary: summarize(all.map(m => m['bench:first-contentful-paint']!)) })
  }
  figures.push({ label: 'baseline: stock node start → first message (Node)', unit: 'ms', summary: summarize(baseline.filter(Number.isFinite)) })
  const bare = [...joins].find(([opener]) => opener.label === '')?.[1] ?? []
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
