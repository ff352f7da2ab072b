/**
 * Call signalling: the offers, answers and ICE candidates of a call's media RTCPeerConnections, and the rings that
 * tell a room a call is under way, as {@link CALL_PROTOCOL} frames between the two peers (no server of our own).
 * Each peer writes to another on one stream of its own, in order; what it reads arrives as `signal` events. The
 * media connections themselves are the application's (the browser's RTCPeerConnection). See docs/PROTOCOL.md,
 * "Calls".
 *
 * @example
 *
 * ```ts
 * import { callSignals, CallSignal, createCallId } from '@p2p-chat/shared'
 *
 * const node = await createLibp2p({ services: { calls: callSignals() } })
 * node.services.calls.addEventListener('signal', ({ detail: { from, signal } }) => {
 *   if (signal.type === CallSignal.Type.OFFER) { ... }
 * })
 * await node.services.calls.send(peer, { type: CallSignal.Type.OFFER, callId, scope: '', participants: [], sdp: offer.sdp })
 * ```
 */

import { CallSignalsService } from './call-signals.js'
import type { CallSignal } from '../proto/call.js'
import type { ComponentLogger, PeerId } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { TypedEventTarget } from 'main-event'

export * from './constants.js'
export * from './errors.js'
export { createCallId, decodeCallSignal, encodeCallSignal, validateCallSignal } from './wire.js'
export { CallSignal } from '../proto/call.js'

export interface CallSignalsInit {
  /** how long (ms) opening a stream and writing a signal may take @default DEFAULT_CALL_TIMEOUT_MS */
  timeout?: number
  /** @default DEFAULT_CALL_MAX_INBOUND_STREAMS */
  maxInboundStreams?: number
  /** @default DEFAULT_CALL_MAX_OUTBOUND_STREAMS */
  maxOutboundStreams?: number
}

export interface CallSignalsComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

export interface ReceivedCallSignal {
  /** the stream's authenticated remote peer */
  from: PeerId
  signal: CallSignal
}

export interface CallSignalsEvents {
  signal: CustomEvent<ReceivedCallSignal>
}

export interface CallSignals extends TypedEventTarget<CallSignalsEvents> {
  /**
   * Sends a signal to a peer, after the ones sent before (one stream per peer, kept open). Rejects with
   * `InvalidCallSignalError` (nothing sent) or `CallSignalFailedError`.
   */
  send(peer: PeerId, signal: CallSignal): Promise<void>
  /** Closes the stream to a peer once what is queued is written (the call with it ended). */
  release(peer: PeerId | string): void
}

/** The call-signalling service, for libp2p's `services`. */
export function callSignals (init: CallSignalsInit = {}): (components: CallSignalsComponents) => CallSignals {
  return (components) => new CallSignalsService(components, init)
}
