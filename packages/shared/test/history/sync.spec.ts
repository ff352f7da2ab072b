import { lpStream } from '@libp2p/utils'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMessageId } from '../../src/codec.js'
import { createMemoryHistoryStore } from '../../src/history/index.js'
import {
  HISTORY_SYNC_PROTOCOL, MAX_HISTORY_HAVE_IDS, MAX_HISTORY_RECORD_DATA_BYTES, MAX_HISTORY_REQUEST_BYTES,
  MAX_HISTORY_SYNC_RECORDS, MAX_HISTORY_TOPIC_BYTES, historySync
} from '../../src/history/sync/index.js'
import { HistoryRecordMessage, HistoryRequest, HistoryResponse } from '../../src/proto/history.js'
import { createPlainNode, errorOf, loopbackOptions, randomPeer } from '../helpers.js'
import type { HistoryRecord, HistoryStore } from '../../src/history/index.js'
import type { HistorySync, HistorySyncInit } from '../../src/history/sync/index.js'
import type { Libp2p, MultiaddrConnection, Startable, Stream } from '@libp2p/interface'
import type { LengthPrefixedStream } from '@libp2p/utils'
import type { Libp2pOptions } from 'libp2p'

const TIMEOUT = 1000
const ROOM = '/p2p-chat/room/1/aaaaaaaaaaaaaaaaaaaaaaaaaa'
const EMPTY_ROOM = '/p2p-chat/room/1/bbbbbbbbbbbbbbbbbbbbbbbbbb'
const UNSERVED = '/p2p-chat/room/1/cccccccccccccccccccccccccc'
const BASE = Date.now() - 60 * 60 * 1000

type SyncNode = Libp2p<{ history: HistorySync }>

async function createNode (init?: HistorySyncInit): Promise<SyncNode> {
  return createLibp2p({ ...loopbackOptions(), services: { history: historySync(init) } })
}

function makeRecord (topic: string, i: number, size = 32): HistoryRecord {
  return { topic, id: createMessageId(), timestamp: BASE + i * 1000, data: crypto.getRandomValues(new Uint8Array(size)) }
}

function makeRecords (topic: string, count: number, size = 32): HistoryRecord[] {
  return Array.from({ length: count }, (_, i) => makeRecord(topic, i, size))
}

function wireRecord (record: Partial<HistoryRecord>, fields: Partial<HistoryRecordMessage> = {}): Uint8Array {
  return HistoryRecordMessage.encode({
    id: uint8ArrayFromString(record.id ?? createMessageId(), 'base16'),
    timestamp: BigInt(record.timestamp ?? BASE),
    data: Uint8Array.from(record.data ?? [1, 2, 3]),
    ...fields
  })
}

function ok (count: number): Uint8Array {
  return HistoryResponse.encode({ status: HistoryResponse.Status.OK, count })
}

