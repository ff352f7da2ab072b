import fc from 'fast-check'
import { reader, writer } from 'protons-runtime'

/** Most mutations applied to one seed message. */
export const DEFAULT_MAX_MUTATIONS = 4
/** Most bytes one mutation inserts or one replaced field value holds. */
export const DEFAULT_MAX_MUTATION_BYTES = 64

/** One top-level protobuf field as it sits in the bytes. */
interface WireField {
  number: number
  wireType: number
  /** where its tag starts */
  start: number
  /** where its value starts (for wire type 2: the length prefix) */
  valueStart: number
  end: number
}

const WIRE_VARINT = 0
const WIRE_LENGTH_DELIMITED = 2
/** Wire types protobuf defines (3 and 4, groups, are refused by protons). */
const WIRE_TYPES = [0, 1, 2, 3, 4, 5, 6, 7]

/** Splits bytes into their top-level fields with protons' reader, or `undefined` if they are not protobuf. */
function splitFields (bytes: Uint8Array): WireField[] | undefined {
  const r = reader(bytes)
  const fields: WireField[] = []
  try {
    while (r.pos < r.len) {
      const start = r.pos
      const tag = r.uint32()
      const valueStart = r.pos
      r.skipType(tag & 7)
      if (r.pos > r.len || tag >>> 3 === 0) {
        return undefined
      }
      fields.push({ number: tag >>> 3, wireType: tag & 7, start, valueStart, end: r.pos })
    }
  } catch {
    return undefined
  }
  return fields
}

/** The payload of a length-delimited field (what follows its length prefix). */
function payloadOf (bytes: Uint8Array, field: WireField): Uint8Array {
  const r = reader(bytes.subarray(field.valueStart, field.end))
  r.uint32()
  return bytes.subarray(field.valueStart + r.pos, field.end)
}

function tagBytes (number: number, wireType: number): Uint8Array {
  return writer().uint32(((number << 3) | wireType) >>> 0).finish()
}

function concat (...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.byteLength
  }
  return out
}

/** Replaces `field` in `bytes` with `replacement`. */
function splice (bytes: Uint8Array, field: WireField, replacement: Uint8Array): Uint8Array {
  return concat(bytes.subarray(0, field.start), replacement, bytes.subarray(field.end))
}

/**
 * One change to a message. Byte-level ones apply to any bytes; field-level ones read the protobuf fields (and
 * fall back to flipping a bit when the bytes are not protobuf any more). Positions and indices are taken modulo
 * what is there, so a mutation means something whatever bytes it meets.
 */
export type Mutation =
  | { kind: 'flip', at: number, bit: number }
  | { kind: 'set', at: number, value: number }
  | { kind: 'insert', at: number, bytes: Uint8Array }
  | { kind: 'delete', at: number, length: number }
  | { kind: 'truncate', at: number }
  | { kind: 'duplicate-field', index: number }
  | { kind: 'drop-field', index: number }
  | { kind: 'swap-fields', index: number, other: number }
  | { kind: 'varint-value', index: number, value: bigint }
  | { kind: 'bytes-value', index: number, bytes: Uint8Array }
  | { kind: 'grow-length', index: number, by: number }
  | { kind: 'nested', index: number, mutation: Mutation }
  | { kind: 'wire-type', index: number, wireType: number }
  | { kind: 'field-number', index: number, number: number }
  | { kind: 'add-field', number: number, wireType: number, bytes: Uint8Array }

/** Values at the edges of what a uint64, int32 or timestamp field may hold. */
const EDGE_VALUES = [0n, 1n, 127n, 128n, 255n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n]

function mutationArbitrary (depth: number, maxBytes: number): fc.Arbitrary<Mutation> {
  const at = fc.nat()
  const index = fc.nat({ max: 31 })
  const bytes = fc.uint8Array({ maxLength: maxBytes })
  const plain: Array<fc.Arbitrary<Mutation>> = [
    fc.record({ kind: fc.constant('flip' as const), at, bit: fc.nat({ max: 7 }) }),
    fc.record({ kind: fc.constant('set' as const), at, value: fc.constantFrom(0x00, 0x7f, 0x80, 0xff, 0x0a, 0x12) }),
    fc.record({ kind: fc.constant('insert' as const), at, bytes }),
    fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 16 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at }),
    fc.record({ kind: fc.constant('duplicate-field' as const), index }),
    fc.record({ kind: fc.constant('drop-field' as const), index }),
    fc.record({ kind: fc.constant('swap-fields' as const), index, other: index }),
    fc.record({
      kind: fc.constant('varint-value' as const),
      index,
      value: fc.oneof(fc.constantFrom(...EDGE_VALUES), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }))
    }),
    fc.record({ kind: fc.constant('bytes-value' as const), index, bytes }),
    fc.record({ kind: fc.constant('grow-length' as const), index, by: fc.oneof(fc.integer({ min: -8, max: 8 }), fc.constantFrom(1 << 20, 2 ** 31)) }),
    fc.record({ kind: fc.constant('wire-type' as const), index, wireType: fc.constantFrom(...WIRE_TYPES) }),
    fc.record({ kind: fc.constant('field-number' as const), index, number: fc.integer({ min: 1, max: 20 }) }),
    fc.record({ kind: fc.constant('add-field' as const), number: fc.integer({ min: 1, max: 20 }), wireType: fc.constantFrom(...WIRE_TYPES), bytes })
  ]
  if (depth > 0) {
    plain.push(fc.record({ kind: fc.constant('nested' as const), index, mutation: mutationArbitrary(depth - 1, maxBytes) }))
  }
  return fc.oneof(...plain)
}

