/** The room id in a link is not a P2P Chat room id. */
export class InvalidRoomIdError extends Error {
  static override name = 'InvalidRoomIdError'
  override name = 'InvalidRoomIdError'
}

/** Bytes that do not decode as a room message, or a field that breaks the schema's rules. */
export class InvalidMessageError extends Error {
  static override name = 'InvalidMessageError'
  override name = 'InvalidMessageError'
}

/** A message (or one of its fields) is larger than the protocol allows. */
export class MessageTooLargeError extends Error {
  static override name = 'MessageTooLargeError'
  override name = 'MessageTooLargeError'

  constructor (message: string, readonly size: number, readonly limit: number) {
    super(message)
  }
}

/** A room message of a version this peer does not speak. */
export class UnsupportedVersionError extends Error {
  static override name = 'UnsupportedVersionError'
  override name = 'UnsupportedVersionError'
}

/** The relay's `/api/relay` answer is not what this client expects. */
export class InvalidRelayInfoError extends Error {
  static override name = 'InvalidRelayInfoError'
  override name = 'InvalidRelayInfoError'
}
