/**
 * File transfer: the protocol id and the limits both ends agree on. Change the wire format: bump the protocol's
 * version here and in docs/PROTOCOL.md. The limits of offers (name, size, MIME type) are the room schema's, in
 * ../constants.ts.
 */

/** Protocol of file transfer: a FileRequest, then a FileResponse and the file's chunks, on one stream. */
export const FILE_PROTOCOL = '/p2p-chat/file/1.0.0'

/**
 * Bytes of the file in each chunk (the last one holds the rest). Fixed: a resumed transfer starts on a chunk,
 * and in a private room chunk `i` is always sealed with nonce `i`, so a nonce never seals two different bytes.
 */
export const FILE_CHUNK_BYTES = 65_536
/** What sealing adds to a chunk in a private room: AES-GCM's tag. */
export const FILE_CHUNK_TAG_BYTES = 16
/** Longest topic a request may name, in UTF-8 bytes (room and private topics are 43). */
export const MAX_FILE_TOPIC_BYTES = 256
/** Largest encoded FileRequest: a topic of {@link MAX_FILE_TOPIC_BYTES}, the id and the numbers fit in 320. */
export const MAX_FILE_REQUEST_BYTES = 512
/** Largest encoded FileResponse a requester reads; a real one is at most 13 bytes. */
export const MAX_FILE_RESPONSE_BYTES = 32
/** Largest encoded FileCredit a server reads; a real one is at most 4 bytes. */
export const MAX_FILE_CREDIT_BYTES = 16
/** Most chunks a request's window or one credit may grant. */
export const MAX_FILE_WINDOW_CHUNKS = 1024
/**
 * Chunks a requester lets the server send ahead of what it has written to its sink, at most: 2 MiB in flight.
 * The server never sends more, whatever the transport, so a slow sink holds the server back instead of filling
 * memory (WebRTC has no back-pressure of its own on the reading side).
 */
export const DEFAULT_FILE_WINDOW_CHUNKS = 32
/** Chunks a requester asks for before it has measured how fast they come (256 KiB), and the fewest it grants. */
export const FILE_START_WINDOW_CHUNKS = 4
/**
 * How much a requester keeps in flight, in ms of the rate its sink has been taking chunks at (within
 * {@link FILE_START_WINDOW_CHUNKS} and the window): anything else sent on the same connection (a ping, a chat
 * line, a DM) may wait behind what is in flight, and libp2p's connection monitor closes a connection whose ping
 * takes 5 s. 2 MiB in flight on a path that carried 400 KB/s (two browsers sharing a busy 2-core machine) was
 * 5 s: the monitor closed a connection in the middle of a transfer.
 */
export const DEFAULT_FILE_WINDOW_MS = 1000
/** How long the requester measures its sink's rate over (the window follows the rate of the latest period). */
export const FILE_RATE_PERIOD_MS = 250
/** How long (ms) the requester waits for a stream and the response, and the server for the request. */
export const DEFAULT_FILE_TIMEOUT_MS = 10_000
/**
 * How long (ms) a transfer may make no progress (no chunk arrives; no credit, or the transport does not drain)
 * before either end gives it up.
 */
export const DEFAULT_FILE_IDLE_TIMEOUT_MS = 30_000
/** File-transfer streams a peer accepts at once on one connection (uploads). */
export const DEFAULT_FILE_MAX_INBOUND_STREAMS = 8
/** File-transfer streams a peer opens at once on one connection (downloads). */
export const DEFAULT_FILE_MAX_OUTBOUND_STREAMS = 8
/** HKDF `info` of a file's key in a private room (salt: the file's id). */
export const FILE_KEY_INFO = 'p2p-chat/file/1/key'
/** AES-GCM nonce size; a chunk's nonce is its index, big-endian, in the last 8 bytes. */
export const FILE_NONCE_BYTES = 12
/** Bytes read at a time when hashing a file (an offer's id, or what a sink holds before resuming). */
export const FILE_HASH_READ_BYTES = 1024 * 1024
