import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface RoomMessage {
  version: number
  chat?: ChatMessage
  presence?: Presence
  departure?: Departure
}

export namespace RoomMessage {
  let _codec: Codec<RoomMessage>

  export const codec = (): Codec<RoomMessage> => {
    if (_codec == null) {
      _codec = message<RoomMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if (obj.chat != null) {
          w.uint32(18)
          ChatMessage.codec().encode(obj.chat, w)
        }

        if (obj.presence != null) {
          w.uint32(26)
          Presence.codec().encode(obj.presence, w)
        }

        if (obj.departure != null) {
          w.uint32(34)
          Departure.codec().encode(obj.departure, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.chat = ChatMessage.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.chat
              })
              break
            }
            case 3: {
              obj.presence = Presence.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.presence
              })
              break
            }
            case 4: {
              obj.departure = Departure.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.departure
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield * ChatMessage.codec().stream(reader, reader.uint32(), `${prefix}.chat`, {
                limits: opts.limits?.chat
              })

              break
            }
            case 3: {
              yield * Presence.codec().stream(reader, reader.uint32(), `${prefix}.presence`, {
                limits: opts.limits?.presence
              })

              break
            }
            case 4: {
              yield * Departure.codec().stream(reader, reader.uint32(), `${prefix}.departure`, {
                limits: opts.limits?.departure
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RoomMessageVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface RoomMessageChatIdFieldEvent {
    field: '$.chat.id'
    value: string
  }

  export interface RoomMessageChatNameFieldEvent {
    field: '$.chat.name'
    value: string
  }

  export interface RoomMessageChatTextFieldEvent {
    field: '$.chat.text'
    value: string
  }

  export interface RoomMessageChatTimestampFieldEvent {
    field: '$.chat.timestamp'
    value: bigint
  }

  export interface RoomMessageChatAuthorFieldEvent {
    field: '$.chat.author'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RoomMessageChatSignatureFieldEvent {
    field: '$.chat.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RoomMessageChatReplyToFieldEvent {
    field: '$.chat.replyTo'
    value: string
  }

  export interface RoomMessageChatReactToFieldEvent {
    field: '$.chat.reactTo'
    value: string
  }

  export interface RoomMessageChatAttachmentIdFieldEvent {
    field: '$.chat.attachment.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RoomMessageChatAttachmentNameFieldEvent {
    field: '$.chat.attachment.name'
    value: string
  }

  export interface RoomMessageChatAttachmentSizeFieldEvent {
    field: '$.chat.attachment.size'
    value: bigint
  }

  export interface RoomMessageChatAttachmentMimeFieldEvent {
    field: '$.chat.attachment.mime'
    value: string
  }

  export interface RoomMessageChatAttachmentWidthFieldEvent {
    field: '$.chat.attachment.width'
    value: number
  }

  export interface RoomMessageChatAttachmentHeightFieldEvent {
    field: '$.chat.attachment.height'
    value: number
  }

  export interface RoomMessageChatExtendedSignatureFieldEvent {
    field: '$.chat.extendedSignature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RoomMessagePresenceNameFieldEvent {
    field: '$.presence.name'
    value: string
  }

  export interface RoomMessagePresenceMultiaddrsFieldEvent {
    field: '$.presence.multiaddrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface RoomMessagePresenceHelloFieldEvent {
    field: '$.presence.hello'
    value: boolean
  }

  export interface RoomMessagePresenceTypingFieldEvent {
    field: '$.presence.typing'
    value: boolean
  }

  export interface RoomMessagePresenceDirectFieldEvent {
    field: '$.presence.direct[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface RoomMessageDeparturePeerFieldEvent {
    field: '$.departure.peer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface RoomMessageDepartureAfterFieldEvent {
    field: '$.departure.after'
    value: bigint
  }

  export function encode (obj: Partial<RoomMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, RoomMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RoomMessage>): RoomMessage {
    return decodeMessage(buf, RoomMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RoomMessage>): Generator<RoomMessageVersionFieldEvent | RoomMessageChatIdFieldEvent | RoomMessageChatNameFieldEvent | RoomMessageChatTextFieldEvent | RoomMessageChatTimestampFieldEvent | RoomMessageChatAuthorFieldEvent | RoomMessageChatSignatureFieldEvent | RoomMessageChatReplyToFieldEvent | RoomMessageChatReactToFieldEvent | RoomMessageChatAttachmentIdFieldEvent | RoomMessageChatAttachmentNameFieldEvent | RoomMessageChatAttachmentSizeFieldEvent | RoomMessageChatAttachmentMimeFieldEvent | RoomMessageChatAttachmentWidthFieldEvent | RoomMessageChatAttachmentHeightFieldEvent | RoomMessageChatExtendedSignatureFieldEvent | RoomMessagePresenceNameFieldEvent | RoomMessagePresenceMultiaddrsFieldEvent | RoomMessagePresenceHelloFieldEvent | RoomMessagePresenceTypingFieldEvent | RoomMessagePresenceDirectFieldEvent | RoomMessageDeparturePeerFieldEvent | RoomMessageDepartureAfterFieldEvent> {
    return streamMessage(buf, RoomMessage.codec(), opts)
  }
}

export interface ChatMessage {
  id: string
  name: string
  text: string
  timestamp: bigint
  author: Uint8Array<ArrayBuffer>
  signature: Uint8Array<ArrayBuffer>
  replyTo: string
  reactTo: string
  attachment?: FileOffer
  extendedSignature: Uint8Array<ArrayBuffer>
}

export namespace ChatMessage {
  let _codec: Codec<ChatMessage>

  export const codec = (): Codec<ChatMessage> => {
    if (_codec == null) {
      _codec = message<ChatMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.text != null && obj.text !== '')) {
          w.uint32(26)
          w.string(obj.text)
        }

        if ((obj.timestamp != null && obj.timestamp !== 0n)) {
          w.uint32(32)
          w.uint64(obj.timestamp)
        }

        if ((obj.author != null && obj.author.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.author)
        }

        if ((obj.signature != null && obj.signature.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.signature)
        }

        if ((obj.replyTo != null && obj.replyTo !== '')) {
          w.uint32(58)
          w.string(obj.replyTo)
        }

        if ((obj.reactTo != null && obj.reactTo !== '')) {
          w.uint32(66)
          w.string(obj.reactTo)
        }

        if (obj.attachment != null) {
          w.uint32(74)
          FileOffer.codec().encode(obj.attachment, w)
        }

        if ((obj.extendedSignature != null && obj.extendedSignature.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.extendedSignature)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          name: '',
          text: '',
          timestamp: 0n,
          author: uint8ArrayAlloc(0),
          signature: uint8ArrayAlloc(0),
          replyTo: '',
          reactTo: '',
          extendedSignature: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.text = reader.string()
              break
            }
            case 4: {
              obj.timestamp = reader.uint64()
              break
            }
            case 5: {
              obj.author = reader.bytes()
              break
            }
            case 6: {
              obj.signature = reader.bytes()
              break
            }
            case 7: {
              obj.replyTo = reader.string()
              break
            }
            case 8: {
              obj.reactTo = reader.string()
              break
            }
            case 9: {
              obj.attachment = FileOffer.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.attachment
              })
              break
            }
            case 10: {
              obj.extendedSignature = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.text`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.timestamp`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.author`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.signature`,
                value: reader.bytes()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.replyTo`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.reactTo`,
                value: reader.string()
              }
              break
            }
            case 9: {
              yield * FileOffer.codec().stream(reader, reader.uint32(), `${prefix}.attachment`, {
                limits: opts.limits?.attachment
              })

              break
            }
            case 10: {
              yield {
                field: `${prefix}.extendedSignature`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ChatMessageIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface ChatMessageNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface ChatMessageTextFieldEvent {
    field: '$.text'
    value: string
  }

  export interface ChatMessageTimestampFieldEvent {
    field: '$.timestamp'
    value: bigint
  }

  export interface ChatMessageAuthorFieldEvent {
    field: '$.author'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatMessageSignatureFieldEvent {
    field: '$.signature'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatMessageReplyToFieldEvent {
    field: '$.replyTo'
    value: string
  }

  export interface ChatMessageReactToFieldEvent {
    field: '$.reactTo'
    value: string
  }

  export interface ChatMessageAttachmentIdFieldEvent {
    field: '$.attachment.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ChatMessageAttachmentNameFieldEvent {
    field: '$.attachment.name'
    value: string
  }

  export interface ChatMessageAttachmentSizeFieldEvent {
    field: '$.attachment.size'
    value: bigint
  }

  export interface ChatMessageAttachmentMimeFieldEvent {
    field: '$.attachment.mime'
    value: string
  }

  export interface ChatMessageAttachmentWidthFieldEvent {
    field: '$.attachment.width'
    value: number
  }

  export interface ChatMessageAttachmentHeightFieldEvent {
    field: '$.attachment.height'
    value: number
  }

  export interface ChatMessageExtendedSignatureFieldEvent {
    field: '$.extendedSignature'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ChatMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ChatMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatMessage>): ChatMessage {
    return decodeMessage(buf, ChatMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ChatMessage>): Generator<ChatMessageIdFieldEvent | ChatMessageNameFieldEvent | ChatMessageTextFieldEvent | ChatMessageTimestampFieldEvent | ChatMessageAuthorFieldEvent | ChatMessageSignatureFieldEvent | ChatMessageReplyToFieldEvent | ChatMessageReactToFieldEvent | ChatMessageAttachmentIdFieldEvent | ChatMessageAttachmentNameFieldEvent | ChatMessageAttachmentSizeFieldEvent | ChatMessageAttachmentMimeFieldEvent | ChatMessageAttachmentWidthFieldEvent | ChatMessageAttachmentHeightFieldEvent | ChatMessageExtendedSignatureFieldEvent> {
    return streamMessage(buf, ChatMessage.codec(), opts)
  }
}

export interface FileOffer {
  id: Uint8Array<ArrayBuffer>
  name: string
  size: bigint
  mime: string
  width: number
  height: number
}

export namespace FileOffer {
  let _codec: Codec<FileOffer>

  export const codec = (): Codec<FileOffer> => {
    if (_codec == null) {
      _codec = message<FileOffer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.size != null && obj.size !== 0n)) {
          w.uint32(24)
          w.uint64(obj.size)
        }

        if ((obj.mime != null && obj.mime !== '')) {
          w.uint32(34)
          w.string(obj.mime)
        }

        if ((obj.width != null && obj.width !== 0)) {
          w.uint32(40)
          w.uint32(obj.width)
        }

        if ((obj.height != null && obj.height !== 0)) {
          w.uint32(48)
          w.uint32(obj.height)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          name: '',
          size: 0n,
          mime: '',
          width: 0,
          height: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.bytes()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.size = reader.uint64()
              break
            }
            case 4: {
              obj.mime = reader.string()
              break
            }
            case 5: {
              obj.width = reader.uint32()
              break
            }
            case 6: {
              obj.height = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.mime`,
                value: reader.string()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.width`,
                value: reader.uint32()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.height`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface FileOfferIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FileOfferNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface FileOfferSizeFieldEvent {
    field: '$.size'
    value: bigint
  }

  export interface FileOfferMimeFieldEvent {
    field: '$.mime'
    value: string
  }

  export interface FileOfferWidthFieldEvent {
    field: '$.width'
    value: number
  }

  export interface FileOfferHeightFieldEvent {
    field: '$.height'
    value: number
  }

  export function encode (obj: Partial<FileOffer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FileOffer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileOffer>): FileOffer {
    return decodeMessage(buf, FileOffer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileOffer>): Generator<FileOfferIdFieldEvent | FileOfferNameFieldEvent | FileOfferSizeFieldEvent | FileOfferMimeFieldEvent | FileOfferWidthFieldEvent | FileOfferHeightFieldEvent> {
    return streamMessage(buf, FileOffer.codec(), opts)
  }
}

export interface Presence {
  name: string
  multiaddrs: Uint8Array<ArrayBuffer>[]
  hello: boolean
  typing?: boolean
  direct: Uint8Array<ArrayBuffer>[]
}

export namespace Presence {
  let _codec: Codec<Presence>

  export const codec = (): Codec<Presence> => {
    if (_codec == null) {
      _codec = message<Presence>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if (obj.multiaddrs != null && obj.multiaddrs.length > 0) {
          for (const value of obj.multiaddrs) {
            w.uint32(18)
            w.bytes(value)
          }
        }

        if ((obj.hello != null && obj.hello !== false)) {
          w.uint32(24)
          w.bool(obj.hello)
        }

        if (obj.typing != null) {
          w.uint32(32)
          w.bool(obj.typing)
        }

        if (obj.direct != null && obj.direct.length > 0) {
          for (const value of obj.direct) {
            w.uint32(42)
            w.bytes(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          multiaddrs: [],
          hello: false,
          direct: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              if (opts.limits?.multiaddrs != null && obj.multiaddrs.length === opts.limits.multiaddrs) {
                throw new MaxLengthError('Decode error - repeated field "multiaddrs" had too many elements')
              }

              obj.multiaddrs.push(reader.bytes())
              break
            }
            case 3: {
              obj.hello = reader.bool()
              break
            }
            case 4: {
              obj.typing = reader.bool()
              break
            }
            case 5: {
              if (opts.limits?.direct != null && obj.direct.length === opts.limits.direct) {
                throw new MaxLengthError('Decode error - repeated field "direct" had too many elements')
              }

              obj.direct.push(reader.bytes())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          multiaddrs: 0,
          direct: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              if (opts.limits?.multiaddrs != null && obj.multiaddrs === opts.limits.multiaddrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "multiaddrs" had too many elements')
              }

              yield {
                field: `${prefix}.multiaddrs[]`,
                index: obj.multiaddrs,
                value: reader.bytes()
              }

              obj.multiaddrs++

              break
            }
            case 3: {
              yield {
                field: `${prefix}.hello`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.typing`,
                value: reader.bool()
              }
              break
            }
            case 5: {
              if (opts.limits?.direct != null && obj.direct === opts.limits.direct) {
                throw new MaxLengthError('Streaming decode error - repeated field "direct" had too many elements')
              }

              yield {
                field: `${prefix}.direct[]`,
                index: obj.direct,
                value: reader.bytes()
              }

              obj.direct++

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PresenceNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface PresenceMultiaddrsFieldEvent {
    field: '$.multiaddrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface PresenceHelloFieldEvent {
    field: '$.hello'
    value: boolean
  }

  export interface PresenceTypingFieldEvent {
    field: '$.typing'
    value: boolean
  }

  export interface PresenceDirectFieldEvent {
    field: '$.direct[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Presence>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Presence.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Presence>): Presence {
    return decodeMessage(buf, Presence.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Presence>): Generator<PresenceNameFieldEvent | PresenceMultiaddrsFieldEvent | PresenceHelloFieldEvent | PresenceTypingFieldEvent | PresenceDirectFieldEvent> {
    return streamMessage(buf, Presence.codec(), opts)
  }
}

export interface Departure {
  peer: Uint8Array<ArrayBuffer>
  after: bigint
}

export namespace Departure {
  let _codec: Codec<Departure>

  export const codec = (): Codec<Departure> => {
    if (_codec == null) {
      _codec = message<Departure>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.peer != null && obj.peer.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.peer)
        }

        if ((obj.after != null && obj.after !== 0n)) {
          w.uint32(16)
          w.uint64(obj.after)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          peer: uint8ArrayAlloc(0),
          after: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.peer = reader.bytes()
              break
            }
            case 2: {
              obj.after = reader.uint64()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.peer`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.after`,
                value: reader.uint64()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface DeparturePeerFieldEvent {
    field: '$.peer'
    value: Uint8Array<ArrayBuffer>
  }

  export interface DepartureAfterFieldEvent {
    field: '$.after'
    value: bigint
  }

  export function encode (obj: Partial<Departure>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Departure.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Departure>): Departure {
    return decodeMessage(buf, Departure.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Departure>): Generator<DeparturePeerFieldEvent | DepartureAfterFieldEvent> {
    return streamMessage(buf, Departure.codec(), opts)
  }
}
