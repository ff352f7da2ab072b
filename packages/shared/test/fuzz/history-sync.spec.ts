import { lpStream } from '@libp2p/utils'
import fc from 'fast-check'
import { createLibp2p } from 'libp2p'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryHistoryStore } from '../../src/history/index.js'
import {
  HISTORY_RECORD_ID_BYTES, HISTORY_SYNC_PROTOCOL, MAX_HISTORY_HAVE_IDS, MAX_HISTORY_RECORD_DATA_BYTES,
  MAX_HISTORY_REQUEST_BYTES, MAX_HISTORY_SYNC_RECORDS, MAX_HISTORY_TOPIC_BYTES, historySync
} from '../../src/history/sync/index.js'
import { encodeRecord, parseRecord, parseResponse, parseSyncRequest, prepareSyncRequest, selectRecords } from '../../src/history/sync/request.js'
import { compareRecords } from '../../src/history/timeline.js'
import { HistoryRecordMessage, HistoryRequest, HistoryResponse } from '../../src/proto/history.js'
import { fuzz, fuzzTestTimeout, LIVE_MAX_RUNS, outcomeOf, settle, wireInput, waitFor } from '../../src/testing/index.js'
import { createPlainNode, lengthPrefixed, loopbackOptions, rawExchange } from '../helpers.js'
import { fixedId, NOW, roomSeeds, TOPIC } from './fixtures.js'
import type { HistoryRecord, HistoryStore } from '../../src/history/index.js'
import type { HistorySync } from '../../src/history/sync/index.js'
import type { SyncRequest } from '../../src/history/sync/request.js'
import type { Libp2p } from '@libp2p/interface'

/** What sync() may reject with when the server misbehaves. */
const SYNC_ERRORS = ['HistorySyncProtocolError', 'HistorySyncRejectedError', 'HistoryNotServedError', 'HistorySyncTimeoutError', 'PeerUnreachableError']
const UNSERVED = '/p2p-chat/room/1/cccccccccccccccccccccccccc'
const STATUSES = [HistoryResponse.Status.OK, HistoryResponse.Status.NOT_SERVED, HistoryResponse.Status.INVALID]
/** A small timeout for the requester: a hostile server that holds the stream open costs this much per case. */
const SYNC_TIMEOUT_MS = 1000

/** The records a server keeps: the room's real lines, ten minutes apart. */
function storedRecords (lines: Array<{ id: string, bytes: Uint8Array }>): HistoryRecord[] {
  return Array.from({ length: 12 }, (_, i) => ({ topic: TOPIC, id: fixedId(200 + i), timestamp: NOW - (12 - i) * 600_000, data: lines[i % lines.length]!.bytes }))
}

/** Requests as a real requester encodes them. */
function requestSeeds (records: HistoryRecord[]): Uint8Array[] {
  return [
    prepareSyncRequest(TOPIC).bytes,
    prepareSyncRequest(TOPIC, { since: records[4]!.timestamp, have: records.slice(5, 8).map(r => r.id), limit: 3 }).bytes,
    prepareSyncRequest(UNSERVED, { limit: 1 }).bytes,
    prepareSyncRequest('t'.repeat(MAX_HISTORY_TOPIC_BYTES), { have: Array.from({ length: 40 }, (_, i) => fixedId(i)) }).bytes
  ]
}

/** Requests built field by field, at and beyond every limit. */
function requestFields (records: HistoryRecord[]): fc.Arbitrary<Uint8Array> {
  const id = fc.oneof(fc.constantFrom(...records.map(r => uint8ArrayFromString(r.id, 'base16'))), fc.uint8Array({ maxLength: HISTORY_RECORD_ID_BYTES + 1 }))
  return fc.record({
    topic: fc.oneof(fc.constantFrom(TOPIC, UNSERVED, '', 'x'.repeat(MAX_HISTORY_TOPIC_BYTES + 1), 'é'.repeat(129)), fc.string({ maxLength: 40 })),
    since: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constantFrom(0n, BigInt(records[6]!.timestamp), 2n ** 53n)),
    have: fc.array(id, { maxLength: 8 }),
    limit: fc.oneof(fc.nat({ max: MAX_HISTORY_SYNC_RECORDS + 2 }), fc.constantFrom(0, 2 ** 32 - 1))
  }).map(request => HistoryRequest.encode(request))
}

