import { generateKeyPair, publicKeyFromProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { createMessageId, decodeRoomMessage, encodeChat, encodePresence } from '../src/codec.js'
import { CHAT_SIGNATURE_DOMAIN } from '../src/constants.js'
import { attachmentFallback } from '../src/file/offer.js'
import { ChatMessage as OldChatMessage, RoomMessage as OldRoomMessage } from './fixtures/room-v1.js'
import type { Chat } from '../src/codec.js'
import type { PrivateKey } from '@libp2p/interface'

const topic = '/p2p-chat/room/1/aaaaaaaaaaaaaaaaaaaaaaaaaa'
const encoder = new TextEncoder()

/** What a peer of the first version makes of room bytes: its schema (test/fixtures/room-v1.ts) and its checks. */
async function readAsOldPeer (bytes: Uint8Array): Promise<OldRoomMessage> {
  const message = OldRoomMessage.decode(bytes)
  if (message.version !== 1 || (message.chat == null) === (message.presence == null)) {
    throw new Error('an old peer refuses it: not version 1, or not exactly one of chat and presence')
  }
  if (message.chat != null) {
    // its signature check: the domain, the topic, and the line re-encoded by its own schema without the signature
    const unsigned = OldChatMessage.encode({ ...message.chat, signature: new Uint8Array(0) })
    const signed = new Uint8Array([...encoder.encode(CHAT_SIGNATURE_DOMAIN), 0, ...encoder.encode(topic), 0, ...unsigned])
    if (!await publicKeyFromProtobuf(message.chat.author).verify(signed, message.chat.signature)) {
      throw new Error('an old peer refuses it: the signature does not verify')
    }
  }
  return message
}

/** A line signed the way a peer of the first version signs: its schema, fields 1–5. */
async function oldLine (chat: Chat, key: PrivateKey): Promise<Uint8Array> {
  const author = new Uint8Array(publicKeyToProtobuf(key.publicKey))
  const unsigned = { id: chat.id, name: chat.name, text: chat.text, timestamp: BigInt(chat.timestamp), author, signature: new Uint8Array(0) }
  const signed = new Uint8Array([...encoder.encode(CHAT_SIGNATURE_DOMAIN), 0, ...encoder.encode(topic), 0, ...OldChatMessage.encode(unsigned)])
  return OldRoomMessage.encode({ version: 1, chat: { ...unsigned, signature: new Uint8Array(await key.sign(signed)) } })
}

describe('peers of the first version (before replies, reactions, files and typing)', async () => {
  const key = await generateKeyPair('Ed25519')
  const base = { name: 'alice', timestamp: Date.now() }
  const photo = { id: 'c0'.repeat(32), name: 'photo.jpg', size: 2_100_000, mime: 'image/jpeg', width: 640, height: 480 }

  it('read a reply, a reaction and a file offer as plain lines they can verify: the reaction is its emoji, the file its name and size', async () => {
    const target = createMessageId()
    const lines: Chat[] = [
      { ...base, id: createMessageId(), text: 'yes, at six', replyTo: target },
      { ...base, id: createMessageId(), text: '🎉', reactTo: target },
      { ...base, id: createMessageId(), text: `${attachmentFallback(photo)}\nfrom the trip`, attachment: photo, replyTo: target }
    ]
    for (const line of lines) {
      const old = await readAsOldPeer(await encodeChat(line, topic, key))
      expect(old.chat).toMatchObject({ id: line.id, name: 'alice', text: line.text, timestamp: BigInt(line.timestamp) })
    }
    expect(lines.map(line => line.text)).toEqual(['yes, at six', '🎉', '📎 photo.jpg (2.1 MB)\nfrom the trip'])
  })

  it('read a typing notice as the presence it also is: name and addresses', async () => {
    const addr = multiaddr('/ip4/127.0.0.1/tcp/4002/ws/p2p/12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf/p2p-circuit/webrtc')
    const old = await readAsOldPeer(encodePresence({ name: 'bob', multiaddrs: [addr], hello: false, typing: true }))
    expect(old.presence).toEqual({ name: 'bob', multiaddrs: [addr.bytes], hello: false })
  })

  it('write lines this version reads, with none of the new fields', async () => {
    const chat = { ...base, id: createMessageId(), text: 'hello from the past' }
    const event = await decodeRoomMessage(await oldLine(chat, key), topic)
    expect(event).toEqual({ type: 'chat', chat, author: peerIdFromPrivateKey(key).toString() })
  })
})
