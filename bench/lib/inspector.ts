/**
 * A small client of a Node process's inspector (started with `--inspect=127.0.0.1:0`), for what the relay itself
 * offers no way to do: force a full garbage collection and read the V8 heap in use after it, or write a heap
 * snapshot. It speaks the Chrome DevTools Protocol over the inspector's WebSocket (Node's own `WebSocket`); the
 * relay's code is not touched, and nothing is attached between calls.
 */
import { writeFile } from 'node:fs/promises'

/** Longest one inspector command may take (a full collection of a few hundred MiB takes well under this). */
export const DEFAULT_INSPECTOR_TIMEOUT_MS = 30_000
/** A heap snapshot takes longer: it walks and serialises the whole heap. */
export const DEFAULT_SNAPSHOT_TIMEOUT_MS = 120_000

/** The inspector could not be reached, answered with an error, or did not answer in time. */
export class InspectorError extends Error {
  static override name = 'InspectorError'
  override name = 'InspectorError'
}

interface Reply { id?: number, method?: string, params?: Record<string, unknown>, result?: Record<string, unknown>, error?: { message: string } }

/**
 * Opens a session, runs `commands` one after another (each awaiting its reply), hands every event to `onEvent`,
 * closes the session and resolves to the last command's result.
 */
async function session (url: string, commands: Array<{ method: string, params?: Record<string, unknown> }>, timeoutMs: number, onEvent?: (reply: Reply) => void): Promise<Record<string, unknown>> {
  const socket = new WebSocket(url)
  const pending = new Map<number, { resolve: (r: Record<string, unknown>) => void, reject: (e: Error) => void }>()
  const failAll = (err: Error): void => { for (const p of pending.values()) p.reject(err); pending.clear() }
  socket.addEventListener('message', evt => {
    const reply = JSON.parse(String(evt.data)) as Reply
    if (reply.id == null) {
      onEvent?.(reply)
      return
    }
    const waiting = pending.get(reply.id)
    pending.delete(reply.id)
    if (reply.error != null) waiting?.reject(new InspectorError(reply.error.message))
    else waiting?.resolve(reply.result ?? {})
  })
  socket.addEventListener('close', () => { failAll(new InspectorError(`the inspector at ${url} closed the session`)) })
  const timer = setTimeout(() => { failAll(new InspectorError(`the inspector at ${url} did not answer in ${timeoutMs} ms`)); socket.close() }, timeoutMs)
  try {
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => { resolve() }, { once: true })
      socket.addEventListener('error', () => { reject(new InspectorError(`cannot open the inspector at ${url}`)) }, { once: true })
    })
    let result: Record<string, unknown> = {}
    for (const [i, command] of commands.entries()) {
      result = await new Promise((resolve, reject) => {
        pending.set(i + 1, { resolve, reject })
        socket.send(JSON.stringify({ id: i + 1, ...command }))
      })
    }
    return result
  } finally {
    clearTimeout(timer)
    socket.close()
  }
}

/** Forces a full collection in the inspected process and resolves to its V8 heap in use after it, in bytes. */
export async function heapAfterGc (url: string, timeoutMs = DEFAULT_INSPECTOR_TIMEOUT_MS): Promise<number> {
  const usage = await session(url, [{ method: 'HeapProfiler.collectGarbage' }, { method: 'Runtime.getHeapUsage' }], timeoutMs)
  return Number(usage.usedSize)
}

/** Writes a heap snapshot of the inspected process to `file` (open it in Chrome DevTools' Memory tab). */
export async function writeHeapSnapshot (url: string, file: URL | string, timeoutMs = DEFAULT_SNAPSHOT_TIMEOUT_MS): Promise<void> {
  const chunks: string[] = []
  await session(url, [{ method: 'HeapProfiler.enable' }, { method: 'HeapProfiler.takeHeapSnapshot', params: { reportProgress: false } }], timeoutMs, reply => {
    if (reply.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(String(reply.params?.chunk))
  })
  await writeFile(file, chunks.join(''))
}
