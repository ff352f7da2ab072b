import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface PrivateEnvelope {
  version: number
  id: Uint8Array<ArrayBuffer>
  timestamp: bigint
  iv: Uint8Array<ArrayBuffer>
  ciphertext: Uint8Array<ArrayBuffer>
  ephemeral: boolean
  direct: Uint8Array<ArrayBuffer>[]
  departed: Uint8Array<ArrayBuffer>
  departedAfter: bigint
}

export namespace PrivateEnvelope {
  let _codec: Codec<PrivateEnvelope>

  export const codec = (): Codec<PrivateEnvelope> => {
    if (_codec == null) {
      _codec = message<PrivateEnvelope>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.id)
        }

        if ((obj.timestamp != null && obj.timestamp !== 0n)) {
          w.uint32(24)
          w.uint64(obj.timestamp)
        }

        if ((obj.iv != null && obj.iv.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.iv)
        }

        if ((obj.ciphertext != null && obj.ciphertext.byteLength > 0)) {
          w.uint32(42)
          w.bytes(obj.ciphertext)
        }

        if ((obj.ephemeral != null && obj.ephemeral !== false)) {
          w.uint32(48)
          w.bool(obj.ephemeral)
        }

        if (obj.direct != null && obj.direct.length > 0) {
          for (const value of obj.direct) {
            w.uint32(58)
            w.bytes(value)
          }
        }

        if ((obj.departed != null && obj.departed.byteLength > 0)) {
          w.uint32(66)
          w.bytes(obj.departed)
        }

        if ((obj.departedAfter != null && obj.departedAfter !== 0n)) {
          w.uint32(72)
          w.uint64(obj.departedAfter)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          id: uint8ArrayAlloc(0),
          timestamp: 0n,
          iv: uint8ArrayAlloc(0),
          ciphertext: uint8ArrayAlloc(0),
          ephemeral: false,
          direct: [],
          departed: uint8ArrayAlloc(0),
          departedAfter: 0n
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
              obj.id = reader.bytes()
              break
            }
            case 3: {
              obj.timestamp = reader.uint64()
              break
            }
            case 4: {
              obj.iv = reader.bytes()
              break
            }
            case 5: {
              obj.ciphertext = reader.bytes()
              break
            }
            case 6: {
              obj.ephemeral = reader.bool()
              break
            }
            case 7: {
              if (opts.limits?.direct != null && obj.direct.length === opts.limits.direct) {
                throw new MaxLengthError('Decode error - repeated field "direct" had too many elements')
              }

              obj.direct.push(reader.bytes())
              break
            }
            case 8: {
              obj.departed = reader.bytes()
              break
            }
            case 9: {
              obj.departedAfter = reader.uint64()
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
          direct: 0
        }

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
              yield {
                field: `${prefix}.id`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.timestamp`,
                value: reader.uint64()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.iv`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.ciphertext`,
                value: reader.bytes()
              }
              break
            }
            case 6: {
              yield {
                field: `${prefix}.ephemeral`,
                value: reader.bool()
              }
              break
            }
            case 7: {
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
            case 8: {
              yield {
                field: `${prefix}.departed`,
                value: reader.bytes()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.departedAfter`,
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

  export interface PrivateEnvelopeVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface PrivateEnvelopeIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PrivateEnvelopeTimestampFieldEvent {
    field: '$.timestamp'
    value: bigint
  }

  export interface PrivateEnvelopeIvFieldEvent {
    field: '$.iv'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PrivateEnvelopeCiphertextFieldEvent {
    field: '$.ciphertext'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PrivateEnvelopeEphemeralFieldEvent {
    field: '$.ephemeral'
    value: boolean
  }

  export interface PrivateEnvelopeDirectFieldEvent {
    field: '$.direct[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface PrivateEnvelopeDepartedFieldEvent {
    field: '$.departed'
    value: Uint8Array<ArrayBuffer>
  }

  export interface PrivateEnvelopeDepartedAfterFieldEvent {
    field: '$.departedAfter'
    value: bigint
  }

  export function encode (obj: Partial<PrivateEnvelope>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PrivateEnvelope.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PrivateEnvelope>): PrivateEnvelope {
    return decodeMessage(buf, PrivateEnvelope.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PrivateEnvelope>): Generator<PrivateEnvelopeVersionFieldEvent | PrivateEnvelopeIdFieldEvent | PrivateEnvelopeTimestampFieldEvent | PrivateEnvelopeIvFieldEvent | PrivateEnvelopeCiphertextFieldEvent | PrivateEnvelopeEphemeralFieldEvent | PrivateEnvelopeDirectFieldEvent | PrivateEnvelopeDepartedFieldEvent | PrivateEnvelopeDepartedAfterFieldEvent> {
    return streamMessage(buf, PrivateEnvelope.codec(), opts)
  }
}
