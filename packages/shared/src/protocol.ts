/**
 * @packageDocumentation
 *
 * What P2P Chat peers agree on, without a libp2p service (`@p2p-chat/shared/protocol`): protocol ids, limits and
 * other constants, the errors, the room-message codec, room ids, links and topics, display names and
 * fingerprints, the relay-info document, private-room secrets and envelopes, file offers. Nothing here loads
 * gossipsub or starts anything, so UI components and tests can import it cheaply; the services (`Room`, direct
 * messages, history sync, file transfer) are in `@p2p-chat/shared`.
 *
 * @example
 *
 * ```ts
 * import { fingerprint, parseRoute, roomPath, MAX_TEXT_BYTES, utf8Length } from '@p2p-chat/shared/protocol'
 *
 * const route = parseRoute(location.pathname) // { kind: 'room', roomId } for /r/<id>
 * const tooLong = utf8Length(text) > MAX_TEXT_BYTES
 * ```
 */

export * from './constants.js'
export * from './errors.js'
export * from './identity.js'
export * from './codec.js'
export * from './room.js'
export * from './names.js'
export * from './text.js'
export * from './relay-info.js'
export * from './room-preview.js'
export * from './private-room/index.js'
export * from './file/offer.js'
export * from './call/constants.js'
export { describeRelayedReason } from './chat/members.js'
export type { RelayedReason, RoomMember } from './chat/members.js'
export type { RoomTyping } from './chat/typing.js'
