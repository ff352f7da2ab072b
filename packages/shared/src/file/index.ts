/**
 * Files shared in rooms, on {@link FILE_PROTOCOL} streams over direct connections only. A peer **serves** the files
 * it offered (by id, the SHA-256 of the content, for one room's topic) and **fetches** files by id from a peer that
 * serves them: chunks of 64 KiB, never more in flight than the fetcher granted (so a slow disk holds the sender
 * back, on any transport), progress on both sides, cancel on both sides, a size limit, an incremental SHA-256
 * checked against the id at the end, and resume: a fetch into a sink that already holds the start of the file
 * asks only for the rest. In a private room every chunk is also sealed with a key derived from the room's secret
 * and the file's id. See docs/PROTOCOL.md, "Files".
 *
 * @example
 *
 * ```ts
 * import { createLibp2p } from 'libp2p'
 * import { blobSource, fileTransfer, memorySink, normalizeMimeType } from '@p2p-chat/shared'
 *
 * const node = await createLibp2p({
 *   // transports, connectionEncrypters, streamMuxers...
 *   services: { files: fileTransfer() }
 * })
 *
 * // Alice offers a picked file in a room: serve it, then send a line that offers it
 * const id = await node.services.files.serve(blobSource(file), { topic: room.topic, keys })
 * await room.send('', { attachment: { id, name: file.name, size: file.size, mime: normalizeMimeType(file.type) } })
 *
 * // Bob clicks it: fetch it from its author (again after a drop: it resumes where the sink stopped)
 * const sink = memorySink()
 * await node.services.files.fetch(authorPeerId, {
 *   id: offer.id, size: offer.size, topic: room.topic, keys, sink,
 *   onProgress: ({ received, size }) => { bar.value = received / size }
 * })
 * ```
 */

import { FileTransferService } from './file-transfer.js'
import type { PrivateRoomKeys } from '../private-room/index.js'
import type { AbortOptions, ComponentLogger, PeerId } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { TypedEventTarget } from 'main-event'

export * from './constants.js'
export * from './errors.js'
export * from './offer.js'
export { fileIdOf } from './hash.js'
export { blobSource, bytesSource, memorySink } from './memory.js'
export type { MemorySink } from './memory.js'

/** A file this peer serves: the browser backs it with a `File` ({@link blobSource}), Node with a file handle. */
export interface FileSource {
  /** in bytes */
  readonly size: number
  /** `length` bytes from `offset` (fewer only at the end of the file) */
  read(offset: number, length: number): Promise<Uint8Array>
}

/**
 * Where a fetched file goes: memory ({@link memorySink}), the browser's origin-private file system, a file on disk.
 * A sink holds the start of one file: a fetch into a sink that holds some of it resumes after what it holds.
 */
export interface FileSink {
  /** how many bytes it holds, from the start of the file */
  size(): Promise<number>
  /** writes `bytes` at `offset`, which is always where it ends (writes come in order) */
  write(offset: number, bytes: Uint8Array): Promise<void>
  /** reads back bytes it holds (a resumed fetch hashes them again) */
  read(offset: number, length: number): Promise<Uint8Array>
  /** keeps only the first `size` bytes: 0 discards everything */
  truncate(size: number): Promise<void>
  /** the fetch that wrote to it ended (done, failed or cancelled): make what it holds durable */
  flush?(): Promise<void>
}

export interface FileTransferInit {
  /**
   * Largest file this peer serves or fetches when a call names no limit of its own (a room's `maxFileSize`).
   *
   * @default 2147483648 (DEFAULT_MAX_FILE_BYTES, 2 GiB)
   */
  maxFileSize?: number
  /**
   * How long, in ms, a fetch may take to open its stream and get the answer, and a server to get the request.
   *
   * @default 10000 (DEFAULT_FILE_TIMEOUT_MS)
   */
  timeout?: number
  /**
   * How long, in ms, a transfer may make no progress before either end gives it up.
   *
   * @default 30000 (DEFAULT_FILE_IDLE_TIMEOUT_MS)
   */
  idleTimeout?: number
  /**
   * Chunks of 64 KiB a fetch lets the server send ahead of what its sink has taken, at most.
   *
   * @default 32 (DEFAULT_FILE_WINDOW_CHUNKS)
   */
  window?: number
  /**
   * How much a fetch keeps in flight, in ms of the rate its sink has been taking chunks at (at least 4 chunks,
   * at most `window`): what else the connection carries waits behind no more than about this.
   *
   * @default 1000 (DEFAULT_FILE_WINDOW_MS)
   */
  windowMs?: number
  /**
   * File-transfer streams accepted at once per connection (uploads).
   *
   * @default 8 (DEFAULT_FILE_MAX_INBOUND_STREAMS)
   */
  maxInboundStreams?: number
  /**
   * File-transfer streams opened at once per connection (downloads).
   *
   * @default 8 (DEFAULT_FILE_MAX_OUTBOUND_STREAMS)
   */
  maxOutboundStreams?: number
}

