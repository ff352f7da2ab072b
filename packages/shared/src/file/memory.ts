import { InvalidFileRequestError } from './errors.js'
import type { FileSink, FileSource } from './index.js'

/** A file held in memory, served as it is (tests, small generated files). */
export function bytesSource (bytes: Uint8Array): FileSource {
  return {
    size: bytes.byteLength,
    read: async (offset, length) => bytes.subarray(offset, offset + length)
  }
}

/**
 * A `Blob` (a browser's `File`, from a file picker, a drop or a paste) as a source: each read is a slice of it, so
 * the file is never held in memory whole.
 */
export function blobSource (blob: Blob): FileSource {
  return {
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer())
  }
}

/** A sink that keeps the file in memory: for tests and small files (an image to preview). */
export interface MemorySink extends FileSink {
  /** everything it holds, in one array */
  bytes(): Uint8Array
}

/** A new, empty {@link MemorySink}. */
export function memorySink (): MemorySink {
  let parts: Uint8Array[] = []
  let size = 0
  const bytes = (): Uint8Array => {
    if (parts.length > 1) {
      const whole = new Uint8Array(size)
      parts.reduce((at, part) => { whole.set(part, at); return at + part.byteLength }, 0)
      parts = [whole]
    }
    return parts[0] ?? new Uint8Array(0)
  }
  return {
    bytes,
    size: async () => size,
    write: async (offset, chunk) => {
      if (offset !== size) {
        throw new InvalidFileRequestError(`A sink is written in order: a write at ${offset}, but it holds ${size} bytes`)
      }
      // a copy: what arrives may be a view of a larger network buffer
      parts.push(new Uint8Array(chunk))
      size += chunk.byteLength
    },
    read: async (offset, length) => bytes().slice(offset, offset + length),
    truncate: async (length) => {
      if (length < size) {
        parts = [bytes().slice(0, length)]
        size = length
      }
    }
  }
}
