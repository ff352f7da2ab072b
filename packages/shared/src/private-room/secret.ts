import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { ROOM_SECRET_BYTES, ROOM_SECRET_LENGTH } from './constants.js'
import { InvalidRoomSecretError } from './errors.js'

const ROOM_SECRET_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${ROOM_SECRET_LENGTH}}$`)

/** A new random room secret: 256 bits, base64url without padding (43 characters). */
export function createRoomSecret (): string {
  return uint8ArrayToString(crypto.getRandomValues(new Uint8Array(ROOM_SECRET_BYTES)), 'base64url')
}

/** Whether `value` is a room secret as {@link createRoomSecret} writes it (the one spelling of 32 bytes). */
export function isRoomSecret (value: string): boolean {
  if (!ROOM_SECRET_PATTERN.test(value)) {
    return false
  }
  try {
    // 43 characters carry 258 bits: only the spelling whose 2 spare bits are 0 is accepted
    return uint8ArrayToString(uint8ArrayFromString(value, 'base64url'), 'base64url') === value
  } catch {
    return false
  }
}

/** Returns the secret unchanged, or throws {@link InvalidRoomSecretError}. */
export function parseRoomSecret (value: string): string {
  if (!isRoomSecret(value)) {
    throw new InvalidRoomSecretError(`A room secret is ${ROOM_SECRET_LENGTH} characters A-Z, a-z, 0-9, - and _ (${ROOM_SECRET_BYTES} bytes in base64url)`)
  }
  return value
}
