/**
 * @packageDocumentation
 *
 * Everything P2P Chat peers must agree on: protocol ids and limits, the room-message schema and its codec,
 * room ids and topics, the relay-info document and the gossipsub settings for rooms.
 *
 * @example
 *
 * ```ts
 * import { createRoomId, roomTopic, encodeChat, decodeRoomMessage, createMessageId } from '@p2p-chat/shared'
 *
 * const roomId = createRoomId()
 * const bytes = encodeChat({ id: createMessageId(), name: 'alice', text: 'hi', timestamp: Date.now() })
 * await pubsub.publish(roomTopic(roomId), bytes)
 *
 * const event = decodeRoomMessage(bytes) // { type: 'chat', chat: { ... } }
 * ```
 */

// the pure part (constants, errors, codecs, room ids, names, relay info, private rooms, file offers)
export * from './protocol.js'
export * from './pubsub.js'
export { Room } from './chat/room.js'
export type { RoomChat, RoomEvents, RoomInit, RoomRestore, RoomTyping, SendOptions } from './chat/room.js'
export { RoomDiscovery, roomKey } from './chat/discovery.js'
export type { RoomDiscoveryInit } from './chat/discovery.js'
export { PeerPinger } from './chat/peer-pinger.js'
export { RoomLinks } from './chat/room-links.js'
export type { RoomLinksInit } from './chat/room-links.js'
export type { PeerPingerInit, RoomNode } from './chat/peer-pinger.js'
export { connectionKind, directPaths } from './chat/direct-paths.js'
export { isDirectPair } from './chat/members.js'
export { dialsWebRTC, webrtcPairGater } from './chat/upgrader.js'
export type { ConnectionKind, DirectPaths, DirectPathsComponents, DirectPathsEvents, DirectPathsInit } from './chat/direct-paths.js'
export { backoffDelay } from './util/backoff.js'
export { isWebRTCConnection } from './util/connections.js'
export { mark } from './util/marks.js'
export { setMostRecent } from './util/most-recent.js'
export { circuitRelay, isCircuitAddr, isWebRTCAddr, withoutCircuitAddrs } from './util/multiaddrs.js'
export { chatPeerServices, NEGOTIATION_TIMEOUTS, PEER_CONNECTION_MANAGER, roomServices } from './chat/services.js'
export { pingService } from './chat/ping.js'
export type { ChatPeerServicesInit, RoomServicesInit } from './chat/services.js'
export { privateRoomCodec, publicRoomCodec, readRoomData } from './chat/room-codec.js'
export type { RoomCodec, WrapHeader } from './chat/room-codec.js'
export { RoomHistory, verifyRoomLines } from './chat/room-history.js'
export type { HistorySyncClient, RoomHistoryInit } from './chat/room-history.js'
export type { Milestone } from './util/marks.js'
export * from './dm/index.js'
export * from './history/index.js'
export * from './file/index.js'
export * from './call/index.js'
