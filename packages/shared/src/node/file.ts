import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import { InvalidFileRequestError } from '../file/errors.js'
import type { FileSink, FileSource } from '../file/index.js'

/** A file on disk served to peers, read through one handle; `close()` releases it. */
export interface NodeFileSource extends FileSource {
  close(): Promise<void>
}

/** Serves the file at `path` as it is now (its size is read once: do not change the file while it is served). */
export async function openFileSource (path: string): Promise<NodeFileSource> {
  const handle = await open(path, 'r')
  const { size } = await handle.stat()
  return {
    size,
    read: async (offset, length) => {
      const buffer = new Uint8Array(length)
      const { bytesRead } = await handle.read(buffer, 0, length, offset)
      return buffer.subarray(0, bytesRead)
    },
    close: async () => { await handle.close() }
  }
}

/** A sink writing a fetched file to disk, through one handle; `close()` releases it. */
export interface NodeFileSink extends FileSink {
  close(): Promise<void>
}

/**
 * A sink that writes to the file at `path`, created if missing. A file left by a fetch that stopped is resumed:
 * the next fetch into it asks only for the rest.
 */
export async function openFileSink (path: string): Promise<NodeFileSink> {
  const handle = await open(path, constants.O_RDWR | constants.O_CREAT)
  let end = (await handle.stat()).size
  return {
    size: async () => end,
    write: async (offset, bytes) => {
      if (offset !== end) {
        throw new InvalidFileRequestError(`A sink is written in order: a write at ${offset}, but it holds ${end} bytes`)
      }
      await handle.write(bytes, 0, bytes.byteLength, offset)
      end += bytes.byteLength
    },
    read: async (offset, length) => {
      const buffer = new Uint8Array(length)
      const { bytesRead } = await handle.read(buffer, 0, length, offset)
      return buffer.subarray(0, bytesRead)
    },
    truncate: async (length) => {
      if (length < end) {
        await handle.truncate(length)
        end = length
      }
    },
    flush: async () => { await handle.datasync() },
    close: async () => { await handle.close() }
  }
}
