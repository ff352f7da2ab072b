import { readdirSync, readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { createRoomId, roomTopic } from '@p2p-chat/shared'
import { RelayProcess } from '../../e2e/support/relay-process.ts'
import { launchChromium } from '../lib/browser.ts'
import { openStockPage, StockRelay } from '../lib/stock-app.ts'
import { countWire } from '../lib/wire-count.ts'
import { closeAll, directPairs, observeLines, openOurPage, openPages } from './latency.ts'
import type { Figure, Metric } from '../lib/report.ts'
import type { Browser, CDPSession, Page } from 'playwright-core'

/** Room sizes measured (BENCH_IDLE_SIZES=16 to pick). */
const SIZES = (process.env.BENCH_IDLE_SIZES ?? '8,16').split(',').map(Number)
/** The rooms run at each size (BENCH_IDLE_KINDS=ours to pick): the stock app's (through its own relay), and ours. */
const KINDS = (process.env.BENCH_IDLE_KINDS ?? 'stock,ours').split(',') as App[]
/** How long the pages settle after the last one loaded (joins, upgrades), then how long the window lasts. */
const SETTLE_MS = 30_000
const WINDOW_MS = 15_000
/** Functions listed from the profiled page, by self time. */
const TOP_FUNCTIONS = 12
/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
const CLOCK_TICKS = 100

type ProcessKind = 'renderer' | 'gpu' | 'utility' | 'browser' | 'relay'
type App = 'stock' | 'ours'

/** CPU ticks used so far by this machine's Chromium processes, by kind, and by the relay. */
function cpuTicks (): Record<ProcessKind, number> {
  const ticks: Record<ProcessKind, number> = { renderer: 0, gpu: 0, utility: 0, browser: 0, relay: 0 }
  for (const pid of readdirSync('/proc').filter(name => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      const kind: ProcessKind | undefined = cmdline.includes('--type=renderer')
        ? 'renderer'
        : cmdline.includes('--type=gpu') ? 'gpu' : cmdline.includes('--type=utility') ? 'utility' : cmdline.includes('chrom') ? 'browser' : /relay\/dist\/bin\.js|stock\/relay\.ts/.test(cmdline) ? 'relay' : undefined
      if (kind == null) continue
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      ticks[kind] += Number(fields[11]) + Number(fields[12])
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks
}

interface ProfileNode { id: number, callFrame: { functionName: string, url: string, lineNumber: number, columnNumber: number } }

/** A CPU profile's self time by function (`name file:line:column`), largest first. */
function selfTimes (profile: { nodes: ProfileNode[], samples: number[], timeDeltas: number[] }): Array<[string, number]> {
  const byId = new Map(profile.nodes.map(node => [node.id, node]))
  const self = new Map<string, number>()
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber, columnNumber } = byId.get(id)!.callFrame
    const key = `${functionName === '' ? '(anonymous)' : functionName} ${url.split('/').pop() ?? ''}:${lineNumber}:${columnNumber}`
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
  })
  return [...self.entries()].sort((a, b) => b[1] - a[1])
}

/** A room of `n` pages of `app` that nobody types in, open until `dispose`; `direct` reads our pages' direct pairs. */
interface IdleRoom { pages: Page[], direct: () => Promise<string>, dispose: () => Promise<void> }

async function openIdleRoom (browser: Browser, app: App, n: number): Promise<IdleRoom> {
  if (app === 'stock') {
    const topic = roomTopic(createRoomId())
    const relay = await StockRelay.start(topic)
    // the same init scripts as our pages get (openOurPage), so that neither room carries the bench's listeners alone
    const pages = await openPages(n, async () => openStockPage(browser, relay, topic, [observeLines, countWire]))
    return { pages, direct: async () => 'none direct (the stock app talks through its relay)', dispose: async () => { await closeAll(pages); await relay.dispose() } }
  }
  const relay = await RelayProcess.start()
  const link = new URL(`/r/${createRoomId()}`, relay.url).href
  const pages = await openPages(n, async () => openOurPage(browser, link))
  return {
    pages,
    direct: async () => {
      const { direct, expected } = await directPairs(pages)
      return `${direct} of ${expected} pairs that connect directly direct on both sides`
    },
    dispose: async () => { await closeAll(pages); await relay.dispose() }
  }
}

/**
 * What a room costs while nobody types: N pages in one room (one Chromium, a context each), the stock app's
 * through its relay and ours through ours, left to settle, then the CPU each kind of process uses over a window
 * (from /proc), ours over stock's, and the first page's busiest functions (a CDP CPU profile). On demand:
 * `pnpm bench --only idle`.
 */
export const idle: Metric = async ({ log }) => {
  const figures: Figure[] = []
  const notes: string[] = []
  const browser = await launchChromium()
  try {
    for (const n of SIZES) {
      const total: Partial<Record<App, number>> = {}
      for (const app of KINDS) {
        const opened = Date.now()
        const room = await openIdleRoom(browser, app, n)
        try {
          const loadedMs = Date.now() - opened
          await new Promise(resolve => setTimeout(resolve, SETTLE_MS))
          const cdp: CDPSession = await room.pages[0]!.context().newCDPSession(room.pages[0]!)
          await cdp.send('Profiler.enable')
          const before = cpuTicks()
          const started = Date.now()
          await cdp.send('Profiler.start')
          await new Promise(resolve => setTimeout(resolve, WINDOW_MS))
          const { profile } = await cdp.send('Profiler.stop')
          const after = cpuTicks()
          const seconds = (Date.now() - started) / 1000
          total[app] = 0
          for (const kind of Object.keys(after) as ProcessKind[]) {
            const cores = (after[kind] - before[kind]) / CLOCK_TICKS / seconds
            total[app] += cores
            figures.push({ label: `N=${n} ${app}: ${kind} processes, idle`, unit: 'cores', value: cores })
          }
          figures.push({ label: `N=${n} ${app}: all processes, idle`, unit: 'cores', value: total[app] })
          const top = selfTimes(profile as unknown as Parameters<typeof selfTimes>[0]).slice(0, TOP_FUNCTIONS)
          notes.push(`N=${n} ${app}: all pages loaded after ${loadedMs} ms; ${await room.direct()} at the window's end; load ${loadavg()[0]!.toFixed(1)}`)
          notes.push(`N=${n} ${app}, page 0, self time over ${seconds.toFixed(1)} s: ${top.map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`).join('; ')}`)
          log(notes.slice(-2).join('\n'))
        } finally {
          await room.dispose()
        }
      }
      if (total.stock != null && total.ours != null) {
        figures.push({ label: `N=${n}: ours / stock, all processes, idle`, unit: '×', value: total.ours / total.stock })
      }
    }
  } finally {
    await browser.close()
  }
  return {
    id: 'idle',
    title: 'An idle room: CPU used while N members are in it and nobody types (one Chromium; each app through its own relay)',
    figures,
    notes: [`the pages settle ${SETTLE_MS / 1000} s after the last one loaded, then a ${WINDOW_MS / 1000} s window; 2 cores in all on this machine`, ...notes]
  }
}
