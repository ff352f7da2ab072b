import { lpStream } from '@libp2p/utils'
import fc from 'fast-check'
import { createLibp2p } from 'libp2p'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validateMessageId, validateName, validateText } from '../../src/codec.js'
import { DEFAULT_DM_MAX_MESSAGE_BYTES, DM_PROTOCOL, MAX_DM_ACK_BYTES } from '../../src/constants.js'
import { directMessages } from '../../src/dm/index.js'
import { parseAck, parseRequest, prepareRequest } from '../../src/dm/request.js'
import { DirectMessage, DirectMessageAck } from '../../src/proto/dm.js'
import { fuzz, fuzzTestTimeout, LIVE_MAX_RUNS, outcomeOf, settle, wireInput, waitFor } from '../../src/testing/index.js'
import { createPlainNode, lengthPrefixed, loopbackOptions, rawExchange } from '../helpers.js'
import { fixedId, NOW } from './fixtures.js'
import type { DirectMessages, ReceivedDirectMessage } from '../../src/dm/index.js'
import type { Libp2p } from '@libp2p/interface'

/** What a sender's send() may reject with when the receiver misbehaves. */
const SEND_ERRORS = ['DirectMessageProtocolError', 'DirectMessageRejectedError', 'DirectMessageTimeoutError', 'PeerUnreachableError']
const STATUSES = [DirectMessageAck.Status.OK, DirectMessageAck.Status.INVALID, DirectMessageAck.Status.TOO_LARGE]
/** A small timeout for the sender: a hostile receiver that answers nothing costs this much per case. */
const SEND_TIMEOUT_MS = 1000

/** Requests as a real sender encodes them, texts and names at their limits among them. */
function requestSeeds (): Uint8Array[] {
  const texts: Array<[string, string]> = [['alice', 'hi'], ['bob', 'x'.repeat(4096)], ['n'.repeat(64), 'é'.repeat(2048)], ['carol', 'line\nbreak']]
  return texts.map(([name, text], i) => prepareRequest({ id: fixedId(i), name, text }, DEFAULT_DM_MAX_MESSAGE_BYTES, NOW).bytes)
}

/** Requests built field by field: ids, names, texts and times at and beyond their limits. */
function requestFields (): fc.Arbitrary<Uint8Array> {
  const text = fc.oneof(fc.string({ maxLength: 40, unit: 'binary' }), fc.constantFrom('', ' ', 'x'.repeat(4097), 'n'.repeat(65), 'é'.repeat(2049)))
  return fc.record({
    id: fc.oneof(fc.constant(fixedId(7)), fc.string({ maxLength: 40 }), fc.constant(fixedId(7).toUpperCase())),
    name: text,
    text,
    timestamp: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constantFrom(0n, BigInt(NOW), 2n ** 53n))
  }).map(request => DirectMessage.encode(request))
}

/** Checks what parseRequest made of a frame: a message only with an OK ack, every field within its rules. */
function checkParsed (parsed: ReturnType<typeof parseRequest>): void {
  const { ack, message } = parsed
  expect(STATUSES).toContain(ack.status)
  expect(DirectMessageAck.encode(ack).byteLength).toBeLessThanOrEqual(MAX_DM_ACK_BYTES)
  if (ack.id !== '') {
    validateMessageId(ack.id)
  }
  if (ack.status === DirectMessageAck.Status.OK) {
    expect(message).toBeDefined()
    expect(message!.id).toBe(ack.id)
    expect(validateName(message!.name)).toBe(message!.name.trim())
    validateText(message!.text)
  } else {
    expect(message).toBeUndefined()
  }
}

