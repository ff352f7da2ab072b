import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { timestampFromWire } from '../codec.js'
import { FILE_ID_BYTES } from '../constants.js'
import { FileCredit, FileRequest, FileResponse } from '../proto/file.js'
import { utf8Length } from '../util/utf8.js'
import {
  FILE_CHUNK_BYTES, MAX_FILE_CREDIT_BYTES, MAX_FILE_REQUEST_BYTES, MAX_FILE_RESPONSE_BYTES, MAX_FILE_TOPIC_BYTES,
  MAX_FILE_WINDOW_CHUNKS
} from './constants.js'
import { FileTransferProtocolError, InvalidFileRequestError } from './errors.js'
import { isFileId } from './offer.js'
import type { Uint8ArrayList } from 'uint8arraylist'

/** What a requester asks for. */
export interface FileRequestFields {
  /** 64 lowercase hex characters */
  id: string
  offset: number
  topic: string
  /** 0: no limit */
  maxSize: number
  window: number
}

function isTopic (topic: unknown): topic is string {
  return typeof topic === 'string' && topic !== '' && utf8Length(topic) <= MAX_FILE_TOPIC_BYTES
}

function isWindow (window: number): boolean {
  return Number.isSafeInteger(window) && window >= 1 && window <= MAX_FILE_WINDOW_CHUNKS
}

/** Checks what a caller passes to serve or fetch a file. Throws {@link InvalidFileRequestError}. */
export function checkFileRef (id: string, topic: string): void {
  if (!isFileId(id)) {
    throw new InvalidFileRequestError(`A file id is ${FILE_ID_BYTES * 2} lowercase hex characters (a SHA-256)`)
  }
  if (!isTopic(topic)) {
    throw new InvalidFileRequestError(`A topic is 1 to ${MAX_FILE_TOPIC_BYTES} UTF-8 bytes`)
  }
}

/** Validates and encodes a request. Throws {@link InvalidFileRequestError}. */
export function encodeFileRequest (request: FileRequestFields): Uint8Array {
  checkFileRef(request.id, request.topic)
  if (!isWindow(request.window)) {
    throw new InvalidFileRequestError(`A window is 1 to ${MAX_FILE_WINDOW_CHUNKS} chunks`)
  }
  return FileRequest.encode({
    id: uint8ArrayFromString(request.id, 'base16'),
    offset: BigInt(request.offset),
    topic: request.topic,
    maxSize: BigInt(request.maxSize),
    window: request.window
  })
}

/**
 * Decodes and checks a request frame: a 32-byte id, a topic, a window. Whether the offset fits the file is the
 * server's to check. Returns undefined for a request that breaks the rules (the server answers INVALID); never
 * throws.
 */
export function parseFileRequest (frame: Uint8Array | Uint8ArrayList): FileRequestFields | undefined {
  if (frame.byteLength > MAX_FILE_REQUEST_BYTES) {
    return undefined
  }
  let request: FileRequest
  try {
    request = FileRequest.decode(frame)
  } catch {
    return undefined
  }
  const offset = timestampFromWire(request.offset)
  const maxSize = timestampFromWire(request.maxSize)
  if (request.id.byteLength !== FILE_ID_BYTES || !isTopic(request.topic) || !isWindow(request.window) || offset < 0) {
    return undefined
  }
  return {
    id: uint8ArrayToString(request.id, 'base16'),
    offset,
    topic: request.topic,
    // beyond the safe integers: no file is that large anyway
    maxSize: maxSize < 0 ? 0 : maxSize,
    window: request.window
  }
}

/** Whether a transfer of a file of `size` bytes may start at `offset`: on a chunk, or at the end. */
export function isValidOffset (offset: number, size: number): boolean {
  return offset === size || (offset < size && offset % FILE_CHUNK_BYTES === 0)
}

export function encodeFileResponse (status: FileResponse.Status, size = 0): Uint8Array {
  return FileResponse.encode({ status, size: BigInt(size) })
}

/** Decodes the server's response frame. Throws {@link FileTransferProtocolError}. */
export function parseFileResponse (frame: Uint8Array | Uint8ArrayList): { status: FileResponse.Status, size: number } {
  if (frame.byteLength > MAX_FILE_RESPONSE_BYTES) {
    throw new FileTransferProtocolError(`The response is ${frame.byteLength} bytes; the limit is ${MAX_FILE_RESPONSE_BYTES}`)
  }
  let response: FileResponse
  try {
    response = FileResponse.decode(frame)
  } catch (err) {
    throw new FileTransferProtocolError(`The response does not decode: ${(err as Error).message}`, { cause: err })
  }
  const size = timestampFromWire(response.size)
  if (size < 0) {
    throw new FileTransferProtocolError('The response states a size beyond the safe integers')
  }
  return { status: response.status, size }
}

export function encodeFileCredit (chunks: number): Uint8Array {
  return FileCredit.encode({ chunks })
}

/** Decodes a credit frame: how many more chunks the server may send. Throws {@link FileTransferProtocolError}. */
export function parseFileCredit (frame: Uint8Array | Uint8ArrayList): number {
  let credit: FileCredit
  try {
    credit = FileCredit.decode(frame)
  } catch (err) {
    throw new FileTransferProtocolError(`A credit does not decode: ${(err as Error).message}`, { cause: err })
  }
  if (frame.byteLength > MAX_FILE_CREDIT_BYTES || !isWindow(credit.chunks)) {
    throw new FileTransferProtocolError(`A credit grants 1 to ${MAX_FILE_WINDOW_CHUNKS} chunks`)
  }
  return credit.chunks
}
