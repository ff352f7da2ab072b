import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CallSignal, decodeCallSignal, encodeCallSignal, MAX_CALL_PARTICIPANTS } from '../../src/call/index.js'
import { fuzz, fuzzTestTimeout, outcomeOf, settle, wireInput } from '../../src/testing/index.js'

const CALL_ID = '0123456789abcdef0123456789abcdef'
const PEER = '12D3KooWLRPJAA5o6Z6gmhPnDNQUk7xGURWfQaaZCwxL9BpsRH9s'
const base = { callId: CALL_ID, scope: '', participants: [], sdp: '', candidate: '' }
/** Real frames of every type, as peers write them. */
const SEEDS: Uint8Array[] = [
  { ...base, type: CallSignal.Type.RING, scope: '/p2p-chat/room/1/aaaaaaaaaaaaaaaaaaaaaaaaaa', participants: [PEER, PEER] },
  { ...base, type: CallSignal.Type.JOIN, scope: 'dm' },
  { ...base, type: CallSignal.Type.OFFER, sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n' },
  { ...base, type: CallSignal.Type.ANSWER, sdp: 'v=0\r\n' },
  { ...base, type: CallSignal.Type.CANDIDATE, candidate: 'candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
  { ...base, type: CallSignal.Type.LEAVE }
].map(s => encodeCallSignal(s))

describe('fuzz: call signals', () => {
  it('decodeCallSignal refuses with InvalidCallSignalError only, and what it accepts keeps the rules', async () => {
    await fuzz('call-signal', wireInput(fc.constantFrom(...SEEDS)), async (bytes) => {
      const settled = await settle(() => decodeCallSignal(bytes), ['InvalidCallSignalError'])
      if (settled.ok) {
        const signal = settled.value
        expect(signal.callId).toMatch(/^[0-9a-f]{32}$/)
        expect(signal.participants.length).toBeLessThanOrEqual(MAX_CALL_PARTICIPANTS)
        // what was accepted can be written again, as it was read
        expect(decodeCallSignal(encodeCallSignal(signal))).toEqual(signal)
      }
      return outcomeOf(settled)
    }, { runs: 10_000 })
  }, fuzzTestTimeout())
})
