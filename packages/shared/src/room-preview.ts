import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { ROOM_PREVIEW_MAX_BYTES, ROOM_PREVIEW_MAX_LINES } from './constants.js'
import { InvalidRoomPreviewError } from './errors.js'
import { isRoomId } from './room.js'

/**
 * A public room's newest lines as the relay keeps them (each the bytes published on the room's topic: a signed
 * room message), which it puts into the page it serves for the room's link (docs/PROTOCOL.md, "Room preview").
 * Nothing in it is trusted: a page verifies every line as it would a line from history sync.
 */
export interface RoomPreview {
  roomId: string
  /** oldest first */
  lines: Uint8Array[]
}

/**
 * The lines a preview holds: the newest of `lines` (oldest first) that fit {@link ROOM_PREVIEW_MAX_LINES} and
 * {@link ROOM_PREVIEW_MAX_BYTES}, oldest first.
 */
export function previewLines (lines: Uint8Array[]): Uint8Array[] {
  const kept: Uint8Array[] = []
  let bytes = 0
  for (let i = lines.length - 1; i >= 0 && kept.length < ROOM_PREVIEW_MAX_LINES; i--) {
    bytes += lines[i]!.byteLength
    if (bytes > ROOM_PREVIEW_MAX_BYTES) {
      break
    }
    kept.push(lines[i]!)
  }
  return kept.reverse()
}

/**
 * The preview's JSON text for a page: its {@link previewLines} of `lines` (oldest first), each in base64. Safe
 * inside a `<script>` element: it holds no `<`.
 */
export function formatRoomPreview (roomId: string, lines: Uint8Array[]): string {
  if (!isRoomId(roomId)) {
    throw new InvalidRoomPreviewError(`"${roomId.slice(0, 64)}" is not a room id`)
  }
  return JSON.stringify({ roomId, lines: previewLines(lines).map(line => uint8ArrayToString(line, 'base64')) })
}

/** Reads a preview's JSON text; throws {@link InvalidRoomPreviewError} for anything but a preview within the bounds. */
export function parseRoomPreview (text: string): RoomPreview {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new InvalidRoomPreviewError('The room preview is not JSON')
  }
  const { roomId, lines } = (typeof body === 'object' && body != null ? body : {}) as Record<string, unknown>
  if (typeof roomId !== 'string' || !isRoomId(roomId)) {
    throw new InvalidRoomPreviewError('The room preview names no room')
  }
  if (!Array.isArray(lines) || lines.length > ROOM_PREVIEW_MAX_LINES || !lines.every(line => typeof line === 'string')) {
    throw new InvalidRoomPreviewError(`The room preview's lines are not a list of at most ${ROOM_PREVIEW_MAX_LINES} strings`)
  }
  let bytes = 0
  const decoded = lines.map((line: string) => {
    try {
      const data = uint8ArrayFromString(line, 'base64')
      bytes += data.byteLength
      return data
    } catch {
      throw new InvalidRoomPreviewError('A line of the room preview is not base64')
    }
  })
  if (bytes > ROOM_PREVIEW_MAX_BYTES) {
    throw new InvalidRoomPreviewError(`The room preview's lines are larger than ${ROOM_PREVIEW_MAX_BYTES} bytes`)
  }
  return { roomId, lines: decoded }
}
