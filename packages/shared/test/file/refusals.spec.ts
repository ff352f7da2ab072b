import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { bytesSource, fileTransfer, FILE_CHUNK_BYTES, FILE_PROTOCOL, memorySink } from '../../src/file/index.js'
import { FileRequest, FileResponse } from '../../src/proto/file.js'
import { waitFor } from '../../src/testing/index.js'
import { createPlainNode, errorOf, lengthPrefixed, loopbackOptions, randomPeer, rawExchange } from '../helpers.js'
import { filesNode, randomFile } from './helpers.js'
import type { FileTransfer } from '../../src/file/index.js'
import type { FilesNode } from './helpers.js'
import type { Libp2p } from '@libp2p/interface'

const topic = '/p2p-chat/room/1/aaaaaaaaaaaaaaaaaaaaaaaaaa'

describe('file transfer refusals', () => {
  const nodes: Libp2p[] = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async node => node.stop()))
  })
  async function node (init?: Parameters<typeof filesNode>[0]): Promise<FilesNode> {
    const created = await filesNode(init)
    nodes.push(created)
    return created
  }

  it('a file the peer does not serve, or serves in another room, is not found; the peer keeps serving', async () => {
    const [alice, bob] = [await node(), await node()]
    await bob.dial(alice.getMultiaddrs())
    const file = randomFile(1000)
    const id = await alice.services.files.serve(bytesSource(file), { topic })
    const fetch = async (fields: { id: string, topic: string }): Promise<Error> => errorOf(bob.services.files.fetch(alice.peerId, { ...fields, sink: memorySink() }))
    expect((await fetch({ id: 'ee'.repeat(32), topic })).name).toBe('FileNotFoundError')
    expect((await fetch({ id, topic: '/p2p-chat/room/1/bbbbbbbbbbbbbbbbbbbbbbbbbb' })).name).toBe('FileNotFoundError')
    const sink = memorySink()
    await bob.services.files.fetch(alice.peerId, { id, topic, sink })
    expect(Buffer.from(sink.bytes()).equals(Buffer.from(file))).toBe(true)
  })

  it('a peer the server refuses (blocked) is told the file is not found; others still get it', async () => {
    const [alice, bob, carol] = [await node(), await node(), await node()]
    await bob.dial(alice.getMultiaddrs())
    await carol.dial(alice.getMultiaddrs())
    const file = randomFile(1000)
    const id = await alice.services.files.serve(bytesSource(file), { topic, refuse: peer => peer.equals(bob.peerId) })
    expect((await errorOf(bob.services.files.fetch(alice.peerId, { id, topic, sink: memorySink() }))).name).toBe('FileNotFoundError')
    const sink = memorySink()
    await carol.services.files.fetch(alice.peerId, { id, topic, sink })
    expect(Buffer.from(sink.bytes()).equals(Buffer.from(file))).toBe(true)
  })

  it('refuses files over the limit: to serve, before asking (the offer\'s size), on the answer (TOO_LARGE), and a size that is not the offer\'s', async () => {
    const [alice, bob] = [await node(), await node({ maxFileSize: 1000 })]
    await bob.dial(alice.getMultiaddrs())
    const small = await node({ maxFileSize: 10 })
    expect(await errorOf(small.services.files.serve(bytesSource(randomFile(11)), { topic }))).toMatchObject({ name: 'FileTooLargeError', size: 11, limit: 10 })

    const file = randomFile(1001)
    const id = await alice.services.files.serve(bytesSource(file), { topic })
    // the offer says so: refused without a word to anyone (nobody runs that peer)
    expect(await errorOf(bob.services.files.fetch(await randomPeer(), { id, size: 1001, topic, sink: memorySink() }))).toMatchObject({ name: 'FileTooLargeError', size: 1001, limit: 1000 })
    // the server says so
    expect(await errorOf(bob.services.files.fetch(alice.peerId, { id, topic, sink: memorySink() }))).toMatchObject({ name: 'FileTooLargeError', size: 1001, limit: 1000 })
    // a room with a larger limit of its own takes it
    await bob.services.files.fetch(alice.peerId, { id, topic, sink: memorySink(), maxSize: 2000 })
    // a peer that announces another size than the offer's
    expect((await errorOf(bob.services.files.fetch(alice.peerId, { id, size: 1000, topic, sink: memorySink(), maxSize: 2000 }))).name).toBe('FileTransferProtocolError')
  })

  it('refuses malformed requests with INVALID, keeps serving, and refuses bad calls before any stream', async () => {
    const alice = await node()
    const raw = await createPlainNode()
    nodes.push(raw)
    await raw.dial(alice.getMultiaddrs())
    const file = randomFile(3 * FILE_CHUNK_BYTES)
    const id = await alice.services.files.serve(bytesSource(file), { topic })
    const idBytes = Buffer.from(id, 'hex')
    const request = (fields: Partial<FileRequest>): Uint8Array => lengthPrefixed(FileRequest.encode({ id: idBytes, offset: 0n, topic, maxSize: 0n, window: 4, ...fields }))
    const invalid = [
      [lengthPrefixed(Uint8Array.from([0xff, 0xff, 0xff]))],
      [lengthPrefixed(new Uint8Array(600))],
      [Uint8Array.from([0x80, 0x80, 0x04])],
      [request({ id: idBytes.subarray(1) })],
      [request({ topic: '' })],
      [request({ topic: 'x'.repeat(257) })],
      [request({ window: 0 })],
      [request({ window: 1025 })],
      [request({ offset: 100n })],
      [request({ offset: BigInt(4 * FILE_CHUNK_BYTES) })]
    ]
    for (const chunks of invalid) {
      const answer = await rawExchange(raw, alice.peerId, FILE_PROTOCOL, chunks)
      expect(answer.frames.map(f => FileResponse.decode(f).status)).toEqual([FileResponse.Status.INVALID])
      expect(answer.ended).toBe('eof')
    }
    // a length prefix that never ends before the requester closes its end: nothing to answer, the stream is reset
    const endless = await rawExchange(raw, alice.peerId, FILE_PROTOCOL, [Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])])
    expect(endless).toEqual({ frames: [], rest: 0, ended: 'reset' })
    // a well-formed one from the raw peer, resuming at the last chunk: OK, the size, one chunk, the end
    const answer = await rawExchange(raw, alice.peerId, FILE_PROTOCOL, [request({ offset: BigInt(2 * FILE_CHUNK_BYTES) })])
    expect(FileResponse.decode(answer.frames[0]!)).toEqual({ status: FileResponse.Status.OK, size: BigInt(file.byteLength) })
    expect(Buffer.from(answer.frames[1]!).equals(Buffer.from(file.subarray(2 * FILE_CHUNK_BYTES)))).toBe(true)
    expect(answer.frames).toHaveLength(2)
    expect(alice.services.files.uploads()).toEqual([])

    // refused before anything touches the network: nobody runs that peer
    const nobody = await randomPeer()
    const files = alice.services.files
    expect((await errorOf(files.fetch(nobody, { id: 'not-an-id', topic, sink: memorySink() }))).name).toBe('InvalidFileRequestError')
    expect((await errorOf(files.fetch(nobody, { id, topic: '', sink: memorySink() }))).name).toBe('InvalidFileRequestError')
    const holding = memorySink()
    await holding.write(0, new Uint8Array(10))
    expect((await errorOf(files.fetch(nobody, { id, topic, sink: holding, offset: 11 }))).name).toBe('InvalidFileRequestError')
    expect((await errorOf(files.serve(bytesSource(file), { topic, id: 'AB'.repeat(32) }))).name).toBe('InvalidFileRequestError')
    expect((await errorOf(files.fetch(nobody, { id, topic, sink: memorySink() }))).name).toBe('PeerUnreachableError')
  })

  describe('over a relay', () => {
    /** A circuit-relay server on loopback, and a file server reachable through it (as a browser is). */
    async function relayed (server: Parameters<typeof circuitRelayServer>[0] = {}): Promise<{ alice: Libp2p<{ files: FileTransfer }>, bob: Libp2p<{ files: FileTransfer }>, circuit: string }> {
      const relay = await createLibp2p({ ...loopbackOptions(), services: { identify: identify(), relay: circuitRelayServer(server) } })
      nodes.push(relay)
      const peer = async (listen: string[]): Promise<Libp2p<{ files: FileTransfer }>> => {
        const options = loopbackOptions()
        const created = await createLibp2p({
          ...options,
          addresses: { listen },
          transports: [...options.transports!, circuitRelayTransport()],
          services: { identify: identify(), files: fileTransfer() }
        })
        nodes.push(created)
        return created
      }
      // alice serves, reachable only through the relay; bob fetches
      const alice = await peer(['/p2p-circuit'])
      const bob = await peer([])
      await alice.dial(relay.getMultiaddrs())
      await waitFor(() => alice.getMultiaddrs().some(ma => ma.toString().includes('/p2p-circuit')), 10_000)
      const circuit = alice.getMultiaddrs().find(ma => ma.toString().includes('/p2p-circuit'))!.toString()
      await bob.dial(alice.getMultiaddrs())
      return { alice, bob, circuit }
    }

    it('a fetch over a relayed (limited) connection is refused up front with the reason; nothing reaches the server', async () => {
      const { alice, bob } = await relayed()
      expect(bob.getConnections(alice.peerId).map(c => [c.direct, c.limits != null])).toEqual([[false, true]])
      const id = await alice.services.files.serve(bytesSource(randomFile(1000)), { topic })
      let asked = false
      alice.services.files.addEventListener('upload:progress', () => { asked = true })
      const err = await errorOf(bob.services.files.fetch(alice.peerId, { id, topic, sink: memorySink() }))
      expect(err.name).toBe('DirectConnectionRequiredError')
      expect(err.message).toContain('needs a direct connection')
      expect(asked).toBe(false)
      // and libp2p itself keeps the protocol off limited connections: a peer that forces a stream is turned away
      const answered = await bob.getConnections(alice.peerId)[0]!.newStream(FILE_PROTOCOL, { runOnLimitedConnection: true })
        .then(async stream => {
          stream.send(lengthPrefixed(FileRequest.encode({ id: Buffer.from(id, 'hex'), offset: 0n, topic, maxSize: 0n, window: 1 })))
          let bytes = 0
          for await (const chunk of stream) {
            bytes += chunk.byteLength
          }
          return bytes
        })
        .catch(() => 0)
      expect(answered).toBe(0)
      expect(asked).toBe(false)
    })

    it('over a relay that sets no limits (libp2p would run the protocol), the server answers REFUSED_RELAYED', async () => {
      const { alice, bob } = await relayed({ reservations: { applyDefaultLimit: false } })
      expect(bob.getConnections(alice.peerId).map(c => [c.direct, c.limits != null])).toEqual([[false, false]])
      const id = await alice.services.files.serve(bytesSource(randomFile(1000)), { topic })
      // our fetch does not even ask
      expect((await errorOf(bob.services.files.fetch(alice.peerId, { id, topic, sink: memorySink() }))).name).toBe('DirectConnectionRequiredError')
      // a peer that asks anyway is answered why not
      const answer = await rawExchange(bob, alice.peerId, FILE_PROTOCOL, [lengthPrefixed(FileRequest.encode({ id: Buffer.from(id, 'hex'), offset: 0n, topic, maxSize: 0n, window: 1 }))])
      expect(answer.frames.map(f => FileResponse.decode(f).status)).toEqual([FileResponse.Status.REFUSED_RELAYED])
      expect(alice.services.files.uploads()).toEqual([])
    })
  })
})
