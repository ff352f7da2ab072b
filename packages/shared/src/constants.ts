/**
 * Protocol identifiers and limits every P2P Chat peer agrees on. Change a wire format: bump its version here
 * and in docs/PROTOCOL.md.
 */

/** Version of the {@link RoomMessage} envelope published on room topics. */
export const ROOM_MESSAGE_VERSION = 1

/** Prefix of every room's gossipsub topic; the room id follows it. */
export const ROOM_TOPIC_PREFIX = '/p2p-chat/room/1/'

/** What a chat line's signature starts with (see room.proto): a signature made for anything else never verifies. */
export const CHAT_SIGNATURE_DOMAIN = 'p2p-chat/chat/1'
/** Length of an Ed25519 signature, the only kind a chat line carries (authors' keys are Ed25519). */
export const ED25519_SIGNATURE_BYTES = 64
/**
 * What a chat line's extended signature starts with: the one that also covers a reply, a reaction or an attachment
 * (fields peers of the first version skip, so the first signature cannot cover them).
 */
export const CHAT_EXTENDED_SIGNATURE_DOMAIN = 'p2p-chat/chat/2'
/** Kademlia protocol of the P2P Chat DHT (kept apart from the public IPFS DHT). */
export const KAD_DHT_PROTOCOL = '/p2p-chat/kad/1.0.0'

/** Room ids are this many random bytes... */
export const ROOM_ID_BYTES = 16
/** ...written as lowercase RFC 4648 base32 without padding, this many characters. */
export const ROOM_ID_LENGTH = 26

/** Largest chat text, in UTF-8 bytes. */
export const MAX_TEXT_BYTES = 4096
/** Largest display name, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 64
/** Most multiaddrs a presence announcement may carry. */
export const MAX_PRESENCE_MULTIADDRS = 8
/** Most peer ids a presence's `direct` field may carry (a member with more direct peers names these many). */
export const MAX_PRESENCE_DIRECT = 32
/** Largest binary peer id in a presence's `direct` field (an Ed25519 peer id is 38 bytes, an RSA one 34). */
export const MAX_PEER_ID_BYTES = 64
/** Most members of one room whose direct peers a node remembers ({@link MAX_PRESENCE_DIRECT} each). */
export const MAX_ROOM_LINKS_MEMBERS = 1024
/** Largest binary multiaddr in a presence announcement. */
export const MAX_MULTIADDR_BYTES = 512
/** Largest encoded room message; gossipsub drops anything bigger before decoding it. */
export const MAX_ROOM_MESSAGE_BYTES = 8192
/**
 * Largest gossipsub RPC frame accepted: one frame may batch several messages (gossip answers) and control
 * messages, so it is larger than any one message; each message is still held to its own limit by the validator.
 */
export const MAX_GOSSIP_RPC_BYTES = 256 * 1024
/** A chat message id is 16 random bytes in lowercase hex. */
export const MESSAGE_ID_HEX_LENGTH = 32
/** How far in the future (ms) a message timestamp may be before it is refused. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000
/** How many chat authors' decoded keys a node keeps at hand (most recent first) to check their lines' signatures. */
export const MAX_KNOWN_AUTHORS = 256
/** Largest reaction (the text of a line that reacts to another): an emoji, even a long ZWJ sequence, or a word. */
export const MAX_REACTION_BYTES = 64

// Files offered in chat lines (see docs/PROTOCOL.md, "Files")

/** A file's id is the SHA-256 of its content: this many bytes (lowercase hex in the API). */
export const FILE_ID_BYTES = 32
/** Longest file name in an offer, in UTF-8 bytes. */
export const MAX_FILE_NAME_BYTES = 255
/** Longest MIME type in an offer ("type/subtype", each at most 127 characters, RFC 6838). */
export const MAX_MIME_TYPE_BYTES = 255
/** Largest image width or height an offer may state, in pixels. */
export const MAX_IMAGE_DIMENSION = 65_535
/**
 * Largest file a room shares unless it is given another limit: offers above it are refused, and so are
 * fetches and serving.
 */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 ** 3
/**
 * Largest file size the protocol can state (sizes are JavaScript numbers): what a peer that applies no room limit
 * of its own (the relay's validator) accepts.
 */
export const MAX_FILE_BYTES = Number.MAX_SAFE_INTEGER

// Typing notices (see docs/PROTOCOL.md, "Typing")

