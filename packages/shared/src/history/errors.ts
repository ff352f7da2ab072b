/** A history record or outbox entry with a field that breaks the rules (empty topic, id not 32 hex, bad time). */
export class InvalidHistoryRecordError extends Error {
  static override name = 'InvalidHistoryRecordError'
  override name = 'InvalidHistoryRecordError'
}