function pick (fields: WireField[], index: number): WireField | undefined {
  return fields.length === 0 ? undefined : fields[index % fields.length]
}

/** Applies one mutation to `bytes` (a new array; `bytes` is not changed). */
export function applyMutation (bytes: Uint8Array, mutation: Mutation): Uint8Array {
  const position = (at: number, length = bytes.byteLength): number => length === 0 ? 0 : at % (length + 1)
  switch (mutation.kind) {
    case 'flip': {
      if (bytes.byteLength === 0) return Uint8Array.of(1 << mutation.bit)
      const out = Uint8Array.from(bytes)
      out[mutation.at % out.byteLength]! ^= 1 << mutation.bit
      return out
    }
    case 'set': {
      if (bytes.byteLength === 0) return Uint8Array.of(mutation.value)
      const out = Uint8Array.from(bytes)
      out[mutation.at % out.byteLength] = mutation.value
      return out
    }
    case 'insert': {
      const at = position(mutation.at)
      return concat(bytes.subarray(0, at), mutation.bytes, bytes.subarray(at))
    }
    case 'delete': {
      const at = position(mutation.at)
      return concat(bytes.subarray(0, at), bytes.subarray(at + mutation.length))
    }
    case 'truncate':
      return bytes.slice(0, position(mutation.at))
    case 'add-field':
      return concat(bytes, tagBytes(mutation.number, mutation.wireType), mutation.wireType === WIRE_LENGTH_DELIMITED ? writer().bytes(mutation.bytes).finish() : mutation.bytes)
    default:
      break
  }
  const fields = splitFields(bytes)
  const field = fields == null ? undefined : pick(fields, mutation.index)
  if (fields == null || field == null) {
    return applyMutation(bytes, { kind: 'flip', at: mutation.index, bit: mutation.index % 8 })
  }
  const whole = bytes.subarray(field.start, field.end)
  switch (mutation.kind) {
    case 'duplicate-field':
      return concat(bytes.subarray(0, field.end), whole, bytes.subarray(field.end))
    case 'drop-field':
      return splice(bytes, field, new Uint8Array(0))
    case 'swap-fields': {
      const other = pick(fields, mutation.other)!
      if (other === field) return bytes.slice()
      const [first, second] = field.start < other.start ? [field, other] : [other, field]
      return concat(bytes.subarray(0, first.start), bytes.subarray(second.start, second.end), bytes.subarray(first.end, second.start),
        bytes.subarray(first.start, first.end), bytes.subarray(second.end))
    }
    case 'varint-value':
      return splice(bytes, field, concat(tagBytes(field.number, WIRE_VARINT), writer().uint64(mutation.value).finish()))
    case 'bytes-value':
      return splice(bytes, field, concat(tagBytes(field.number, WIRE_LENGTH_DELIMITED), writer().bytes(mutation.bytes).finish()))
    case 'grow-length': {
      if (field.wireType !== WIRE_LENGTH_DELIMITED) return bytes.slice()
      const payload = payloadOf(bytes, field)
      const length = Math.max(0, Math.min(2 ** 32 - 1, payload.byteLength + mutation.by))
      // the length prefix lies; the payload stays as it was
      return splice(bytes, field, concat(tagBytes(field.number, WIRE_LENGTH_DELIMITED), writer().uint32(length).finish(), payload))
    }
    case 'nested': {
      if (field.wireType !== WIRE_LENGTH_DELIMITED) return bytes.slice()
      const inner = applyMutation(payloadOf(bytes, field), mutation.mutation)
      return splice(bytes, field, concat(tagBytes(field.number, WIRE_LENGTH_DELIMITED), writer().bytes(inner).finish()))
    }
    case 'wire-type':
      return splice(bytes, field, concat(tagBytes(field.number, mutation.wireType), bytes.subarray(field.valueStart, field.end)))
    case 'field-number':
      return splice(bytes, field, concat(tagBytes(mutation.number, field.wireType), bytes.subarray(field.valueStart, field.end)))
  }
  return bytes.slice()
}

export interface MutationInit {
  /** @default DEFAULT_MAX_MUTATIONS */
  maxMutations?: number
  /** @default DEFAULT_MAX_MUTATION_BYTES */
  maxBytes?: number
  /** how deep `nested` mutations reach into length-delimited fields (submessages) @default 2 */
  depth?: number
}

/**
 * Valid-looking mutations of real messages: one of `seeds` (bytes a real codec encoded), changed by 1 to
 * `maxMutations` {@link Mutation}s — bit flips, inserted, deleted and truncated bytes, duplicated, dropped,
 * swapped and renumbered fields, field values replaced (edge-case varints, other bytes), length prefixes that
 * lie, wrong wire types, unknown fields, and the same inside submessages.
 */
export function mutated (seeds: fc.Arbitrary<Uint8Array>, init: MutationInit = {}): fc.Arbitrary<Uint8Array> {
  const mutations = fc.array(mutationArbitrary(init.depth ?? 2, init.maxBytes ?? DEFAULT_MAX_MUTATION_BYTES), {
    minLength: 1,
    maxLength: init.maxMutations ?? DEFAULT_MAX_MUTATIONS
  })
  return fc.tuple(seeds, mutations).map(([seed, list]) => list.reduce(applyMutation, seed))
}

/**
 * What a decoder meets: mostly mutations of real messages, some real messages as they are (what it must accept),
 * some random bytes.
 */
export function wireInput (seeds: fc.Arbitrary<Uint8Array>, init: MutationInit & { maxRandomBytes?: number } = {}): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 8, arbitrary: mutated(seeds, init) },
    { weight: 1, arbitrary: seeds },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: init.maxRandomBytes ?? 512 }) }
  )
}
