import { serviceCapabilities } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { ProtocolService } from '../protocol-service.js'
import { openStream } from '../util/open-stream.js'
import {
  CALL_PROTOCOL, DEFAULT_CALL_MAX_INBOUND_STREAMS, DEFAULT_CALL_MAX_OUTBOUND_STREAMS, DEFAULT_CALL_TIMEOUT_MS,
  MAX_CALL_SIGNAL_BYTES
} from './constants.js'
import { CallSignalFailedError } from './errors.js'
import { decodeCallSignal, encodeCallSignal } from './wire.js'
import type { CallSignal } from '../proto/call.js'
import type { CallSignals, CallSignalsComponents, CallSignalsEvents, CallSignalsInit } from './index.js'
import type { Connection, PeerId, Stream } from '@libp2p/interface'

type LpStream = ReturnType<typeof lpStream>

/** The stream this peer writes its signals to one peer on, and the queue that keeps them in order. */
interface Outbound {
  stream?: Promise<{ stream: Stream, lp: LpStream }>
  queue: Promise<void>
}

export class CallSignalsService extends ProtocolService<CallSignalsEvents> implements CallSignals {
  readonly [Symbol.toStringTag] = '@p2p-chat/call-signals'
  readonly [serviceCapabilities] = ['@p2p-chat/call-signals']

  private readonly components: CallSignalsComponents
  private readonly timeout: number
  private readonly outbound = new Map<string, Outbound>()

  constructor (components: CallSignalsComponents, init: CallSignalsInit = {}) {
    super(components, {
      protocol: CALL_PROTOCOL,
      limits: {
        maxInboundStreams: init.maxInboundStreams ?? DEFAULT_CALL_MAX_INBOUND_STREAMS,
        maxOutboundStreams: init.maxOutboundStreams ?? DEFAULT_CALL_MAX_OUTBOUND_STREAMS
      },
      service: 'call-signals',
      log: 'p2p-chat:call'
    })
    this.components = components
    this.timeout = init.timeout ?? DEFAULT_CALL_TIMEOUT_MS
  }

  protected override onStop (): void {
    for (const peer of [...this.outbound.keys()]) {
      this.release(peer)
    }
  }

  async send (peer: PeerId, signal: CallSignal): Promise<void> {
    const bytes = encodeCallSignal(signal)
    const key = peer.toString()
    let outbound = this.outbound.get(key)
    if (outbound == null) {
      outbound = { queue: Promise.resolve() }
      this.outbound.set(key, outbound)
    }
    const entry = outbound
    const write = entry.queue.then(async () => {
      const signal = AbortSignal.timeout(this.timeout)
      try {
        entry.stream ??= this.open(peer, signal)
        const { lp } = await entry.stream
        await lp.write(bytes, { signal })
      } catch (err) {
        // the next signal opens a new stream
        const failed = entry.stream
        entry.stream = undefined
        void failed?.then(({ stream }) => { stream.abort(err as Error) }, () => {})
        throw new CallSignalFailedError(`Could not signal ${peer}: ${(err as Error).message}`, { cause: err })
      }
    })
    entry.queue = write.catch(() => {})
    await write
  }

  release (peer: PeerId | string): void {
    const key = peer.toString()
    const entry = this.outbound.get(key)
    this.outbound.delete(key)
    void entry?.queue.then(async () => {
      const opened = await entry.stream
      await opened?.stream.close({ signal: AbortSignal.timeout(this.timeout) })
    }).catch(() => {})
  }

  private async open (peer: PeerId, signal: AbortSignal): Promise<{ stream: Stream, lp: LpStream }> {
    if (!this.registration.isStarted()) {
      throw this.registration.stopped()
    }
    // signals are small: they may go over a relayed connection while the peers have nothing better. On the
    // connections there are (libp2p's own openStream dialled again beside a relayed connection, racing the room's
    // WebRTC upgrade: the duplicate was aborted with the stream on it, and a ring written to it was lost)
    const stream = await openStream(this.components.connectionManager, peer, CALL_PROTOCOL, {
      signal,
      maxOutboundStreams: this.registration.limits.maxOutboundStreams
    })
    return { stream, lp: lpStream(stream, { maxDataLength: MAX_CALL_SIGNAL_BYTES }) }
  }

  /**
   * Reads a peer's signals until it closes the stream or the service stops, and tells the application each.
   * A frame that breaks the rules ends the stream. Never throws.
   */
  protected async handleStream (stream: Stream, connection: Connection): Promise<void> {
    const from = connection.remotePeer
    const shutdown = this.registration.signal
    if (shutdown == null) {
      stream.abort(this.registration.stopped())
      return
    }
    const lp = lpStream(stream, { maxDataLength: MAX_CALL_SIGNAL_BYTES, maxBufferSize: MAX_CALL_SIGNAL_BYTES * 2 })
    try {
      while (true) {
        const frame = await lp.read({ signal: shutdown })
        const signal = decodeCallSignal(frame.subarray())
        this.safeDispatchEvent('signal', { detail: { from, signal } })
      }
    } catch (err) {
      const name = (err as Error).name
      if (name === 'UnexpectedEOFError' || name === 'StreamClosedError' || name === 'StreamStateError') {
        // the peer is done: close this side too (nothing is ever written on it)
        await stream.close({ signal: AbortSignal.timeout(this.timeout) }).catch(() => { stream.abort(err as Error) })
        return
      }
      this.log('call signals from %p ended: %e', from, err)
      stream.abort(err as Error)
    }
  }
}
