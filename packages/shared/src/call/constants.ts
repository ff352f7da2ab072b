/**
 * Calls: the protocol id and limits of their signalling. Change the wire format: bump the protocol's version here
 * and in docs/PROTOCOL.md.
 */

/** Protocol of call signalling: CallSignal frames, one direction per stream. */
export const CALL_PROTOCOL = '/p2p-chat/call/1.0.0'
/** Most people in one call: every pair has its own media connection (a mesh), so each sends its media to all. */
export const MAX_CALL_PARTICIPANTS = 6
/** Largest CallSignal frame: an SDP offer with audio, video and a screen share is 5–10 kB. */
export const MAX_CALL_SIGNAL_BYTES = 32_768
/** Longest scope (a room topic is 43 bytes; "dm") in UTF-8 bytes. */
export const MAX_CALL_SCOPE_BYTES = 256
/** Longest peer id string in a RING. */
export const MAX_CALL_PEER_ID_BYTES = 128
/** The scope of a call between two peers, outside any room. */
export const DM_CALL_SCOPE = 'dm'
/** How long (ms) opening a signalling stream and writing a frame may take. */
export const DEFAULT_CALL_TIMEOUT_MS = 10_000
/** Signalling streams a peer accepts at once on one connection. */
export const DEFAULT_CALL_MAX_INBOUND_STREAMS = 2
/** Signalling streams a peer opens at once on one connection. */
export const DEFAULT_CALL_MAX_OUTBOUND_STREAMS = 2
