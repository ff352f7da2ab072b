import type { FileSink } from '@p2p-chat/shared'

/**
 * Files fetched from peers, on disk in the browser's origin-private file system (OPFS): they survive a reload, so
 * a fetch that a reload or a dropped connection stopped resumes where it was, and a large file never sits in
 * memory.
 *
 * A file is a directory of segment files (`p2p-chat-files/<name>/0`, `1`, …) of 8 MiB each. The main thread can
 * write OPFS only through `createWritable()`, whose writes land in a swap file and count only once the stream is
 * closed, and which copies the whole file to reopen it for appending. Segments keep both costs small: a
 * segment is committed as soon as it is full (a reload loses at most the segment being written), and reopening
 * one to append copies at most 8 MiB. The fetch commits the segment under way when it ends ({@link FileSink.flush}).
 *
 * No runtime imports (types only): the Playwright check loads this file into a bare page as it is.
 */

/** The directory under the origin's OPFS root that holds every fetched file. */
export const FILES_DIRECTORY = 'p2p-chat-files'
/** Bytes of one segment file: at most this much of a transfer is lost when the page goes away mid-way. */
export const DEFAULT_SEGMENT_BYTES = 8 * 1024 * 1024

export interface OpfsFileSinkOptions {
  /** @default DEFAULT_SEGMENT_BYTES */
  segmentBytes?: number
  /** the directory to keep files in @default `p2p-chat-files` in the origin's OPFS root */
  directory?: FileSystemDirectoryHandle
}

/** A fetched file kept in OPFS. */
export interface OpfsFileSink extends FileSink {
  /** the file as a Blob backed by its segments on disk, to preview (`URL.createObjectURL`) or save */
  blob(): Promise<Blob>
  /** deletes the file and everything it held */
  remove(): Promise<void>
}

/** One segment file, and the stream that appends to it while it is being written. */
interface Segment {
  handle: FileSystemFileHandle
  /** bytes it holds, committed or not */
  size: number
  writer?: FileSystemWritableFileStream
}

function isNotFound (err: unknown): boolean {
  return (err as DOMException).name === 'NotFoundError'
}

/**
 * Opens (or creates) the sink of the file named `name` (a file id does: 64 hex characters), holding what earlier
 * fetches of it committed. Throws what OPFS throws: no OPFS (not a secure context, or a browser without it), or
 * `name` not a valid file name.
 */
export async function openOpfsFileSink (name: string, options: OpfsFileSinkOptions = {}): Promise<OpfsFileSink> {
  const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES
  const parent = options.directory ?? await (await navigator.storage.getDirectory()).getDirectoryHandle(FILES_DIRECTORY, { create: true })
  const directory = await parent.getDirectoryHandle(name, { create: true })
  const segments: Segment[] = []
  // what earlier pages committed: full segments, then at most one short one
  for (let index = 0; ; index++) {
    let handle: FileSystemFileHandle
    try {
      handle = await directory.getFileHandle(String(index))
    } catch (err) {
      if (isNotFound(err)) {
        break
      }
      throw err
    }
    const { size } = await handle.getFile()
    segments.push({ handle, size })
    if (size < segmentBytes) {
      break
    }
  }
  // a segment after a short one cannot belong to the file (nothing writes past a gap): drop it
  for (let index = segments.length; ; index++) {
    try {
      await directory.removeEntry(String(index))
    } catch (err) {
      if (isNotFound(err)) {
        break
      }
      throw err
    }
  }

  const size = (): number => segments.reduce((total, segment) => total + segment.size, 0)

  /** Commits every segment being written: what it holds is then on disk, and readable. */
  const flush = async (): Promise<void> => {
    for (const segment of segments) {
      const writer = segment.writer
      segment.writer = undefined
      await writer?.close()
    }
  }

  const appendTo = async (segment: Segment, bytes: Uint8Array<ArrayBuffer>): Promise<void> => {
    // reopening a committed segment keeps (copies) what it holds
    segment.writer ??= await segment.handle.createWritable({ keepExistingData: segment.size > 0 })
    await segment.writer.write({ type: 'write', position: segment.size, data: bytes })
    segment.size += bytes.byteLength
    if (segment.size === segmentBytes) {
      const writer = segment.writer
      segment.writer = undefined
      await writer.close()
    }
  }

  const read = async (offset: number, length: number): Promise<Uint8Array> => {
    await flush()
    const parts: Blob[] = []
    for (let index = Math.floor(offset / segmentBytes); index < segments.length && index * segmentBytes < offset + length; index++) {
      const start = index * segmentBytes
      const file = await segments[index]!.handle.getFile()
      parts.push(file.slice(Math.max(0, offset - start), Math.min(file.size, offset + length - start)))
    }
    return new Uint8Array(await new Blob(parts).arrayBuffer())
  }

  return {
    size: async () => size(),
    write: async (offset, bytes) => {
      if (offset !== size()) {
        throw new RangeError(`A sink is written in order: a write at ${offset}, but it holds ${size()} bytes`)
      }
      let rest = new Uint8Array(bytes)
      while (rest.byteLength > 0) {
        let last = segments.at(-1)
        if (last == null || last.size === segmentBytes) {
          last = { handle: await directory.getFileHandle(String(segments.length), { create: true }), size: 0 }
          segments.push(last)
        }
        const room = segmentBytes - last.size
        await appendTo(last, rest.subarray(0, room))
        rest = rest.subarray(room)
      }
    },
    read,
    truncate: async (length) => {
      if (length >= size()) {
        return
      }
      await flush()
      const keep = Math.ceil(length / segmentBytes)
      for (const segment of segments.splice(keep)) {
        await directory.removeEntry(segment.handle.name)
      }
      const last = segments.at(-1)
      const end = length - (keep - 1) * segmentBytes
      if (last != null && last.size > end) {
        const writer = await last.handle.createWritable({ keepExistingData: true })
        await writer.truncate(end)
        await writer.close()
        last.size = end
      }
    },
    flush,
    blob: async () => {
      await flush()
      return new Blob(await Promise.all(segments.map(async segment => segment.handle.getFile())))
    },
    remove: async () => {
      for (const segment of segments.splice(0)) {
        await segment.writer?.abort()
      }
      await parent.removeEntry(name, { recursive: true })
    }
  }
}
