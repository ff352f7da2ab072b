import {
  FILE_ID_BYTES, MAX_FILE_BYTES, MAX_FILE_NAME_BYTES, MAX_IMAGE_DIMENSION, MAX_MIME_TYPE_BYTES
} from '../constants.js'
import { InvalidMessageError, MessageTooLargeError } from '../errors.js'
import { utf8Length } from '../util/utf8.js'

/** A file offered in a chat line: what a peer needs to decide to fetch it, and to check what it fetched. */
export interface FileOffer {
  /** the SHA-256 of the file's content: 64 lowercase hex characters */
  id: string
  /** the file's name, without any directory: 1–255 UTF-8 bytes */
  name: string
  /** in bytes */
  size: number
  /** "type/subtype", lowercase, no parameters (see {@link normalizeMimeType}) */
  mime: string
  /** for an image, when known: its width and height in pixels (both or neither) */
  width?: number
  height?: number
}

const FILE_ID_PATTERN = new RegExp(`^[0-9a-f]{${FILE_ID_BYTES * 2}}$`)
/** RFC 6838's restricted-name characters, lowercase: `type/subtype`, each 1–127 characters. */
const MIME_PATTERN = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/
/** Characters no file name may hold: directory separators and control characters. */
const FORBIDDEN_NAME_CHARACTERS = /[/\\\u0000-\u001f\u007f]/ // eslint-disable-line no-control-regex

/** What a MIME type is when nothing better is known. */
export const DEFAULT_MIME_TYPE = 'application/octet-stream'

/** Whether `id` is a file id: 64 lowercase hex characters (a SHA-256). */
export function isFileId (id: string): boolean {
  return FILE_ID_PATTERN.test(id)
}

/** Checks a file id. Throws {@link InvalidMessageError}. */
export function validateFileId (id: string): void {
  if (!isFileId(id)) {
    throw new InvalidMessageError(`A file id is ${FILE_ID_BYTES * 2} lowercase hex characters (a SHA-256)`)
  }
}

/**
 * A MIME type as an offer carries it: a browser's `File.type` (or anything else) lowercased and without
 * parameters, or {@link DEFAULT_MIME_TYPE} when it is empty or not a MIME type.
 */
export function normalizeMimeType (type: string): string {
  const bare = type.split(';')[0]!.trim().toLowerCase()
  return MIME_PATTERN.test(bare) ? bare : DEFAULT_MIME_TYPE
}

function validateFileName (name: string): void {
  if (name.trim() === '' || name === '.' || name === '..') {
    throw new InvalidMessageError('A file name cannot be empty, "." or ".."')
  }
  if (FORBIDDEN_NAME_CHARACTERS.test(name)) {
    throw new InvalidMessageError('A file name cannot hold "/", "\\" or control characters')
  }
  const size = utf8Length(name)
  if (size > MAX_FILE_NAME_BYTES) {
    throw new MessageTooLargeError(`The file name is ${size} bytes; the limit is ${MAX_FILE_NAME_BYTES}`, size, MAX_FILE_NAME_BYTES)
  }
}

function validateDimensions (offer: FileOffer): void {
  if (offer.width == null && offer.height == null) {
    return
  }
  if (!offer.mime.startsWith('image/')) {
    throw new InvalidMessageError('Only an image states a width and height')
  }
  for (const value of [offer.width, offer.height]) {
    if (value == null || !Number.isInteger(value) || value < 1 || value > MAX_IMAGE_DIMENSION) {
      throw new InvalidMessageError(`An image's width and height are both given, each 1 to ${MAX_IMAGE_DIMENSION} pixels`)
    }
  }
}

/**
 * Checks a file offer: a well-formed id, a file name (1–255 bytes, no directory, no control characters), a size
 * from 0 to `maxSize` (the room's limit), a MIME type and, for an image, both dimensions or neither. Throws
 * {@link InvalidMessageError} or {@link MessageTooLargeError}.
 */
export function validateFileOffer (offer: FileOffer, maxSize = MAX_FILE_BYTES): void {
  validateFileId(offer.id)
  validateFileName(offer.name)
  if (!Number.isSafeInteger(offer.size) || offer.size < 0) {
    throw new InvalidMessageError('A file size is a whole number of bytes')
  }
  if (offer.size > maxSize) {
    throw new MessageTooLargeError(`The file is ${offer.size} bytes; this room's limit is ${maxSize}`, offer.size, maxSize)
  }
  if (utf8Length(offer.mime) > MAX_MIME_TYPE_BYTES || !MIME_PATTERN.test(offer.mime)) {
    throw new InvalidMessageError('A MIME type is "type/subtype" in lowercase, without parameters')
  }
  validateDimensions(offer)
}

const SIZE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB']

/** A byte count for people, in SI units: "999 B", "2.1 MB", "50 MB", "1.5 GB". */
export function formatFileSize (bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 999.5 && unit < SIZE_UNITS.length - 1) {
    value /= 1000
    unit++
  }
  // 9.96 MB would print as "10.0 MB": round first, then decide on a decimal
  const rounded = Math.round(value * 10) / 10
  return `${unit === 0 || rounded >= 10 ? Math.round(value) : rounded.toFixed(1)} ${SIZE_UNITS[unit]}`
}

/** The text a line with an attachment carries for peers that cannot show the file: "📎 photo.jpg (2.1 MB)". */
export function attachmentFallback (offer: Pick<FileOffer, 'name' | 'size'>): string {
  return `📎 ${offer.name} (${formatFileSize(offer.size)})`
}