/**
 * A draft's first typing notice waits this long (ms): a line sent sooner (a quick reply, a paste) needs none, and
 * costs every member one message to verify and draw instead of two.
 */
export const TYPING_NOTICE_DELAY_MS = 500
/** While typing, a member tells the room at most this often (ms). */
export const TYPING_INTERVAL_MS = 3_000
/** A member last said to be typing this long ago (ms) is no longer shown as typing. */
export const TYPING_EXPIRY_MS = 6_000

/** Path of the relay's HTTP endpoint that describes how to reach it. */
export const RELAY_INFO_PATH = '/api/relay'
/**
 * Id of the `<script type="application/json">` element in which the relay hands the web app the same document
 * with its index.html, so the page can dial at once instead of asking {@link RELAY_INFO_PATH} first.
 */
export const RELAY_INFO_ELEMENT_ID = 'p2p-chat-relay-info'

/**
 * How long an outbound stream may take to negotiate its protocol. libp2p's default is 10 s; gossipsub opens
 * streams one peer at a time, so one dead connection held every later newcomer for those 10 s.
 */
export const PROTOCOL_NEGOTIATION_TIMEOUT_MS = 2000

/** Protocol of one-to-one direct messages: a DirectMessage request, a DirectMessageAck answer, on one stream. */
export const DM_PROTOCOL = '/p2p-chat/dm/1.0.0'
/**
 * Largest encoded DirectMessage (one frame, not counting its length prefix) a peer sends or accepts. The largest
 * valid message (64-byte name, 4096-byte text) encodes to about 4.2 KiB.
 */
export const DEFAULT_DM_MAX_MESSAGE_BYTES = 8192
/** Largest encoded DirectMessageAck a sender reads; a real ack is under 40 bytes. */
export const MAX_DM_ACK_BYTES = 1024
/**
 * Most unread bytes a receiver buffers on one direct-message stream (or twice its max message size, if larger):
 * enough to read the length prefix of an oversized frame and refuse it with TOO_LARGE. More resets the stream.
 */
export const MAX_DM_READ_BUFFER_BYTES = 65_536
/** How long (ms) a direct message may take from opening the stream (or writing it, on a channel) to its ack. */
export const DEFAULT_DM_TIMEOUT_MS = 10_000
/** How long (ms) a receiver keeps an inbound direct-message stream open while waiting for the next request. */
export const DEFAULT_DM_IDLE_TIMEOUT_MS = 60_000
/** Direct-message streams a peer accepts at once on one connection. */
export const DEFAULT_DM_MAX_INBOUND_STREAMS = 16
/** Direct-message streams a peer opens at once on one connection. */
export const DEFAULT_DM_MAX_OUTBOUND_STREAMS = 16

/** Gossipsub score points a peer loses for each invalid room message it sent us (within the window below). */
export const INVALID_MESSAGE_PENALTY = 10
/** How long an invalid room message counts against the peer that sent it. */
export const INVALID_MESSAGE_WINDOW_MS = 10 * 60 * 1000
/** Most peers whose invalid messages are remembered (the oldest is forgotten first). */
export const MAX_PENALISED_PEERS = 10_000

// Rooms: presence, direct upgrades and ping, as every member runs them (see docs/PROTOCOL.md)

/**
 * A member announces itself this often, so others learn it is still there; a line of its own tells them as much, so
 * a member that sent one within the interval skips it (up to {@link PRESENCE_MAX_SKIP_MS}). In a room of 16 where
 * everyone typed, presences were ~15 % of the messages a page received from the relay (bench/RESULTS.md, stop 50).
 */
export const PRESENCE_INTERVAL_MS = 15_000
/** The longest a member that keeps talking goes without a presence (its name and addresses, repeated). */
export const PRESENCE_MAX_SKIP_MS = 60_000
/** A member not heard from for this long, and not directly connected, leaves the peers list. */
export const MEMBER_EXPIRY_MS = 40_000
/**
 * Most members of one room remembered as having left it (for {@link MEMBER_EXPIRY_MS}: a line of theirs still on
 * its way does not bring them back into the peers list); the one that left first is forgotten first.
 */
export const MAX_LEFT_MEMBERS = 1024
/**
 * A relay said a member left the room while this node holds a direct connection to it: that connection is checked
 * (a ping, {@link DEFAULT_DIRECT_PATH_CHECK_TIMEOUT_MS}), and the member dropped if it closes within this long.
 */
