/** Defaults for every relay option, in one place. See {@link RelayOptions}. */
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_HTTP_PORT = 8080
export const DEFAULT_TCP_PORT = 4001
export const DEFAULT_WS_PORT = 4002
export const DEFAULT_WEBRTC_DIRECT_PORT = 4003
export const DEFAULT_DATA_DIR = './.relay-data'

/** Most connections the relay holds at once (libp2p's own default is 300). */
export const DEFAULT_MAX_CONNECTIONS = 1024
/** Inbound connections still in their handshake, across all peers (libp2p's default is 10). */
export const DEFAULT_MAX_PENDING_CONNECTIONS = 64
/** Circuit-relay reservations held at once (js-libp2p's default is 15). */
export const DEFAULT_MAX_RESERVATIONS = 512
/** How long one relayed connection may stay open: long enough for WebRTC signalling and early chat. */
export const DEFAULT_CIRCUIT_DURATION_MS = 10 * 60 * 1000
/** How many bytes one relayed connection may carry in each direction before it is reset. */
export const DEFAULT_CIRCUIT_DATA_BYTES = 1n << 20n
/** Most rooms the relay follows at once. */
export const DEFAULT_MAX_ROOMS = 4096
/** How often the relay leaves rooms that no connected peer is in any more. */
export const ROOM_SWEEP_INTERVAL_MS = 30_000

/** A lost peer relay (`--peer`) is redialled after this, doubling up to the maximum, for as long as the relay runs. */
export const PEER_RELAY_RETRY_MIN_MS = 1_000
export const PEER_RELAY_RETRY_MAX_MS = 60_000
/** Peer-store tag on peer relays: a high value, so the connection manager never prunes them. */
export const PEER_RELAY_TAG = 'p2p-chat-peer-relay'
/** Lines of each room the relay keeps for late joiners, and for how many days. */
export const DEFAULT_HISTORY_MAX_MESSAGES = 1000
export const DEFAULT_HISTORY_MAX_DAYS = 30
