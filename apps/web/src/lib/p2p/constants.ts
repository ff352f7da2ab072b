/** Defaults of the browser's relay link, in one place (room defaults are in @p2p-chat/shared). */

/** First wait before redialing an unreachable relay; doubles (with jitter) up to the maximum. */
export const RELAY_RETRY_MIN_MS = 1_000
export const RELAY_RETRY_MAX_MS = 30_000
/** How often the relay connection is checked and, if gone, redialed. */
export const RELAY_WATCH_INTERVAL_MS = 5_000
/** The relay is asked for its STUN/TURN servers again once they are this old: its TURN credentials expire. */
export const ICE_SERVERS_MAX_AGE_MS = 60 * 60_000
/**
 * The parts of the node a room does not need to be shown (Kademlia, direct messages; circuit relay, WebRTC and
 * the other transports) load once the room is on screen (its first line shown, or its first catch-up over with
 * nothing to show), or this long after the node started when that does not happen (no room, no relay).
 */
export const EXTRAS_DELAY_MS = 1_000
/**
 * A newcomer's hello waits at most this long for its relay reservation, so that whoever sees it in the room can
 * reach it too (the reservation comes with the node's late parts, once the room is on screen).
 */
export const HELLO_WAIT_MS = 2_000
/**
 * Lines seen live are written to IndexedDB at most once in this long (ms): a line after a quiet spell at once, the
 * lines that follow it within this time together once it has passed. Each write costs the page's main thread ~3 ms
 * whatever it holds, and in a busy room that was the largest part of a received line's cost (bench/RESULTS.md,
 * "stop 40"). A peer asking for the room's history is answered once they are written.
 */
export const HISTORY_KEEP_DELAY_MS = 1_000
/** How often (ms) a call reads its audio levels, for the talking indicator. */
export const AUDIO_LEVEL_INTERVAL_MS = 300
/** An audio level (0–1, from `getStats()`) above this counts as talking. */
export const TALKING_LEVEL = 0.02
/**
 * After a call's ring, ms at which it is said again to whoever at its place is not in the call yet: a ring is one
 * signal, not acknowledged, and one written to a connection that closes under it is lost.
 */
export const RING_REPEATS_MS = [3_000, 10_000]
