import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface FileRequest {
  id: Uint8Array<ArrayBuffer>
  offset: bigint
  topic: string
  maxSize: bigint
  window: number
}

export namespace FileRequest {
  let _codec: Codec<FileRequest>

  export const codec = (): Codec<FileRequest> => {
    if (_codec == null) {
      _codec = message<FileRequest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.id)
        }

        if ((obj.offset != null && obj.offset !== 0n)) {
          w.uint32(16)
          w.uint64(obj.offset)
        }

        if ((obj.topic != null && obj.topic !== '')) {
          w.uint32(26)
          w.string(obj.topic)
        }

        if ((obj.maxSize != null && obj.maxSize !== 0n)) {
          w.uint32(32)
          w.uint64(obj.maxSize)
        }

        if ((obj.window != null && obj.window !== 0)) {
          w.uint32(40)
          w.uint32(obj.window)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: uint8ArrayAlloc(0),
          offset: 0n,
          topic: '',
          maxSize: 0n,
          window: 0
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
              obj.offset = reader.uint64()
              break
            }
            case 3: {
              obj.topic = reader.string()
              break
            }
            case 4: {
              obj.maxSize = reader.uint64()
              break
            }
            case 5: {
              obj.window = reader.uint32()
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
                field: `${prefix}.offset`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.topic`,
                value: reader.string()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.maxSize`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.window`,
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

  export interface FileRequestIdFieldEvent {
    field: '$.id'
    value: Uint8Array<ArrayBuffer>
  }

  export interface FileRequestOffsetFieldEvent {
    field: '$.offset'
    value: bigint
  }

  export interface FileRequestTopicFieldEvent {
    field: '$.topic'
    value: string
  }

  export interface FileRequestMaxSizeFieldEvent {
    field: '$.maxSize'
    value: bigint
  }

  export interface FileRequestWindowFieldEvent {
    field: '$.window'
    value: number
  }

  export function encode (obj: Partial<FileRequest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FileRequest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileRequest>): FileRequest {
    return decodeMessage(buf, FileRequest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileRequest>): Generator<FileRequestIdFieldEvent | FileRequestOffsetFieldEvent | FileRequestTopicFieldEvent | FileRequestMaxSizeFieldEvent | FileRequestWindowFieldEvent> {
    return streamMessage(buf, FileRequest.codec(), opts)
  }
}

export interface FileResponse {
  status: FileResponse.Status
  size: bigint
}

export namespace FileResponse {
  export enum Status {
    OK = 'OK',
    NOT_FOUND = 'NOT_FOUND',
    INVALID = 'INVALID',
    TOO_LARGE = 'TOO_LARGE',
    REFUSED_RELAYED = 'REFUSED_RELAYED'
  }

  enum __StatusValues {
    OK = 0,
    NOT_FOUND = 1,
    INVALID = 2,
    TOO_LARGE = 3,
    REFUSED_RELAYED = 4
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  let _codec: Codec<FileResponse>

  export const codec = (): Codec<FileResponse> => {
    if (_codec == null) {
      _codec = message<FileResponse>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(8)
          FileResponse.Status.codec().encode(obj.status, w)
        }

        if ((obj.size != null && obj.size !== 0n)) {
          w.uint32(16)
          w.uint64(obj.size)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          status: Status.OK,
          size: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.status = FileResponse.Status.codec().decode(reader)
              break
            }
            case 2: {
              obj.size = reader.uint64()
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
                field: `${prefix}.status`,
                value: FileResponse.Status.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.size`,
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

  export interface FileResponseStatusFieldEvent {
    field: '$.status'
    value: FileResponse.Status
  }

  export interface FileResponseSizeFieldEvent {
    field: '$.size'
    value: bigint
  }

  export function encode (obj: Partial<FileResponse>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FileResponse.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileResponse>): FileResponse {
    return decodeMessage(buf, FileResponse.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileResponse>): Generator<FileResponseStatusFieldEvent | FileResponseSizeFieldEvent> {
    return streamMessage(buf, FileResponse.codec(), opts)
  }
}

export interface FileCredit {
  chunks: number
}

export namespace FileCredit {
  let _codec: Codec<FileCredit>

  export const codec = (): Codec<FileCredit> => {
    if (_codec == null) {
      _codec = message<FileCredit>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.chunks != null && obj.chunks !== 0)) {
          w.uint32(8)
          w.uint32(obj.chunks)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          chunks: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.chunks = reader.uint32()
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
                field: `${prefix}.chunks`,
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

  export interface FileCreditChunksFieldEvent {
    field: '$.chunks'
    value: number
  }

  export function encode (obj: Partial<FileCredit>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, FileCredit.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileCredit>): FileCredit {
    return decodeMessage(buf, FileCredit.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<FileCredit>): Generator<FileCreditChunksFieldEvent> {
    return streamMessage(buf, FileCredit.codec(), opts)
  }
}
