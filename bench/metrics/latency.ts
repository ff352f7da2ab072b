import { loadavg } from 'node:os'
import { createRoomId, createRoomSecret, isDirectPair, roomTopic, TYPING_NOTICE_DELAY_MS } from '@p2p-chat/shared'
import { RelayProcess } from '../../e2e/support/relay-process.ts'
import { launchChromium } from '../lib/browser.ts'
import { openRawPair, rawOneWay } from '../lib/floor.ts'
import { startHarnessRelay } from '../lib/harness.ts'
import { openRoomFloor } from '../lib/room-floor.ts'
import { midMedian, sum, summarize } from '../lib/stats.ts'
import { openStockPage, StockRelay } from '../lib/stock-app.ts'
import { countWire } from '../lib/wire-count.ts'
import type { Figure, Metric } from '../lib/report.ts'
import type { Summary } from '../lib/stats.ts'
import type { Browser, Page } from 'playwright-core'

/** Room sizes measured (BENCH_ROOM_SIZES=2,8 to pick). */
const ROOM_SIZES = (process.env.BENCH_ROOM_SIZES ?? '2,8,16,32').split(',').map(Number)
/**
 * The rooms run at each size (BENCH_ROOM_KINDS=public to pick): the room floor ({@link openRoomFloor}: raw data
 * channels between every pair of pages, each line added to a list), the stock app's, and ours, public and private;
 * `relay-gone`, run only when named, is our public room with its relay stopped once the warm-up is heard and the room settled.
 */
const ROOM_KINDS = new Set((process.env.BENCH_ROOM_KINDS ?? 'floor,stock,public,private').split(','))
/**
 * Rounds at each size (BENCH_ROOM_ROUNDS=3): the rooms run again in the same order, the floor and stock first. Latencies and
 * delivery are pooled over the rounds; a ratio to stock is taken within each round (ours against the stock room
 * run just before it, on the machine as it was then) and the median of the rounds' ratios reported: a room of 16
 * on two cores varies widely from run to run, stock's as much as ours (bench/RESULTS.md, stop 49).
 */
const ROOM_ROUNDS = Math.max(1, Number(process.env.BENCH_ROOM_ROUNDS ?? 1))
/** How long a `relay-gone` room's members have to see their relay go before they type. */
const RELAY_GONE_SETTLE_MS = 3000
/** Lines each member types, and the time between two lines of one member (members are evenly staggered). */
const LINES_PER_MEMBER = 6
const LINE_INTERVAL_MS = 1000
/**
 * How long before Enter a line's typing starts in our app (BENCH_TYPING_MS): 0 puts it in at once, like a paste
 * or a quick reply, and so sends no typing notice; over TYPING_NOTICE_DELAY_MS, a notice goes before each line,
 * as it does for a person typing (the stock page has no typing notices). Less than LINE_INTERVAL_MS.
 */
const TYPING_MS = Number(process.env.BENCH_TYPING_MS ?? 0)
/** How long after the last line was typed a line may still arrive; later is not delivered. */
const TAIL_MS = 10_000
/** Longest wait for every member to hear every other's warm-up line. */
const WARMUP_TIMEOUT_MS = 30_000
/**
 * How long a room is left after its warm-up before the measured lines (BENCH_ROOM_SETTLE_MS), every app's alike.
 * Ours goes on forming for a while after every direct pair is up: an idle room of 16's renderers used ~0.9 cores in
 * the first second and 0.2–0.5 over the next half minute, and its pages' service workers (sixteen first visits at
 * once) were still precaching the app. With sixteen pages on two cores any extra load sets the queue every line
 * waits in: our lines typed right after the warm-up waited about twice as long as after a 10 s pause, and stock's
 * gained as much from one (bench/RESULTS.md, stop 52). The warm-up's own latencies, taken as the room forms, are
 * reported apart.
 */
const SETTLE_MS = Number(process.env.BENCH_ROOM_SETTLE_MS ?? 10_000)
/** Longest wait for every pair of our members to be directly connected, before measuring anyway. */
const MESH_TIMEOUT_MS = 45_000
/** Pages opened at once. */
const OPEN_CONCURRENCY = 4
/**
 * Longest wait for one of a large room's pages to load: with 32 of our pages on two cores, the last ones loaded
 * while the first formed their mesh, and took longer than Playwright's 30 s.
 */
const PAGE_LOAD_TIMEOUT_MS = 120_000

