/** Defaults for every relay option, in one place. See {@link RelayOptions}. */
export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_HTTP_PORT = 8080
export const DEFAULT_TCP_PORT = 4001
export const DEFAULT_WS_PORT = 4002
export const DEFAULT_WEBRTC_DIRECT_PORT = 4003
export const DEFAULT_QUIC_PORT = 4004
/** The relay's STUN responder (`stun.ts`): UDP, the port RFC 8489 registers for STUN. */
export const DEFAULT_STUN_PORT = 3478
export const DEFAULT_DATA_DIR = './.relay-data'
/** The admin listener (`/metrics`, `/healthz`): its port, and an address only the machine itself reaches. */
export const DEFAULT_METRICS_PORT = 9090
export const DEFAULT_METRICS_HOST = '127.0.0.1'

/**
 * Most connections the relay holds at once (libp2p's own default is 300). At about 64 KiB each (bench `relay`,
 * bench/RESULTS.md) that is ~0.5 GiB of memory, and as many file descriptors (docs/SELF-HOSTING.md, "Sizing").
 */
export const DEFAULT_MAX_CONNECTIONS = 8192
/**
 * Inbound connections in their handshake at once, across all peers (libp2p's default is 10), at most: a
 * handshake is CPU work (Noise) and round trips; while the CPU is the limit, fewer run at once (below). Others
 * wait their turn.
 */
export const DEFAULT_MAX_PENDING_CONNECTIONS = 16
/**
 * Event-loop delay (ms, the worst in a window) above which the relay halves the handshakes it lets run at once,
 * down to one; within it they grow back to `DEFAULT_MAX_PENDING_CONNECTIONS` (admission-pace.ts). `/healthz`
 * waits about as long as the loop does, and should answer within 100 ms.
 */
export const DEFAULT_ADMISSION_DELAY_MS = 25
/** How often the handshake slots are adjusted to the event loop's delay. */
export const ADMISSION_PACE_INTERVAL_MS = 100
/** How often the event loop's delay is sampled (a timer, and how late it fires). */
export const ADMISSION_PACE_SAMPLE_MS = 10
/** Inbound connections that may wait for a handshake slot, first come first served; more are refused. */
export const DEFAULT_MAX_QUEUED_CONNECTIONS = 2048
/**
 * How long a connection may wait for a handshake slot before it is refused: with the handshake timeout this
 * stays within the 6 s a js-libp2p peer gives one address (`addressDialTimeout`) before it gives up on it.
 */
export const DEFAULT_ADMISSION_WAIT_MS = 3000
/** Circuit-relay reservations held at once (js-libp2p's default is 15): one for every browser connected. */
export const DEFAULT_MAX_RESERVATIONS = 8192
/** How long one relayed connection may stay open: long enough for WebRTC signalling and early chat. */
export const DEFAULT_CIRCUIT_DURATION_MS = 10 * 60 * 1000
/** How many bytes one relayed connection may carry in each direction before it is reset. */
export const DEFAULT_CIRCUIT_DATA_BYTES = 1n << 20n
/** Most rooms the relay follows at once. */
export const DEFAULT_MAX_ROOMS = 4096
/** How often the relay leaves rooms that no connected peer is in any more. */
export const ROOM_SWEEP_INTERVAL_MS = 30_000

// Limits (see limits.ts and docs/PROTOCOL.md, "Limits of the reference relay")

/** Connections one IP address may hold open or in their handshake (everyone behind one NAT shares it). */
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 32
/** Handshakes one IP address may have under way at once. */
export const DEFAULT_MAX_PENDING_PER_IP = 8
/** New inbound connections a second from one IP address, and the burst allowed (libp2p's default is 5 a second). */
export const DEFAULT_CONNECTION_RATE_PER_IP = 10
/**
 * Seconds an inbound connection may take to finish its handshake (encryption, multiplexer) from the moment it
 * is admitted before it is closed.
 */
export const DEFAULT_HANDSHAKE_TIMEOUT_S = 5
/**
 * libp2p's connection manager checks its own caps before the relay's limiter does, so they are set above the
 * relay's (which count and log each refusal): connections by this much (room for the relay's own dials), the
 * inbound rate and pending handshakes by these factors. libp2p starts pruning connections above its cap.
 */
export const LIBP2P_CONNECTION_HEADROOM = 64
export const LIBP2P_RATE_FACTOR = 10
export const LIBP2P_PENDING_FACTOR = 2
/** libp2p's upgrade timeout is the admission wait and the handshake timeout, and this, so the relay's fire first. */
export const LIBP2P_UPGRADE_TIMEOUT_SLACK_MS = 1000
/** Circuit-relay reservations one IP address may hold (go-libp2p's relay allows 8). */
export const DEFAULT_MAX_RESERVATIONS_PER_IP = 8
/** Rooms one peer's subscriptions may make the relay follow. */
export const DEFAULT_MAX_ROOMS_PER_PEER = 32
/** Room messages a peer may publish (or be first to deliver) a second, and the burst allowed; more are ignored. */
export const DEFAULT_PUBLISH_RATE = 20
export const DEFAULT_PUBLISH_BURST = 50
/**
 * Departure notices the relay publishes in one room a second, and the burst: each goes to everyone in the room, so a
 * crowd that leaves at once would cost the square of its size. Past it members see those peers only expire.
 */
