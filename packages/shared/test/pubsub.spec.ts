import { generateKeyPair } from '@libp2p/crypto/keys'
import { TopicValidatorResult } from '@libp2p/gossipsub'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { RoomLinks } from '../src/chat/room-links.js'
import { createMessageId, encodeChat, encodeDeparture, encodePresence } from '../src/codec.js'
import { createRoomSecret, derivePrivateRoom, encodeDepartureEnvelope, sealRoomData } from '../src/private-room/index.js'
import { RoomMessage } from '../src/proto/room.js'
import { roomMessageValidator } from '../src/pubsub.js'
import type { Message } from '@libp2p/gossipsub'
import type { PeerId } from '@libp2p/interface'

const roomId = 'aaaaaaaaaaaaaaaaaaaaaaaaaa'
const topic = `/p2p-chat/room/1/${roomId}`

describe('room message validator', async () => {
  const key = await generateKeyPair('Ed25519')
  const peer = peerIdFromPrivateKey(key)
  const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const data = await encodeChat({ id: createMessageId(), name: 'a', text: 'hi', timestamp: Date.now() }, topic, key)
  const signed = (bytes: Uint8Array, from: PeerId = peer, on = topic): Message => ({ type: 'signed', from, topic: on, data: bytes, sequenceNumber: 1n, signature: new Uint8Array(64), key: key.publicKey })

  it('accepts a valid chat line published by its author', async () => {
    expect(await roomMessageValidator()(peer, signed(data))).toBe(TopicValidatorResult.Accept)
  })

  it('rejects unsigned and malformed messages, and lines published by someone other than their author, and reports why', async () => {
    const reasons: string[] = []
    const validate = roomMessageValidator((_, err) => reasons.push(err.name))
    expect(await validate(peer, { type: 'unsigned', topic, data })).toBe(TopicValidatorResult.Reject)
    expect(await validate(peer, signed(Uint8Array.from([1, 2, 3])))).toBe(TopicValidatorResult.Reject)
    expect(await validate(other, signed(data, other))).toBe(TopicValidatorResult.Reject)
    expect(reasons).toEqual(['InvalidMessageError', 'InvalidMessageError', 'AuthorMismatchError'])
  })

  it('rejects a presence or private envelope published under a secp256k1 peer id, which a page could not read', async () => {
    const reasons: string[] = []
    const secp = peerIdFromPrivateKey(await generateKeyPair('secp256k1'))
    const presence = RoomMessage.encode({ version: 1, presence: { name: 'mallory', multiaddrs: [], hello: true, direct: [] } })
    const keys = await derivePrivateRoom(roomId, createRoomSecret())
    const validate = roomMessageValidator((_, err) => reasons.push(err.name))
    expect(await validate(peer, signed(presence, secp))).toBe(TopicValidatorResult.Reject)
    expect(await validate(peer, signed(await sealRoomData(keys, presence), secp, keys.topic))).toBe(TopicValidatorResult.Reject)
    expect(reasons).toEqual(['UnsupportedIdentityError', 'UnsupportedIdentityError'])
    // the same presence under an Ed25519 id is a member's
    expect(await validate(peer, signed(presence))).toBe(TopicValidatorResult.Accept)
  })

  it('rejects a presence whose name would spoof another member\'s (a bidirectional override)', async () => {
    const reasons: string[] = []
    const presence = RoomMessage.encode({ version: 1, presence: { name: '\u202eecila', multiaddrs: [], hello: true, direct: [] } })
    expect(await roomMessageValidator((_, err) => reasons.push(err.name))(peer, signed(presence))).toBe(TopicValidatorResult.Reject)
    expect(reasons).toEqual(['InvalidNameError'])
  })

  it('ignores, without rejecting or decoding, a message its admit hook refuses, and asks it with author and deliverer', async () => {
    const asked: string[] = []
    const reasons: string[] = []
    const validate = roomMessageValidator((_, err) => reasons.push(err.name), {
      admit: (author, from) => { asked.push(`${author.toString()} via ${from.toString()}`); return false }
    })
    expect(await validate(other, signed(Uint8Array.from([1, 2, 3])))).toBe(TopicValidatorResult.Ignore)
    expect(asked).toEqual([`${peer.toString()} via ${other.toString()}`])
    expect(reasons).toEqual([])
    // unsigned messages are rejected before the hook is asked
    expect(await validate(peer, { type: 'unsigned', topic, data })).toBe(TopicValidatorResult.Reject)
    expect(asked).toHaveLength(1)
    expect(await roomMessageValidator(undefined, { admit: () => true })(peer, signed(data))).toBe(TopicValidatorResult.Accept)
  })

  it('notes whom an accepted public room presence names as directly connected; nothing of a rejected one', async () => {
    const links = new RoomLinks()
    const validate = roomMessageValidator(undefined, { links })
    const presence = encodePresence({ name: 'bob', multiaddrs: [], hello: false, direct: [other.toString()] })
    expect(await validate(peer, signed(presence))).toBe(TopicValidatorResult.Accept)
    expect(links.linked(topic, peer.toString(), other.toString())).toBe(true)
    // published under a secp256k1 peer id: the message is refused, and what it says is not noted
    const third = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const forged = encodePresence({ name: 'eve', multiaddrs: [], hello: false, direct: [third.toString()] })
    const secp = peerIdFromPrivateKey(await generateKeyPair('secp256k1'))
    expect(await validate(peer, signed(forged, secp))).toBe(TopicValidatorResult.Reject)
    expect(links.linked(topic, secp.toString(), third.toString())).toBe(false)
  })

  it('notes whom a private room announcement names as directly connected, from its envelope; nothing of a line', async () => {
    const keys = await derivePrivateRoom(roomId, createRoomSecret())
    const links = new RoomLinks()
    const validate = roomMessageValidator(undefined, { links })
    const announce = async (direct: PeerId[]): Promise<Uint8Array> => sealRoomData(keys, data, { ephemeral: true, direct: direct.map(String) })
    expect(await validate(peer, signed(await announce([other]), peer, keys.topic))).toBe(TopicValidatorResult.Accept)
    expect(links.linked(keys.topic, peer.toString(), other.toString())).toBe(true)
    // a line leaves what the member said
    expect(await validate(peer, signed(await sealRoomData(keys, data), peer, keys.topic))).toBe(TopicValidatorResult.Accept)
    expect(links.linked(keys.topic, peer.toString(), other.toString())).toBe(true)
    // its next announcement names nobody: the link is gone
    expect(await validate(peer, signed(await announce([]), peer, keys.topic))).toBe(TopicValidatorResult.Accept)
    expect(links.linked(keys.topic, peer.toString(), other.toString())).toBe(false)
  })

  it('passes a departure notice on, public or private, only when its publisher is one it is told to (a relay\'s peer relays); ignores others without penalty', async () => {
    const keys = await derivePrivateRoom(roomId, createRoomSecret())
    const reasons: string[] = []
    const validate = roomMessageValidator((_, err) => reasons.push(err.name), { departuresFrom: from => from.equals(peer) })
    for (const [notice, on] of [[encodeDeparture(other.toString()), topic], [encodeDepartureEnvelope(other.toString()), keys.topic]] as const) {
      expect(await validate(peer, signed(notice, peer, on))).toBe(TopicValidatorResult.Accept)
      expect(await validate(other, signed(notice, other, on))).toBe(TopicValidatorResult.Ignore)
      expect(await roomMessageValidator()(peer, signed(notice, peer, on))).toBe(TopicValidatorResult.Ignore)
    }
    expect(reasons).toEqual([])
  })

  it('checks only the shape of a private room envelope, which it cannot open', async () => {
    const keys = await derivePrivateRoom(roomId, createRoomSecret())
    const sealed = await sealRoomData(keys, data)
    expect(await roomMessageValidator()(peer, signed(sealed, peer, keys.topic))).toBe(TopicValidatorResult.Accept)
    expect(await roomMessageValidator()(peer, signed(data, peer, keys.topic))).toBe(TopicValidatorResult.Reject)
  })
})
