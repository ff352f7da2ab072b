import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface CallSignal {
  type: CallSignal.Type
  callId: string
  scope: string
  participants: string[]
  sdp: string
  candidate: string
  sdpMid?: string
  sdpMLineIndex?: number
}

export namespace CallSignal {
  export enum Type {
    RING = 'RING',
    JOIN = 'JOIN',
    OFFER = 'OFFER',
    ANSWER = 'ANSWER',
    CANDIDATE = 'CANDIDATE',
    LEAVE = 'LEAVE'
  }

  enum __TypeValues {
    RING = 0,
    JOIN = 1,
    OFFER = 2,
    ANSWER = 3,
    CANDIDATE = 4,
    LEAVE = 5
  }

  export namespace Type {
    export const codec = (): Codec<Type> => {
      return enumeration<Type>(__TypeValues)
    }
  }

  let _codec: Codec<CallSignal>

  export const codec = (): Codec<CallSignal> => {
    if (_codec == null) {
      _codec = message<CallSignal>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null && __TypeValues[obj.type] !== 0) {
          w.uint32(8)
          CallSignal.Type.codec().encode(obj.type, w)
        }

        if ((obj.callId != null && obj.callId !== '')) {
          w.uint32(18)
          w.string(obj.callId)
        }

        if ((obj.scope != null && obj.scope !== '')) {
          w.uint32(26)
          w.string(obj.scope)
        }

        if (obj.participants != null && obj.participants.length > 0) {
          for (const value of obj.participants) {
            w.uint32(34)
            w.string(value)
          }
        }

        if ((obj.sdp != null && obj.sdp !== '')) {
          w.uint32(42)
          w.string(obj.sdp)
        }

        if ((obj.candidate != null && obj.candidate !== '')) {
          w.uint32(50)
          w.string(obj.candidate)
        }

        if (obj.sdpMid != null) {
          w.uint32(58)
          w.string(obj.sdpMid)
        }

        if (obj.sdpMLineIndex != null) {
          w.uint32(64)
          w.uint32(obj.sdpMLineIndex)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: Type.RING,
          callId: '',
          scope: '',
          participants: [],
          sdp: '',
          candidate: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = CallSignal.Type.codec().decode(reader)
              break
            }
            case 2: {
              obj.callId = reader.string()
              break
            }
            case 3: {
              obj.scope = reader.string()
              break
            }
            case 4: {
              if (opts.limits?.participants != null && obj.participants.length === opts.limits.participants) {
                throw new MaxLengthError('Decode error - repeated field "participants" had too many elements')
              }

              obj.participants.push(reader.string())
              break
            }
            case 5: {
              obj.sdp = reader.string()
              break
            }
            case 6: {
              obj.candidate = reader.string()
              break
            }
            case 7: {
              obj.sdpMid = reader.string()
              break
            }
            case 8: {
              obj.sdpMLineIndex = reader.uint32()
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
          participants: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.type`,
                value: CallSignal.Type.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.callId`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.scope`,
                value: reader.string()
              }
              break
            }
            case 4: {
              if (opts.limits?.participants != null && obj.participants === opts.limits.participants) {
                throw new MaxLengthError('Streaming decode error - repeated field "participants" had too many elements')
              }

              yield {
                field: `${prefix}.participants[]`,
                index: obj.participants,
                value: reader.string()
              }

              obj.participants++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.sdp`,
                value: reader.string()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.candidate`,
                value: reader.string()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.sdpMid`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.sdpMLineIndex`,
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

  export interface CallSignalTypeFieldEvent {
    field: '$.type'
    value: CallSignal.Type
  }

  export interface CallSignalCallIdFieldEvent {
    field: '$.callId'
    value: string
  }

  export interface CallSignalScopeFieldEvent {
    field: '$.scope'
    value: string
  }

  export interface CallSignalParticipantsFieldEvent {
    field: '$.participants[]'
    index: number
    value: string
  }

  export interface CallSignalSdpFieldEvent {
    field: '$.sdp'
    value: string
  }

  export interface CallSignalCandidateFieldEvent {
    field: '$.candidate'
    value: string
  }

  export interface CallSignalSdpMidFieldEvent {
    field: '$.sdpMid'
    value: string
  }

  export interface CallSignalSdpMLineIndexFieldEvent {
    field: '$.sdpMLineIndex'
    value: number
  }

  export function encode (obj: Partial<CallSignal>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, CallSignal.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CallSignal>): CallSignal {
    return decodeMessage(buf, CallSignal.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CallSignal>): Generator<CallSignalTypeFieldEvent | CallSignalCallIdFieldEvent | CallSignalScopeFieldEvent | CallSignalParticipantsFieldEvent | CallSignalSdpFieldEvent | CallSignalCandidateFieldEvent | CallSignalSdpMidFieldEvent | CallSignalSdpMLineIndexFieldEvent> {
    return streamMessage(buf, CallSignal.codec(), opts)
  }
}