/** Whose page: ours types into its composer and presses Enter; the stock page and the room floor's fill an input and click Send. */
type App = 'ours' | 'stock' | 'floor'

interface Heard { key: string, latency: number }

declare global {
  interface Window {
    /** lines heard by this page (bench instrumentation, installed before the page's own scripts) */
    benchHeard?: Heard[]
    /** this page's lines: from a line's stamp to its Enter, ms, by key (`<member>:<seq>`) */
    benchEnterDelay?: Record<string, number>
  }
}

/**
 * Installed in every page before its own scripts: notes each stamped line (`bench:<member>:<seq>:<stamp>`) the
 * first time it is on screen in the page's message log — our app's log items (not my own lines), or the stock
 * page's output — with now − stamp.
 */
export function observeLines (): void {
  const heard: Heard[] = []
  const seen = new Set<string>()
  window.benchHeard = heard
  const note = (text: string | null | undefined): void => {
    const match = /^bench:(\d+):(-?\d+):([\d.]+)$/.exec(text?.trim() ?? '')
    if (match == null) return
    const key = `${match[1]}:${match[2]}`
    if (seen.has(key)) return
    seen.add(key)
    heard.push({ key, latency: performance.timeOrigin + performance.now() - Number(match[3]) })
  }
  new MutationObserver(records => {
    for (const record of records) {
      const target = record.target as Element
      if (target.id === 'output') {
        // the stock page rewrites its whole output (innerText +=): one text node per line
        target.childNodes.forEach(node => { if (node.nodeType === Node.TEXT_NODE) note(node.textContent) })
        continue
      }
      record.addedNodes.forEach(node => {
        if (!(node instanceof Element)) return
        const items = node.matches('li') ? [node] : [...node.querySelectorAll('li')]
        for (const item of items) {
          if (item.matches('[aria-label="Messages"] li:not(.mine)')) note(item.querySelector('.text')?.textContent)
        }
      })
    }
  }).observe(document, { childList: true, subtree: true })
}

/**
 * Types a line into the page's composer and sends it as a person would: the text is in the box first (typed over
 * TYPING_MS in ours, put in at once otherwise), and Enter (ours) or Send (the stock page) comes after the page
 * has drawn it, as a person's does, never in the same task. The line's stamp is taken as the text goes in; the
 * time from it to Enter is noted in `window.benchEnterDelay` and taken off the line's latency.
 */
export async function typeLines (page: Page, app: App, member: number, seqs: number[], intervalMs: number, offsetMs: number): Promise<void> {
  const typingMs = app === 'ours' ? Math.min(TYPING_MS, intervalMs) : 0
  await page.evaluate(async ({ app, member, seqs, intervalMs, offsetMs, typingMs }) => {
    const delays: Record<string, number> = window.benchEnterDelay ??= {}
    const now = (): number => performance.timeOrigin + performance.now()
    /** Puts `value` in our composer as typing does (an input event); returns the composer. */
    const compose = (value: string): HTMLTextAreaElement => {
      const box = document.querySelector<HTMLTextAreaElement>('textarea[aria-label="Message"]')!
      box.value = value
      box.dispatchEvent(new Event('input', { bubbles: true }))
      return box
    }
    /** Resolves once the page has drawn what changed (the task after its next frame). */
    const drawn = async (): Promise<void> => new Promise(resolve => {
      requestAnimationFrame(() => { setTimeout(resolve, 0) })
    })
    await new Promise(resolve => setTimeout(resolve, offsetMs))
    for (const seq of seqs) {
      const started = now()
      if (typingMs > 0) {
        // the first keystroke: a draft the app sees being typed
        compose('b')
        await new Promise(resolve => setTimeout(resolve, typingMs))
      }
      const stamp = now()
      const text = `bench:${member}:${seq}:${stamp.toFixed(3)}`
      if (app === 'ours') {
        const box = compose(text)
        await drawn()
        delays[`${member}:${seq}`] = now() - stamp
        box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }))
      } else {
        document.querySelector<HTMLInputElement>('#send-topic-message-input')!.value = text
        await drawn()
        delays[`${member}:${seq}`] = now() - stamp
        document.querySelector<HTMLButtonElement>('#send-topic-message-button')!.click()
      }
      await new Promise(resolve => setTimeout(resolve, Math.max(0, intervalMs - (now() - started))))
    }
  }, { app, member, seqs, intervalMs, offsetMs, typingMs })
}

