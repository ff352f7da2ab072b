import { createMessageId, timestampFromWire, validateMessageId, validateName, validateText, validateTimestamp } from '../codec.js'
import { MESSAGE_ID_HEX_LENGTH } from '../constants.js'
import { DirectMessageProtocolError, MessageTooLargeError } from '../errors.js'
import { DirectMessage, DirectMessageAck } from '../proto/dm.js'
import type { OutgoingDirectMessage } from './index.js'
import type { Uint8ArrayList } from 'uint8arraylist'

/** A validated request, ready to write. */
export interface PreparedRequest {
  message: { id: string, name: string, text: string, timestamp: number }
  bytes: Uint8Array
}

/**
 * Validates and encodes an outgoing message. Throws {@link InvalidMessageError} or {@link MessageTooLargeError},
 * before anything touches the network.
 */
export function prepareRequest (outgoing: OutgoingDirectMessage, maxMessageSize: number, now = Date.now()): PreparedRequest {
  const id = outgoing.id ?? createMessageId()
  validateMessageId(id)
  const name = validateName(outgoing.name)
  validateText(outgoing.text)
  const message = { id, name, text: outgoing.text, timestamp: now }
  const bytes = DirectMessage.encode({ ...message, timestamp: BigInt(now) })
  if (bytes.byteLength > maxMessageSize) {
    throw new MessageTooLargeError(`The encoded message is ${bytes.byteLength} bytes; the limit is ${maxMessageSize}`, bytes.byteLength, maxMessageSize)
  }
  return { message, bytes }
}

/** What a receiver makes of one request frame: the ack to answer with and, when it is OK, the message. */
export interface ParsedRequest {
  ack: DirectMessageAck
  message?: { id: string, name: string, text: string, timestamp: number }
}

/** Decodes and validates one request frame. Never throws: a bad request becomes a non-OK ack. */
export function parseRequest (frame: Uint8Array | Uint8ArrayList, now = Date.now()): ParsedRequest {
  let request: DirectMessage
  try {
    request = DirectMessage.decode(frame)
  } catch {
    return { ack: { id: '', status: DirectMessageAck.Status.INVALID } }
  }
  try {
    validateMessageId(request.id)
  } catch {
    return { ack: { id: '', status: DirectMessageAck.Status.INVALID } }
  }
  const id = request.id
  const timestamp = timestampFromWire(request.timestamp)
  try {
    validateName(request.name)
    validateText(request.text)
    validateTimestamp(timestamp, now)
  } catch (err) {
    const status = err instanceof MessageTooLargeError ? DirectMessageAck.Status.TOO_LARGE : DirectMessageAck.Status.INVALID
    return { ack: { id, status } }
  }
  return {
    ack: { id, status: DirectMessageAck.Status.OK },
    message: { id, name: request.name, text: request.text, timestamp }
  }
}

/**
 * Decodes an ack and checks that it answers the request `id`: an OK ack must name it; a non-OK ack names it or is
 * empty (the receiver could not read the request's id). Throws {@link DirectMessageProtocolError} otherwise.
 */
export function parseAck (frame: Uint8Array | Uint8ArrayList, id: string): DirectMessageAck {
  let ack: DirectMessageAck
  try {
    ack = DirectMessageAck.decode(frame)
  } catch (err) {
    throw new DirectMessageProtocolError(`The ack does not decode: ${(err as Error).message}`, { cause: err })
  }
  if (ack.id !== id && (ack.id !== '' || ack.status === DirectMessageAck.Status.OK)) {
    throw new DirectMessageProtocolError(`The ack answers message "${ack.id.slice(0, MESSAGE_ID_HEX_LENGTH)}", not "${id}"`)
  }
  return ack
}
