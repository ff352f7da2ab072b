import { describe, expect, it } from 'vitest'
import { blobSource, bytesSource, fileIdOf, memorySink } from '../../src/file/index.js'
import { randomFile, sha256 } from './helpers.js'

describe('file sources and sinks', () => {
  it('a file\'s id is the SHA-256 of its content, read a megabyte at a time from a Blob (a browser\'s File)', async () => {
    const bytes = randomFile(3 * 1024 * 1024 + 7)
    const blob = new Blob([bytes])
    const read: Array<[number, number]> = []
    const source = blobSource(blob)
    const watched = { size: source.size, read: async (offset: number, length: number) => { read.push([offset, length]); return source.read(offset, length) } }
    expect(await fileIdOf(watched)).toBe(sha256(bytes))
    expect(read.map(([, length]) => length)).toEqual([1048576, 1048576, 1048576, 7])
    expect(await fileIdOf(bytesSource(new Uint8Array(0)))).toBe(sha256(new Uint8Array(0)))
    expect(Buffer.from(await source.read(10, 5)).equals(Buffer.from(bytes.subarray(10, 15)))).toBe(true)
  })

  it('a memory sink takes writes in order, reads back, truncates, and refuses a gap', async () => {
    const sink = memorySink()
    await sink.write(0, Uint8Array.from([1, 2, 3]))
    await sink.write(3, Uint8Array.from([4, 5]))
    expect(await sink.size()).toBe(5)
    expect([...await sink.read(1, 3)]).toEqual([2, 3, 4])
    await expect(sink.write(7, Uint8Array.from([9]))).rejects.toMatchObject({ name: 'InvalidFileRequestError' })
    await sink.truncate(2)
    expect([...sink.bytes()]).toEqual([1, 2])
    await sink.truncate(0)
    expect(await sink.size()).toBe(0)
  })
})