/** Each line's time from its stamp to Enter, by key, from every sender. */
export async function enterDelays (pages: Page[]): Promise<Map<string, number>> {
  const all = await Promise.all(pages.map(async page => page.evaluate(() => window.benchEnterDelay ?? {})))
  return new Map(all.flatMap(delays => Object.entries(delays)))
}

async function heardBy (pages: Page[]): Promise<Heard[][]> {
  return Promise.all(pages.map(async page => page.evaluate(() => window.benchHeard ?? [])))
}

/** Polls until `done` holds for what the pages heard, or the deadline; resolves to the last reading. */
async function waitHeard (pages: Page[], deadline: number, done: (heard: Heard[][]) => boolean): Promise<Heard[][]> {
  for (;;) {
    const heard = await heardBy(pages)
    if (done(heard) || Date.now() > deadline) return heard
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}

/** Opens `count` pages, `OPEN_CONCURRENCY` at a time. */
export async function openPages (count: number, open: (index: number) => Promise<Page>): Promise<Page[]> {
  const pages: Page[] = []
  for (let first = 0; first < count; first += OPEN_CONCURRENCY) {
    const batch = Array.from({ length: Math.min(OPEN_CONCURRENCY, count - first) }, async (_, i) => open(first + i))
    pages.push(...await Promise.all(batch))
  }
  return pages
}

/** One of our pages' view of its room: its own peer id ('' while not known), and each member's route in its peers list. */
export interface RoomView { self: string, routes: Map<string, string> }

/** Each page's view; a page's own peer id is the one that the other pages list and it does not. */
export async function roomViews (pages: Page[]): Promise<RoomView[]> {
  const lists = await Promise.all(pages.map(async page => page.evaluate(() => [...document.querySelectorAll('[aria-label="Peers"] li')].map(item => [
    /\((\w+)\)$/.exec(item.querySelector('button.peer')?.getAttribute('title') ?? '')?.[1] ?? '',
    item.querySelector('[data-testid="route"]')?.textContent?.trim() ?? ''
  ] satisfies [string, string]))))
  const everyone = new Set(lists.flat().map(([id]) => id))
  return lists.map(list => {
    const routes = new Map(list)
    const unlisted = [...everyone].filter(id => !routes.has(id))
    return { self: unlisted.length === 1 ? unlisted[0]! : '', routes }
  })
}

/**
 * The pairs of members that connect directly by the app's rule (`isDirectPair`: every pair in a room of up to
 * MAX_DIRECT_MEMBERS others, ring neighbours in a larger one), and how many of them are direct on both sides.
 * Counting every direct badge instead took a page's surplus connections for another's missing ones: at N = 10 a
 * room read "21 of 20 pairs direct" while its last page had none.
 */
export function neighbourPairs (views: RoomView[]): { direct: number, expected: number } {
  const ring = views.map(view => view.self).sort()
  let direct = 0
  let expected = 0
  views.forEach((a, i) => {
    for (const b of views.slice(i + 1)) {
      if (!isDirectPair(ring, a.self, b.self)) continue
      expected++
      if (a.self !== '' && b.self !== '' && a.routes.get(b.self) === 'direct' && b.routes.get(a.self) === 'direct') direct++
    }
  })
  return { direct, expected }
}

/** Of our pages' pairs that connect directly by the app's rule, how many are direct on both sides ({@link neighbourPairs}). */
export async function directPairs (pages: Page[]): Promise<{ direct: number, expected: number }> {
  return neighbourPairs(await roomViews(pages))
}

export interface RoomRun {
  latencies: number[]
  /** the warm-up lines' latencies: every member's first line, typed at once as the room forms */
  warmUp: number[]
  delivered: number
  expected: number
  notes: string[]
}

/**
 * Called around the measured part of a room's run, with the room's pages: once the warm-up is over, and once the
 * lines are in.
 */
export interface MeasuredPart {
  start: (pages: Page[]) => Promise<void>
  stop: (pages: Page[]) => Promise<void>
}

/**
 * One room of `pages`: a warm-up line from each member, all at once (until every member heard every other, or the
 * warm-up timeout), then SETTLE_MS, then every member types LINES_PER_MEMBER stamped lines, LINE_INTERVAL_MS
 * apart, members evenly staggered; every other member notes when each is on its screen.
 */
async function measureRoom (pages: Page[], app: App, label: string, measured?: MeasuredPart): Promise<RoomRun> {
  const n = pages.length
  const notes: string[] = []
  const warmStarted = Date.now()
  await Promise.all(pages.map(async (page, i) => typeLines(page, app, i, [-1], 0, 0)))
  const warm = await waitHeard(pages, Date.now() + WARMUP_TIMEOUT_MS, heard => heard.every(h => h.length >= n - 1))
  const warmHeard = warm.reduce((sum, h) => sum + h.length, 0)
  if (warmHeard < n * (n - 1)) notes.push(`${label}: warm-up incomplete after ${WARMUP_TIMEOUT_MS} ms (${warmHeard} of ${n * (n - 1)})`)
  await Promise.all(pages.map(async page => page.evaluate(() => { window.benchHeard!.length = 0 })))
  const warmMs = Date.now() - warmStarted
  await new Promise(resolve => setTimeout(resolve, SETTLE_MS))

  const seqs = Array.from({ length: LINES_PER_MEMBER }, (_, i) => i)
  await measured?.start(pages)
  await Promise.all(pages.map(async (page, i) => typeLines(page, app, i, seqs, LINE_INTERVAL_MS, Math.round(i * LINE_INTERVAL_MS / n))))
  const expected = n * (n - 1) * LINES_PER_MEMBER
  const heard = await waitHeard(pages, Date.now() + TAIL_MS, h => h.reduce((sum, x) => sum + x.length, 0) >= expected)
  await measured?.stop(pages)
  const delays = await enterDelays(pages)
  const latencies = heard.flat().filter(h => !h.key.endsWith(':-1')).map(h => h.latency - (delays.get(h.key) ?? 0))
  // the warm-up lines' Enter delays are among every line's
  const warmUp = warm.flat().map(h => h.latency - (delays.get(h.key) ?? 0))
  notes.push(`${label}: warm-up ${warmMs} ms, ${latencies.length}/${expected} delivered, load ${loadavg()[0]!.toFixed(1)}`)
  return { latencies, warmUp, delivered: latencies.length, expected, notes }
}

export async function closeAll (pages: Page[]): Promise<void> {
  await Promise.all(pages.map(async page => page.context().close()))
}

/** The room floor of `n` pages ({@link openRoomFloor}), measured as the rooms are. */
export async function runFloor (browser: Browser, n: number, measured?: MeasuredPart): Promise<RoomRun> {
  const pages = await openRoomFloor(browser, n, [observeLines, countWire])
  try {
    return await measureRoom(pages, 'floor', `N=${n} room floor`, measured)
  } finally {
    await closeAll(pages)
  }
}

export async function runStock (browser: Browser, n: number, measured?: MeasuredPart): Promise<RoomRun> {
  const topic = roomTopic(createRoomId())
  const relay = await StockRelay.start(topic)
  try {
    const pages = await openPages(n, async () => openStockPage(browser, relay, topic, [observeLines, countWire]))
    try {
      return await measureRoom(pages, 'stock', `N=${n} stock`, measured)
    } finally {
      await closeAll(pages)
    }
  } finally {
    await relay.dispose()
  }
}

/**
 * Opens our app at `link` in a context of its own (a member of its own), with {@link observeLines} and
 * {@link countWire} installed; a large room's page gets {@link PAGE_LOAD_TIMEOUT_MS} to load.
 */
export async function openOurPage (browser: Browser, link: string): Promise<Page> {
  const context = await browser.newContext()
  await context.addInitScript(observeLines)
  await context.addInitScript(countWire)
  const page = await context.newPage()
  await page.goto(link, { timeout: PAGE_LOAD_TIMEOUT_MS })
  return page
}

type OurKind = 'public' | 'private' | 'relay-gone'

export async function runOurs (browser: Browser, n: number, kind: OurKind, measured?: MeasuredPart): Promise<RoomRun> {
  const relay = await RelayProcess.start()
  if (kind === 'relay-gone') {
    // the relay stops between the warm-up and the measured lines: the room goes on over its direct connections
    const inner = measured
    measured = {
      start: async pages => {
        await relay.stop()
        await new Promise(resolve => setTimeout(resolve, RELAY_GONE_SETTLE_MS))
        await inner?.start(pages)
      },
      stop: async pages => { await inner?.stop(pages) }
    }
  }
  try {
    const link = new URL(`/r/${createRoomId()}${kind === 'private' ? `#${createRoomSecret()}` : ''}`, relay.url).href
    const pages = await openPages(n, async () => openOurPage(browser, link))
    try {
      const started = Date.now()
      let pairs = await directPairs(pages)
      while (pairs.direct < pairs.expected && Date.now() - started < MESH_TIMEOUT_MS) {
        await new Promise(resolve => setTimeout(resolve, 500))
        pairs = await directPairs(pages)
      }
      // read before the room is measured: the lines typed then are not part of forming the mesh
      const meshMs = Date.now() - started
      const run = await measureRoom(pages, 'ours', `N=${n} ours ${kind}`, measured)
      run.notes.unshift(`N=${n} ours ${kind}: ${pairs.direct} of ${pairs.expected} pairs that connect directly were direct on both sides ${meshMs} ms after the last page loaded`)
      return run
    } finally {
      await closeAll(pages)
    }
  } finally {
    await relay.dispose()
  }
}

/** The share of the lines owed that were delivered, over one room's runs. */
function deliveryFigure (label: string, runs: RoomRun[]): Figure {
  const expected = sum(runs.map(run => run.expected))
  return { label: `${label}: delivered (of ${expected})`, unit: '', value: sum(runs.map(run => run.delivered)) / expected }
}

function ratio (a: number, b: number): number {
  return b > 0 ? a / b : Number.NaN
}

/**
 * Room message latency through the UI: N browser pages in one room (one Chromium, a context each), each member
 * types stamped lines; every other member notes when each line is on its screen (now − stamp). Ours: the real
 * web app through our relay, public and private rooms. Stock, in the same run: js-libp2p-examples' browser
 * pubsub page with gossipsub through a stock relay (stock/). Floor: a raw RTCDataChannel, one way, and at each size the
 * room floor: as many pages joined pair by pair by raw data channels, each line sent to all and added to a list.
 */
export const latency: Metric = async ({ log }) => {
  const browser = await launchChromium()
  const figures: Figure[] = []
  const notes: string[] = []
  const started = Date.now()
  /**
   * One room of a round: its notes go to the report and the log, tagged with the round. A room that could not be run
   * (a page that did not load on a loaded machine) is a note, and undefined.
   */
  const runRoom = async (tag: string, label: string, run: () => Promise<RoomRun>): Promise<RoomRun | undefined> => {
    let room: RoomRun
    try {
      room = await run()
    } catch (err) {
      const note = `${tag}${label}: not measured (${(err as Error).message.split('\n')[0]})`
      notes.push(note)
      log(note)
      return undefined
    }
    notes.push(...room.notes.map(note => tag + note))
    log(tag + room.notes.join('; '))
    return room
  }
  try {
    const floorRelay = await startHarnessRelay()
    const pair = await openRawPair(browser, floorRelay.url)
    const floor = summarize(await rawOneWay(pair, 200, 5))
    await pair.close()
    await floorRelay.dispose()
    figures.push({ label: 'floor: raw RTCDataChannel one-way', unit: 'ms', summary: floor })

    for (const n of ROOM_SIZES) {
      const kinds = (['public', 'private', 'relay-gone'] as const).filter(kind => ROOM_KINDS.has(kind))
      const floorRuns: RoomRun[] = []
      const stockRuns: RoomRun[] = []
      /** each of our rooms, with the stock room run just before it in the same round */
      const ourRuns = new Map<OurKind, Array<{ run: RoomRun, stock?: Summary }>>(kinds.map(kind => [kind, []]))
      for (let round = 1; round <= ROOM_ROUNDS; round++) {
        const tag = ROOM_ROUNDS > 1 ? `round ${round} of ${ROOM_ROUNDS}: ` : ''
        let stockSummary: Summary | undefined
        if (ROOM_KINDS.has('floor')) {
          const room = await runRoom(tag, `N=${n} room floor`, async () => runFloor(browser, n))
          if (room != null) floorRuns.push(room)
        }
        if (ROOM_KINDS.has('stock')) {
          const stock = await runRoom(tag, `N=${n} stock`, async () => runStock(browser, n))
          if (stock == null) continue
          stockRuns.push(stock)
          stockSummary = summarize(stock.latencies)
        }
        for (const kind of kinds) {
          const ours = await runRoom(tag, `N=${n} ours ${kind}`, async () => runOurs(browser, n, kind))
          if (ours != null) ourRuns.get(kind)!.push({ run: ours, stock: stockSummary })
        }
      }
      /** what the rooms of this size are set against: the room floor when it ran, else the raw pair's one-way */
      const under = floorRuns.length > 0
        ? { label: 'room floor', summary: summarize(floorRuns.flatMap(run => run.latencies)) }
        : { label: 'floor', summary: floor }
      if (floorRuns.length > 0) {
        figures.push({ label: `N=${n} room floor: line typed → shown`, unit: 'ms', summary: under.summary })
        figures.push(deliveryFigure(`N=${n} room floor`, floorRuns))
      }
      if (stockRuns.length > 0) {
        const stockPooled = summarize(stockRuns.flatMap(run => run.latencies))
        figures.push({ label: `N=${n} stock: line typed → shown`, unit: 'ms', summary: stockPooled })
        figures.push({ label: `N=${n} stock: warm-up line → shown`, unit: 'ms', summary: summarize(stockRuns.flatMap(run => run.warmUp)) })
        figures.push(deliveryFigure(`N=${n} stock`, stockRuns))
        if (floorRuns.length > 0) {
          figures.push({ label: `N=${n} stock: p50 / room floor p50`, unit: '×', value: ratio(stockPooled.p50, under.summary.p50) })
          figures.push({ label: `N=${n} stock: p99 / room floor p99`, unit: '×', value: ratio(stockPooled.p99, under.summary.p99) })
        }
      }
      for (const [kind, runs] of ourRuns) {
        if (runs.length === 0) continue
        const summary: Summary = summarize(runs.flatMap(({ run }) => run.latencies))
        figures.push({ label: `N=${n} ours ${kind}: line typed → shown`, unit: 'ms', summary })
        figures.push({ label: `N=${n} ours ${kind}: warm-up line → shown`, unit: 'ms', summary: summarize(runs.flatMap(({ run }) => run.warmUp)) })
        figures.push(deliveryFigure(`N=${n} ours ${kind}`, runs.map(({ run }) => run)))
        const paired = runs.flatMap(({ run, stock }) => stock == null ? [] : [{ ours: summarize(run.latencies), stock }])
        if (paired.length > 0) {
          const of = paired.length > 1 ? ` (median of ${paired.length} rounds)` : ''
          for (const p of ['p50', 'p99'] as const) {
            const ratios = paired.map(({ ours, stock }) => ratio(ours[p], stock[p]))
            figures.push({ label: `N=${n} ours ${kind}: ${p} / stock ${p}${of}`, unit: '×', value: midMedian(ratios) })
            if (paired.length > 1) notes.push(`N=${n} ours ${kind}: ${p} / stock ${p} by round: ${ratios.map(r => r.toFixed(2)).join(', ')}`)
          }
        }
        figures.push({ label: `N=${n} ours ${kind}: p50 / ${under.label} p50`, unit: '×', value: ratio(summary.p50, under.summary.p50) })
        figures.push({ label: `N=${n} ours ${kind}: p99 / ${under.label} p99`, unit: '×', value: ratio(summary.p99, under.summary.p99) })
      }
      log(`N=${n} done at ${Math.round((Date.now() - started) / 1000)} s`)
    }
  } finally {
    await browser.close()
  }
  return {
    id: 'latency',
    title: 'Room latency through the UI: line typed → shown on the other members\' screens (all pages in one Chromium)',
    figures,
    notes: [
      `a warm-up line from every member at once, as the room forms (its latencies are the warm-up figures), then ${SETTLE_MS / 1000} s for the room to settle, then ${LINES_PER_MEMBER} lines per member, ${LINE_INTERVAL_MS} ms apart, members staggered; a line later than ${TAIL_MS / 1000} s after the last one typed is not delivered`,
      'a line\'s latency runs from its Enter (ours) or Send (stock), which comes once the page has drawn the text, as a person\'s does, to its showing on another member\'s screen',
      TYPING_MS > 0 ? `ours: each line's typing starts ${TYPING_MS} ms before it is sent (a typing notice goes first when that is over ${TYPING_NOTICE_DELAY_MS} ms)` : 'ours: each line is put in at once (a paste or a quick reply: no typing notice); BENCH_TYPING_MS=700 types for 700 ms first',
      'stock: js-libp2p-examples\' browser pubsub page with gossipsub defaults, through a stock relay subscribed to the topic (no direct dials: that page dials only what is typed into it); stock rooms are public, so private rooms are compared with the same stock figures',
      'room floor: as many pages, a context each, every pair joined by a raw RTCDataChannel (signalled through the bench, no libp2p, no relay), each line sent to every other page and added to its list as one item: the least these pages on this machine can do with the same lines; the rooms of a size are set against it when it ran, else against the raw pair\'s one-way floor',
      ...notes
    ]
  }
}
