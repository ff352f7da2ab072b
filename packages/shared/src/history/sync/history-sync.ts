import { serviceCapabilities } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { PeerUnreachableError } from '../../errors.js'
import { HistoryResponse } from '../../proto/history.js'
import { ProtocolService } from '../../protocol-service.js'
import { anySignal } from '../../signals.js'
import { openStream } from '../../util/open-stream.js'
import { isBadRequestFrame, streamError } from '../../util/stream-errors.js'
import {
  DEFAULT_HISTORY_SYNC_MAX_INBOUND_STREAMS, DEFAULT_HISTORY_SYNC_MAX_OUTBOUND_STREAMS, DEFAULT_HISTORY_SYNC_TIMEOUT_MS,
  HISTORY_SYNC_PROTOCOL, HISTORY_WRITE_BATCH_BYTES, MAX_HISTORY_RECORD_FRAME_BYTES, MAX_HISTORY_REQUEST_BYTES, MAX_HISTORY_RESPONSE_BYTES,
  MAX_HISTORY_SYNC_RECORDS
} from './constants.js'
import {
  HistoryNotServedError, HistorySyncProtocolError, HistorySyncRejectedError, HistorySyncTimeoutError
} from './errors.js'
import { encodeRecord, parseRecord, parseResponse, parseSyncRequest, prepareSyncRequest, selectRecords } from './request.js'
import type { HistoryRecord, HistoryStore } from '../store.js'
import type { HistorySync, HistorySyncComponents, HistorySyncInit, HistorySyncOptions } from './index.js'
import type { SyncRequest } from './request.js'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

/** The errors of ours that `sync()` passes on as they are. */
const SYNC_ERRORS = new Set([HistoryNotServedError.name, HistorySyncProtocolError.name, HistorySyncRejectedError.name])

/** Resolves once the remote end of `stream` has closed its writable end (or the stream closed), or `signal` fires. */
async function remoteClosed (stream: Stream, signal: AbortSignal): Promise<void> {
  if (stream.remoteWriteStatus !== 'writable' || stream.status !== 'open') {
    return
  }
  await new Promise<void>((resolve) => {
    const done = (): void => {
      stream.removeEventListener('remoteCloseWrite', done)
      stream.removeEventListener('close', done)
      signal.removeEventListener('abort', done)
      resolve()
    }
    stream.addEventListener('remoteCloseWrite', done)
    stream.addEventListener('close', done)
    signal.addEventListener('abort', done)
  })
}

export class HistorySyncService extends ProtocolService implements HistorySync {
  readonly [Symbol.toStringTag] = '@p2p-chat/history-sync'
  readonly [serviceCapabilities] = ['@p2p-chat/history-sync']

  private readonly components: HistorySyncComponents
  private readonly store?: HistoryStore
  private readonly serves: (topic: string) => boolean | Promise<boolean>
  private readonly timeout: number
  private readonly maxRecords: number

  constructor (components: HistorySyncComponents, init: HistorySyncInit = {}) {
    super(components, {
      protocol: HISTORY_SYNC_PROTOCOL,
      limits: {
        maxInboundStreams: init.maxInboundStreams ?? DEFAULT_HISTORY_SYNC_MAX_INBOUND_STREAMS,
        maxOutboundStreams: init.maxOutboundStreams ?? DEFAULT_HISTORY_SYNC_MAX_OUTBOUND_STREAMS
      },
      service: 'history-sync',
      log: 'p2p-chat:history-sync'
    })
    this.components = components
    this.store = init.store
    this.serves = init.serves ?? (() => false)
    this.timeout = init.timeout ?? DEFAULT_HISTORY_SYNC_TIMEOUT_MS
    this.maxRecords = Math.min(init.maxRecords ?? MAX_HISTORY_SYNC_RECORDS, MAX_HISTORY_SYNC_RECORDS)
  }

  protected override onStop (): void {
  }

  async sync (peer: PeerId, topic: string, options: HistorySyncOptions = {}): Promise<HistoryRecord[]> {
    const request = prepareSyncRequest(topic, options)
    const shutdown = this.registration.signal
    if (shutdown == null) {
      throw this.registration.stopped()
    }
    options.signal?.throwIfAborted()
    // one timeout for the whole sync: dialling, opening the stream, the request, every record
    const timeoutSignal = AbortSignal.timeout(this.timeout)
    const signal = anySignal(AbortSignal.any([timeoutSignal, shutdown]), options.signal)
    const failure = (err: Error): Error => {
      if (options.signal?.aborted === true) {
        return err
      }
      if (shutdown.aborted) {
        return this.registration.stopped()
      }
      const kind = streamError(err, timeoutSignal)
      if (kind === 'timeout') {
        return new HistorySyncTimeoutError(`The history sync of ${topic} with ${peer} took longer than ${this.timeout} ms`, { cause: err })
      }
      if (SYNC_ERRORS.has(err.name)) {
        return err
      }
      if (kind === 'closed') {
        return new HistorySyncProtocolError('The peer closed the stream before every announced record', { cause: err })
      }
      if (kind === 'bad-frame') {
        return new HistorySyncProtocolError(`The peer answered with a frame over its limit: ${err.message}`, { cause: err })
      }
      return new PeerUnreachableError(`The history-sync stream to ${peer} failed: ${err.message}`, { cause: err })
    }

    let stream: Stream
    try {
      stream = await openStream(this.components.connectionManager, peer, HISTORY_SYNC_PROTOCOL, {
        signal,
        maxOutboundStreams: this.registration.limits.maxOutboundStreams
      })
    } catch (err) {
      throw failure(err as Error)
    }
    try {
      const records = await this.exchange(stream, request, signal)
      this.log.trace('synced %d records of %s from %p', records.length, topic, peer)
      return records
    } catch (err) {
      const error = failure(err as Error)
      this.log('history sync of %s with %p failed: %e', topic, peer, error)
      stream.abort(error)
      throw error
    }
  }

