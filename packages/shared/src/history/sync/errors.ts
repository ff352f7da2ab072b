/**
 * A sync request breaks the rules before anything is sent: an empty or overlong topic, a `have` id that is not 32
 * lowercase hex characters or more than MAX_HISTORY_HAVE_IDS of them, a `since` or `limit` out of range.
 */
export class InvalidHistoryRequestError extends Error {
  static override name = 'InvalidHistoryRequestError'
  override name = 'InvalidHistoryRequestError'
}

/** The peer does not serve the topic's history (it keeps none of it, or will not share it). */
export class HistoryNotServedError extends Error {
  static override name = 'HistoryNotServedError'
  override name = 'HistoryNotServedError'
}

/** The peer refused the request as invalid (status INVALID): its limits differ from ours, or it is broken. */
export class HistorySyncRejectedError extends Error {
  static override name = 'HistorySyncRejectedError'
  override name = 'HistorySyncRejectedError'
}

/**
 * The peer broke the history-sync protocol: a frame over its size limit or that does not decode, more records
 * announced than asked for, a record of the wrong shape (id not 16 bytes, timestamp out of range, data too large),
 * out of order, older than `since` or already held, or the stream closed before every announced record came.
 */
export class HistorySyncProtocolError extends Error {
  static override name = 'HistorySyncProtocolError'
  override name = 'HistorySyncProtocolError'
}

/** The sync did not finish within its timeout (opening the stream included); nothing it read is returned. */
export class HistorySyncTimeoutError extends Error {
  static override name = 'HistorySyncTimeoutError'
  override name = 'HistorySyncTimeoutError'
}
