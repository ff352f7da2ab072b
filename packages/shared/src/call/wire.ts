import { CallSignal } from '../proto/call.js'
import { utf8Length } from '../util/utf8.js'
import { MAX_CALL_PARTICIPANTS, MAX_CALL_PEER_ID_BYTES, MAX_CALL_SCOPE_BYTES, MAX_CALL_SIGNAL_BYTES } from './constants.js'
import { InvalidCallSignalError } from './errors.js'

const CALL_ID = /^[0-9a-f]{32}$/
/** What a decoder makes of bytes that are not UTF-8: U+FFFD, or a lone surrogate. */
const NOT_UTF8 = /\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** A new call id: 16 random bytes, lowercase hex. */
export function createCallId (): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map(b => b.toString(16).padStart(2, '0')).join('')
}

/** Checks a signal before it is sent or after it is read. Throws {@link InvalidCallSignalError}. */
export function validateCallSignal (signal: CallSignal): void {
  if (!CALL_ID.test(signal.callId)) {
    throw new InvalidCallSignalError('A call id is 32 lowercase hex characters')
  }
  if (!Object.values(CallSignal.Type).includes(signal.type)) {
    throw new InvalidCallSignalError('Unknown call signal type')
  }
  if (utf8Length(signal.scope) > MAX_CALL_SCOPE_BYTES) {
    throw new InvalidCallSignalError(`A call scope is at most ${MAX_CALL_SCOPE_BYTES} bytes`)
  }
  if ((signal.type === CallSignal.Type.RING || signal.type === CallSignal.Type.JOIN) && signal.scope === '') {
    throw new InvalidCallSignalError('A RING or JOIN names its scope')
  }
  if (signal.participants.length > MAX_CALL_PARTICIPANTS || signal.participants.some(p => p === '' || utf8Length(p) > MAX_CALL_PEER_ID_BYTES)) {
    throw new InvalidCallSignalError(`A call has at most ${MAX_CALL_PARTICIPANTS} participants, each a peer id`)
  }
  if ((signal.type === CallSignal.Type.OFFER || signal.type === CallSignal.Type.ANSWER) && signal.sdp === '') {
    throw new InvalidCallSignalError('An OFFER or ANSWER carries a session description')
  }
}

/** Encodes a checked signal. Throws {@link InvalidCallSignalError}, also when it is over {@link MAX_CALL_SIGNAL_BYTES}. */
export function encodeCallSignal (signal: CallSignal): Uint8Array {
  validateCallSignal(signal)
  const bytes = CallSignal.encode(signal)
  if (bytes.byteLength > MAX_CALL_SIGNAL_BYTES) {
    throw new InvalidCallSignalError(`A call signal is at most ${MAX_CALL_SIGNAL_BYTES} bytes; this one is ${bytes.byteLength}`)
  }
  return bytes
}

/** Decodes and checks a frame. Throws {@link InvalidCallSignalError}. */
export function decodeCallSignal (bytes: Uint8Array): CallSignal {
  let signal: CallSignal
  try {
    signal = CallSignal.decode(bytes, { limits: { participants: MAX_CALL_PARTICIPANTS } })
  } catch (err) {
    throw new InvalidCallSignalError(`A call signal does not decode: ${(err as Error).message}`)
  }
  validateCallSignal(signal)
  // SDP, candidates and peer ids are ASCII: a string that was not UTF-8 on the wire is refused, not repaired
  if ([signal.scope, signal.sdp, signal.candidate, signal.sdpMid ?? '', ...signal.participants].some(s => NOT_UTF8.test(s))) {
    throw new InvalidCallSignalError('A call signal\'s text is not UTF-8')
  }
  return signal
}
