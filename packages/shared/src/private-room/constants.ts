/**
 * Private rooms: sizes, labels and limits every member agrees on. Change any of them and old links stop working:
 * bump {@link PRIVATE_ROOM_VERSION} (and the labels, the topic prefix and docs/PROTOCOL.md) with it.
 */

import { MAX_ROOM_MESSAGE_BYTES } from '../constants.js'

/** Version of the private-room scheme: the PrivateEnvelope `version` and the one in the derivation labels. */
export const PRIVATE_ROOM_VERSION = 1

/** Prefix of every private room's gossipsub topic; the topic id (derived from the secret) follows it. */
export const PRIVATE_ROOM_TOPIC_PREFIX = '/p2p-chat/private/1/'

/** A room secret is this many random bytes... */
export const ROOM_SECRET_BYTES = 32
/** ...written as base64url without padding, this many characters (it travels in a link's URL fragment). */
export const ROOM_SECRET_LENGTH = 43

/** A private room's topic id is this many derived bytes... */
export const PRIVATE_TOPIC_ID_BYTES = 16
/** ...written as lowercase RFC 4648 base32 without padding, this many characters. */
export const PRIVATE_TOPIC_ID_LENGTH = 26

/** HKDF `info` of the topic id. */
export const PRIVATE_ROOM_TOPIC_INFO = 'p2p-chat/private-room/1/topic'
/** HKDF `info` of the AES-GCM key. */
export const PRIVATE_ROOM_KEY_INFO = 'p2p-chat/private-room/1/key'
/** Size of the room's file secret (an HKDF key in WebCrypto). */
export const PRIVATE_ROOM_FILES_BYTES = 32
/** HKDF `info` of the room's file secret, from which each file's key is derived (see file/crypto.ts). */
export const PRIVATE_ROOM_FILES_INFO = 'p2p-chat/private-room/1/files'

/** An envelope id is this many random bytes (lowercase hex in the API: a message id). */
export const ENVELOPE_ID_BYTES = 16
/** AES-GCM nonce, new and random for every envelope. */
export const ENVELOPE_IV_BYTES = 12
/** AES-GCM authentication tag, appended to the ciphertext. */
export const ENVELOPE_TAG_BYTES = 16

/** Largest plaintext a member seals: the largest room message. */
export const MAX_PRIVATE_PLAINTEXT_BYTES = MAX_ROOM_MESSAGE_BYTES
/**
 * Largest encoded PrivateEnvelope a member sends or accepts: the largest plaintext plus the tag and at most 48 bytes
 * of fields, rounded up. Private topics need gossipsub to allow messages this large.
 */
export const MAX_PRIVATE_ENVELOPE_BYTES = MAX_PRIVATE_PLAINTEXT_BYTES + 128