export const DEPARTURE_CHECK_MS = 12_000
/** A member's unchanged addresses are put in the peer store again after this long (else only when they change). */
export const MEMBER_ADDRS_REFRESH_MS = 10 * 60_000
/**
 * A member's direct peers (`Presence.direct`) are announced this long after they change, so that the changes of a
 * room forming (a new member connecting to everyone within a second or two) go out in one presence. Until then a
 * forwarder copies the member's lines to a newly connected peer that has them already, or, for a connection that
 * closed, tells that peer of them (IHAVE) and it asks for them: late by a heartbeat, never lost.
 */
export const DIRECT_PEERS_ANNOUNCE_DELAY_MS = 1000
/** Presence answers to newcomers are batched for this long. */
export const PRESENCE_DEBOUNCE_MS = 50
/**
 * First wait before the outbox tries again to send a line no peer took; doubles up to the maximum. Besides the
 * events that bring a route (a member subscribing, a connection opening), which try at once: a member can be
 * subscribed a moment before gossipsub has a stream to it, and then no further event comes.
 */
export const OUTBOX_RETRY_MIN_MS = 250
export const OUTBOX_RETRY_MAX_MS = 10_000
/** First wait before retrying a failed direct (WebRTC) upgrade; doubles up to the maximum. */
export const UPGRADE_RETRY_MIN_MS = 2_000
export const UPGRADE_RETRY_MAX_MS = 60_000
/**
 * Direct upgrades one member dials at once; the rest wait their turn. Of each pair the smaller peer id dials, so
 * in a room of 16 one member had 15 WebRTC handshakes under way at once: on a busy machine they timed out
 * together and were all tried again (bench `latency`, bench/RESULTS.md).
 */
export const UPGRADE_CONCURRENCY = 2
/**
 * In a room of up to this many others, a member upgrades to a direct connection with every one of them. Beyond
 * it a full mesh costs each page a WebRTC connection per member: 16 pages on 2 cores spent minutes failing 120
 * handshakes (bench `latency`, N=16); a member of a larger room connects directly to its
 * {@link LARGE_ROOM_NEIGHBOURS} only.
 */
export const MAX_DIRECT_MEMBERS = 8
/**
 * Members a member of a large room (more than {@link MAX_DIRECT_MEMBERS} others) upgrades to a direct connection:
 * its neighbours on the ring of the members' peer ids (half on each side), which every member computes alike. The
 * others reach it through the relay, and through its neighbours' forwarding and gossip; with the relay gone, through
 * the ring alone. Each direct connection costs a member CPU for every line (the author's copy to each, a copy from
 * each) and while idle (ICE, SCTP, pings): with 8 neighbours, 16 pages on 2 cores showed a line after p50 2.4–5.8 s;
 * with 4, after 1.1–1.8 s (stock's star through its relay: 0.6–1.3 s); with the relay stopped, every line still
 * arrived, after p50 2.6–4.0 s (bench `latency`, N=16, bench/RESULTS.md "stop 46" and "stop 47").
 */
export const LARGE_ROOM_NEIGHBOURS = 4
/**
 * Inbound connections a peer takes per second from one IP address (libp2p's `inboundConnectionThreshold`, 5 by
 * default). Every relayed connection comes from the relay's address, and so does every WebRTC connection
 * signalled through it: with libp2p's 5, a peer that twelve others dialled through one relay at once took 5 and
 * refused 7, as a newcomer refused the members upgrading to it (each tried again after a backoff). Four per
 * member a peer connects to directly (up to {@link MAX_DIRECT_MEMBERS}): a relayed and a WebRTC connection each,
 * twice over; the relay limits its circuits itself.
 */
export const PEER_INBOUND_CONNECTIONS_PER_IP = 4 * MAX_DIRECT_MEMBERS
/** How long one dial of a member (a WebRTC upgrade, or a member found in the DHT) may take. */
export const DEFAULT_MEMBER_DIAL_TIMEOUT_MS = 20_000
/**
 * How long a new direct connection has to carry identify's exchange before one ping round trip is tried on it
 * (with as long again), and past that it is closed. A WebRTC connection is reported without any handshake of
 * libp2p's on it, so until then nothing proves it carries data.
 */
export const DEFAULT_DIRECT_PATH_CHECK_TIMEOUT_MS = 5_000
/**
 * A member whose direct upgrade could have happened this long ago (both sides speak WebRTC and it announced its
 * address) and has not, is shown with the reason: no direct route between the two networks.
 */
