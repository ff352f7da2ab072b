import { lpStream } from '@libp2p/utils'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FILE_ID_BYTES } from '../../src/constants.js'
import {
  bytesSource, FILE_CHUNK_BYTES, FILE_PROTOCOL, MAX_FILE_TOPIC_BYTES, MAX_FILE_WINDOW_CHUNKS, memorySink
} from '../../src/file/index.js'
import { encodeFileCredit, encodeFileRequest, encodeFileResponse, parseFileCredit, parseFileRequest, parseFileResponse } from '../../src/file/wire.js'
import { FileResponse } from '../../src/proto/file.js'
import { fuzz, fuzzTestTimeout, LIVE_MAX_RUNS, outcomeOf, settle, wireInput, waitFor } from '../../src/testing/index.js'
import { utf8Length } from '../../src/util/utf8.js'
import { filesNode, randomFile, sha256 } from '../file/helpers.js'
import { createPlainNode, lengthPrefixed, rawExchange } from '../helpers.js'
import { TOPIC } from './fixtures.js'
import type { FilesNode } from '../file/helpers.js'
import type { Libp2p } from '@libp2p/interface'

/** What fetch() may reject with when the serving peer misbehaves. */
const FETCH_ERRORS = [
  'FileNotFoundError', 'FileTooLargeError', 'FileRequestRefusedError', 'DirectConnectionRequiredError', 'FileTransferProtocolError',
  'FileIntegrityError', 'FileTransferInterruptedError', 'FileTransferTimeoutError'
]
/** A fixed file: three chunks and a bit, so a request with a window of 4 is answered whole. */
const FILE = randomFile(3 * FILE_CHUNK_BYTES + 5)
const ID = sha256(FILE)

function requestSeeds (): Uint8Array[] {
  return [
    encodeFileRequest({ id: ID, offset: 0, topic: TOPIC, maxSize: 0, window: 4 }),
    encodeFileRequest({ id: ID, offset: 2 * FILE_CHUNK_BYTES, topic: TOPIC, maxSize: FILE.byteLength, window: 1 }),
    encodeFileRequest({ id: 'ab'.repeat(32), offset: 0, topic: TOPIC, maxSize: 10, window: MAX_FILE_WINDOW_CHUNKS })
  ]
}

