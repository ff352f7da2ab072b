import { launchChromium } from '../lib/browser.ts'
import { sum, summarize } from '../lib/stats.ts'
import { TASK_SOURCES, THREAD_GROUPS, TRACE_CPU_CATEGORIES, traceCpu } from '../lib/trace-cpu.ts'
import { countWireIn, wireCounts } from '../lib/wire-count.ts'
import { runFloor, runOurs, runStock } from './latency.ts'
import type { Figure, Metric } from '../lib/report.ts'
import type { TraceCpu, TraceEvent } from '../lib/trace-cpu.ts'
import type { WireCounts } from '../lib/wire-count.ts'
import type { MeasuredPart, RoomRun } from './latency.ts'
import type { Browser } from 'playwright-core'

/** Room sizes measured (BENCH_ROOM_CPU_SIZES=8 to pick). */
const ROOM_SIZES = (process.env.BENCH_ROOM_CPU_SIZES ?? '8,16').split(',').map(Number)

/** A room's run, its measured part traced (`cpu`), its pages' wire counted (`wire`) and timed (`seconds`). */
type TracedRoom = RoomRun & { cpu: TraceCpu, wire: WireCounts, seconds: number }

/** A room's run as `latency` runs it, with the browser traced and the pages' wire counted over the measured lines. */
async function tracedRoom (browser: Browser, run: (measured: MeasuredPart) => Promise<RoomRun>): Promise<TracedRoom> {
  let cpu: TraceCpu | undefined
  let wire: WireCounts | undefined
  let started = 0
  let seconds = 0
  const result = await run({
    start: async pages => {
      await countWireIn(pages, true)
      await browser.startTracing(undefined, { categories: TRACE_CPU_CATEGORIES })
      started = Date.now()
    },
    stop: async pages => {
      seconds = (Date.now() - started) / 1000
      cpu = traceCpu((JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] }).traceEvents)
      await countWireIn(pages, false)
      wire = await wireCounts(pages)
    }
  })
  if (cpu == null || wire == null) throw new Error('the room was not traced')
  return { ...result, cpu, wire, seconds }
}

/**
 * Where a room's CPU goes, per line delivered: the `latency` metric's room (N pages in one Chromium, each typing
 * 6 stamped lines a second apart), the room floor's (raw data channels between every pair, a line a list item), the
 * stock app's and ours (public), with the whole browser traced over the measured lines. All threads' CPU, by thread,
 * and the pages' main threads by what their tasks ran for, with how many tasks of each (frames; WebSocket and data
 * channel messages: a line's copies, gossip, pings), and the messages and bytes the pages received over WebSockets
 * (from the relay) and data channels (from each other), each divided by the lines delivered; ours over stock's, and
 * both over the floor's. The trace slows the pages: its latencies are not `latency`'s.
 */
export const roomCpu: Metric = async ({ log }) => {
  const browser = await launchChromium()
  const figures: Figure[] = []
  const notes: string[] = []
  try {
    for (const n of ROOM_SIZES) {
      const rooms = {
        floor: await tracedRoom(browser, async measured => runFloor(browser, n, measured)),
        stock: await tracedRoom(browser, async measured => runStock(browser, n, measured)),
        ours: await tracedRoom(browser, async measured => runOurs(browser, n, 'public', measured))
      }
      const all = { floor: 0, stock: 0, ours: 0 }
      for (const [app, room] of Object.entries(rooms) as Array<[keyof typeof rooms, TracedRoom]>) {
        const perLine = (ms: number): number => ms / Math.max(1, room.delivered)
        all[app] = perLine(sum(Object.values(room.cpu.threads)))
        const summary = summarize(room.latencies)
        notes.push(...room.notes, `N=${n} ${app}: traced for ${room.seconds.toFixed(1)} s, line typed → shown p50 ${summary.p50.toFixed(0)} ms, p99 ${summary.p99.toFixed(0)}`)
        figures.push(
          { label: `N=${n} ${app}: CPU per line delivered, all threads`, unit: 'ms', value: all[app] },
          ...THREAD_GROUPS.map(group => ({ label: `N=${n} ${app}: ${group}`, unit: 'ms', value: perLine(room.cpu.threads[group]) })),
          ...TASK_SOURCES.map(source => ({ label: `N=${n} ${app}: pages' main threads, ${source}`, unit: 'ms', value: perLine(room.cpu.main[source]) })),
          ...TASK_SOURCES.filter(source => source !== 'other').map(source => ({ label: `N=${n} ${app}: ${source}, tasks per line delivered`, unit: '', value: perLine(room.cpu.tasks[source]) })),
          { label: `N=${n} ${app}: WebSocket messages received per line delivered`, unit: '', value: perLine(room.wire.webSocketMessages) },
          { label: `N=${n} ${app}: WebSocket bytes received per line delivered`, unit: 'B', value: perLine(room.wire.webSocketBytes) },
          { label: `N=${n} ${app}: data channel messages received per line delivered`, unit: '', value: perLine(room.wire.dataChannelMessages) },
          { label: `N=${n} ${app}: data channel bytes received per line delivered`, unit: 'B', value: perLine(room.wire.dataChannelBytes) },
          { label: `N=${n} ${app}: delivered (of ${room.expected})`, unit: '', value: room.delivered / room.expected }
        )
        log(`N=${n} ${app}: ${all[app].toFixed(1)} ms of CPU per line, ${room.delivered} of ${room.expected} delivered`)
      }
      figures.push(
        { label: `N=${n}: ours / stock, CPU per line delivered`, unit: '×', value: all.ours / all.stock },
        { label: `N=${n}: ours / room floor, CPU per line delivered`, unit: '×', value: all.ours / all.floor },
        { label: `N=${n}: stock / room floor, CPU per line delivered`, unit: '×', value: all.stock / all.floor }
      )
    }
  } finally {
    await browser.close()
  }
  return {
    id: 'room-cpu',
    title: 'Where a room\'s CPU goes: per line delivered, by thread and by what the pages\' main threads ran (a traced room)',
    figures,
    notes: [
      ...notes,
      'thread time of every top-level task in a Chromium trace (categories toplevel, mojom) over the measured lines, tracing\'s own threads left out; a main-thread task is put under the IPC interface it dispatched (the relay\'s WebSocket, IndexedDB) or where it was posted from (frames, data channels, timers)',
      'wire: every message the pages\' WebSockets and data channels received over the measured lines, counted in the pages by an init script (bench/lib/wire-count.ts); a libp2p message may take more than one'
    ]
  }
}
