import { decodeRoomMessage, encodeDeparture } from '../codec.js'
import { InvalidMessageError } from '../errors.js'
import { roomTopic } from '../room.js'
import type { RoomEvent, RoomLimits } from '../codec.js'
import type { PrivateRoomKeys } from '../private-room/index.js'

/** How an envelope is labelled: private rooms put this in the clear (authenticated) so keepers can order it. */
export interface WrapHeader {
  id: string
  timestamp: number
  /** presence (typing notices too): not kept as history */
  ephemeral: boolean
  /**
   * a presence's direct peers: a private room puts them in the clear on the envelope (private.proto), for its
   * relay; a public room's are in the presence itself
   */
  direct?: readonly string[]
}

/**
 * How a room's messages look on its topic. A public room publishes encoded room messages as they are; a
 * private room seals each in an envelope only members can open.
 */
export interface RoomCodec {
  readonly topic: string
  readonly isPrivate: boolean
  /** the room's own limits (the largest file a line may offer), checked on every line read */
  readonly limits: RoomLimits
  /** what to publish for an encoded room message */
  wrap: (message: Uint8Array, header: WrapHeader) => Promise<Uint8Array>
  /** the encoded room message inside published bytes; throws the private-room errors for a forgery */
  unwrap: (data: Uint8Array) => Promise<{ message: Uint8Array, header?: WrapHeader }>
}

export function publicRoomCodec (roomId: string, limits: RoomLimits = {}): RoomCodec {
  return {
    topic: roomTopic(roomId),
    isPrivate: false,
    limits,
    wrap: async message => message,
    unwrap: async message => ({ message })
  }
}

/**
 * A private room's codec. Sealing and opening envelopes is code only private rooms run: it is loaded on the first
 * message (a chunk of its own in the web app, so a page showing a public room does not carry it).
 */
export function privateRoomCodec (keys: PrivateRoomKeys, limits: RoomLimits = {}): RoomCodec {
  // loaded once: an import() per line costs a trip through the module loader, a thousand of them in a history sync
  let envelope: Promise<typeof import('../private-room/envelope.js')> | undefined
  const load = async (): Promise<typeof import('../private-room/envelope.js')> => (envelope ??= import('../private-room/envelope.js'))
  return {
    topic: keys.topic,
    isPrivate: true,
    limits,
    wrap: async (message, header) => {
      const { sealRoomData } = await load()
      return sealRoomData(keys, message, header)
    },
    unwrap: async data => {
      const { openRoomData } = await load()
      const { plaintext, ...header } = await openRoomData(keys, data)
      // a relay's departure notice, in the clear: read as a public room's
      return header.departed != null ? { message: encodeDeparture(header.departed, header.departedAfter) } : { message: plaintext, header }
    }
  }
}

/**
 * Reads bytes published on (or synced for) a room: opens them, decodes and validates the room message and checks
 * a chat line's signatures. `publisher`, given for a message that arrived live (gossipsub has verified
 * its signature by that peer: see {@link decodeRoomMessage}'s options), must be a chat line's author, and the
 * line's own signatures are then checked for form only. In a private room the envelope's id
 * and time must be the line's own, and a presence's direct peers are the envelope's (when it names any). Throws
 * typed errors for anything else.
 */
export async function readRoomData (codec: RoomCodec, data: Uint8Array, publisher?: string): Promise<RoomEvent> {
  const { message, header } = await codec.unwrap(data)
  const event = await decodeRoomMessage(message, codec.topic, { limits: codec.limits, publisher })
  if (event.type === 'chat') {
    if (header != null && (header.id !== event.chat.id || header.timestamp !== event.chat.timestamp || header.ephemeral)) {
      throw new InvalidMessageError('a private envelope is labelled differently from the chat line inside')
    }
  } else if (event.type === 'presence' && header?.direct != null && header.direct.length > 0) {
    event.presence.direct = [...header.direct]
  }
  return event
}
