import { serviceCapabilities } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { DEFAULT_MAX_FILE_BYTES } from '../constants.js'
import { PeerUnreachableError } from '../errors.js'
import { FileResponse } from '../proto/file.js'
import { ProtocolService } from '../protocol-service.js'
import { IdleTimer } from '../util/idle-timer.js'
import { preferredConnections } from '../util/open-stream.js'
import { isBadRequestFrame, streamError } from '../util/stream-errors.js'
import {
  DEFAULT_FILE_IDLE_TIMEOUT_MS, DEFAULT_FILE_MAX_INBOUND_STREAMS, DEFAULT_FILE_MAX_OUTBOUND_STREAMS,
  DEFAULT_FILE_TIMEOUT_MS, DEFAULT_FILE_WINDOW_CHUNKS, DEFAULT_FILE_WINDOW_MS, FILE_CHUNK_BYTES, FILE_PROTOCOL, MAX_FILE_REQUEST_BYTES
} from './constants.js'
import { fileKey } from './crypto.js'
import { download, onSink } from './download.js'
import {
  DirectConnectionRequiredError, FileTooLargeError, FileTransferInterruptedError, FileTransferProtocolError,
  FileTransferTimeoutError, InvalidFileRequestError
} from './errors.js'
import { fileIdOf, hashPrefix } from './hash.js'
import { Upload } from './upload.js'
import { checkFileRef, encodeFileResponse, isValidOffset, parseFileRequest } from './wire.js'
import type { DownloadState } from './download.js'
import type {
  FetchedFile, FetchOptions, FileSource, FileTransfer, FileTransferComponents, FileTransferEvents, FileTransferInit,
  FileUpload, ServeOptions
} from './index.js'
import type { ServedFile } from './upload.js'
import type { Connection, PeerId, Stream } from '@libp2p/interface'

/** The errors of ours that `fetch()` passes on as they are. */
const FETCH_ERRORS = new Set([
  'DirectConnectionRequiredError', 'FileNotFoundError', 'FileTooLargeError', 'FileRequestRefusedError',
  'FileTransferProtocolError', 'FileDecryptionError', 'FileIntegrityError', 'FileSinkError', 'InvalidFileRequestError'
])

/** A connection files may use: a direct one (not through a relay) without a relay's limits. */
function isDirect (connection: Connection): boolean {
  return connection.direct && connection.limits == null
}

/** What cancels a fetch: the service stopping, or the caller. */
function cancelOf (shutdown: AbortSignal, userSignal?: AbortSignal): AbortSignal {
  return userSignal == null ? shutdown : AbortSignal.any([shutdown, userSignal])
}

function servedKey (topic: string, id: string): string {
  return `${topic}\n${id}`
}

export class FileTransferService extends ProtocolService<FileTransferEvents> implements FileTransfer {
  readonly [Symbol.toStringTag] = '@p2p-chat/file-transfer'
  readonly [serviceCapabilities] = ['@p2p-chat/file-transfer']

  private readonly components: FileTransferComponents
  private readonly maxFileSize: number
  private readonly timeout: number
  private readonly idleTimeout: number
  private readonly window: number
  private readonly windowMs: number
  /** served files by topic and id, each with the controller that ends its uploads */
  private readonly served = new Map<string, { file: ServedFile, controller: AbortController }>()
  private readonly active = new Set<Upload>()

  constructor (components: FileTransferComponents, init: FileTransferInit = {}) {
    super(components, {
      protocol: FILE_PROTOCOL,
      limits: {
        maxInboundStreams: init.maxInboundStreams ?? DEFAULT_FILE_MAX_INBOUND_STREAMS,
        maxOutboundStreams: init.maxOutboundStreams ?? DEFAULT_FILE_MAX_OUTBOUND_STREAMS,
        // a file is too big for a relay's limits, and a relay should not carry it anyway
        runOnLimitedConnection: false
      },
      service: 'file-transfer',
      log: 'p2p-chat:file'
    })
    this.components = components
    this.maxFileSize = init.maxFileSize ?? DEFAULT_MAX_FILE_BYTES
    this.timeout = init.timeout ?? DEFAULT_FILE_TIMEOUT_MS
    this.idleTimeout = init.idleTimeout ?? DEFAULT_FILE_IDLE_TIMEOUT_MS
    this.window = init.window ?? DEFAULT_FILE_WINDOW_CHUNKS
    this.windowMs = init.windowMs ?? DEFAULT_FILE_WINDOW_MS
  }

  protected override onStop (): void {
    for (const { controller } of this.served.values()) {
      controller.abort(this.registration.stopped())
    }
    this.served.clear()
  }

