import { sha256 } from '@noble/hashes/sha2.js'
import { raceSignal } from 'race-signal'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { FILE_HASH_READ_BYTES } from './constants.js'

/** Anything that reads a range of a file's bytes: a source, or what a sink holds. */
type ReadRange = (offset: number, length: number) => Promise<Uint8Array>

/** An incremental SHA-256 (WebCrypto's digest is one-shot: it would need the whole file in memory). */
export type FileHash = ReturnType<typeof sha256.create>

/** A new incremental SHA-256, fed with the first `length` bytes that `read` gives. */
export async function hashPrefix (read: ReadRange, length: number, signal?: AbortSignal): Promise<FileHash> {
  const hash = sha256.create()
  for (let offset = 0; offset < length; offset += FILE_HASH_READ_BYTES) {
    hash.update(await raceSignal(read(offset, Math.min(FILE_HASH_READ_BYTES, length - offset)), signal))
  }
  return hash
}

/**
 * A file's id: the SHA-256 of its content, in lowercase hex. Reads it 1 MiB at a time, so a large `File` in a
 * browser is never held in memory whole.
 */
export async function fileIdOf (source: { size: number, read: ReadRange }, signal?: AbortSignal): Promise<string> {
  return uint8ArrayToString((await hashPrefix(source.read.bind(source), source.size, signal)).digest(), 'base16')
}
