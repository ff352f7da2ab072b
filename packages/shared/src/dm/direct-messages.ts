import { serviceCapabilities } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import {
  DEFAULT_DM_IDLE_TIMEOUT_MS, DEFAULT_DM_MAX_INBOUND_STREAMS, DEFAULT_DM_MAX_MESSAGE_BYTES,
  DEFAULT_DM_MAX_OUTBOUND_STREAMS, DEFAULT_DM_TIMEOUT_MS, DM_PROTOCOL, MAX_DM_READ_BUFFER_BYTES
} from '../constants.js'
import { DirectMessageTimeoutError, PeerUnreachableError } from '../errors.js'
import { DirectMessageAck } from '../proto/dm.js'
import { ProtocolService } from '../protocol-service.js'
import { anySignal } from '../signals.js'
import { openStream } from '../util/open-stream.js'
import { OutboundChannel } from './channel.js'
import { parseRequest, prepareRequest } from './request.js'
import type {
  DirectMessageChannel, DirectMessages, DirectMessagesComponents, DirectMessagesEvents, DirectMessagesInit,
  OutgoingDirectMessage, ReceivedDirectMessage, SentDirectMessage
} from './index.js'
import type { AbortOptions, Connection, PeerId, Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

/** Length-prefix errors of `lpStream` and the status a receiver answers them with. */
const FRAME_ERROR_STATUS: Record<string, DirectMessageAck.Status> = {
  InvalidDataLengthError: DirectMessageAck.Status.TOO_LARGE,
  InvalidDataLengthLengthError: DirectMessageAck.Status.TOO_LARGE,
  InvalidMessageLengthError: DirectMessageAck.Status.INVALID
}

export class DirectMessagesService extends ProtocolService<DirectMessagesEvents> implements DirectMessages {
  readonly [Symbol.toStringTag] = '@p2p-chat/direct-messages'
  readonly [serviceCapabilities] = ['@p2p-chat/direct-messages']

  private readonly components: DirectMessagesComponents
  private readonly maxMessageSize: number
  private readonly timeout: number
  private readonly idleTimeout: number
  private readonly channels = new Set<OutboundChannel>()

  constructor (components: DirectMessagesComponents, init: DirectMessagesInit = {}) {
    super(components, {
      protocol: DM_PROTOCOL,
      limits: {
        maxInboundStreams: init.maxInboundStreams ?? DEFAULT_DM_MAX_INBOUND_STREAMS,
        maxOutboundStreams: init.maxOutboundStreams ?? DEFAULT_DM_MAX_OUTBOUND_STREAMS
      },
      service: 'direct-message',
      log: 'p2p-chat:dm'
    })
    this.components = components
    this.maxMessageSize = init.maxMessageSize ?? DEFAULT_DM_MAX_MESSAGE_BYTES
    this.timeout = init.timeout ?? DEFAULT_DM_TIMEOUT_MS
    this.idleTimeout = init.idleTimeout ?? DEFAULT_DM_IDLE_TIMEOUT_MS
  }

  protected override onStop (): void {
    for (const channel of this.channels) {
      channel.abort(this.registration.stopped())
    }
    this.channels.clear()
  }

  async send (peer: PeerId, message: OutgoingDirectMessage, options: AbortOptions = {}): Promise<SentDirectMessage> {
    const request = prepareRequest(message, this.maxMessageSize)
    // one timeout for the whole message: dialling, opening the stream, writing, the ack
    const timeoutSignal = AbortSignal.timeout(this.timeout)
    const channel = await this.open(peer, timeoutSignal, options.signal)
    try {
      return await channel.exchange(request, timeoutSignal, options.signal)
    } finally {
      await channel.close({ signal: AbortSignal.timeout(this.timeout) })
    }
  }

  async openChannel (peer: PeerId, options: AbortOptions = {}): Promise<DirectMessageChannel> {
    return this.open(peer, AbortSignal.timeout(this.timeout), options.signal)
  }

  private async open (peer: PeerId, timeoutSignal: AbortSignal, userSignal?: AbortSignal): Promise<OutboundChannel> {
    if (!this.registration.isStarted()) {
      throw this.registration.stopped()
    }
    userSignal?.throwIfAborted()
    let stream: Stream
    try {
      stream = await openStream(this.components.connectionManager, peer, DM_PROTOCOL, {
        signal: anySignal(timeoutSignal, userSignal),
        maxOutboundStreams: this.registration.limits.maxOutboundStreams
      })
    } catch (err) {
      if (userSignal?.aborted === true) {
        throw err
      }
      if (timeoutSignal.aborted) {
        throw new DirectMessageTimeoutError(`No direct-message stream to ${peer} within ${this.timeout} ms`, { cause: err })
      }
      throw new PeerUnreachableError(`Could not open a direct-message stream to ${peer}: ${(err as Error).message}`, { cause: err })
    }
    const channel = new OutboundChannel(peer, stream, {
      maxMessageSize: this.maxMessageSize,
      timeout: this.timeout,
      log: this.log,
      onEnd: (ended) => this.channels.delete(ended)
    })
    if (!this.registration.isStarted()) {
      const err = this.registration.stopped()
      channel.abort(err)
      throw err
    }
    this.channels.add(channel)
    return channel
  }

  /**
   * Answers every request on an inbound stream with an ack, in order, until the sender closes the stream, it stays
   * idle for `idleTimeout`, a request is refused (the ack says why, then the stream is closed) or the service stops.
   * Never throws: whatever the peer sends, the worst outcome is an aborted stream.
   */
  protected async handleStream (stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer
    const shutdown = this.registration.signal
    if (shutdown == null) {
      stream.abort(this.registration.stopped())
      return
    }
    // a sender writes its next request only after the ack, so little may ever wait unread
    const lp = lpStream(stream, {
      maxDataLength: this.maxMessageSize,
      maxBufferSize: Math.max(MAX_DM_READ_BUFFER_BYTES, this.maxMessageSize * 2)
    })
    const writeAck = async (ack: DirectMessageAck): Promise<void> => {
      await lp.write(DirectMessageAck.encode(ack), { signal: AbortSignal.any([AbortSignal.timeout(this.timeout), shutdown]) })
    }
    try {
      while (true) {
        let frame: Uint8ArrayList
        try {
          frame = await lp.read({ signal: AbortSignal.any([AbortSignal.timeout(this.idleTimeout), shutdown]) })
        } catch (err) {
          const name = (err as Error).name
          const status = FRAME_ERROR_STATUS[name]
          if (status != null) {
            // the frame cannot be read, so neither can any after it
            this.log('refusing a frame from %p: %e', from, err)
            await writeAck({ id: '', status })
          } else if (name !== 'UnexpectedEOFError') {
            // idle, stopping, or the stream broke: the sender closing its end is the normal way out
            this.log.trace('ending a direct-message stream from %p: %e', from, err)
          }
          break
        }
        const { ack, message } = parseRequest(frame)
        if (message != null) {
          this.safeDispatchEvent<ReceivedDirectMessage>('message', { detail: { ...message, from } })
        } else {
          this.log('refusing direct message "%s" from %p: %s', ack.id, from, ack.status)
        }
        await writeAck(ack)
        if (ack.status !== DirectMessageAck.Status.OK) {
          break
        }
      }
      await stream.close({ signal: AbortSignal.timeout(this.timeout) })
    } catch (err) {
      this.log.error('direct-message stream from %p failed: %e', from, err)
      stream.abort(err as Error)
    }
  }
}