  /** Writes the request, reads the response and its records. Throws whatever goes wrong, unmapped. */
  private async exchange (stream: Stream, request: SyncRequest, signal: AbortSignal): Promise<HistoryRecord[]> {
    const lp = lpStream(stream, {
      maxDataLength: MAX_HISTORY_RECORD_FRAME_BYTES,
      // the server writes without waiting for us: at most the answer to this request may sit unread
      maxBufferSize: MAX_HISTORY_RESPONSE_BYTES + request.limit * (MAX_HISTORY_RECORD_FRAME_BYTES + 2) + 16
    })
    await lp.write(request.bytes, { signal })
    await stream.close({ signal })

    const response = parseResponse(await lp.read({ signal }), request)
    if (response.status === HistoryResponse.Status.NOT_SERVED) {
      throw new HistoryNotServedError(`The peer does not serve the history of ${request.topic}`)
    }
    if (response.status !== HistoryResponse.Status.OK) {
      throw new HistorySyncRejectedError(`The peer refused the request: ${response.status}`)
    }
    const records: HistoryRecord[] = []
    for (let i = 0; i < response.count; i++) {
      records.push(parseRecord(await lp.read({ signal }), request, records.at(-1)))
    }
    // a server closes its end after the last record; one that does not costs us the timeout, not the records
    await remoteClosed(stream, signal)
    if (stream.status === 'open') {
      stream.abort(new HistorySyncProtocolError('The peer did not close the stream after its last record'))
    }
    return records
  }

  /**
   * Answers the one request on an inbound stream: a response, the records, then closes the stream. Never throws:
   * whatever the peer sends, the worst outcome is an aborted stream.
   */
  protected async handleStream (stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer
    const shutdown = this.registration.signal
    if (shutdown == null) {
      stream.abort(this.registration.stopped())
      return
    }
    const signal = AbortSignal.any([AbortSignal.timeout(this.timeout), shutdown])
    const lp = lpStream(stream, { maxDataLength: MAX_HISTORY_REQUEST_BYTES, maxBufferSize: MAX_HISTORY_REQUEST_BYTES * 2 })
    const respond = async (status: HistoryResponse.Status, records: HistoryRecord[] = []): Promise<void> => {
      // the response, then the records, in writes of about HISTORY_WRITE_BATCH_BYTES (each frame length-prefixed)
      let batch: Uint8Array[] = [HistoryResponse.encode({ status, count: records.length })]
      let bytes = 0
      for (const record of records) {
        const frame = encodeRecord(record)
        batch.push(frame)
        bytes += frame.byteLength
        if (bytes >= HISTORY_WRITE_BATCH_BYTES) {
          await lp.writeV(batch, { signal })
          batch = []
          bytes = 0
        }
      }
      if (batch.length > 0) {
        await lp.writeV(batch, { signal })
      }
      await stream.close({ signal })
    }
    try {
      let frame: Uint8ArrayList
      try {
        frame = await lp.read({ signal })
      } catch (err) {
        if (isBadRequestFrame(err)) {
          this.log('refusing a history request from %p: %e', from, err)
          await respond(HistoryResponse.Status.INVALID)
          return
        }
        throw err
      }
      const request = parseSyncRequest(frame, this.maxRecords)
      if (request == null) {
        this.log('refusing an invalid history request from %p', from)
        await respond(HistoryResponse.Status.INVALID)
        return
      }
      if (this.store == null || !await this.servesTopic(request.topic)) {
        this.log.trace('not serving %s to %p', request.topic, from)
        await respond(HistoryResponse.Status.NOT_SERVED)
        return
      }
      const records = selectRecords(await this.store.list(request.topic, { since: request.since }), request)
      this.log.trace('sending %d records of %s to %p', records.length, request.topic, from)
      await respond(HistoryResponse.Status.OK, records)
    } catch (err) {
      this.log('history-sync stream from %p failed: %e', from, err)
      stream.abort(err as Error)
    }
  }

  private async servesTopic (topic: string): Promise<boolean> {
    try {
      return await this.serves(topic)
    } catch (err) {
      this.log.error('serves(%s) threw, not serving it: %e', topic, err)
      return false
    }
  }
}
