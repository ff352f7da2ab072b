import { lpStream } from '@libp2p/utils'
import { MAX_DM_ACK_BYTES } from '../constants.js'
import {
  DirectMessageChannelClosedError, DirectMessageProtocolError, DirectMessageRejectedError, DirectMessageTimeoutError,
  PeerUnreachableError
} from '../errors.js'
import { DirectMessageAck } from '../proto/dm.js'
import { anySignal } from '../signals.js'
import { streamError } from '../util/stream-errors.js'
import { parseAck, prepareRequest } from './request.js'
import type { DirectMessageChannel, OutgoingDirectMessage, SentDirectMessage } from './index.js'
import type { PreparedRequest } from './request.js'
import type { AbortOptions, Logger, PeerId, Stream } from '@libp2p/interface'
import type { LengthPrefixedStream } from '@libp2p/utils'

export interface OutboundChannelInit {
  maxMessageSize: number
  timeout: number
  log: Logger
  /** called once, when the stream has closed or was aborted */
  onEnd(channel: OutboundChannel): void
}

/**
 * Turns what went wrong during one request/ack exchange into the error the caller sees: the caller's own abort
 * error, {@link DirectMessageTimeoutError}, {@link DirectMessageProtocolError} (the peer closed without
 * answering, or sent a frame that is not an ack) or {@link PeerUnreachableError} (the stream or connection broke).
 */
function exchangeError (err: Error, timeoutSignal: AbortSignal, userSignal?: AbortSignal): Error {
  if (userSignal?.aborted === true) {
    return err
  }
  switch (streamError(err, timeoutSignal)) {
    case 'timeout':
      return new DirectMessageTimeoutError('The peer did not acknowledge the message in time', { cause: err })
    case 'closed':
      return new DirectMessageProtocolError('The peer closed the stream without acknowledging the message', { cause: err })
    case 'bad-frame':
      return new DirectMessageProtocolError(`The peer answered with a frame that is not an ack: ${err.message}`, { cause: err })
    default:
      return new PeerUnreachableError(`The stream to the peer broke before the ack: ${err.message}`, { cause: err })
  }
}

/** One outbound {@link DM_PROTOCOL} stream, carrying requests one after another. */
export class OutboundChannel implements DirectMessageChannel {
  readonly peer: PeerId
  private readonly stream: Stream
  private readonly lp: LengthPrefixedStream<Stream>
  private readonly init: OutboundChannelInit
  /** the tail of the queue of sends: each waits for the one before it */
  private queue: Promise<unknown> = Promise.resolve()
  /** close() was called: no new sends */
  private closing = false
  /** a failure, a rejection or the peer's close ended the exchange: nothing more can be sent */
  private broken = false

  constructor (peer: PeerId, stream: Stream, init: OutboundChannelInit) {
    this.peer = peer
    this.stream = stream
    this.init = init
    this.lp = lpStream(stream, { maxDataLength: MAX_DM_ACK_BYTES, maxBufferSize: MAX_DM_ACK_BYTES * 2 })
    stream.addEventListener('remoteCloseWrite', () => {
      // the receiver closed the stream (idle timeout, rejection, shutting down): finish our side too
      this.broken = true
      void this.close()
    }, { once: true })
    stream.addEventListener('close', () => {
      this.broken = true
      init.onEnd(this)
    }, { once: true })
  }

  get closed (): boolean {
    return this.closing || !this.usable()
  }

  async send (message: OutgoingDirectMessage, options: AbortOptions = {}): Promise<SentDirectMessage> {
    const request = prepareRequest(message, this.init.maxMessageSize)
    if (this.closed) {
      throw new DirectMessageChannelClosedError('The channel is closed')
    }
    return this.enqueue(async () => this.exchange(request, AbortSignal.timeout(this.init.timeout), options.signal))
  }

  /**
   * Writes one request and reads its ack. `timeoutSignal` is this message's timeout; `userSignal` the caller's.
   * Used by the service's own `send()` with a timeout that already covers opening the stream.
   */
  async exchange (request: PreparedRequest, timeoutSignal: AbortSignal, userSignal?: AbortSignal): Promise<SentDirectMessage> {
    userSignal?.throwIfAborted()
    if (!this.usable()) {
      throw new DirectMessageChannelClosedError('The channel is closed')
    }
    const signal = anySignal(timeoutSignal, userSignal)
    let ack: DirectMessageAck
    try {
      await this.lp.write(request.bytes, { signal })
      ack = parseAck(await this.lp.read({ signal }), request.message.id)
    } catch (err) {
      const error = err instanceof DirectMessageProtocolError ? err : exchangeError(err as Error, timeoutSignal, userSignal)
      this.init.log('direct message %s to %p failed: %e', request.message.id, this.peer, error)
      this.abort(error)
      throw error
    }
    if (ack.status !== DirectMessageAck.Status.OK) {
      // the receiver closes the stream after a non-OK ack
      this.broken = true
      throw new DirectMessageRejectedError(`The peer refused the message: ${ack.status}`, ack.status)
    }
    return { ...request.message, to: this.peer }
  }

  async close (options: AbortOptions = {}): Promise<void> {
    this.closing = true
    await this.queue
    try {
      await this.stream.close(options)
    } catch (err) {
      this.abort(err as Error)
    }
  }

  /** Ends the stream at once: in-flight and queued sends fail. */
  abort (err: Error): void {
    this.broken = true
    this.stream.abort(err)
  }

  private usable (): boolean {
    return !this.broken && this.stream.status === 'open' && this.stream.writeStatus === 'writable' &&
      this.stream.remoteWriteStatus === 'writable'
  }

  private async enqueue<T> (fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn)
    this.queue = result.catch(() => {})
    return result
  }
}
