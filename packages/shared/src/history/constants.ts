/** Defaults of the message history a peer keeps for each room (see {@link HistoryStoreOptions}). */

/** Messages kept per topic: beyond this, the oldest are dropped. */
export const DEFAULT_HISTORY_MAX_MESSAGES = 1000
/** Messages older than this (ms, by their timestamp) are dropped: 30 days. */
export const DEFAULT_HISTORY_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000
/** Name of the SQLite file a Node peer keeps its history and outbox in, inside its data directory. */
export const HISTORY_SQLITE_FILE = 'history.sqlite'
/** How long a write to the SQLite history waits for another connection's lock before it fails. */
export const DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 5_000