export interface FileTransferComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

/** A room a file is shared in: its topic and, for a private room, its keys (every chunk is sealed with them). */
export interface FileRoom {
  topic: string
  keys?: PrivateRoomKeys
}

export interface ServeOptions extends FileRoom {
  /** the file's id when it is known already (served again after a reload); else the source is hashed */
  id?: string
  /** @default the service's maxFileSize */
  maxSize?: number
  /**
   * Aborting it stops serving the file and ends its uploads under way (as {@link FileTransfer.unserve} does). A
   * file served again in the same room stays served once: either call's signal stops it.
   */
  signal?: AbortSignal
  /**
   * Peers it is not served to (blocked ones): their requests are answered NOT_FOUND, as for a file not served. Read
   * at each request. Served again in the same room, the first call's function stays.
   */
  refuse?: (peer: PeerId) => boolean
}

/** How far a fetch is. */
export interface FileProgress {
  id: string
  peer: PeerId
  /** bytes the sink holds: what earlier fetches left, and what this one wrote */
  received: number
  size: number
}

export interface FetchOptions extends FileRoom, AbortOptions {
  /** the file's id (64 lowercase hex characters): what the SHA-256 of the bytes must be */
  id: string
  sink: FileSink
  /** the size the offer states: the peer must announce the same, else the fetch fails before any chunk */
  size?: number
  /**
   * Where to start: at most what the sink holds. What it holds from there on is dropped, and the start is
   * rounded down to a chunk.
   *
   * @default what the sink holds: a fetch resumes where the last one stopped
   */
  offset?: number
  /** the room's limit: a larger file is refused before any chunk @default the service's maxFileSize */
  maxSize?: number
  /** called once the peer answered, and after every chunk written to the sink */
  onProgress?(progress: FileProgress): void
}

export interface FetchedFile {
  id: string
  peer: PeerId
  size: number
  /** where this fetch started: more than 0 when it resumed */
  offset: number
}

/** An upload under way: a peer fetching a file this peer serves. */
export interface FileUpload {
  id: string
  topic: string
  peer: PeerId
  /** where it started: more than 0 when the peer resumed */
  offset: number
  /** bytes of the file the peer has been sent, from the start of the file (its offset included) */
  sent: number
  size: number
}

export interface FileTransferEvents {
  /** an upload started (`sent` = its offset) or sent a chunk */
  'upload:progress': CustomEvent<FileUpload>
  /** an upload ended: every chunk sent and the stream closed, or `error` says why not */
  'upload:end': CustomEvent<FileUpload & { error?: Error }>
}

export interface FileTransfer extends TypedEventTarget<FileTransferEvents> {
  /**
   * Serves a file to peers who ask for it in `topic` (over direct connections), until {@link unserve} or the
   * signal. Resolves with its id, hashing the source unless `id` is given. Rejects with
   * `InvalidFileRequestError` (a malformed id or topic, keys of another topic), `FileTooLargeError`, or
   * `NotStartedError`.
   */
  serve(source: FileSource, options: ServeOptions): Promise<string>
  /** Stops serving a file in a room; its uploads under way end (the peers can resume from someone else). */
  unserve(topic: string, id: string): void
  /**
   * Fetches a file from `peer` over a direct connection into `options.sink`, resuming after what the sink holds,
   * and checks its SHA-256. Resolves once every byte is in the sink and verified. Rejects with
   * `InvalidFileRequestError`, `FileTooLargeError` (before any chunk), `DirectConnectionRequiredError` (only a
   * relayed connection: nothing sent), `PeerUnreachableError`, `FileNotFoundError`, `FileRequestRefusedError`,
   * `FileTransferProtocolError`, `FileDecryptionError`, `FileIntegrityError` (the sink is emptied), `FileSinkError`,
   * `FileTransferInterruptedError` and `FileTransferTimeoutError` (the sink keeps what arrived: fetch again to
   * resume), `NotStartedError`, or the caller's abort error (the sink keeps what arrived).
   */
  fetch(peer: PeerId, options: FetchOptions): Promise<FetchedFile>
  /** The uploads under way, with the bytes each holds that the transport has not taken yet. */
  uploads(): Array<FileUpload & { buffered: number }>
}

/** The file-transfer service, for libp2p's `services`. */
export function fileTransfer (init: FileTransferInit = {}): (components: FileTransferComponents) => FileTransfer {
  return (components) => new FileTransferService(components, init)
}
