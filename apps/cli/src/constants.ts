/** Defaults of the terminal peer, in one place. See {@link CliOptions} and {@link CliNodeOptions}. */

/** Where the peer keeps its identity (LevelDB keychain). */
export const DEFAULT_CLI_DATA_DIR = './.p2p-chat-cli'
/** Listen addresses when --listen is not given: any free TCP port and any free QUIC (UDP) port, all interfaces. */
export const DEFAULT_LISTEN_ADDRS = ['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/udp/0/quic-v1']
/** How long the first dial of the relay (and any later redial) may take. */
export const RELAY_DIAL_TIMEOUT_MS = 10_000
/** How long dialling a peer found on the LAN (mDNS) or a room member through a relay may take. */
export const PEER_DIAL_TIMEOUT_MS = 10_000
/** Circuit-relay reservations a peer started with --relay-server holds for others at once. */
export const DEFAULT_RELAY_SERVER_RESERVATIONS = 32

/** AutoNAT v1, served by the relay and by @libp2p/autonat. */
export const AUTONAT_PROTOCOL = '/libp2p/autonat/1.0.0'
/** How long an AutoNAT server may take to dial back and answer (@libp2p/autonat's own dial-back may take 30 s). */
export const DEFAULT_CHECK_TIMEOUT_MS = 15_000
/** Wait this long after an AutoNAT server connects before asking it: identify brings the observed addresses. */
export const DEFAULT_CHECK_DELAY_MS = 500
/** Ask a connected AutoNAT server again after this long, or as soon as the addresses to test change. */
export const DEFAULT_RECHECK_INTERVAL_MS = 5 * 60_000
/** Largest AutoNAT answer read; a real one is well under 1 KiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 8192

/** On joining, the newest this many kept lines of the room are printed. */
export const RESTORED_LINES_SHOWN = 20

/**
 * How often the terminal peer asks the LAN (mDNS) who is there. @libp2p/mdns asks every 10 s; two peers started
 * together both miss each other's first query, so the second one decides how soon they meet.
 */
export const MDNS_QUERY_INTERVAL_MS = 4_000