describe('fuzz: direct messages', () => {
  const requests = wireInput(fc.oneof(fc.constantFrom(...requestSeeds()), requestFields()))

  it('parseRequest (the receiver) never throws, and delivers only valid messages with an OK ack', async () => {
    await fuzz('dm-request', requests, (frame) => {
      const parsed = parseRequest(frame)
      checkParsed(parsed)
      return parsed.ack.status
    }, { runs: 5000 })
  }, fuzzTestTimeout())

  it('parseAck (the sender) refuses anything but an ack for its own message with DirectMessageProtocolError', async () => {
    const id = fixedId(1)
    const acks = STATUSES.flatMap(status => [DirectMessageAck.encode({ id, status }), DirectMessageAck.encode({ id: '', status })])
    await fuzz('dm-ack', wireInput(fc.constantFrom(...acks)), async (frame) => {
      const settled = await settle(() => parseAck(frame, id), ['DirectMessageProtocolError'])
      if (settled.ok) {
        const ack = settled.value
        expect(ack.id === id || (ack.id === '' && ack.status !== DirectMessageAck.Status.OK)).toBe(true)
        return ack.status
      }
      return outcomeOf(settled)
    }, { runs: 10_000 })
  }, fuzzTestTimeout())

  describe('on real nodes', () => {
    let alice: Libp2p<{ dm: DirectMessages }>
    let bob: Libp2p<{ dm: DirectMessages }>
    /** plays the hostile peer with raw streams */
    let carol: Libp2p
    const received: ReceivedDirectMessage[] = []

    beforeAll(async () => {
      alice = await createLibp2p({ ...loopbackOptions(), services: { dm: directMessages({ timeout: SEND_TIMEOUT_MS }) } })
      bob = await createLibp2p({ ...loopbackOptions(), services: { dm: directMessages() } })
      carol = await createPlainNode()
      bob.services.dm.addEventListener('message', (evt) => { received.push(evt.detail) })
      await alice.peerStore.merge(bob.peerId, { multiaddrs: bob.getMultiaddrs() })
      await alice.peerStore.merge(carol.peerId, { multiaddrs: carol.getMultiaddrs() })
      await carol.peerStore.merge(bob.peerId, { multiaddrs: bob.getMultiaddrs() })
    })

    afterAll(async () => {
      await Promise.all([alice?.stop(), bob?.stop(), carol?.stop()])
    })

    /** Open direct-message streams on bob's side of its connections. */
    const bobStreams = (): number => bob.getConnections().flatMap(c => c.streams).filter(s => s.protocol === DM_PROTOCOL).length

    it('the receiver acks each request in order, stops at the first refusal, delivers only the valid ones, and ends every stream', async () => {
      // one to three frames on a stream (each length-prefixed, some over the size limit), maybe a broken tail
      const frames = fc.array(fc.oneof({ weight: 9, arbitrary: requests }, { weight: 1, arbitrary: fc.uint8Array({ minLength: DEFAULT_DM_MAX_MESSAGE_BYTES + 1, maxLength: DEFAULT_DM_MAX_MESSAGE_BYTES + 4 }) }), { minLength: 1, maxLength: 3 })
      const tail = fc.option(fc.oneof(fc.constantFrom(Uint8Array.of(0xff), Uint8Array.of(0xa8, 0x46, 1), Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)), fc.uint8Array({ maxLength: 8 })), { nil: undefined })
      await fuzz('dm-receiver', fc.record({ frames, tail }), async ({ frames, tail }) => {
        const before = received.length
        const answer = await rawExchange(carol, bob.peerId, DM_PROTOCOL, [...frames.map(lengthPrefixed), ...(tail == null ? [] : [tail])])
        // what bob must have answered, frame by frame, until a refusal
        const expected: DirectMessageAck[] = []
        const delivered: string[] = []
        for (const frame of frames) {
          const { ack, message } = frame.byteLength > DEFAULT_DM_MAX_MESSAGE_BYTES ? { ack: { id: '', status: DirectMessageAck.Status.TOO_LARGE }, message: undefined } : parseRequest(frame)
          expected.push(ack)
          if (message != null) delivered.push(message.id)
          if (ack.status !== DirectMessageAck.Status.OK) break
        }
        const acks = answer.frames.map(frame => DirectMessageAck.decode(frame))
        const refused = expected.at(-1)!.status !== DirectMessageAck.Status.OK
        // after the last request, a broken tail may be answered with one more refusal
        expect(acks.slice(0, expected.length)).toEqual(expected)
        expect(acks.length - expected.length).toBeLessThanOrEqual(refused || tail == null ? 0 : 1)
        expect(answer.rest).toBe(0)
        expect(received.slice(before).map(m => m.id)).toEqual(delivered)
        expect(received.slice(before).every(m => m.from.equals(carol.peerId))).toBe(true)
        return `${answer.ended}, ${acks.at(-1)?.status ?? 'no ack'}`
      }, { runs: 300, maxRuns: LIVE_MAX_RUNS })
      await waitFor(() => bobStreams() === 0)
    }, fuzzTestTimeout())

    it('a sender facing a hostile receiver rejects with typed errors only', async () => {
      const id = fixedId(42)
      const acks = STATUSES.flatMap(status => [DirectMessageAck.encode({ id, status }), DirectMessageAck.encode({ id: '', status })])
      // how carol answers a request: a frame (an ack, mutated or not, or anything), raw bytes, a close, or a reset
      const answers = fc.oneof(
        fc.record({ kind: fc.constant('frame' as const), bytes: wireInput(fc.constantFrom(...acks), { maxRandomBytes: 2 * MAX_DM_ACK_BYTES }) }),
        fc.record({ kind: fc.constant('raw' as const), bytes: fc.uint8Array({ maxLength: 16 }) }),
        fc.record({ kind: fc.constantFrom('close' as const, 'reset' as const), bytes: fc.constant(new Uint8Array(0)) })
      )
      let answer: { kind: 'frame' | 'raw' | 'close' | 'reset', bytes: Uint8Array } = { kind: 'close', bytes: new Uint8Array(0) }
      await carol.handle(DM_PROTOCOL, async (stream) => {
        try {
          const lp = lpStream(stream)
          await lp.read()
          if (answer.kind === 'reset') {
            stream.abort(new Error('hostile reset'))
            return
          }
          if (answer.kind !== 'close') {
            stream.send(answer.kind === 'frame' ? lengthPrefixed(answer.bytes) : answer.bytes)
          }
          await stream.close()
        } catch (err) {
          stream.abort(err as Error)
        }
      })
      try {
        await fuzz('dm-sender', answers, async (a) => {
          answer = a
          const settled = await settle(async () => alice.services.dm.send(carol.peerId, { id, name: 'alice', text: 'hi' }), SEND_ERRORS)
          if (settled.ok) {
            expect(DirectMessageAck.decode(a.bytes)).toMatchObject({ id, status: DirectMessageAck.Status.OK })
          }
          return outcomeOf(settled)
        }, { runs: 200, maxRuns: LIVE_MAX_RUNS })
      } finally {
        await carol.unhandle(DM_PROTOCOL)
      }
    }, fuzzTestTimeout())

    it('still delivers an honest message afterwards', async () => {
      const before = received.length
      await alice.services.dm.send(bob.peerId, { name: 'alice', text: 'still here' })
      expect(received.slice(before).map(m => m.text)).toEqual(['still here'])
    })
  })
})
