/**
 * Types for the parts of `@msimerson/stun` (3.2.x, CommonJS without types of its own) that the relay and its
 * tests use: the message codec and the constants. Written from the package's source (`src/index.js`,
 * `src/message/*.js`, `src/lib/constants.js`).
 */
declare module '@msimerson/stun' {
  /** An address attribute's value (MAPPED-ADDRESS, XOR-MAPPED-ADDRESS, XOR-RELAYED-ADDRESS). */
  export interface StunAddress {
    address: string
    port: number
    family: 'IPv4' | 'IPv6'
  }

  export interface StunAttribute {
    readonly type: number
    /** a Buffer for byte-string attributes (REALM, NONCE), a number for 32-bit ones, `{ code, reason }` for ERROR-CODE */
    readonly value: unknown
  }

  /** A decoded message (`decode()`), or one being built (`createMessage()`). */
  export interface StunMessage extends Iterable<StunAttribute> {
    readonly type: number
    readonly transactionId: Buffer
    /** attributes in the message */
    readonly count: number
    getAttribute: (type: number) => StunAttribute | undefined
    hasAttribute: (type: number) => boolean
    getXorAddress: () => StunAddress | undefined
  }

  /** A message being built: attributes are added in order; MESSAGE-INTEGRITY and FINGERPRINT go last. */
  export interface StunRequest extends StunMessage {
    addAttribute: (type: number, ...values: unknown[]) => StunAttribute | undefined
    addXorAddress: (address: string, port: number) => StunAttribute | undefined
    addUsername: (username: string) => StunAttribute | undefined
    addRealm: (realm: string) => StunAttribute | undefined
    addNonce: (nonce: string) => StunAttribute | undefined
    addSoftware: (software: string) => StunAttribute | undefined
    /** HMAC-SHA1 over the message so far, keyed with `key` */
    addMessageIntegrity: (key: string | Buffer) => boolean
    addFingerprint: () => boolean
    toBuffer: () => Buffer
  }

  export interface RequestOptions {
    /** the UDP socket to send from (bound or not); the caller closes it @default a new one, closed after */
    socket?: import('node:dgram').Socket
    /** what to send @default a Binding request */
    message?: StunRequest
    /** first retransmission timeout, ms, doubling on each retry @default 500 */
    timeout?: number
    /** retransmissions @default 6 */
    retries?: number
  }

  /**
   * Sends `message` to `url` (`host:port` or `stun://host:port`; not an ICE URL's `stun:host:port`) until a success response with its transaction id
   * arrives. Rejects with {@link StunResponseError} on an error response, with an `Error` on timeout.
   */
  export function request (url: string, options?: RequestOptions): Promise<StunMessage>

  /** An error response (its ERROR-CODE's reason as the message): `packet` is the response. */
  export class StunResponseError extends Error {
    readonly packet: StunMessage
    readonly code?: number
  }

  /** Creates a message of `type` (see {@link constants}), with a random transaction id unless given one. */
  export function createMessage (type: number, transactionId?: Buffer): StunRequest
  /** Decodes a datagram; throws on anything that is not a well-formed STUN message. */
  export function decode (message: Buffer): StunMessage & { getXorAddress: () => StunAddress | undefined }
  /** Whether the message's FINGERPRINT attribute is present and right. */
  export function validateFingerprint (message: StunMessage): boolean

  /** Message types (`STUN_BINDING_REQUEST`, …) and attribute types (`STUN_ATTR_XOR_MAPPED_ADDRESS`, …). */
  export const constants: Readonly<Record<string, number>> & {
    STUN_BINDING_REQUEST: number
    STUN_BINDING_RESPONSE: number
    STUN_ALLOCATE_REQUEST: number
    STUN_ALLOCATE_RESPONSE: number
    STUN_ALLOCATE_ERROR_RESPONSE: number
    STUN_ATTR_ERROR_CODE: number
    STUN_ATTR_REALM: number
    STUN_ATTR_NONCE: number
    STUN_ATTR_REQUESTED_TRANSPORT: number
    STUN_ATTR_XOR_RELAYED_ADDRESS: number
    STUN_ATTR_FINGERPRINT: number
  }
}
