/** A fetch or serve call breaks the rules before anything is sent: a malformed id or topic, an offset beyond the sink. */
export class InvalidFileRequestError extends Error {
  static override name = 'InvalidFileRequestError'
  override name = 'InvalidFileRequestError'
}

/**
 * The only connection to the peer goes through a relay, or the peer refused the stream as relayed
 * (REFUSED_RELAYED): a file needs a direct connection. Nothing was transferred.
 */
export class DirectConnectionRequiredError extends Error {
  static override name = 'DirectConnectionRequiredError'
  override name = 'DirectConnectionRequiredError'
}

/** The peer does not serve that file in that room (NOT_FOUND): it stopped sharing it, or never did. */
export class FileNotFoundError extends Error {
  static override name = 'FileNotFoundError'
  override name = 'FileNotFoundError'
}

/** The file is larger than the room's limit (known from the offer, the peer's answer, or TOO_LARGE). */
export class FileTooLargeError extends Error {
  static override name = 'FileTooLargeError'
  override name = 'FileTooLargeError'

  constructor (message: string, readonly size: number, readonly limit: number) {
    super(message)
  }
}

/** The peer refused the request as invalid (INVALID): its limits differ from ours, or it is broken. */
export class FileRequestRefusedError extends Error {
  static override name = 'FileRequestRefusedError'
  override name = 'FileRequestRefusedError'
}

/**
 * The peer broke the file protocol: a frame over its size or that does not decode, a size other than the offer's,
 * a chunk of the wrong length, more than was granted, or the stream closed before the last chunk.
 */
export class FileTransferProtocolError extends Error {
  static override name = 'FileTransferProtocolError'
  override name = 'FileTransferProtocolError'
}

/** A chunk does not open with the room's file key: another room's key, or it was altered. Nothing more is kept. */
export class FileDecryptionError extends Error {
  static override name = 'FileDecryptionError'
  override name = 'FileDecryptionError'
}

/** The sink failed (a full disk, storage taken away): `cause` holds its error. It keeps what it held before. */
export class FileSinkError extends Error {
  static override name = 'FileSinkError'
  override name = 'FileSinkError'
}

/** Every byte arrived but their SHA-256 is not the file's id: the data is discarded (the sink emptied). */
export class FileIntegrityError extends Error {
  static override name = 'FileIntegrityError'
  override name = 'FileIntegrityError'
}

/**
 * The transfer stopped before the end: the connection dropped, or the peer reset the stream (it stopped sharing).
 * The sink keeps what arrived (`received` bytes): fetch again, from this peer or another, to resume.
 */
export class FileTransferInterruptedError extends Error {
  static override name = 'FileTransferInterruptedError'
  override name = 'FileTransferInterruptedError'

  constructor (message: string, readonly received: number, options?: ErrorOptions) {
    super(message, options)
  }
}

/** Nothing moved for the idle timeout (or the answer took longer than the timeout). The sink keeps what arrived. */
export class FileTransferTimeoutError extends Error {
  static override name = 'FileTransferTimeoutError'
  override name = 'FileTransferTimeoutError'

  constructor (message: string, readonly received: number, options?: ErrorOptions) {
    super(message, options)
  }
}
