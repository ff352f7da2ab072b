/** A room secret (from a link's URL fragment) is not 43 base64url characters encoding 32 bytes. */
export class InvalidRoomSecretError extends Error {
  static override name = 'InvalidRoomSecretError'
  override name = 'InvalidRoomSecretError'
}

/** Bytes that do not decode as a PrivateEnvelope, or a field of the wrong size or value. */
export class InvalidEnvelopeError extends Error {
  static override name = 'InvalidEnvelopeError'
  override name = 'InvalidEnvelopeError'
}

/**
 * An envelope does not open with this room's key: it was sealed for another room or with another secret, or any of
 * its bytes (ciphertext, iv, id, timestamp, version) was changed on the way.
 */
export class DecryptionError extends Error {
  static override name = 'DecryptionError'
  override name = 'DecryptionError'
}
