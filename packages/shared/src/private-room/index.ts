/**
 * Private rooms: a room link may carry a secret in its URL fragment (`/r/<roomId>#<secret>`), which browsers never
 * send to a server. Members derive from it (and the room id) the room's gossipsub topic and an AES-256-GCM key, and
 * publish only sealed {@link PrivateEnvelope}s: the relay, and anyone else without the secret, can neither read a
 * message nor make one that members accept, and cannot tell which room id a topic belongs to. The envelope's id and
 * timestamp stay readable ({@link readEnvelopeHeader}), so history can be stored, deduplicated and ordered as
 * ciphertext. Works wherever WebCrypto does (browsers, Node 20+).
 *
 * @example
 *
 * ```ts
 * import { createRoomSecret, derivePrivateRoom, sealRoomData, openRoomData, encodeChat } from '@p2p-chat/shared'
 *
 * const secret = createRoomSecret() // put it in the link: `/r/${roomId}#${secret}`
 * const keys = await derivePrivateRoom(roomId, secret)
 *
 * await pubsub.publish(keys.topic, await sealRoomData(keys, encodeChat(chat)))
 *
 * // on receipt: throws DecryptionError for anything not sealed by a member
 * const { id, timestamp, plaintext } = await openRoomData(keys, bytes)
 * ```
 */

export * from './constants.js'
export * from './errors.js'
export * from './secret.js'
export * from './topic.js'
export * from './keys.js'
export * from './envelope.js'
