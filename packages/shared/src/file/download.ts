import { lpStream } from '@libp2p/utils'
import { raceSignal } from 'race-signal'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { FileResponse } from '../proto/file.js'
import { FILE_CHUNK_BYTES, FILE_CHUNK_TAG_BYTES, FILE_START_WINDOW_CHUNKS, MAX_FILE_RESPONSE_BYTES } from './constants.js'
import { CreditWindow } from './credit-window.js'
import { openChunk } from './crypto.js'
import {
  DirectConnectionRequiredError, FileIntegrityError, FileNotFoundError, FileRequestRefusedError, FileSinkError,
  FileTooLargeError, FileTransferProtocolError
} from './errors.js'
import { encodeFileCredit, encodeFileRequest, parseFileResponse } from './wire.js'
import type { IdleTimer } from '../util/idle-timer.js'
import type { FileHash } from './hash.js'
import type { FileProgress, FileSink } from './index.js'
import type { PeerId, Stream } from '@libp2p/interface'

export interface DownloadInit {
  id: string
  topic: string
  peer: PeerId
  sink: FileSink
  /** where the transfer starts: a chunk boundary, or the file's size */
  offset: number
  /** the SHA-256 of the sink's first `offset` bytes, to be continued */
  hash: FileHash
  /** a private room's key for this file */
  key?: CryptoKey
  /** the size the offer states */
  size?: number
  /** 0: no limit */
  maxSize: number
  /** most chunks in flight */
  window: number
  /** ms of the sink's rate kept in flight (see {@link CreditWindow}) */
  windowMs: number
  /** how long the answer may take (the idle timeout applies from then on) */
  timeout: number
  idleTimeout: number
  onProgress?(progress: FileProgress): void
}

/** Bytes a sink holds so far: an error that interrupts a download says how many. */
export interface DownloadState {
  received: number
}

/**
 * Waits for a sink operation, or for `signal`: a sink that hangs (a stuck disk) must not hang the fetch past its
 * cancel or its idle timeout, and one that fails is a {@link FileSinkError}.
 */
export async function onSink<T> (operation: Promise<T>, signal: AbortSignal): Promise<T> {
  try {
    return await raceSignal(operation, signal)
  } catch (err) {
    if (signal.aborted) {
      throw err
    }
    throw new FileSinkError(`The sink failed: ${(err as Error).message}`, { cause: err })
  }
}

/** Turns a non-OK status into the error the caller sees. */
function refusal (status: FileResponse.Status, size: number, init: DownloadInit): Error {
  switch (status) {
    case FileResponse.Status.NOT_FOUND:
      return new FileNotFoundError(`The peer does not serve file ${init.id} in ${init.topic}`)
    case FileResponse.Status.TOO_LARGE:
      return new FileTooLargeError(`The file is ${size} bytes; this room's limit is ${init.maxSize}`, size, init.maxSize)
    case FileResponse.Status.REFUSED_RELAYED:
      return new DirectConnectionRequiredError('A file needs a direct connection: the peer sees this one as relayed')
    default:
      return new FileRequestRefusedError(`The peer refused the request: ${status}`)
  }
}

/**
 * Asks for the file on `stream` and writes its chunks to the sink: each checked for length, opened in a private
 * room, hashed and written before the next is read, with credits for the server as {@link CreditWindow} grants
 * them. Throws whatever goes wrong, unmapped, with `state.received` up to date; the caller aborts the stream.
 */
export async function download (stream: Stream, init: DownloadInit, signal: AbortSignal, idle: IdleTimer, state: DownloadState): Promise<number> {
  const sealed = init.key == null ? 0 : FILE_CHUNK_TAG_BYTES
  const lp = lpStream(stream, {
    maxDataLength: FILE_CHUNK_BYTES + sealed,
    // the server sends no more than granted: at most a window of chunks waits unread
    maxBufferSize: MAX_FILE_RESPONSE_BYTES + (init.window + 1) * (FILE_CHUNK_BYTES + sealed + 4)
  })
  const initial = Math.min(FILE_START_WINDOW_CHUNKS, init.window)
  await lp.write(encodeFileRequest({ id: init.id, offset: init.offset, topic: init.topic, maxSize: init.maxSize, window: initial }), { signal })
  const { status, size } = parseFileResponse(await lp.read({ signal }))
  if (status !== FileResponse.Status.OK) {
    throw refusal(status, size, init)
  }
  if (init.size != null && size !== init.size) {
    throw new FileTransferProtocolError(`The peer announces ${size} bytes; the offer said ${init.size}`)
  }
  if (init.maxSize > 0 && size > init.maxSize) {
    throw new FileTooLargeError(`The file is ${size} bytes; this room's limit is ${init.maxSize}`, size, init.maxSize)
  }
  if (init.offset > size) {
    throw new FileTransferProtocolError(`The peer announces ${size} bytes; the sink holds ${init.offset} already`)
  }
  idle.touch(init.idleTimeout)
  const progress = (): void => { init.onProgress?.({ id: init.id, peer: init.peer, received: state.received, size }) }
  progress()

  const chunks = Math.ceil((size - init.offset) / FILE_CHUNK_BYTES)
  const first = init.offset / FILE_CHUNK_BYTES
  const credit = new CreditWindow({ initial, max: init.window, targetMs: init.windowMs, chunks, now: performance.now() })
  for (let n = 0; n < chunks; n++) {
    const frame = (await lp.read({ signal })).subarray()
    idle.touch()
    const length = Math.min(FILE_CHUNK_BYTES, size - state.received)
    if (frame.byteLength !== length + sealed) {
      throw new FileTransferProtocolError(`Chunk ${first + n} is ${frame.byteLength} bytes; ${length + sealed} were due`)
    }
    const chunk = init.key == null ? frame : await openChunk(init.key, first + n, frame)
    init.hash.update(chunk)
    await onSink(init.sink.write(state.received, chunk), signal)
    state.received += chunk.byteLength
    progress()
    const more = credit.taken(performance.now())
    if (more > 0) {
      await lp.write(encodeFileCredit(more), { signal })
    }
  }
  const digest = uint8ArrayToString(init.hash.digest(), 'base16')
  if (digest !== init.id) {
    await onSink(init.sink.truncate(0), signal)
    state.received = 0
    throw new FileIntegrityError(`The file's SHA-256 is ${digest}, not its id ${init.id}: discarded`)
  }
  await onSink(init.sink.flush?.() ?? Promise.resolve(), signal)
  await stream.close({ signal })
  return size
}
