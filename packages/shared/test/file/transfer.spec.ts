import { afterEach, describe, expect, it } from 'vitest'
import { bytesSource, FILE_CHUNK_BYTES, memorySink } from '../../src/file/index.js'
import { waitFor } from '../../src/testing/index.js'
import { errorOf } from '../helpers.js'
import { fileStreams, filesNode, randomFile, sha256 } from './helpers.js'
import type { FileProgress, FileSink, FileUpload, MemorySink } from '../../src/file/index.js'
import type { FilesNode } from './helpers.js'

const topic = '/p2p-chat/room/1/aaaaaaaaaaaaaaaaaaaaaaaaaa'
const MiB = 1024 * 1024

describe('file transfer', () => {
  const nodes: FilesNode[] = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async node => node.stop()))
  })

  /** Alice serves, Bob fetches; they are connected over loopback TCP. */
  async function pair (init: { alice?: Parameters<typeof filesNode>[0], bob?: Parameters<typeof filesNode>[0] } = {}): Promise<{ alice: FilesNode, bob: FilesNode, uploads: FileUpload[], ended: Array<FileUpload & { error?: Error }> }> {
    const alice = await filesNode(init.alice)
    const bob = await filesNode(init.bob)
    nodes.push(alice, bob)
    await bob.dial(alice.getMultiaddrs())
    const uploads: FileUpload[] = []
    const ended: Array<FileUpload & { error?: Error }> = []
    alice.services.files.addEventListener('upload:progress', evt => uploads.push(evt.detail))
    alice.services.files.addEventListener('upload:end', evt => ended.push(evt.detail))
    return { alice, bob, uploads, ended }
  }

  it('fetches a 50 MB file: progress on both sides, the SHA-256 checked, the bytes as served', async () => {
    const { alice, bob, uploads, ended } = await pair()
    const file = randomFile(50 * 1000 * 1000)
    const id = await alice.services.files.serve(bytesSource(file), { topic })
    expect(id).toBe(sha256(file))

    const sink = memorySink()
    const progress: FileProgress[] = []
    const started = performance.now()
    const fetched = await bob.services.files.fetch(alice.peerId, { id, size: file.byteLength, topic, sink, onProgress: p => progress.push(p) })
    const seconds = (performance.now() - started) / 1000

    expect(fetched).toMatchObject({ id, size: file.byteLength, offset: 0 })
    expect(Buffer.from(sink.bytes()).equals(Buffer.from(file))).toBe(true)
    const chunks = Math.ceil(file.byteLength / FILE_CHUNK_BYTES)
    // once when the answer came, then once per chunk, always growing, to the end
    expect(progress).toHaveLength(chunks + 1)
    expect(progress.every((p, i) => i === 0 || p.received > progress[i - 1]!.received)).toBe(true)
    expect(progress.at(-1)).toMatchObject({ received: file.byteLength, size: file.byteLength })
    expect(uploads).toHaveLength(chunks + 1)
    expect(uploads.at(-1)).toMatchObject({ id, sent: file.byteLength, size: file.byteLength })
    await waitFor(() => ended.length === 1)
    expect(ended[0]!.error).toBeUndefined()
    expect(alice.services.files.uploads()).toEqual([])
    console.info(`file transfer: ${file.byteLength / MiB} MiB over loopback TCP in ${seconds.toFixed(2)} s: ${(file.byteLength / MiB / seconds).toFixed(1)} MiB/s`)
  })

  it('fetches an empty file, and a file the sink already holds whole without a chunk (dropping what the sink holds beyond it)', async () => {
    const { alice, bob } = await pair()
    const empty = new Uint8Array(0)
    const id = await alice.services.files.serve(bytesSource(empty), { topic })
    expect((await bob.services.files.fetch(alice.peerId, { id, topic, sink: memorySink() })).size).toBe(0)

    const file = randomFile(FILE_CHUNK_BYTES + 10)
    const second = await alice.services.files.serve(bytesSource(file), { topic })
    const sink = memorySink()
    await bob.services.files.fetch(alice.peerId, { id: second, topic, sink })
    const again = await bob.services.files.fetch(alice.peerId, { id: second, size: file.byteLength, topic, sink })
    expect(again.offset).toBe(file.byteLength)
    expect(Buffer.from(sink.bytes()).equals(Buffer.from(file))).toBe(true)
    // a sink holding the file and more: the rest is dropped
    await sink.write(file.byteLength, new Uint8Array(FILE_CHUNK_BYTES * 2))
    await bob.services.files.fetch(alice.peerId, { id: second, size: file.byteLength, topic, sink })
    expect(Buffer.from(sink.bytes()).equals(Buffer.from(file))).toBe(true)
  })

  it('resumes after the connection is cut mid-transfer: the second fetch starts where the sink stopped, and the whole file checks', async () => {
    const { alice, bob, uploads, ended } = await pair()
    const file = randomFile(8 * MiB + 123)
    const id = await alice.services.files.serve(bytesSource(file), { topic })
    const sink = memorySink()
    const cut = await errorOf(bob.services.files.fetch(alice.peerId, {
      id,
      size: file.byteLength,
      topic,
      sink,
      onProgress: ({ received }) => {
        if (received >= 3 * MiB) {
          bob.getConnections(alice.peerId).forEach(c => { c.abort(new Error('cable pulled')) })
        }
      }
    }))
    expect(cut.name).toBe('FileTransferInterruptedError')
    const held = await sink.size()
    expect(held).toBeGreaterThanOrEqual(3 * MiB)
    expect(held).toBeLessThan(file.byteLength)
    expect((cut as Error & { received: number }).received).toBe(held)
    // the server let go of its side too
    await waitFor(() => ended.length === 1 && alice.services.files.uploads().length === 0)
    expect(ended[0]!.error).toBeDefined()

    await bob.dial(alice.getMultiaddrs())
    const before = uploads.length
    const resumed = await bob.services.files.fetch(alice.peerId, { id, size: file.byteLength, topic, sink })
    expect(resumed.offset).toBe(held - held % FILE_CHUNK_BYTES)
    expect(resumed.offset).toBeGreaterThan(0)
    expect(uploads[before]).toMatchObject({ offset: resumed.offset, sent: resumed.offset })
    expect(Buffer.from(sink.bytes()).equals(Buffer.from(file))).toBe(true)
  })

  it('cancelling on the fetching side stops the transfer and frees both sides', async () => {
    const { alice, bob, ended } = await pair()
    const file = randomFile(16 * MiB)
    const id = await alice.services.files.serve(bytesSource(file), { topic })
    const sink = memorySink()
    const cancel = new AbortController()
    const err = await errorOf(bob.services.files.fetch(alice.peerId, {
      id,
      topic,
      sink,
      signal: cancel.signal,
      onProgress: ({ received }) => { if (received >= MiB) cancel.abort(new Error('changed my mind')) }
    }))
    expect(err.message).toBe('changed my mind')
    // the sink keeps what came, for a later resume or for the caller to delete
    expect(await sink.size()).toBeGreaterThanOrEqual(MiB)
    await waitFor(() => ended.length === 1)
    expect(ended[0]!.error).toBeDefined()
    expect(ended[0]!.sent).toBeLessThan(file.byteLength)
    expect(alice.services.files.uploads()).toEqual([])
    await waitFor(() => fileStreams(alice, bob) === 0 && fileStreams(bob, alice) === 0)
  })

  it('cancelling on the serving side (it stops sharing) ends the upload: the fetch is interrupted, the file no longer found', async () => {
    const { alice, bob, ended } = await pair()
    const file = randomFile(16 * MiB)
    const sharing = new AbortController()
    const id = await alice.services.files.serve(bytesSource(file), { topic, signal: sharing.signal })
    const sink = memorySink()
    const err = await errorOf(bob.services.files.fetch(alice.peerId, {
      id,
      topic,
      sink,
      onProgress: ({ received }) => { if (received >= MiB) sharing.abort() }
    }))
    expect(err.name).toBe('FileTransferInterruptedError')
    await waitFor(() => ended.length === 1)
    expect(alice.services.files.uploads()).toEqual([])
    await waitFor(() => fileStreams(alice, bob) === 0 && fileStreams(bob, alice) === 0)
    expect((await errorOf(bob.services.files.fetch(alice.peerId, { id, topic, sink }))).name).toBe('FileNotFoundError')
  })

  it('back-pressure: a reader that stops taking chunks holds the server back within its window, and the transfer ends well', async () => {
    const window = 4
    const { alice, bob, uploads } = await pair({ bob: { window } })
    const file = randomFile(4 * MiB)
    const id = await alice.services.files.serve(bytesSource(file), { topic })
    // a sink (a slow disk) that stops after 10 chunks until released
    const inner = memorySink()
    let release!: () => void
    const released = new Promise<void>(resolve => { release = resolve })
    let stalled = false
    const slow: MemorySink = {
      ...inner,
      write: async (offset, bytes) => {
        if (offset === 10 * FILE_CHUNK_BYTES) {
          stalled = true
          await released
        }
        await inner.write(offset, bytes)
      }
    }
    const fetching = bob.services.files.fetch(alice.peerId, { id, topic, sink: slow })
    await waitFor(() => stalled)
    // 11 chunks read (the 11th waits for the sink); credits came after chunks 2, 4, 6, 8 and 10: 4 + 5 × 2 granted
    const granted = (window + 5 * (window / 2)) * FILE_CHUNK_BYTES
    await waitFor(() => uploads.at(-1)!.sent === granted)
    // an interval in which a server without flow control sends megabytes (loopback carries ~100 MiB/s): nothing
    // here can say "nothing more will come" sooner
    await new Promise(resolve => setTimeout(resolve, 300))
    expect(uploads.at(-1)!.sent).toBe(granted)
    const [upload] = alice.services.files.uploads()
    expect(upload!.buffered).toBeLessThanOrEqual(FILE_CHUNK_BYTES)
    release()
    await fetching
    expect(Buffer.from(inner.bytes()).equals(Buffer.from(file))).toBe(true)
  })

  it('a slow sink keeps in flight what it takes in windowMs, not the whole window: what else the connection carries does not wait behind it', async () => {
    // a sink that takes a chunk every 20 ms (50 a second) and a window of 200 ms of that: 10 chunks, of 32 allowed
    const { alice, bob, uploads } = await pair({ bob: { windowMs: 200 } })
    const file = randomFile(48 * FILE_CHUNK_BYTES)
    const id = await alice.services.files.serve(bytesSource(file), { topic })
    const inner = memorySink()
    let written = 0
    let most = 0
    const slow: MemorySink = {
      ...inner,
      write: async (offset, bytes) => {
        most = Math.max(most, (uploads.at(-1)?.sent ?? 0) - written)
        await new Promise(resolve => setTimeout(resolve, 20))
        await inner.write(offset, bytes)
        written += bytes.byteLength
      }
    }
    await bob.services.files.fetch(alice.peerId, { id, topic, sink: slow })
    expect(Buffer.from(inner.bytes()).equals(Buffer.from(file))).toBe(true)
    // sent and not yet written: the chunk being written and at most 10 more
    expect(most).toBeGreaterThan(0)
    expect(most).toBeLessThanOrEqual(11 * FILE_CHUNK_BYTES)
  })

  it('a sink that fails (a full disk) ends the fetch with FileSinkError, keeping what it took; the server lets go', async () => {
    const { alice, bob, ended } = await pair()
    const file = randomFile(MiB)
    const id = await alice.services.files.serve(bytesSource(file), { topic })
    // serving the same bytes again keeps one file served
    expect(await alice.services.files.serve(bytesSource(file), { topic })).toBe(id)
    const inner = memorySink()
    const full: FileSink = {
      ...inner,
      write: async (offset, bytes) => {
        if (offset >= 3 * FILE_CHUNK_BYTES) {
          throw new DOMException('no space left', 'QuotaExceededError')
        }
        await inner.write(offset, bytes)
      }
    }
    const err = await errorOf(bob.services.files.fetch(alice.peerId, { id, topic, sink: full }))
    expect(err.name).toBe('FileSinkError')
    expect((err.cause as Error).name).toBe('QuotaExceededError')
    expect(await inner.size()).toBe(3 * FILE_CHUNK_BYTES)
    await waitFor(() => ended.length === 1 && alice.services.files.uploads().length === 0)
    // with room on the disk again, it resumes
    expect((await bob.services.files.fetch(alice.peerId, { id, topic, sink: inner })).offset).toBe(3 * FILE_CHUNK_BYTES)
    expect(Buffer.from(inner.bytes()).equals(Buffer.from(file))).toBe(true)
    // one unserve stops it
    alice.services.files.unserve(topic, id)
    expect((await errorOf(bob.services.files.fetch(alice.peerId, { id, topic, sink: memorySink() }))).name).toBe('FileNotFoundError')
  })

  it('a reader that never grants more is given up after the idle timeout, and nothing stays behind', async () => {
    const { alice, bob, ended } = await pair({ alice: { idleTimeout: 300 }, bob: { window: 2 } })
    const file = randomFile(MiB)
    const id = await alice.services.files.serve(bytesSource(file), { topic })
    const stuck: FileSink = { ...memorySink(), write: async () => { await new Promise(() => {}) } }
    const cancel = new AbortController()
    const fetching = bob.services.files.fetch(alice.peerId, { id, topic, sink: stuck, signal: cancel.signal })
    await waitFor(() => ended.length === 1, 5_000)
    expect(ended[0]).toMatchObject({ sent: 2 * FILE_CHUNK_BYTES })
    expect(ended[0]!.error).toBeDefined()
    expect(alice.services.files.uploads()).toEqual([])
    await waitFor(() => fileStreams(alice, bob) === 0)
    // bob's fetch waits on a sink that never answers: his cancel ends it all the same
    cancel.abort(new Error('gave up'))
    expect((await errorOf(fetching)).message).toBe('gave up')
    await waitFor(() => fileStreams(bob, alice) === 0)
  })
})
