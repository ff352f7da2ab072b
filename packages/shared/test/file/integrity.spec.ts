import { lpStream } from '@libp2p/utils'
import { afterEach, describe, expect, it } from 'vitest'
import { fileKey, openChunk, sealChunk } from '../../src/file/crypto.js'
import { bytesSource, FILE_CHUNK_BYTES, FILE_CHUNK_TAG_BYTES, FILE_PROTOCOL, memorySink } from '../../src/file/index.js'
import { encodeFileResponse, parseFileRequest } from '../../src/file/wire.js'
import { createRoomId, createRoomSecret, derivePrivateRoom } from '../../src/index.js'
import { FileRequest, FileResponse } from '../../src/proto/file.js'
import { createPlainNode, errorOf, lengthPrefixed, rawExchange } from '../helpers.js'
import { filesNode, randomFile, sha256 } from './helpers.js'
import type { Libp2p } from '@libp2p/interface'

describe('file integrity and private rooms', async () => {
  const roomId = createRoomId()
  const keys = await derivePrivateRoom(roomId, createRoomSecret())
  const nodes: Libp2p[] = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async node => node.stop()))
  })
  async function pair (): Promise<[Awaited<ReturnType<typeof filesNode>>, Awaited<ReturnType<typeof filesNode>>]> {
    const alice = await filesNode()
    const bob = await filesNode()
    nodes.push(alice, bob)
    await bob.dial(alice.getMultiaddrs())
    return [alice, bob]
  }

  it('in a private room, chunks travel sealed with the file\'s key (inside the transport\'s own encryption) and open for members', async () => {
    const [alice, bob] = await pair()
    const file = randomFile(2 * FILE_CHUNK_BYTES + 500)
    const id = await alice.services.files.serve(bytesSource(file), { topic: keys.topic, keys })
    const sink = memorySink()
    await bob.services.files.fetch(alice.peerId, { id, topic: keys.topic, keys, sink })
    expect(Buffer.from(sink.bytes()).equals(Buffer.from(file))).toBe(true)

    // what crosses the stream: the answer, then 3 sealed chunks, 16 bytes longer than the file's, none of them readable
    const raw = await createPlainNode()
    nodes.push(raw)
    await raw.dial(alice.getMultiaddrs())
    const request = FileRequest.encode({ id: Buffer.from(id, 'hex'), offset: 0n, topic: keys.topic, maxSize: 0n, window: 8 })
    const { frames } = await rawExchange(raw, alice.peerId, FILE_PROTOCOL, [lengthPrefixed(request)])
    expect(FileResponse.decode(frames[0]!)).toEqual({ status: FileResponse.Status.OK, size: BigInt(file.byteLength) })
    const chunks = frames.slice(1)
    expect(chunks.map(c => c.byteLength)).toEqual([FILE_CHUNK_BYTES, FILE_CHUNK_BYTES, 500].map(n => n + FILE_CHUNK_TAG_BYTES))
    const key = await fileKey(keys, Buffer.from(id, 'hex'))
    for (const [i, chunk] of chunks.entries()) {
      const plain = file.subarray(i * FILE_CHUNK_BYTES, (i + 1) * FILE_CHUNK_BYTES)
      expect(Buffer.from(chunk).includes(Buffer.from(plain.subarray(0, 32)))).toBe(false)
      expect(Buffer.from(await openChunk(key, i, chunk)).equals(Buffer.from(plain))).toBe(true)
    }
    // a chunk opens only as itself: another index (reordered) fails
    await expect(openChunk(key, 1, chunks[0]!)).rejects.toMatchObject({ name: 'FileDecryptionError' })
  })

  it('a wrong key fails with FileDecryptionError and keeps nothing; keys of another room are refused outright', async () => {
    const [alice, bob] = await pair()
    const file = randomFile(FILE_CHUNK_BYTES * 2)
    const id = await alice.services.files.serve(bytesSource(file), { topic: keys.topic, keys })
    // someone who knows the topic but holds another secret's file key
    const other = await derivePrivateRoom(roomId, createRoomSecret())
    const sink = memorySink()
    expect((await errorOf(bob.services.files.fetch(alice.peerId, { id, topic: keys.topic, keys: { ...keys, files: other.files }, sink }))).name).toBe('FileDecryptionError')
    expect(await sink.size()).toBe(0)
    // and without any key, the sealed chunks are not the file's: a protocol error, nothing kept
    expect((await errorOf(bob.services.files.fetch(alice.peerId, { id, topic: keys.topic, sink }))).name).toBe('FileTransferProtocolError')
    expect(await sink.size()).toBe(0)

    expect((await errorOf(bob.services.files.fetch(alice.peerId, { id, topic: keys.topic, keys: other, sink }))).name).toBe('InvalidFileRequestError')
    expect((await errorOf(alice.services.files.serve(bytesSource(file), { topic: keys.topic, keys: other }))).name).toBe('InvalidFileRequestError')
  })

  it('a chunk altered on the way fails with FileDecryptionError: what came before it stays, nothing after', async () => {
    const bob = await filesNode()
    const mallory = await createPlainNode()
    nodes.push(bob, mallory)
    const file = randomFile(3 * FILE_CHUNK_BYTES)
    const id = sha256(file)
    const key = await fileKey(keys, Buffer.from(id, 'hex'))
    // a server that seals every chunk properly, then flips a bit of the second
    await mallory.handle(FILE_PROTOCOL, async (stream) => {
      const lp = lpStream(stream)
      const request = parseFileRequest(await lp.read())!
      await lp.write(encodeFileResponse(FileResponse.Status.OK, file.byteLength))
      for (let i = request.offset / FILE_CHUNK_BYTES; i < 3; i++) {
        const sealed = await sealChunk(key, i, file.subarray(i * FILE_CHUNK_BYTES, (i + 1) * FILE_CHUNK_BYTES))
        if (i === 1) {
          sealed[100]! ^= 1
        }
        await lp.write(sealed)
      }
      await stream.close()
    })
    await bob.dial(mallory.getMultiaddrs())
    const sink = memorySink()
    expect((await errorOf(bob.services.files.fetch(mallory.peerId, { id, topic: keys.topic, keys, sink }))).name).toBe('FileDecryptionError')
    expect(Buffer.from(sink.bytes()).equals(Buffer.from(file.subarray(0, FILE_CHUNK_BYTES)))).toBe(true)
  })

  it('bytes whose SHA-256 is not the id are discarded with FileIntegrityError', async () => {
    const [alice, bob] = await pair()
    const file = randomFile(FILE_CHUNK_BYTES + 1)
    const topic = '/p2p-chat/room/1/aaaaaaaaaaaaaaaaaaaaaaaaaa'
    // served under another file's id (a liar, or a corrupted disk)
    const id = await alice.services.files.serve(bytesSource(file), { topic, id: 'ab'.repeat(32) })
    const sink = memorySink()
    const err = await errorOf(bob.services.files.fetch(alice.peerId, { id, topic, sink }))
    expect(err.name).toBe('FileIntegrityError')
    expect(await sink.size()).toBe(0)
  })
})
