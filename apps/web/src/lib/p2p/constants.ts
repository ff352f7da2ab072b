/** Defaults of the browser's chat node, in one place. */

/** A member announces itself this often, so others learn it is still there. */
export const PRESENCE_INTERVAL_MS = 15_000
/** A member not heard from for this long, and not directly connected, leaves the peers list. */
export const MEMBER_EXPIRY_MS = 40_000
/** Presence answers to newcomers are batched for this long. */
export const PRESENCE_DEBOUNCE_MS = 50
/** First wait before retrying a failed direct (WebRTC) upgrade; doubles up to the maximum. */
export const UPGRADE_RETRY_MIN_MS = 2_000
export const UPGRADE_RETRY_MAX_MS = 60_000
/** First wait before redialing an unreachable relay; doubles (with jitter) up to the maximum. */
export const RELAY_RETRY_MIN_MS = 1_000
export const RELAY_RETRY_MAX_MS = 30_000
/** How often the relay connection is checked and, if gone, redialed. */
export const RELAY_WATCH_INTERVAL_MS = 5_000
/** Connected room members are pinged this often; the peers list shows the round-trip time. */
export const PING_INTERVAL_MS = 5_000
/** A ping that takes longer than this counts as failed. */
export const PING_TIMEOUT_MS = 5_000