export const NO_DIRECT_ROUTE_NOTICE_MS = 20_000
/**
 * The web app's libp2p connection monitor pings each of the page's connections this often (libp2p's default:
 * 10 s), to notice dead ones and to measure the round-trip times the peers list shows. Each ping is a stream, on
 * WebRTC a data channel opened and closed, at both ends: at 10 s these pings were the largest part of an idle
 * room member's work, and of an idle relay's (which runs no monitor of its own but answers every client's).
 * WebRTC notices a peer that went away by itself (ICE consent), so a failed ping never aborts a page's WebRTC
 * connection, and aborts another only if nothing arrived on it while it waited (patched libp2p, patches/README.md):
 * a busy page answers late, and is not gone.
 */
export const CONNECTION_PING_INTERVAL_MS = 30_000
/**
 * The peers list's round-trip times are read this often: libp2p's connection monitor measures them (every
 * {@link CONNECTION_PING_INTERVAL_MS} in the web app), and a member without one yet is pinged once.
 */
export const PING_INTERVAL_MS = 5_000
/** A ping that takes longer than this counts as failed. */
export const PING_TIMEOUT_MS = 5_000
/**
 * Ping streams one connection may have open at once, each way. libp2p's ping allows one outbound and two inbound;
 * but libp2p's connection monitor, the room's pinger and the direct-path check all ping, and when the monitor's
 * heartbeat found the one slot taken it aborted the whole connection (a direct path dropped for nothing).
 */
export const PING_MAX_STREAMS = 4

// Rooms in the DHT: members announce themselves as providers of the room's key (see docs/PROTOCOL.md)

/** A newcomer looks the room up in the DHT after these delays (ms from joining), then every interval. */
export const DISCOVERY_LOOKUP_DELAYS_MS = [0, 2_000, 8_000, 30_000]
export const DISCOVERY_LOOKUP_INTERVAL_MS = 2 * 60 * 1000
/** A member announces itself for the room's key again this often (records on DHT servers also expire). */
export const DISCOVERY_REPROVIDE_INTERVAL_MS = 10 * 60 * 1000
/** A failed announcement (no DHT server reachable) is retried after this, doubling up to the maximum. */
export const DISCOVERY_RETRY_MIN_MS = 1_000
export const DISCOVERY_RETRY_MAX_MS = 60_000
/** One DHT lookup or announcement gives up after this long. */
export const DISCOVERY_QUERY_TIMEOUT_MS = 15_000
/** At most this many providers found in one lookup are dialled. */
export const DISCOVERY_MAX_DIALS = 16

// History (see docs/PROTOCOL.md)

/**
 * A room remembers the ids of this many lines it has shown (restored, synced or live), to show each line once
 * whichever way it comes; more than a store keeps of a room (DEFAULT_HISTORY_MAX_MESSAGES).
 */
export const KNOWN_LINE_IDS = 10_000
/** A room asks the same peer for missing history at most this often (each new connection asks again). */
export const HISTORY_SYNC_COOLDOWN_MS = 10_000

/** The one key type of P2P Chat identities: peer ids and chat authors (PROTOCOL.md, "Identities"). */
export const IDENTITY_KEY_TYPE = 'Ed25519'
/** Why a key of another type (RSA, secp256k1, ECDSA) is refused, wherever it is met. */
export const ED25519_ONLY_MESSAGE = 'P2P Chat identities are Ed25519 keys: RSA, secp256k1 and ECDSA keys are refused (PROTOCOL.md, "Identities")'

/**
 * Id of the `<script type="application/json">` element in which the relay puts a public room's newest lines, as
 * signed, into the index.html it serves for that room's link: the page verifies and shows them before its node
 * has reached anyone (see docs/PROTOCOL.md, "Room preview").
 */
export const ROOM_PREVIEW_ELEMENT_ID = 'p2p-chat-room-preview'
/**
 * Id of the element in which the relay also puts a public room's newest lines as HTML, into the same index.html,
 * so that the browser draws them before any script has run; the app removes it once it shows the room itself.
 */
export const ROOM_PREVIEW_PAGE_ID = 'p2p-chat-room-preview-page'
/** How many characters of a line a reply's quote shows (and a line's actions name it by). */
export const QUOTE_EXCERPT_CHARS = 80
/** A room preview holds at most this many lines: the newest. */
export const ROOM_PREVIEW_MAX_LINES = 20
/** ...and at most this many bytes of them, as signed (the newest lines that fit). */
export const ROOM_PREVIEW_MAX_BYTES = 32 * 1024