  async serve (source: FileSource, options: ServeOptions): Promise<string> {
    const { topic, keys } = options
    if (keys != null && keys.topic !== topic) {
      throw new InvalidFileRequestError('The keys given are those of another room')
    }
    const maxSize = options.maxSize ?? this.maxFileSize
    if (source.size > maxSize) {
      throw new FileTooLargeError(`The file is ${source.size} bytes; this room's limit is ${maxSize}`, source.size, maxSize)
    }
    if (!this.registration.isStarted()) {
      throw this.registration.stopped()
    }
    const id = options.id ?? await fileIdOf(source, options.signal)
    checkFileRef(id, topic)
    options.signal?.throwIfAborted()
    if (this.served.has(servedKey(topic, id))) {
      // the same bytes (the id is their hash) served already: it stays served, its uploads go on
      options.signal?.addEventListener('abort', () => { this.unserve(topic, id) }, { once: true })
      return id
    }
    const controller = new AbortController()
    const file: ServedFile = {
      id,
      topic,
      source,
      key: keys == null ? undefined : fileKey(keys, uint8ArrayFromString(id, 'base16')),
      signal: controller.signal,
      refuse: options.refuse
    }
    // a derivation that failed fails the uploads that need it, not an unhandled rejection
    file.key?.catch(() => {})
    this.served.set(servedKey(topic, id), { file, controller })
    options.signal?.addEventListener('abort', () => { this.unserve(topic, id) }, { once: true })
    this.log('serving %s (%d bytes) in %s', id, source.size, topic)
    return id
  }

  unserve (topic: string, id: string): void {
    const key = servedKey(topic, id)
    const entry = this.served.get(key)
    if (entry != null) {
      this.served.delete(key)
      entry.controller.abort(new DOMException(`File ${id} is no longer served`, 'AbortError'))
    }
  }

  uploads (): Array<FileUpload & { buffered: number }> {
    return [...this.active].map(upload => ({ ...upload.status, buffered: upload.buffered }))
  }

  async fetch (peer: PeerId, options: FetchOptions): Promise<FetchedFile> {
    const { id, topic, keys, sink } = options
    checkFileRef(id, topic)
    if (keys != null && keys.topic !== topic) {
      throw new InvalidFileRequestError('The keys given are those of another room')
    }
    const maxSize = options.maxSize ?? this.maxFileSize
    if (options.size != null && options.size > maxSize) {
      throw new FileTooLargeError(`The file is ${options.size} bytes; this room's limit is ${maxSize}`, options.size, maxSize)
    }
    const shutdown = this.registration.signal
    if (shutdown == null) {
      throw this.registration.stopped()
    }
    const userSignal = options.signal
    userSignal?.throwIfAborted()

    const held = await onSink(sink.size(), cancelOf(shutdown, userSignal))
    const start = options.offset ?? held
    if (!Number.isSafeInteger(start) || start < 0 || start > held) {
      throw new InvalidFileRequestError(`A fetch starts at most where its sink ends (${held} bytes), not at ${start}`)
    }
    // on a chunk, or at the end of a file the sink holds whole (a sink holding more than the offer's size holds
    // something else after it: what it holds of the file is checked with the rest)
    const offset = options.size != null && start >= options.size ? options.size : start - start % FILE_CHUNK_BYTES
    const cancel = cancelOf(shutdown, userSignal)
    // what the sink holds is part of the file: hash it again (no timeout: that is local work, and it can be
    // gigabytes), and drop any partial chunk at its end
    const hash = await hashPrefix(async (at, length) => onSink(sink.read(at, length), cancel), offset, cancel)
    await onSink(sink.truncate(offset), cancel)
    // one timer for the rest: the timeout until the answer, then the idle timeout
    const idle = new IdleTimer(this.timeout)
    const signal = AbortSignal.any([idle.signal, cancel])
    const state: DownloadState = { received: offset }
    let stream: Stream | undefined
    const failure = (err: Error): Error => {
      if (userSignal?.aborted === true) {
        return userSignal.reason as Error
      }
      if (shutdown.aborted) {
        return this.registration.stopped()
      }
      const kind = streamError(err, idle.signal)
      if (kind === 'timeout') {
        return new FileTransferTimeoutError(`The transfer of ${id} from ${peer} made no progress in time`, state.received, { cause: err })
      }
      if (FETCH_ERRORS.has(err.name) || err.name === PeerUnreachableError.name) {
        return err
      }
      if (kind === 'bad-frame') {
        return new FileTransferProtocolError(`The peer sent a frame over its limit, or more than was granted: ${err.message}`, { cause: err })
      }
      return new FileTransferInterruptedError(`The transfer of ${id} from ${peer} stopped after ${state.received} bytes: ${err.message}`, state.received, { cause: err })
    }
    try {
      const key = keys == null ? undefined : await fileKey(keys, uint8ArrayFromString(id, 'base16'))
      const connection = await this.directConnection(peer, signal)
      stream = await connection.newStream(FILE_PROTOCOL, { signal, maxOutboundStreams: this.registration.limits.maxOutboundStreams })
      const size = await download(stream, {
        id, topic, peer, sink, offset, hash, key, size: options.size, maxSize, window: this.window, windowMs: this.windowMs,
        timeout: this.timeout, idleTimeout: this.idleTimeout, onProgress: options.onProgress
      }, signal, idle, state)
      this.log('fetched %s (%d bytes, from %d) from %p', id, size, offset, peer)
      return { id, peer, size, offset }
    } catch (err) {
      const error = failure(err as Error)
      this.log('fetching %s from %p failed: %e', id, peer, error)
      stream?.abort(error)
      // keep what arrived, for a resume
      await sink.flush?.().catch((err: Error) => { this.log.error('the sink of %s could not keep what arrived: %e', id, err) })
      throw error
    } finally {
      idle.clear()
    }
  }

