import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface DirectMessage {
  id: string
  name: string
  text: string
  timestamp: bigint
}

export namespace DirectMessage {
  let _codec: Codec<DirectMessage>

  export const codec = (): Codec<DirectMessage> => {
    if (_codec == null) {
      _codec = message<DirectMessage>((obj, w, opts = {}) => {
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

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          name: '',
          text: '',
          timestamp: 0n
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

  export interface DirectMessageIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface DirectMessageNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface DirectMessageTextFieldEvent {
    field: '$.text'
    value: string
  }

  export interface DirectMessageTimestampFieldEvent {
    field: '$.timestamp'
    value: bigint
  }

  export function encode (obj: Partial<DirectMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DirectMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectMessage>): DirectMessage {
    return decodeMessage(buf, DirectMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectMessage>): Generator<DirectMessageIdFieldEvent | DirectMessageNameFieldEvent | DirectMessageTextFieldEvent | DirectMessageTimestampFieldEvent> {
    return streamMessage(buf, DirectMessage.codec(), opts)
  }
}

export interface DirectMessageAck {
  id: string
  status: DirectMessageAck.Status
}

export namespace DirectMessageAck {
  export enum Status {
    OK = 'OK',
    INVALID = 'INVALID',
    TOO_LARGE = 'TOO_LARGE'
  }

  enum __StatusValues {
    OK = 0,
    INVALID = 1,
    TOO_LARGE = 2
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<DirectMessageAck>

  export const codec = (): Codec<DirectMessageAck> => {
    if (_codec == null) {
      _codec = message<DirectMessageAck>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(16)
          DirectMessageAck.Status.codec().encode(obj.status, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          status: Status.OK
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
              obj.status = DirectMessageAck.Status.codec().decode(reader)
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
                field: `${prefix}.status`,
                value: DirectMessageAck.Status.codec().decode(reader)
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

  export interface DirectMessageAckIdFieldEvent {
    field: '$.id'
    value: string
  }

  export interface DirectMessageAckStatusFieldEvent {
    field: '$.status'
    value: DirectMessageAck.Status
  }

  export function encode (obj: Partial<DirectMessageAck>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, DirectMessageAck.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectMessageAck>): DirectMessageAck {
    return decodeMessage(buf, DirectMessageAck.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DirectMessageAck>): Generator<DirectMessageAckIdFieldEvent | DirectMessageAckStatusFieldEvent> {
    return streamMessage(buf, DirectMessageAck.codec(), opts)
  }
}