describe('history sync', () => {
  /** the late joiner: syncs, serves nothing */
  let alice: SyncNode
  let aliceStore: HistoryStore
  /** a member: serves ROOM and EMPTY_ROOM */
  let bob: SyncNode
  let bobStore: HistoryStore
  /** no history-sync service */
  let carol: Libp2p
  /** bob's records of ROOM, oldest first */
  let room: HistoryRecord[]

  beforeAll(async () => {
    aliceStore = createMemoryHistoryStore({ maxAgeMs: Infinity })
    bobStore = createMemoryHistoryStore({ maxAgeMs: Infinity })
    room = makeRecords(ROOM, 10)
    await bobStore.add(room)
    await bobStore.add([makeRecord(UNSERVED, 0)])
    alice = await createNode({ store: aliceStore, timeout: TIMEOUT })
    bob = await createNode({ store: bobStore, serves: (topic) => topic === ROOM || topic === EMPTY_ROOM })
    carol = await createPlainNode()
    for (const [from, to] of [[alice, bob], [alice, carol], [carol, bob]] as const) {
      await from.peerStore.merge(to.peerId, { multiaddrs: to.getMultiaddrs() })
    }
  })

  afterAll(async () => {
    await Promise.all([alice?.stop(), bob?.stop(), carol?.stop()])
  })

  /** Serves HISTORY_SYNC_PROTOCOL on carol for the duration of `fn`: reads the request, then `answer` writes. */
  async function withCarolAnswering (answer: (lp: LengthPrefixedStream<Stream>, request: HistoryRequest) => Promise<void>, fn: () => Promise<void>): Promise<void> {
    await carol.handle(HISTORY_SYNC_PROTOCOL, async (stream) => {
      try {
        const lp = lpStream(stream)
        await answer(lp, HistoryRequest.decode(await lp.read()))
      } catch (err) {
        stream.abort(err as Error)
      }
    })
    try {
      await fn()
    } finally {
      await carol.unhandle(HISTORY_SYNC_PROTOCOL)
    }
  }

  /** Sends `frame` as a request from carol to bob on a raw stream; returns bob's response and the records after it. */
  async function rawRequest (frame: Uint8Array | ((stream: Stream) => void)): Promise<{ response: HistoryResponse, records: HistoryRecordMessage[] }> {
    const stream = await carol.dialProtocol(bob.peerId, HISTORY_SYNC_PROTOCOL)
    const lp = lpStream(stream)
    if (frame instanceof Uint8Array) {
      await lp.write(frame)
    } else {
      frame(stream)
    }
    const response = HistoryResponse.decode(await lp.read())
    const records: HistoryRecordMessage[] = []
    for (let i = 0; i < response.count; i++) {
      records.push(HistoryRecordMessage.decode(await lp.read()))
    }
    // the server closes its end after the last record
    expect((await errorOf(lp.read())).name).toBe('UnexpectedEOFError')
    await stream.close()
    return { response, records }
  }

  it('a late joiner gets the records it lacks, oldest first, and nothing it already has', async () => {
    await aliceStore.add(room.slice(0, 4))
    const have = await aliceStore.ids(ROOM)
    const records = await alice.services.history.sync(bob.peerId, ROOM, { have })

    expect(records).toEqual(room.slice(4))
    expect(records.every(record => record.topic === ROOM && /^[0-9a-f]{32}$/.test(record.id))).toBe(true)
    expect(await aliceStore.add(records)).toHaveLength(6)
    expect(await aliceStore.ids(ROOM)).toEqual(room.map(record => record.id))

    // nothing is missing any more
    expect(await alice.services.history.sync(bob.peerId, ROOM, { have: await aliceStore.ids(ROOM) })).toEqual([])
  })

  it('filters by `since`, inclusive, together with `have`', async () => {
    const since = room[5]!.timestamp
    expect(await alice.services.history.sync(bob.peerId, ROOM, { since })).toEqual(room.slice(5))
    const records = await alice.services.history.sync(bob.peerId, ROOM, { since, have: [room[6]!.id, room[2]!.id] })
    expect(records).toEqual([room[5]!, ...room.slice(7)])
    expect(await alice.services.history.sync(bob.peerId, ROOM, { since: room[9]!.timestamp + 1 })).toEqual([])
  })

  it('with more matching records than the limit, sends the newest ones, oldest first', async () => {
    expect(await alice.services.history.sync(bob.peerId, ROOM, { limit: 3 })).toEqual(room.slice(7))
    // the limit counts what the requester lacks, not what the server has
    expect(await alice.services.history.sync(bob.peerId, ROOM, { limit: 2, have: [room[9]!.id] })).toEqual(room.slice(7, 9))
    expect(await alice.services.history.sync(bob.peerId, ROOM, { limit: MAX_HISTORY_SYNC_RECORDS })).toEqual(room)

    // a server's own maxRecords caps every answer
    const stingy = await createNode({ store: bobStore, serves: () => true, maxRecords: 4 })
    try {
      await alice.peerStore.merge(stingy.peerId, { multiaddrs: stingy.getMultiaddrs() })
      expect(await alice.services.history.sync(stingy.peerId, ROOM)).toEqual(room.slice(6))
    } finally {
      await stingy.stop()
    }
  })

  it('an unserved topic gets nothing: HistoryNotServedError; a served topic without records, an empty answer', async () => {
    // bob keeps a record of UNSERVED but does not serve it
    expect((await errorOf(alice.services.history.sync(bob.peerId, UNSERVED))).name).toBe('HistoryNotServedError')
    expect(await alice.services.history.sync(bob.peerId, EMPTY_ROOM)).toEqual([])

    // by default a peer serves nothing, even from a store; without a store, it cannot; a throwing callback serves nothing
    const nodes = await Promise.all([
      createNode({ store: bobStore }),
      createNode({ serves: () => true }),
      createNode({ store: bobStore, serves: () => { throw new Error('boom') } })
    ])
    try {
      for (const node of nodes) {
        await alice.peerStore.merge(node.peerId, { multiaddrs: node.getMultiaddrs() })
        expect((await errorOf(alice.services.history.sync(node.peerId, ROOM))).name).toBe('HistoryNotServedError')
      }
    } finally {
      await Promise.all(nodes.map(async node => node.stop()))
    }
  })

  it('serves through an async `serves` callback and skips stored records too large for the wire', async () => {
    const store = createMemoryHistoryStore({ maxAgeMs: Infinity })
    const records = [makeRecord(ROOM, 0), makeRecord(ROOM, 1, MAX_HISTORY_RECORD_DATA_BYTES), makeRecord(ROOM, 2, MAX_HISTORY_RECORD_DATA_BYTES + 1), makeRecord(ROOM, 3)]
    await store.add(records)
    const dave = await createNode({ store, serves: async (topic) => topic === ROOM })
    try {
      await alice.peerStore.merge(dave.peerId, { multiaddrs: dave.getMultiaddrs() })
      expect(await alice.services.history.sync(dave.peerId, ROOM)).toEqual([records[0]!, records[1]!, records[3]!])
    } finally {
      await dave.stop()
    }
  })

  it('refuses a bad request before opening any stream: InvalidHistoryRequestError', async () => {
    // nobody knows this peer: if a stream were opened first, the error would be PeerUnreachableError
    const nobody = await randomPeer()
    const history = alice.services.history
    const tooMany = Array.from({ length: MAX_HISTORY_HAVE_IDS + 1 }, () => createMessageId())
    const bad: Array<Promise<unknown>> = [
      history.sync(nobody, ''),
      history.sync(nobody, 'é'.repeat(MAX_HISTORY_TOPIC_BYTES / 2 + 1)),
      history.sync(nobody, ROOM, { since: -1 }),
      history.sync(nobody, ROOM, { since: 1.5 }),
      history.sync(nobody, ROOM, { limit: 0 }),
      history.sync(nobody, ROOM, { limit: MAX_HISTORY_SYNC_RECORDS + 1 }),
      history.sync(nobody, ROOM, { have: ['ABCDEF'] }),
      history.sync(nobody, ROOM, { have: [createMessageId().toUpperCase()] }),
      history.sync(nobody, ROOM, { have: tooMany })
    ]
    for (const promise of bad) {
      expect((await errorOf(promise)).name).toBe('InvalidHistoryRequestError')
    }
    expect((await errorOf(history.sync(nobody, ROOM))).name).toBe('PeerUnreachableError')
    const unsupported = await errorOf(history.sync(carol.peerId, ROOM))
    expect(unsupported.name).toBe('PeerUnreachableError')
    expect((unsupported.cause as Error).name).toBe('UnsupportedProtocolError')
  })

  it('a request as large as the rules allow fits in MAX_HISTORY_REQUEST_BYTES and is answered', async () => {
    const have = Array.from({ length: MAX_HISTORY_HAVE_IDS }, () => uint8ArrayFromString(createMessageId(), 'base16'))
    const largest = HistoryRequest.encode({ topic: 'x'.repeat(MAX_HISTORY_TOPIC_BYTES), since: 2n ** 53n - 1n, have, limit: 2 ** 32 - 1 })
    expect(largest.byteLength).toBeLessThanOrEqual(MAX_HISTORY_REQUEST_BYTES)

    const { response } = await rawRequest(HistoryRequest.encode({ topic: ROOM, since: 0n, have, limit: 0 }))
    expect(response).toEqual({ status: HistoryResponse.Status.OK, count: room.length })
  })

  it('answers malformed requests on a raw stream with INVALID, no record, and closes', async () => {
    const request = (fields: Partial<HistoryRequest>): Uint8Array => HistoryRequest.encode({ topic: ROOM, since: 0n, have: [], limit: 0, ...fields })
    const cases: Array<[string, Uint8Array | ((stream: Stream) => void)]> = [
      ['not protobuf', Uint8Array.from([0x0a, 0xff, 0x01])],
      ['empty topic', request({ topic: '' })],
      ['topic too long', request({ topic: 'x'.repeat(MAX_HISTORY_TOPIC_BYTES + 1) })],
      ['have of 15 bytes', request({ have: [new Uint8Array(15)] })],
      ['too many have', request({ have: Array.from({ length: MAX_HISTORY_HAVE_IDS + 1 }, () => new Uint8Array(16)) })],
      ['since beyond safe integers', request({ since: 2n ** 64n - 1n })],
      // a length prefix of 30000, over MAX_HISTORY_REQUEST_BYTES: refused before the body is read
      ['oversized frame', (stream) => { stream.send(Uint8Array.from([0xb0, 0xea, 0x01, 1, 2, 3])) }]
    ]
    for (const [label, frame] of cases) {
      const { response } = await rawRequest(frame)
      expect(response, label).toEqual({ status: HistoryResponse.Status.INVALID, count: 0 })
    }

    // limit 0 means the server's maximum; the answer is the records, oldest first, as the wire carries them
    const { response, records } = await rawRequest(request({ limit: 0, have: [uint8ArrayFromString(room[0]!.id, 'base16')] }))
    expect(response).toEqual({ status: HistoryResponse.Status.OK, count: 9 })
    expect(records.map(record => Number(record.timestamp))).toEqual(room.slice(1).map(record => record.timestamp))
    expect(Uint8Array.from(records[0]!.data)).toEqual(room[1]!.data)
  })

  it('rejects a malformed or oversized answer with HistorySyncProtocolError', async () => {
    const r = makeRecords(ROOM, 3)
    const answers: Array<[string, (lp: LengthPrefixedStream<Stream>) => Promise<void>]> = [
      ['response does not decode', async lp => lp.write(Uint8Array.from([0x10, 0xff]))],
      ['response of an unknown status', async lp => lp.write(Uint8Array.from([0x08, 0x07]))],
      ['response over its size limit', async lp => lp.write(new Uint8Array(100))],
      ['more records announced than asked for', async lp => lp.write(ok(3))],
      ['record does not decode', async lp => { await lp.write(ok(1)); await lp.write(Uint8Array.from([0x0a, 0xff, 0x01])) }],
      ['id of 15 bytes', async lp => { await lp.write(ok(1)); await lp.write(wireRecord(r[0]!, { id: new Uint8Array(15) })) }],
      ['id missing', async lp => { await lp.write(ok(1)); await lp.write(wireRecord(r[0]!, { id: new Uint8Array(0) })) }],
      ['timestamp beyond safe integers', async lp => { await lp.write(ok(1)); await lp.write(wireRecord(r[0]!, { timestamp: 2n ** 64n - 1n })) }],
      ['data too large', async lp => { await lp.write(ok(1)); await lp.write(wireRecord(r[0]!, { data: new Uint8Array(MAX_HISTORY_RECORD_DATA_BYTES + 1) })) }],
      ['frame over the limit', async lp => { await lp.write(ok(1)); await lp.write(new Uint8Array(100_000)) }],
      ['fewer records than announced', async lp => { await lp.write(ok(2)); await lp.write(wireRecord(r[0]!)); await lp.unwrap().close() }],
      ['out of order', async lp => { await lp.write(ok(2)); await lp.write(wireRecord(r[1]!)); await lp.write(wireRecord(r[0]!)) }],
      ['repeated', async lp => { await lp.write(ok(2)); await lp.write(wireRecord(r[0]!)); await lp.write(wireRecord(r[0]!)) }],
      ['already held', async lp => { await lp.write(ok(1)); await lp.write(wireRecord(room[0]!)) }],
      ['older than since', async lp => { await lp.write(ok(1)); await lp.write(wireRecord({ ...r[0]!, timestamp: BASE - 1 })) }]
    ]
    for (const [label, answer] of answers) {
      await withCarolAnswering(async (lp) => answer(lp), async () => {
        const err = await errorOf(alice.services.history.sync(carol.peerId, ROOM, { since: BASE, limit: 2, have: [room[0]!.id] }))
        expect(err.name, label).toBe('HistorySyncProtocolError')
      })
    }

    // INVALID from the server: it refused the request
    await withCarolAnswering(async (lp) => lp.write(HistoryResponse.encode({ status: HistoryResponse.Status.INVALID, count: 0 })), async () => {
      expect((await errorOf(alice.services.history.sync(carol.peerId, ROOM))).name).toBe('HistorySyncRejectedError')
    })
  })

  it('passes on what the server asked for and accepts a well-formed answer from any server', async () => {
    const r = makeRecords(ROOM, 2)
    let seen: HistoryRequest | undefined
    await withCarolAnswering(async (lp, request) => {
      seen = request
      await lp.write(ok(2))
      await lp.write(wireRecord(r[0]!))
      await lp.write(wireRecord(r[1]!))
      await lp.unwrap().close()
    }, async () => {
      const records = await alice.services.history.sync(carol.peerId, ROOM, { since: 5, have: [room[0]!.id], limit: 7 })
      expect(records.map(record => record.id)).toEqual(r.map(record => record.id))
    })
    expect(seen).toMatchObject({ topic: ROOM, since: 5n, limit: 7 })
    expect(seen!.have.map(id => Uint8Array.from(id))).toEqual([uint8ArrayFromString(room[0]!.id, 'base16')])
  })

  it('times out when the server never answers or stalls, and honours the caller\'s abort signal', async () => {
    const stalls: Array<[string, (lp: LengthPrefixedStream<Stream>) => Promise<void>]> = [
      ['no response', async () => {}],
      ['stalls after one of two records', async lp => { await lp.write(ok(2)); await lp.write(wireRecord(makeRecord(ROOM, 0))) }]
    ]
    for (const [label, answer] of stalls) {
      // the handler returns without closing: the stream stays open, silent
      await withCarolAnswering(async (lp) => answer(lp), async () => {
        const started = Date.now()
        const err = await errorOf(alice.services.history.sync(carol.peerId, ROOM))
        expect(err.name, label).toBe('HistorySyncTimeoutError')
        expect(Date.now() - started, label).toBeGreaterThanOrEqual(TIMEOUT - 50)
      })
    }

    await withCarolAnswering(async () => {}, async () => {
      const controller = new AbortController()
      setTimeout(() => { controller.abort() }, 100)
      const aborted = await errorOf(alice.services.history.sync(carol.peerId, ROOM, { signal: controller.signal }))
      expect(aborted.name).toBe('AbortError')
    })
  })

  it('stopping the service fails syncs in flight and refuses new ones with NotStartedError', async () => {
    const erin = await createNode()
    try {
      await erin.peerStore.merge(carol.peerId, { multiaddrs: carol.getMultiaddrs() })
      let requested!: () => void
      const inFlight = new Promise<void>(resolve => { requested = resolve })
      // carol reads the request and never answers
      await withCarolAnswering(async () => { requested() }, async () => {
        const pending = errorOf(erin.services.history.sync(carol.peerId, ROOM))
        await inFlight
        await (erin.services.history as unknown as Startable).stop()
        expect((await pending).name).toBe('NotStartedError')
      })
      expect((await errorOf(erin.services.history.sync(carol.peerId, ROOM))).name).toBe('NotStartedError')
    } finally {
      await erin.stop()
    }
  })

  it('a server writes 1,000 short records in a few batches, not a muxer frame (and transport message) each', async () => {
    const TOPIC = '/p2p-chat/room/1/eeeeeeeeeeeeeeeeeeeeeeeeee'
    const store = createMemoryHistoryStore({ maxAgeMs: Infinity })
    const records = makeRecords(TOPIC, 1000, 200)
    await store.add(records)
    // the server's muxer, counting what it writes to its (encrypted) connection
    let writes = 0
    const counted: NonNullable<Libp2pOptions['streamMuxers']>[number] = () => {
      const factory = yamux()()
      return {
        protocol: factory.protocol,
        createStreamMuxer: (maConn: MultiaddrConnection) => {
          const send = maConn.send.bind(maConn)
          maConn.send = data => {
            writes++
            return send(data)
          }
          return factory.createStreamMuxer(maConn)
        }
      }
    }
    const server = await createLibp2p({ ...loopbackOptions(), streamMuxers: [counted], services: { history: historySync({ store, serves: () => true }) } })
    const client = await createNode()
    try {
      await client.dial(server.getMultiaddrs())
      expect(await client.services.history.sync(server.peerId, TOPIC)).toEqual(records)
      // ~240 KB: in writes of 32 KiB, each at most a few muxer frames, beside the connection's own few (identify);
      // one per record before
      expect(writes).toBeLessThan(50)
    } finally {
      await Promise.all([server.stop(), client.stop()])
    }
  })

  it('syncs 1,000 records of 4 KiB', async () => {
    const TOPIC = '/p2p-chat/room/1/dddddddddddddddddddddddddd'
    const store = createMemoryHistoryStore({ maxAgeMs: Infinity })
    const records = makeRecords(TOPIC, 1000, 4096)
    await store.add(records)
    const server = await createNode({ store, serves: () => true })
    const client = await createNode({ timeout: 30_000 })
    try {
      await client.peerStore.merge(server.peerId, { multiaddrs: server.getMultiaddrs() })
      let started = performance.now()
      const cold = await client.services.history.sync(server.peerId, TOPIC)
      const coldMs = performance.now() - started
      expect(cold).toEqual(records)

      const runs: number[] = []
      for (let i = 0; i < 5; i++) {
        started = performance.now()
        const warm = await client.services.history.sync(server.peerId, TOPIC)
        runs.push(performance.now() - started)
        expect(warm).toHaveLength(1000)
      }
      runs.sort((a, b) => a - b)
      console.info(`history sync of 1,000 records x 4 KiB (4 MiB) over TCP loopback: ${coldMs.toFixed(0)} ms with the dial, ` +
        `${runs[2]!.toFixed(0)} ms median of 5 on the open connection (min ${runs[0]!.toFixed(0)}, max ${runs[4]!.toFixed(0)})`)
    } finally {
      await Promise.all([server.stop(), client.stop()])
    }
  })
})
