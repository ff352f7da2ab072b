/** A call signal breaks the rules: a bad call id, scope, peer id, or too many participants. Nothing was sent. */
export class InvalidCallSignalError extends Error {
  static override name = 'InvalidCallSignalError'
  override name = 'InvalidCallSignalError'
}

/** A signal could not reach the peer: no stream could be opened, or writing it failed or took too long. */
export class CallSignalFailedError extends Error {
  static override name = 'CallSignalFailedError'
  override name = 'CallSignalFailedError'
}