export const ROOM_DEPARTURE_RATE = 5
export const ROOM_DEPARTURE_BURST = 20
/** Provider records (room announcements) the relay's DHT server keeps, in all and for one key (one room). */
export const DEFAULT_DHT_MAX_PROVIDERS = 16_384
export const DEFAULT_DHT_MAX_PROVIDERS_PER_KEY = 256
/**
 * Seconds a provider record is kept after it was last announced: members re-announce every 10 minutes
 * (DISCOVERY_REPROVIDE_INTERVAL_MS); kad-dht's default is 48 hours. Expired records are deleted every sixth of it.
 */
export const DEFAULT_DHT_PROVIDER_TTL_S = 30 * 60
/** Most keys (IP addresses, peers) a rate limiter tracks; the least recently used is forgotten first. */
export const MAX_RATE_LIMITED_KEYS = 16_384
/** How often full rate-limit buckets (keys idle long enough to have refilled) are dropped. */
export const LIMITS_SWEEP_INTERVAL_MS = 30_000

/**
 * Longest the relay answers identify and reservations with an address list it computed earlier, when none of its
 * addresses changed meanwhile (address-cache.ts): an address that expires (an observed one not confirmed again)
 * is dropped up to this late. At most libp2p's 1 s debounce of its own address updates.
 */
export const ADDRESS_CACHE_TTL_MS = 1_000

/**
 * How long the relay reads its own record from a copy, and answers a merge of protocols a client's record already
 * has from the record libp2p last published for it (peer-store-cache.ts). A merge answered so does not refresh the
 * record's `updated` time, which the peer store expires records by (hours).
 */
export const PEER_STORE_CACHE_TTL_MS = 1_000

/** A lost peer relay (`--peer`) is redialled after this, doubling up to the maximum, for as long as the relay runs. */
export const PEER_RELAY_RETRY_MIN_MS = 1_000
export const PEER_RELAY_RETRY_MAX_MS = 60_000
/** How long one dial of a peer relay may take before it counts as a failure (and is retried). */
export const DEFAULT_PEER_RELAY_DIAL_TIMEOUT_MS = 10_000
/** Peer-store tag on peer relays: a high value, so the connection manager never prunes them. */
export const PEER_RELAY_TAG = 'p2p-chat-peer-relay'
/** Lines of each room the relay keeps for late joiners, and for how many days. */
export const DEFAULT_HISTORY_MAX_MESSAGES = 1000
export const DEFAULT_HISTORY_MAX_DAYS = 30

// NAT traversal: the STUN responder (stun.ts) and TURN credentials (ice.ts)

/**
 * Longest datagram the STUN responder reads: RFC 8489 §6.1 keeps STUN over UDP under 548 bytes when the path
 * MTU is unknown, and a binding request is 20 bytes (Chromium sends no attributes). Longer ones are ignored
 * before they are parsed.
 */
export const DEFAULT_STUN_MAX_REQUEST_BYTES = 548
/**
 * Binding requests answered a second from one source IP address, and the burst allowed: every browser of a NAT
 * shares one, and each of its peer connections gathers (and retransmits) on its own. More are ignored.
 */
export const DEFAULT_STUN_RATE_PER_IP = 50
export const DEFAULT_STUN_BURST_PER_IP = 100
/** Seconds a minted TURN credential stays valid (coturn's REST-API scheme); browsers fetch new ones on each visit. */
export const DEFAULT_TURN_TTL_S = 12 * 60 * 60
/** The user part of a minted TURN username, `<unix expiry seconds>:p2p-chat`. */
export const TURN_USER = 'p2p-chat'

// Memory per peer (peer-store.ts, node.ts)

/**
 * Records of disconnected peers the peer store keeps (DHT servers and peer relays, which the relay may dial
 * again); the others are forgotten when they disconnect.
 */
export const DEFAULT_MAX_REMEMBERED_PEERS = 1024

/**
 * How the relay's Node process is best run (deploy/ runs it so, and so do the e2e suite and the benchmarks):
 * V8's young generation held to 8 MiB a half (its default grows to 16 MiB, which a relay admitting thousands of
 * peers filled: RSS it never gave back; at 2 MiB its collections, one every few ms while clients arrive, made most
 * of `/healthz`'s tail while 5,000 clients arrived: see bench/RESULTS.md, stop 33); its old generation collected
 * once it has grown 20 % past what the last full collection kept (V8's own factor, up to 4×, let a relay under
 * steady traffic swing by 100 MiB and more between collections: its RSS rose in steps for minutes on end), and
 * marked by V8's background threads and as the relay allocates, with no marking tasks of its own on the relay's
 * event loop (with them, at 5,000 clients each full collection's marking took ~300 ms of the main thread within
 * ~370 ms, and `/healthz` answers caught in it waited up to 200 ms: bench/RESULTS.md, stop 56); and glibc's malloc
 * held to two arenas (one per thread that allocates otherwise, each keeping what it freed). See bench/RESULTS.md
 * for what each saves.
 */
export const RELAY_NODE_OPTIONS = ['--max-semi-space-size=8', '--heap-growing-percent=20', '--no-incremental-marking-task']
export const RELAY_MALLOC_ARENA_MAX = 2
