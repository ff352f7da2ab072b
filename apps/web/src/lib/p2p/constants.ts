/** Defaults of the browser's relay link, in one place (room defaults are in @p2p-chat/shared). */

/** First wait before redialing an unreachable relay; doubles (with jitter) up to the maximum. */
export const RELAY_RETRY_MIN_MS = 1_000
export const RELAY_RETRY_MAX_MS = 30_000
/** How often the relay connection is checked and, if gone, redialed. */
export const RELAY_WATCH_INTERVAL_MS = 5_000
/** The relay is asked for its STUN/TURN servers again once they are this old: its TURN credentials expire. */
export const ICE_SERVERS_MAX_AGE_MS = 60 * 60_000
