import type { DirectMessageAck } from './proto/dm.js'

/** The room id in a link is not a P2P Chat room id. */
export class InvalidRoomIdError extends Error {
  static override name = 'InvalidRoomIdError'
  override name = 'InvalidRoomIdError'
}

/** Bytes that do not decode as a room message, or a field that breaks the schema's rules. */
export class InvalidMessageError extends Error {
  static override name = 'InvalidMessageError'
  override name = 'InvalidMessageError'
}

/**
 * A display name that is empty, or holds a character a name may not: a control character, a bidirectional
 * override or isolate, or an invisible one (see {@link validateName}). A kind of {@link InvalidMessageError}.
 */
export class InvalidNameError extends InvalidMessageError {
  static override name = 'InvalidNameError'
  override name = 'InvalidNameError'
}

/**
 * A peer id or key of a type P2P Chat identities do not have (RSA, secp256k1, ECDSA: identities are Ed25519,
 * PROTOCOL.md "Identities"). A kind of {@link InvalidMessageError}: a message signed or published with such a
 * key is refused like any malformed one.
 */
export class UnsupportedIdentityError extends InvalidMessageError {
  static override name = 'UnsupportedIdentityError'
  override name = 'UnsupportedIdentityError'
}

/** A message (or one of its fields) is larger than the protocol allows. */
export class MessageTooLargeError extends Error {
  static override name = 'MessageTooLargeError'
  override name = 'MessageTooLargeError'

  constructor (message: string, readonly size: number, readonly limit: number) {
    super(message)
  }
}

/** A room message of a version this peer does not speak. */
export class UnsupportedVersionError extends Error {
  static override name = 'UnsupportedVersionError'
  override name = 'UnsupportedVersionError'
}

/** The relay's HTTP endpoint (`/api/relay`) cannot be reached or answers with an error. */
/** A chat line's signature does not verify with the key it names, for the topic it came on. */
export class InvalidSignatureError extends Error {
  static override name = 'InvalidSignatureError'
  override name = 'InvalidSignatureError'
}

/** A message's gossipsub signer is not the author it names. */
export class AuthorMismatchError extends Error {
  static override name = 'AuthorMismatchError'
  override name = 'AuthorMismatchError'
}

export class RelayUnreachableError extends Error {
  static override name = 'RelayUnreachableError'
  override name = 'RelayUnreachableError'
}

/** The room preview in a page the relay served (its `ROOM_PREVIEW_ELEMENT_ID` element) is not what this client expects. */
export class InvalidRoomPreviewError extends Error {
  static override name = 'InvalidRoomPreviewError'
  override name = 'InvalidRoomPreviewError'
}

/** The relay's `/api/relay` answer is not what this client expects. */
export class InvalidRelayInfoError extends Error {
  static override name = 'InvalidRelayInfoError'
  override name = 'InvalidRelayInfoError'
}

/** No ack arrived for a direct message within the timeout: it may or may not have been delivered. */
export class DirectMessageTimeoutError extends Error {
  static override name = 'DirectMessageTimeoutError'
  override name = 'DirectMessageTimeoutError'
}

/**
 * No direct-message stream could be opened to the peer (no address, dial failed, it does not speak the protocol,
 * too many streams), or the connection was lost before the ack. `cause` holds libp2p's error.
 */
export class PeerUnreachableError extends Error {
  static override name = 'PeerUnreachableError'
  override name = 'PeerUnreachableError'
}

/** The peer answered a direct message with a status other than OK: it was not delivered. */
export class DirectMessageRejectedError extends Error {
  static override name = 'DirectMessageRejectedError'
  override name = 'DirectMessageRejectedError'

  constructor (message: string, readonly status: DirectMessageAck.Status) {
    super(message)
  }
}

/** The peer broke the direct-message protocol: its ack does not decode, names another message, or never came before it closed the stream. */
export class DirectMessageProtocolError extends Error {
  static override name = 'DirectMessageProtocolError'
  override name = 'DirectMessageProtocolError'
}

/** A direct-message channel was used after it closed (closed here, closed by the peer, or broken by an earlier failure). */
export class DirectMessageChannelClosedError extends Error {
  static override name = 'DirectMessageChannelClosedError'
  override name = 'DirectMessageChannelClosedError'
}

/** A direct connection could not carry a round trip: it is closed, and the pair's upgrade is tried again. */
export class DirectPathCheckError extends Error {
  static override name = 'DirectPathCheckError'
  override name = 'DirectPathCheckError'
}
