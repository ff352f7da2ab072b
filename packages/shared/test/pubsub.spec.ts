import { generateKeyPair } from '@libp2p/crypto/keys'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { createMessageId, encodeChat } from '../src/codec.js'
import { roomMessageValidator } from '../src/pubsub.js'
import type { Message } from '@libp2p/gossipsub'

describe('room message validator', async () => {
  const key = await generateKeyPair('Ed25519')
  const peer = peerIdFromPrivateKey(key)
  const data = encodeChat({ id: createMessageId(), name: 'a', text: 'hi', timestamp: Date.now() })
  const signed = (bytes: Uint8Array): Message => ({ type: 'signed', from: peer, topic: 't', data: bytes, sequenceNumber: 1n, signature: new Uint8Array(64), key: key.publicKey })

  it('accepts a signed, valid room message', () => {
    expect(roomMessageValidator()(peer, signed(data))).toBe(TopicValidatorResult.Accept)
  })

  it('rejects unsigned and malformed messages and reports why', () => {
    const reasons: string[] = []
    const validate = roomMessageValidator((_, err) => reasons.push(err.name))
    expect(validate(peer, { type: 'unsigned', topic: 't', data })).toBe(TopicValidatorResult.Reject)
    expect(validate(peer, signed(Uint8Array.from([1, 2, 3])))).toBe(TopicValidatorResult.Reject)
    expect(reasons).toEqual(['Error', 'InvalidMessageError'])
  })
})