  /**
   * A direct connection to the peer: the newest open one (see {@link preferredConnections}), else a new one.
   * Throws {@link DirectConnectionRequiredError} when the only connection goes through a relay (upgrading it is
   * the room's job), {@link PeerUnreachableError} when none can be opened.
   */
  private async directConnection (peer: PeerId, signal: AbortSignal): Promise<Connection> {
    const open = preferredConnections(this.components.connectionManager, peer)
    const direct = open.find(isDirect)
    if (direct != null) {
      return direct
    }
    let connection = open[0]
    if (connection == null) {
      try {
        connection = await this.components.connectionManager.openConnection(peer, { signal })
      } catch (err) {
        if (signal.aborted) {
          throw err
        }
        throw new PeerUnreachableError(`Could not connect to ${peer}: ${(err as Error).message}`, { cause: err })
      }
    }
    if (!isDirect(connection)) {
      throw new DirectConnectionRequiredError(`A file needs a direct connection: the only connection to ${peer} goes through a relay`)
    }
    return connection
  }

  /**
   * Answers the one request on an inbound stream: a response and, when OK, the file's chunks. Never throws:
   * whatever the peer sends, the worst outcome is an aborted stream.
   */
  protected async handleStream (stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer
    const shutdown = this.registration.signal
    if (shutdown == null) {
      stream.abort(this.registration.stopped())
      return
    }
    const lp = lpStream(stream, { maxDataLength: MAX_FILE_REQUEST_BYTES, maxBufferSize: MAX_FILE_REQUEST_BYTES * 2 })
    const answerSignal = AbortSignal.any([AbortSignal.timeout(this.timeout), shutdown])
    const refuse = async (status: FileResponse.Status, size?: number): Promise<void> => {
      await lp.write(encodeFileResponse(status, size), { signal: answerSignal })
      await stream.close({ signal: answerSignal })
    }
    let upload: Upload | undefined
    try {
      if (!isDirect(connection)) {
        // libp2p keeps this protocol off limited connections; a relay that sets no limits is still a relay
        this.log('refusing a file request from %p over a relayed connection', from)
        await refuse(FileResponse.Status.REFUSED_RELAYED)
        return
      }
      let request
      try {
        request = parseFileRequest(await lp.read({ signal: answerSignal }))
      } catch (err) {
        if (!isBadRequestFrame(err)) {
          throw err
        }
      }
      if (request == null) {
        this.log('refusing an invalid file request from %p', from)
        await refuse(FileResponse.Status.INVALID)
        return
      }
      const entry = this.served.get(servedKey(request.topic, request.id))
      // a peer the application refuses (blocked) is told what anyone is told of a file not served
      if (entry == null || entry.file.refuse?.(from) === true) {
        this.log.trace('not serving %s in %s to %p', request.id, request.topic, from)
        await refuse(FileResponse.Status.NOT_FOUND)
        return
      }
      const { file } = entry
      const size = file.source.size
      if (request.maxSize > 0 && size > request.maxSize) {
        await refuse(FileResponse.Status.TOO_LARGE, size)
        return
      }
      if (!isValidOffset(request.offset, size)) {
        await refuse(FileResponse.Status.INVALID)
        return
      }
      await lp.write(encodeFileResponse(FileResponse.Status.OK, size), { signal: answerSignal })
      upload = new Upload(stream, lp, from, file, request, {
        idleTimeout: this.idleTimeout,
        signal: AbortSignal.any([shutdown, file.signal]),
        onProgress: status => { this.safeDispatchEvent('upload:progress', { detail: status }) }
      })
      this.active.add(upload)
      this.log('sending %s from %d to %p', file.id, request.offset, from)
      await upload.run()
      this.safeDispatchEvent('upload:end', { detail: upload.status })
    } catch (err) {
      this.log('file stream from %p failed: %e', from, err)
      stream.abort(err as Error)
      if (upload != null) {
        this.safeDispatchEvent('upload:end', { detail: { ...upload.status, error: err as Error } })
      }
    } finally {
      if (upload != null) {
        this.active.delete(upload)
      }
    }
  }
}
