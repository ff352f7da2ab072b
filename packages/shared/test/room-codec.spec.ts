import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { privateRoomCodec, publicRoomCodec, readRoomData } from '../src/chat/room-codec.js'
import { createMessageId, encodeChat, encodePresence } from '../src/codec.js'
import { createRoomSecret, derivePrivateRoom, readEnvelopeHeader } from '../src/private-room/index.js'
import { RoomMessage } from '../src/proto/room.js'
import { createRoomId } from '../src/room.js'

describe('reading what is published in a room', async () => {
  const key = await generateKeyPair('Ed25519')
  const author = peerIdFromPrivateKey(key).toString()
  const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  const roomId = createRoomId()
  const chat = { id: createMessageId(), name: 'alice', text: 'hello', timestamp: Date.now() }

  it('accepts a public line published by its author, and drops it when someone else published it', async () => {
    const codec = publicRoomCodec(roomId)
    const data = await codec.wrap(await encodeChat(chat, codec.topic, key), { ...chat, ephemeral: false })
    expect(await readRoomData(codec, data, author)).toEqual({ type: 'chat', chat, author })
    await expect(readRoomData(codec, data, other)).rejects.toMatchObject({ name: 'AuthorMismatchError' })
  })

  it('opens a private room\'s sealed line with the secret, and nothing sealed with another secret or labelled falsely', async () => {
    const secret = createRoomSecret()
    const codec = privateRoomCodec(await derivePrivateRoom(roomId, secret))
    const line = await encodeChat(chat, codec.topic, key)
    const data = await codec.wrap(line, { ...chat, ephemeral: false })
    expect(await readRoomData(codec, data, author)).toEqual({ type: 'chat', chat, author })
    expect((await readRoomData(codec, await codec.wrap(encodePresence({ name: 'alice', multiaddrs: [], hello: false }), { id: createMessageId(), timestamp: Date.now(), ephemeral: true }))).type).toBe('presence')

    const stranger = privateRoomCodec(await derivePrivateRoom(roomId, createRoomSecret()))
    await expect(readRoomData(stranger, data)).rejects.toMatchObject({ name: 'DecryptionError' })
    // a member re-labels someone's line with another id or time (history keepers order and dedupe by the label)
    await expect(readRoomData(codec, await codec.wrap(line, { ...chat, id: createMessageId(), ephemeral: false }))).rejects.toMatchObject({ name: 'InvalidMessageError' })
    await expect(readRoomData(codec, await codec.wrap(line, { ...chat, timestamp: chat.timestamp - 1, ephemeral: false }))).rejects.toMatchObject({ name: 'InvalidMessageError' })
    await expect(readRoomData(codec, await codec.wrap(line, { ...chat, ephemeral: true }))).rejects.toMatchObject({ name: 'InvalidMessageError' })
  })

  it('reads a private room presence\'s direct peers from its envelope, where its relay reads them too', async () => {
    const codec = privateRoomCodec(await derivePrivateRoom(roomId, createRoomSecret()))
    const data = await codec.wrap(encodePresence({ name: 'alice', multiaddrs: [], hello: false }), { id: createMessageId(), timestamp: Date.now(), ephemeral: true, direct: [other] })
    expect(readEnvelopeHeader(data).direct).toEqual([other])
    const event = await readRoomData(codec, data, author)
    expect(event.type === 'presence' && event.presence.direct).toEqual([other])
    // one that names them inside instead (another client's) is read there
    const inside = await codec.wrap(encodePresence({ name: 'alice', multiaddrs: [], hello: false, direct: [author] }), { id: createMessageId(), timestamp: Date.now(), ephemeral: true })
    const read = await readRoomData(codec, inside, other)
    expect(read.type === 'presence' && read.presence.direct).toEqual([author])
  })

  it('refuses a presence sealed in a private room whose name holds control or bidirectional characters', async () => {
    const codec = privateRoomCodec(await derivePrivateRoom(roomId, createRoomSecret()))
    for (const name of ['\u202eecila', 'alice\u001b]52;c;cm0gLXJmIH4=\u0007']) {
      const presence = RoomMessage.encode({ version: 1, presence: { name, multiaddrs: [], hello: true, direct: [] } })
      const data = await codec.wrap(presence, { id: createMessageId(), timestamp: Date.now(), ephemeral: true })
      await expect(readRoomData(codec, data)).rejects.toMatchObject({ name: 'InvalidNameError' })
    }
  })
})
