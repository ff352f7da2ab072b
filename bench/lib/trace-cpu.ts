/**
 * Where a Chromium trace's CPU went: the thread time of every top-level task, by the thread that ran it, and the
 * pages' main-thread tasks by what they ran for. Reads a trace taken with {@link TRACE_CPU_CATEGORIES}.
 */

/** `toplevel` gives every task with where it was posted from; `mojom` names the interface of a task's IPC message. */
export const TRACE_CPU_CATEGORIES = ['toplevel', 'mojom', 'disabled-by-default-mojom']

/** A Chromium trace event, as far as the accounting reads it. */
export interface TraceEvent {
  name: string
  ph: string
  pid: number
  tid: number
  ts: number
  /** wall time (µs) of a complete ('X') event */
  dur?: number
  /** thread time (µs) of a complete event */
  tdur?: number
  args?: {
    name?: string
    src_file?: string
    src_func?: string
    data?: { message?: string }
    chrome_mojo_event_info?: { mojo_interface_tag?: string }
  }
}

/** The threads CPU is counted by. */
export const THREAD_GROUPS = ['page main threads', 'page compositors', 'page raster and worker pools', 'page WebRTC threads', 'GPU process', 'browser process', 'other'] as const
export type ThreadGroup = typeof THREAD_GROUPS[number]

/** What a page's main-thread task ran for. */
export const TASK_SOURCES = ['frames', 'WebSocket messages', 'WebRTC data channels', 'IndexedDB', 'timers', 'other'] as const
export type TaskSource = typeof TASK_SOURCES[number]

export interface TraceCpu {
  /** thread time of all top-level tasks, ms, by thread group (tracing's own threads left out) */
  threads: Record<ThreadGroup, number>
  /** thread time of the pages' main-thread tasks, ms, by what each ran for */
  main: Record<TaskSource, number>
  /** how many such tasks, by what each ran for (`frames`: the frames the pages made) */
  tasks: Record<TaskSource, number>
}

const TASK_EVENTS = new Set(['ThreadControllerImpl::RunTask', 'ThreadPool_RunTask'])

/** A top-level task of a thread (its sequence's or its pool's), with its thread time. */
export function isTopLevelTask (e: TraceEvent): e is TraceEvent & { tdur: number } {
  return e.ph === 'X' && TASK_EVENTS.has(e.name) && e.tdur != null
}

/** The task that runs a page's frame: animation callbacks, style, layout, paint and the commit to the compositor. */
export function isFrameTask (task: TraceEvent): boolean {
  return task.args?.src_func === 'ScheduledActionSendBeginMainFrame'
}

function threadGroup (process: string, thread: string): ThreadGroup | undefined {
  if (thread === 'PerfettoTrace' || process.startsWith('Service: tracing')) {
    return undefined
  }
  if (process === 'Renderer') {
    if (thread === 'CrRendererMain') return 'page main threads'
    if (thread === 'Compositor') return 'page compositors'
    if (thread.startsWith('WebRTC')) return 'page WebRTC threads'
    if (thread.startsWith('ThreadPool') || thread.startsWith('CompositorTileWorker')) return 'page raster and worker pools'
    return 'other'
  }
  if (process === 'GPU Process') return 'GPU process'
  if (process === 'Browser' || process.startsWith('Service: network')) return 'browser process'
  return 'other'
}

/**
 * What a main-thread task ran for: a frame; an IPC message of the relay's WebSocket or of IndexedDB (the
 * interface named by the first mojo event inside the task; a WebSocket's data arriving through its data pipe is
 * a `simple_watcher` notification); a data channel's message or state, or another event of a peer connection; a
 * timer (`setTimeout`, `AbortSignal.timeout`).
 */
function taskSource (task: TraceEvent, iface: string | undefined): TaskSource {
  const file = task.args?.src_file ?? ''
  if (isFrameTask(task)) return 'frames'
  if (iface === 'network.mojom.WebSocketClient' || (iface == null && file.endsWith('simple_watcher.cc'))) return 'WebSocket messages'
  if (iface?.startsWith('blink.mojom.IDB') === true) return 'IndexedDB'
  if (file.includes('/peerconnection/')) return 'WebRTC data channels'
  if (file.endsWith('dom_timer.cc') || file.endsWith('abort_signal.cc')) return 'timers'
  return 'other'
}

/** Adds up a trace's CPU (see {@link TraceCpu}). */
export function traceCpu (events: TraceEvent[]): TraceCpu {
  const processes = new Map<number, string>()
  const threads = new Map<string, string>()
  for (const e of events) {
    if (e.ph !== 'M') continue
    if (e.name === 'process_name') processes.set(e.pid, e.args?.name ?? '')
    if (e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args?.name ?? '')
  }
  const result: TraceCpu = {
    threads: Object.fromEntries(THREAD_GROUPS.map(g => [g, 0])) as Record<ThreadGroup, number>,
    main: Object.fromEntries(TASK_SOURCES.map(s => [s, 0])) as Record<TaskSource, number>,
    tasks: Object.fromEntries(TASK_SOURCES.map(s => [s, 0])) as Record<TaskSource, number>
  }
  const mainThreads = new Map<string, TraceEvent[]>()
  for (const e of events) {
    if (e.ph !== 'X') continue
    const key = `${e.pid}:${e.tid}`
    const group = threadGroup(processes.get(e.pid) ?? '', (threads.get(key) ?? '').replace(/\d+$/, ''))
    if (group === 'page main threads') {
      const list = mainThreads.get(key) ?? []
      list.push(e)
      mainThreads.set(key, list)
    }
    if (group != null && isTopLevelTask(e)) {
      result.threads[group] += e.tdur / 1000
    }
  }
  for (const list of mainThreads.values()) {
    list.sort((a, b) => a.ts - b.ts)
    list.forEach((task, i) => {
      if (!isTopLevelTask(task)) return
      const end = task.ts + (task.dur ?? 0)
      let iface: string | undefined
      for (let j = i + 1; j < list.length && list[j]!.ts <= end && iface == null; j++) {
        iface = list[j]!.args?.chrome_mojo_event_info?.mojo_interface_tag
      }
      const source = taskSource(task, iface)
      result.main[source] += task.tdur / 1000
      result.tasks[source]++
    })
  }
  return result
}