describe('fuzz: history sync', () => {
  let records: HistoryRecord[]
  let requests: fc.Arbitrary<Uint8Array>

  beforeAll(async () => {
    records = storedRecords((await roomSeeds()).lines)
    requests = wireInput(fc.oneof(fc.constantFrom(...requestSeeds(records)), requestFields(records)))
  })

  it('parseSyncRequest (the server) never throws, and lets through only requests within every limit', async () => {
    await fuzz('history-request', requests, (frame) => {
      const parsed = parseSyncRequest(frame, MAX_HISTORY_SYNC_RECORDS)
      if (parsed == null) {
        return 'INVALID'
      }
      expect(frame.byteLength).toBeLessThanOrEqual(MAX_HISTORY_REQUEST_BYTES)
      expect(parsed.topic).not.toBe('')
      expect(new TextEncoder().encode(parsed.topic).byteLength).toBeLessThanOrEqual(MAX_HISTORY_TOPIC_BYTES)
      expect(Number.isSafeInteger(parsed.since) && parsed.since >= 0).toBe(true)
      expect(parsed.limit >= 1 && parsed.limit <= MAX_HISTORY_SYNC_RECORDS).toBe(true)
      expect(parsed.have.size).toBeLessThanOrEqual(MAX_HISTORY_HAVE_IDS)
      expect([...parsed.have].every(id => /^[0-9a-f]{32}$/.test(id))).toBe(true)
      return 'parsed'
    }, { runs: 5000 })
  }, fuzzTestTimeout())

  describe('the requester\'s checks', () => {
    let request: SyncRequest
    const frames = (): fc.Arbitrary<Uint8Array> => wireInput(fc.oneof(
      fc.constantFrom(...STATUSES.flatMap(status => [0, 2, 3, 4].map(count => HistoryResponse.encode({ status, count })))),
      fc.constantFrom(...records.map(encodeRecord))
    ))

    beforeAll(() => {
      request = prepareSyncRequest(TOPIC, { since: records[2]!.timestamp, have: [records[5]!.id], limit: 3 })
    })

    it('parseResponse refuses with HistorySyncProtocolError only, and never lets more records be announced than asked for', async () => {
      await fuzz('history-response', frames(), async (frame) => {
        const settled = await settle(() => parseResponse(frame, request), ['HistorySyncProtocolError'])
        if (settled.ok && settled.value.status === HistoryResponse.Status.OK) {
          expect(settled.value.count).toBeLessThanOrEqual(request.limit)
        }
        return settled.ok ? settled.value.status : outcomeOf(settled)
      }, { runs: 5000 })
    }, fuzzTestTimeout())

    it('parseRecord refuses with HistorySyncProtocolError only; a record it returns keeps every promise', async () => {
      const previous = fc.option(fc.constantFrom(...records.slice(2, 8)), { nil: undefined })
      await fuzz('history-record', fc.tuple(frames(), previous), async ([frame, before]) => {
        const settled = await settle(() => parseRecord(frame, request, before), ['HistorySyncProtocolError'])
        if (settled.ok) {
          const record = settled.value
          expect(record.topic).toBe(TOPIC)
          expect(record.id).toMatch(/^[0-9a-f]{32}$/)
          expect(record.timestamp).toBeGreaterThanOrEqual(request.since)
          expect(Number.isSafeInteger(record.timestamp)).toBe(true)
          expect(record.data.byteLength).toBeLessThanOrEqual(MAX_HISTORY_RECORD_DATA_BYTES)
          expect(request.have.has(record.id)).toBe(false)
          if (before != null) {
            expect(compareRecords(before, record)).toBeLessThan(0)
          }
        }
        return outcomeOf(settled)
      }, { runs: 5000 })
    }, fuzzTestTimeout())
  })

  describe('on real nodes', () => {
    let alice: Libp2p<{ history: HistorySync }>
    let bob: Libp2p<{ history: HistorySync }>
    let bobStore: HistoryStore
    /** plays the hostile peer with raw streams */
    let carol: Libp2p

    beforeAll(async () => {
      bobStore = createMemoryHistoryStore({ maxAgeMs: Infinity })
      await bobStore.add(records)
      alice = await createLibp2p({ ...loopbackOptions(), services: { history: historySync({ timeout: SYNC_TIMEOUT_MS }) } })
      bob = await createLibp2p({ ...loopbackOptions(), services: { history: historySync({ store: bobStore, serves: topic => topic === TOPIC }) } })
      carol = await createPlainNode()
      await alice.peerStore.merge(bob.peerId, { multiaddrs: bob.getMultiaddrs() })
      await alice.peerStore.merge(carol.peerId, { multiaddrs: carol.getMultiaddrs() })
      await carol.peerStore.merge(bob.peerId, { multiaddrs: bob.getMultiaddrs() })
    })

    afterAll(async () => {
      await Promise.all([alice?.stop(), bob?.stop(), carol?.stop()])
    })

    it('the server answers every request with a status and exactly the records it announced, or refuses it, and ends the stream', async () => {
      const broken = fc.constantFrom(Uint8Array.of(0xff), Uint8Array.of(0xff, 0xff, 0x04), Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01))
      const sent = fc.oneof(
        { weight: 9, arbitrary: fc.oneof(fc.constantFrom(...requestSeeds(records)), requests).map(frame => ({ framed: true, bytes: lengthPrefixed(frame), frame })) },
        { weight: 1, arbitrary: broken.map(bytes => ({ framed: false, bytes, frame: bytes })) }
      )
      const stored = await bobStore.list(TOPIC)
      await fuzz('history-server', sent, async ({ framed, bytes, frame }) => {
        const answer = await rawExchange(carol, bob.peerId, HISTORY_SYNC_PROTOCOL, [bytes])
        expect(answer.rest).toBe(0)
        if (answer.frames.length === 0) {
          // only a frame cut short may be answered with a reset and nothing else
          expect(framed && frame.byteLength <= MAX_HISTORY_REQUEST_BYTES).toBe(false)
          return answer.ended
        }
        const response = HistoryResponse.decode(answer.frames[0]!)
        expect(answer.frames.length - 1).toBe(response.count)
        const parsed = framed ? parseSyncRequest(frame, MAX_HISTORY_SYNC_RECORDS) : undefined
        if (parsed == null) {
          expect(response).toEqual({ status: HistoryResponse.Status.INVALID, count: 0 })
        } else if (parsed.topic !== TOPIC) {
          expect(response).toEqual({ status: HistoryResponse.Status.NOT_SERVED, count: 0 })
        } else {
          expect(response.status).toBe(HistoryResponse.Status.OK)
          const want = selectRecords(stored.filter(r => r.timestamp >= parsed.since), parsed).map(encodeRecord)
          expect(answer.frames.slice(1)).toEqual(want)
        }
        return `${answer.ended}, ${response.status}`
      }, { runs: 300, maxRuns: LIVE_MAX_RUNS })
      await waitFor(() => bob.getConnections().flatMap(c => c.streams).every(s => s.protocol !== HISTORY_SYNC_PROTOCOL))
    }, fuzzTestTimeout())

    it('a requester facing a hostile server rejects with typed errors only, and returns only records that keep every promise', async () => {
      const have = [records[5]!.id]
      const since = records[2]!.timestamp
      const limit = 4
      // carol's answer: a response frame, then record frames (each maybe mutated), then maybe raw bytes; or a reset
      const asIs = <T>(values: fc.Arbitrary<T>, mutated: fc.Arbitrary<T>): fc.Arbitrary<T> => fc.oneof({ weight: 3, arbitrary: values }, { weight: 1, arbitrary: mutated })
      const responses = fc.constantFrom(...STATUSES.flatMap(status => [0, 1, 3, 4, 5].map(count => HistoryResponse.encode({ status, count }))))
      const recordFrames = fc.constantFrom(...records.map(encodeRecord))
      const answers = fc.record({
        response: asIs(responses, wireInput(responses)),
        records: fc.array(asIs(recordFrames, wireInput(recordFrames, { maxMutations: 2 })), { maxLength: 6 }),
        tail: fc.option(fc.uint8Array({ minLength: 1, maxLength: 8 }), { nil: undefined }),
        reset: fc.boolean()
      })
      let answer: { response: Uint8Array, records: Uint8Array[], tail?: Uint8Array, reset: boolean } = { response: new Uint8Array(0), records: [], reset: true }
      await carol.handle(HISTORY_SYNC_PROTOCOL, async (stream) => {
        try {
          await lpStream(stream).read()
          for (const frame of [answer.response, ...answer.records]) {
            stream.send(lengthPrefixed(frame))
          }
          if (answer.tail != null) {
            stream.send(answer.tail)
          }
          if (answer.reset) {
            stream.abort(new Error('hostile reset'))
          } else {
            await stream.close()
          }
        } catch (err) {
          stream.abort(err as Error)
        }
      })
      try {
        await fuzz('history-requester', answers, async (a) => {
          answer = a
          const settled = await settle(async () => alice.services.history.sync(carol.peerId, TOPIC, { since, have, limit }), SYNC_ERRORS)
          if (settled.ok) {
            const got = settled.value
            expect(got.length).toBeLessThanOrEqual(limit)
            for (const [i, record] of got.entries()) {
              expect(record.topic).toBe(TOPIC)
              expect(record.timestamp).toBeGreaterThanOrEqual(since)
              expect(have).not.toContain(record.id)
              expect(HistoryRecordMessage.decode(encodeRecord(record)).id.byteLength).toBe(HISTORY_RECORD_ID_BYTES)
              if (i > 0) {
                expect(compareRecords(got[i - 1]!, record)).toBeLessThan(0)
              }
            }
            return `${got.length} records`
          }
          return outcomeOf(settled)
        }, { runs: 200, maxRuns: LIVE_MAX_RUNS })
      } finally {
        await carol.unhandle(HISTORY_SYNC_PROTOCOL)
      }
    }, fuzzTestTimeout())

    it('still serves an honest requester afterwards', async () => {
      expect(await alice.services.history.sync(bob.peerId, TOPIC)).toEqual(records)
    })
  })
})