describe('fuzz: file transfer', () => {
  const requests = wireInput(fc.constantFrom(...requestSeeds()))

  it('parseFileRequest (the server) never throws, and accepts only requests within the rules', async () => {
    await fuzz('file-request', requests, (frame) => {
      const request = parseFileRequest(frame)
      if (request == null) {
        return 'INVALID'
      }
      expect(request.id).toMatch(new RegExp(`^[0-9a-f]{${FILE_ID_BYTES * 2}}$`))
      expect(utf8Length(request.topic)).toBeGreaterThan(0)
      expect(utf8Length(request.topic)).toBeLessThanOrEqual(MAX_FILE_TOPIC_BYTES)
      expect(request.window).toBeGreaterThanOrEqual(1)
      expect(request.window).toBeLessThanOrEqual(MAX_FILE_WINDOW_CHUNKS)
      expect(Number.isSafeInteger(request.offset) && request.offset >= 0).toBe(true)
      return 'accepted'
    }, { runs: 5000 })
  }, fuzzTestTimeout())

  it('parseFileResponse and parseFileCredit (the two readers of the other side) refuse with FileTransferProtocolError only', async () => {
    const responses = [FileResponse.Status.OK, FileResponse.Status.TOO_LARGE, FileResponse.Status.REFUSED_RELAYED].map(s => encodeFileResponse(s, 12345))
    await fuzz('file-response', wireInput(fc.constantFrom(...responses)), async (frame) => {
      const settled = await settle(() => parseFileResponse(frame), ['FileTransferProtocolError'])
      if (settled.ok) {
        expect(Number.isSafeInteger(settled.value.size) && settled.value.size >= 0).toBe(true)
        return settled.value.status
      }
      return outcomeOf(settled)
    }, { runs: 5000 })
    await fuzz('file-credit', wireInput(fc.constantFrom(encodeFileCredit(1), encodeFileCredit(MAX_FILE_WINDOW_CHUNKS))), async (frame) => {
      const settled = await settle(() => parseFileCredit(frame), ['FileTransferProtocolError'])
      if (settled.ok) {
        expect(settled.value).toBeGreaterThanOrEqual(1)
        expect(settled.value).toBeLessThanOrEqual(MAX_FILE_WINDOW_CHUNKS)
      }
      return outcomeOf(settled)
    }, { runs: 5000 })
  }, fuzzTestTimeout())

  describe('on real nodes', () => {
    /** serves FILE */
    let alice: FilesNode
    /** fetches (from alice, and from mallory) */
    let bob: FilesNode
    /** plays the hostile peer with raw streams, both ways */
    let mallory: Libp2p

    beforeAll(async () => {
      alice = await filesNode({ idleTimeout: 500 })
      bob = await filesNode({ timeout: 1000, idleTimeout: 1000 })
      mallory = await createPlainNode()
      await alice.services.files.serve(bytesSource(FILE), { topic: TOPIC })
      await mallory.dial(alice.getMultiaddrs())
      await bob.dial(mallory.getMultiaddrs())
      await bob.dial(alice.getMultiaddrs())
    })

    afterAll(async () => {
      await Promise.all([alice?.stop(), bob?.stop(), mallory?.stop()])
    })

    it('the server answers every request with one response (and, when OK, no more chunks than granted), or resets; it keeps serving', async () => {
      const credits = fc.array(wireInput(fc.constant(encodeFileCredit(2))), { maxLength: 3 })
      await fuzz('file-server', fc.record({ request: requests, credits }), async ({ request, credits }) => {
        const answer = await rawExchange(mallory, alice.peerId, FILE_PROTOCOL, [lengthPrefixed(request), ...credits.map(lengthPrefixed)])
        if (answer.frames.length === 0) {
          return `${answer.ended}, no answer`
        }
        const response = parseFileResponse(answer.frames[0]!)
        const parsed = parseFileRequest(request)
        if (response.status === FileResponse.Status.OK) {
          expect(parsed).toBeDefined()
          const chunks = answer.frames.slice(1)
          // never more than the window and the credits could have granted
          expect(chunks.length).toBeLessThanOrEqual(parsed!.window + credits.length * MAX_FILE_WINDOW_CHUNKS)
          chunks.forEach((chunk, i) => {
            const at = parsed!.offset + i * FILE_CHUNK_BYTES
            expect(Buffer.from(chunk).equals(Buffer.from(FILE.subarray(at, at + FILE_CHUNK_BYTES)))).toBe(true)
          })
        } else {
          expect(answer.frames).toHaveLength(1)
        }
        return `${answer.ended}, ${response.status}`
      }, { runs: 300, maxRuns: LIVE_MAX_RUNS })
      await waitFor(() => alice.services.files.uploads().length === 0, 5_000)
      const sink = memorySink()
      await bob.services.files.fetch(alice.peerId, { id: ID, topic: TOPIC, sink })
      expect(sha256(sink.bytes())).toBe(ID)
    }, fuzzTestTimeout())

    it('a fetch from a hostile server rejects with typed errors only, and succeeds only with the right bytes', async () => {
      // how mallory answers: a response (mutated or not), then chunks (the file's, mutated or not), then a close or a reset
      const responses = wireInput(fc.constantFrom(encodeFileResponse(FileResponse.Status.OK, FILE.byteLength), encodeFileResponse(FileResponse.Status.NOT_FOUND)))
      const chunks = [0, 1, 2, 3].map(i => FILE.subarray(i * FILE_CHUNK_BYTES, (i + 1) * FILE_CHUNK_BYTES))
      const behaviours = fc.record({
        response: responses,
        chunks: fc.oneof(
          { weight: 1, arbitrary: fc.constant(chunks) },
          { weight: 4, arbitrary: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...chunks) }, { weight: 1, arbitrary: wireInput(fc.constantFrom(...chunks), { maxRandomBytes: 64 }) }), { maxLength: 5 }) }
        ),
        end: fc.constantFrom('close' as const, 'reset' as const)
      })
      let behaviour: { response: Uint8Array, chunks: Uint8Array[], end: 'close' | 'reset' } = { response: new Uint8Array(0), chunks: [], end: 'close' }
      await mallory.handle(FILE_PROTOCOL, async (stream) => {
        try {
          const lp = lpStream(stream)
          await lp.read()
          await lp.write(behaviour.response)
          for (const chunk of behaviour.chunks) {
            await lp.write(chunk)
          }
          if (behaviour.end === 'reset') {
            stream.abort(new Error('hostile reset'))
            return
          }
          await stream.close()
        } catch (err) {
          stream.abort(err as Error)
        }
      })
      try {
        await fuzz('file-fetcher', behaviours, async (b) => {
          behaviour = b
          const sink = memorySink()
          const settled = await settle(async () => bob.services.files.fetch(mallory.peerId, { id: ID, topic: TOPIC, sink }), FETCH_ERRORS)
          if (settled.ok) {
            expect(sha256(sink.bytes())).toBe(ID)
          }
          return outcomeOf(settled)
        }, { runs: 200, maxRuns: LIVE_MAX_RUNS })
      } finally {
        await mallory.unhandle(FILE_PROTOCOL)
      }
    }, fuzzTestTimeout())
  })
})
