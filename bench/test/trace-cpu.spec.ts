import { describe, expect, it } from 'vitest'
import { traceCpu } from '../lib/trace-cpu.ts'
import type { TraceEvent } from '../lib/trace-cpu.ts'

const PAGE = 10
const GPU = 20
const TRACING = 30
const MAIN = 1
const COMPOSITOR = 2
const PERFETTO = 3

function meta (): TraceEvent[] {
  return [
    { name: 'process_name', ph: 'M', pid: PAGE, tid: 0, ts: 0, args: { name: 'Renderer' } },
    { name: 'process_name', ph: 'M', pid: GPU, tid: 0, ts: 0, args: { name: 'GPU Process' } },
    { name: 'process_name', ph: 'M', pid: TRACING, tid: 0, ts: 0, args: { name: 'Service: tracing.mojom.TracingService' } },
    { name: 'thread_name', ph: 'M', pid: PAGE, tid: MAIN, ts: 0, args: { name: 'CrRendererMain' } },
    { name: 'thread_name', ph: 'M', pid: PAGE, tid: COMPOSITOR, ts: 0, args: { name: 'Compositor' } },
    { name: 'thread_name', ph: 'M', pid: PAGE, tid: PERFETTO, ts: 0, args: { name: 'PerfettoTrace' } },
    { name: 'thread_name', ph: 'M', pid: GPU, tid: 1, ts: 0, args: { name: 'VizCompositorThread' } }
  ]
}

/** A top-level task of `ms` thread time (twice as long on the wall), posted from `file:func`. */
function task (pid: number, tid: number, ts: number, ms: number, file = '', func = ''): TraceEvent {
  return { name: 'ThreadControllerImpl::RunTask', ph: 'X', pid, tid, ts, dur: ms * 2000, tdur: ms * 1000, args: { src_file: file, src_func: func } }
}

function mojo (ts: number, iface: string): TraceEvent {
  return { name: 'Receive mojo message', ph: 'X', pid: PAGE, tid: MAIN, ts, dur: 10, args: { chrome_mojo_event_info: { mojo_interface_tag: iface } } }
}

describe('traceCpu', () => {
  it('counts each thread\'s tasks by thread time, leaves tracing\'s own out, and puts each main-thread task under what it ran for', () => {
    const events = [
      ...meta(),
      task(PAGE, MAIN, 1_000, 5, 'cc/trees/proxy_impl.cc', 'ScheduledActionSendBeginMainFrame'),
      task(PAGE, MAIN, 20_000, 1.5, 'mojo/public/cpp/bindings/lib/connector.cc', 'PostDispatchNextMessageFromPipe'),
      mojo(20_100, 'network.mojom.WebSocketClient'),
      task(PAGE, MAIN, 30_000, 0.25, 'mojo/public/cpp/bindings/lib/connector.cc', 'PostDispatchNextMessageFromPipe'),
      mojo(30_050, 'blink.mojom.IDBDatabase'),
      task(PAGE, MAIN, 40_000, 0.5, 'mojo/public/cpp/system/simple_watcher.cc', 'Notify'),
      task(PAGE, MAIN, 50_000, 0.75, 'third_party/blink/renderer/modules/peerconnection/rtc_data_channel.cc', 'OnMessage'),
      task(PAGE, MAIN, 60_000, 0.5, 'third_party/blink/renderer/core/scheduler/dom_timer.cc', 'DOMTimer'),
      task(PAGE, MAIN, 70_000, 2, 'v8/src/heap/minor-gc-job.cc', 'TryScheduleTask'),
      // a mojo event after a task has ended is not that task's
      mojo(80_000, 'network.mojom.WebSocketClient'),
      task(PAGE, COMPOSITOR, 1_000, 3),
      task(PAGE, PERFETTO, 1_000, 7),
      task(TRACING, 1, 1_000, 9),
      task(GPU, 1, 1_000, 4)
    ]
    const cpu = traceCpu(events)
    expect(cpu.threads).toEqual({
      'page main threads': 10.5,
      'page compositors': 3,
      'page raster and worker pools': 0,
      'page WebRTC threads': 0,
      'GPU process': 4,
      'browser process': 0,
      other: 0
    })
    expect(cpu.main).toEqual({
      frames: 5,
      'WebSocket messages': 2,
      'WebRTC data channels': 0.75,
      IndexedDB: 0.25,
      timers: 0.5,
      other: 2
    })
    expect(cpu.tasks).toEqual({ frames: 1, 'WebSocket messages': 2, 'WebRTC data channels': 1, IndexedDB: 1, timers: 1, other: 1 })
  })
})
