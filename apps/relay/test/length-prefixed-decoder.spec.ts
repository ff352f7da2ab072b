import { LengthPrefixedDecoder } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'

/** What the decoder hands its length decoder: a Uint8Array or a Uint8ArrayList, read alike here */
interface Bytes { byteLength: number, subarray: (begin?: number, end?: number) => Uint8Array }

/** Noise's frame length: two bytes big-endian, a RangeError when fewer are there (as `@libp2p/noise` decodes it). */
function uint16Length (counter: { throws: number }): (data: Bytes) => number {
  return data => {
    if (data.byteLength < 2) {
      counter.throws++
      throw new RangeError('Could not decode int16BE')
    }
    const bytes = data.subarray(0, 2)
    return (bytes[0]! << 8) + bytes[1]!
  }
}

function frame (body: number[]): Uint8Array {
  return Uint8Array.from([body.length >> 8, body.length & 0xff, ...body])
}

describe('length-prefixed decoding, as Noise reads every connection (the @libp2p/utils patch)', () => {
  it('reads every whole frame of a chunk without an Error built at its end, and waits for a frame cut across chunks', () => {
    const counter = { throws: 0 }
    const decoder = new LengthPrefixedDecoder({ lengthDecoder: uint16Length(counter), encodingLength: () => 2 })
    const read = (chunk: Uint8Array): number[][] => [...decoder.decode(chunk)].map(list => [...list.subarray()])

    // three frames in one chunk: unpatched, the decoder asked for a fourth length and caught its RangeError
    expect(read(Uint8Array.from([...frame([1]), ...frame([2, 3]), ...frame([4, 5, 6])]))).toEqual([[1], [2, 3], [4, 5, 6]])
    expect(counter.throws).toBe(0)

    // a frame cut inside its length prefix and inside its body is read once whole
    const cut = frame([7, 8, 9])
    expect(read(cut.subarray(0, 1))).toEqual([])
    expect(read(cut.subarray(1, 3))).toEqual([])
    expect(read(cut.subarray(3))).toEqual([[7, 8, 9]])
    // only the one-byte prefix was too short to read
    expect(counter.throws).toBe(1)
  })
})
