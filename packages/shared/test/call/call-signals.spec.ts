import { lpStream } from '@libp2p/utils'
import { createLibp2p } from 'libp2p'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CALL_PROTOCOL, callSignals, CallSignal, createCallId, decodeCallSignal, encodeCallSignal, MAX_CALL_PARTICIPANTS,
  MAX_CALL_SIGNAL_BYTES
} from '../../src/call/index.js'
import { waitFor } from '../../src/testing/index.js'
import { createPlainNode, errorOf, loopbackOptions } from '../helpers.js'
import type { CallSignals, ReceivedCallSignal } from '../../src/call/index.js'
import type { Libp2p } from '@libp2p/interface'

function signal (fields: Partial<CallSignal> = {}): CallSignal {
  return { type: CallSignal.Type.OFFER, callId: createCallId(), scope: '', participants: [], sdp: 'v=0', candidate: '', ...fields }
}

async function createNode (): Promise<Libp2p<{ calls: CallSignals }>> {
  return createLibp2p({ ...loopbackOptions(), services: { calls: callSignals() } })
}

describe('call signal frames', () => {
  it('round-trip every type, with the optional candidate fields', () => {
    const candidate = signal({ type: CallSignal.Type.CANDIDATE, sdp: '', candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 })
    expect(decodeCallSignal(encodeCallSignal(candidate))).toEqual(candidate)
    const ring = signal({ type: CallSignal.Type.RING, sdp: '', scope: '/p2p-chat/room/1/abc', participants: ['12D3KooWA', '12D3KooWB'] })
    expect(decodeCallSignal(encodeCallSignal(ring))).toEqual(ring)
  })

  it('refuse what breaks the rules, as InvalidCallSignalError', () => {
    const bad = [
      signal({ callId: 'not-hex' }),
      signal({ type: CallSignal.Type.RING, scope: '' }),
      signal({ type: CallSignal.Type.JOIN, scope: 'x'.repeat(257) }),
      signal({ type: CallSignal.Type.RING, scope: 'topic', participants: Array.from({ length: MAX_CALL_PARTICIPANTS + 1 }, (_, i) => `peer${i}`) }),
      signal({ type: CallSignal.Type.ANSWER, sdp: '' }),
      signal({ sdp: 'x'.repeat(MAX_CALL_SIGNAL_BYTES) })
    ]
    for (const s of bad) {
      expect(() => encodeCallSignal(s)).toThrow(expect.objectContaining({ name: 'InvalidCallSignalError' }))
    }
    // a frame another implementation wrote with too many participants does not decode
    const many = CallSignal.encode(signal({ type: CallSignal.Type.RING, scope: 't', participants: Array.from({ length: 7 }, (_, i) => `p${i}`) }))
    expect(() => decodeCallSignal(many)).toThrow(expect.objectContaining({ name: 'InvalidCallSignalError' }))
    expect(() => decodeCallSignal(Uint8Array.of(0xff, 0xff, 0xff))).toThrow(expect.objectContaining({ name: 'InvalidCallSignalError' }))
    // found by the fuzzer: an SDP that is not UTF-8 is refused, not repaired into other text
    const sdp = CallSignal.encode(signal({ sdp: 'v=0' }))
    sdp[sdp.length - 3] = 0xf6
    expect(() => decodeCallSignal(sdp)).toThrow(expect.objectContaining({ name: 'InvalidCallSignalError' }))
  })
})

describe('call signals between two nodes', () => {
  let alice: Libp2p<{ calls: CallSignals }>
  let bob: Libp2p<{ calls: CallSignals }>
  let mallory: Libp2p
  const received: ReceivedCallSignal[] = []

  beforeAll(async () => {
    alice = await createNode()
    bob = await createNode()
    mallory = await createPlainNode()
    bob.services.calls.addEventListener('signal', evt => { received.push(evt.detail) })
    for (const from of [alice, mallory]) {
      await from.peerStore.merge(bob.peerId, { multiaddrs: bob.getMultiaddrs() })
    }
  })

  afterAll(async () => {
    await Promise.all([alice.stop(), bob.stop(), mallory.stop()])
  })

  it('arrive in order, from the authenticated sender, on one stream', async () => {
    const callId = createCallId()
    const sent = Array.from({ length: 20 }, (_, i) => signal({ callId, type: CallSignal.Type.CANDIDATE, sdp: '', candidate: `candidate:${i}` }))
    await Promise.all(sent.map(async s => alice.services.calls.send(bob.peerId, s)))
    await waitFor(() => received.length >= sent.length, 10_000)
    expect(received.map(r => r.signal.candidate)).toEqual(sent.map(s => s.candidate))
    expect(received.every(r => r.from.equals(alice.peerId))).toBe(true)
    const streams = alice.getConnections(bob.peerId).flatMap(c => c.streams).filter(s => s.protocol === CALL_PROTOCOL)
    expect(streams).toHaveLength(1)
    // released: the stream closes once written
    alice.services.calls.release(bob.peerId)
    await waitFor(() => alice.getConnections(bob.peerId).flatMap(c => c.streams).filter(s => s.protocol === CALL_PROTOCOL).length === 0, 10_000)
  })

  it('a broken frame ends that stream and tells the application nothing', async () => {
    const before = received.length
    const stream = await mallory.dialProtocol(bob.peerId, CALL_PROTOCOL)
    const lp = lpStream(stream)
    await lp.write(CallSignal.encode(signal({ callId: 'zz' })))
    await waitFor(() => stream.status !== 'open' || stream.readStatus !== 'readable', 10_000)
    expect(received.length).toBe(before)
  })

  it('a signal to a peer that cannot be reached fails as CallSignalFailedError', async () => {
    await bob.stop()
    const err = await errorOf(alice.services.calls.send(bob.peerId, signal()))
    expect(err.name).toBe('CallSignalFailedError')
  })
})
