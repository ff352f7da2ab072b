/** Defaults of the browser's relay link, in one place (room defaults are in @p2p-chat/shared). */

/** First wait before redialing an unreachable relay; doubles (with jitter) up to the maximum. */
export const RELAY_RETRY_MIN_MS = 1_000
export const RELAY_RETRY_MAX_MS = 30_000
/** How often the relay connection is checked and, if gone, redialed. */
export const RELAY_WATCH_INTERVAL_MS = 5_000
/** The relay is asked for its STUN/TURN servers again once they are this old: its TURN credentials expire. */
export const ICE_SERVERS_MAX_AGE_MS = 60 * 60_000

/** How often (ms) a call reads its audio levels, for the talking indicator. */
export const AUDIO_LEVEL_INTERVAL_MS = 300
/** An audio level (0–1, from `getStats()`) above this counts as talking. */
export const TALKING_LEVEL = 0.02
