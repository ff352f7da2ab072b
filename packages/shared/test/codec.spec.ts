import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import {
  createMessageId, decodeRoomMessage, encodeChat, encodeDeparture, encodePresence, isMessageId, readChatLine, validateName, validateText
} from '../src/codec.js'
import {
  DEFAULT_MAX_FILE_BYTES, MAX_FILE_BYTES, MAX_IMAGE_DIMENSION, MAX_KNOWN_AUTHORS, MAX_PEER_ID_BYTES, MAX_PRESENCE_DIRECT, MAX_PRESENCE_MULTIADDRS, MAX_REACTION_BYTES,
  MAX_ROOM_MESSAGE_BYTES, MAX_TEXT_BYTES
} from '../src/constants.js'
import { attachmentFallback, DEFAULT_MIME_TYPE, formatFileSize, normalizeMimeType } from '../src/file/offer.js'
import { RoomMessage } from '../src/proto/room.js'
import type { Chat, FileOffer } from '../src/codec.js'

const chat = { id: createMessageId(), name: 'alice', text: 'hello <b>world</b> 🌍', timestamp: 1_700_000_000_000 }
const topic = '/p2p-chat/room/1/aaaaaaaaaaaaaaaaaaaaaaaaaa'

describe('room message codec', async () => {
  const key = await generateKeyPair('Ed25519')
  const author = peerIdFromPrivateKey(key).toString()
  const signed = await encodeChat(chat, topic, key)
  /** the signed line, with some of its fields changed afterwards */
  const altered = (change: (m: RoomMessage) => void): Uint8Array => {
    const message = RoomMessage.decode(signed)
    change(message)
    return RoomMessage.encode(message)
  }

  it('round-trips a chat message, signed by its author', async () => {
    expect(await decodeRoomMessage(signed, topic)).toEqual({ type: 'chat', chat, author })
  })

  it('reads an accepted chat line and its author without verifying it again; presence is no chat line', async () => {
    expect(readChatLine(signed)).toEqual({ chat, author })
    expect(readChatLine(encodePresence({ name: 'alice', multiaddrs: [], hello: true }))).toBeUndefined()
  })

  it('refuses a chat line whose text, name, time, author or signature changed, or that is replayed in another room', async () => {
    const other = await generateKeyPair('Ed25519')
    const forgeries = [
      altered(m => { m.chat!.text = 'hello world' }),
      altered(m => { m.chat!.name = 'mallory' }),
      altered(m => { m.chat!.timestamp += 1n }),
      altered(m => { m.chat!.signature = m.chat!.signature.map((b, i) => i === 0 ? b ^ 1 : b) }),
      altered(m => { m.chat!.author = RoomMessage.decode(signed).chat!.author.map((b, i) => i === 10 ? b ^ 1 : b) })
    ]
    for (const bytes of forgeries) {
      await expect(decodeRoomMessage(bytes, topic)).rejects.toMatchObject({ name: 'InvalidSignatureError' })
    }
    await expect(decodeRoomMessage(signed, '/p2p-chat/room/1/bbbbbbbbbbbbbbbbbbbbbbbbbb')).rejects.toMatchObject({ name: 'InvalidSignatureError' })
    // signed by someone else than the key it names
    const byOther = RoomMessage.decode(await encodeChat(chat, topic, other))
    await expect(decodeRoomMessage(altered(m => { m.chat!.signature = byOther.chat!.signature }), topic)).rejects.toMatchObject({ name: 'InvalidSignatureError' })
    await expect(decodeRoomMessage(altered(m => { m.chat!.author = new Uint8Array(0) }), topic)).rejects.toMatchObject({ name: 'InvalidSignatureError' })
  })

  it('with the publisher gossipsub verified, checks a line\'s author and the form of its signatures, not their bytes', async () => {
    const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    // the message's signature by its publisher covers these bytes: what the line's own would prove, it has
    const resigned = altered(m => { m.chat!.signature = m.chat!.signature.map((b, i) => i === 0 ? b ^ 1 : b) })
    expect(await decodeRoomMessage(resigned, topic, { publisher: author })).toEqual({ type: 'chat', chat, author })
    await expect(decodeRoomMessage(resigned, topic)).rejects.toMatchObject({ name: 'InvalidSignatureError' })
    // only its author publishes a line
    await expect(decodeRoomMessage(signed, topic, { publisher: other })).rejects.toMatchObject({ name: 'AuthorMismatchError' })
    // signatures that are no Ed25519 signatures, a reply without its extended signature, a key that names nobody
    const reply = RoomMessage.decode(await encodeChat({ ...chat, replyTo: createMessageId() }, topic, key))
    const malformed = [
      altered(m => { m.chat!.signature = m.chat!.signature.subarray(1) }),
      altered(m => { m.chat!.extendedSignature = new Uint8Array(12) }),
      RoomMessage.encode({ ...reply, chat: { ...reply.chat!, extendedSignature: new Uint8Array(0) } }),
      altered(m => { m.chat!.author = new Uint8Array(0) })
    ]
    for (const bytes of malformed) {
      await expect(decodeRoomMessage(bytes, topic, { publisher: author })).rejects.toMatchObject({ name: 'InvalidSignatureError' })
    }
  })

  it('names every line\'s own author, from more authors than it keeps decoded, and refuses forgeries under a known one', async () => {
    const keys = await Promise.all(Array.from({ length: MAX_KNOWN_AUTHORS + 2 }, async () => generateKeyPair('Ed25519')))
    const lines = await Promise.all(keys.map(async key => encodeChat(chat, topic, key)))
    // twice over: the second round meets the first authors again after newer ones pushed them out
    for (let round = 0; round < 2; round++) {
      for (const [i, line] of lines.entries()) {
        expect(await decodeRoomMessage(line, topic)).toMatchObject({ author: peerIdFromPrivateKey(keys[i]!).toString() })
      }
    }
    // the last author is known now: a line naming it but signed by another is still refused
    const forged = RoomMessage.decode(lines[0]!)
    forged.chat!.author = RoomMessage.decode(lines.at(-1)!).chat!.author
    await expect(decodeRoomMessage(RoomMessage.encode(forged), topic)).rejects.toMatchObject({ name: 'InvalidSignatureError' })
  })

  it('refuses a line whose signature is not of its key\'s length with InvalidSignatureError', async () => {
    // found by the long room-message fuzz run (FUZZ_SEED=639661211): the signature field turned into a varint
    // decoded as an empty signature, and Ed25519's verify threw a TypeError ("sig" must be 64 bytes)
    for (const signature of [new Uint8Array(0), new Uint8Array(63), new Uint8Array(65)]) {
      await expect(decodeRoomMessage(altered(m => { m.chat!.signature = signature }), topic)).rejects.toMatchObject({ name: 'InvalidSignatureError' })
    }
  })

  it('refuses a line signed with a key that names no peer id (ECDSA) with InvalidSignatureError', async () => {
    // found by the room-message fuzzer (FUZZ_SEED=20261201): peerIdFromPublicKey threw UnsupportedKeyTypeError
    const ecdsa = await encodeChat(chat, topic, await generateKeyPair('ECDSA'))
    await expect(decodeRoomMessage(ecdsa, topic)).rejects.toMatchObject({ name: 'InvalidSignatureError' })
  })

  it('refuses a line whose author is a secp256k1 or RSA key, properly signed, with UnsupportedIdentityError', async () => {
    for (const key of [await generateKeyPair('secp256k1'), await generateKeyPair('RSA', 1024)]) {
      const line = await encodeChat(chat, topic, key)
      await expect(decodeRoomMessage(line, topic)).rejects.toMatchObject({
        name: 'UnsupportedIdentityError',
        message: expect.stringContaining(`A chat line's author is a ${key.type} key: P2P Chat identities are Ed25519 keys`)
      })
    }
  })

  it('round-trips a presence with multiaddrs', async () => {
    const addr = multiaddr('/ip4/127.0.0.1/tcp/4002/ws/p2p/12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf/p2p-circuit/webrtc')
    const event = await decodeRoomMessage(encodePresence({ name: 'bob', multiaddrs: [addr], hello: true }), topic)
    expect(event.type).toBe('presence')
    if (event.type !== 'presence') return
    expect(event.presence.name).toBe('bob')
    expect(event.presence.hello).toBe(true)
    expect(event.presence.multiaddrs.map(String)).toEqual([addr.toString()])
  })

  it('round-trips the peers a presence names as directly connected; none when it names none', async () => {
    const peers = [peerIdFromPrivateKey(key).toString(), peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()]
    const event = await decodeRoomMessage(encodePresence({ name: 'bob', multiaddrs: [], hello: false, direct: peers }), topic)
    expect(event.type === 'presence' && event.presence.direct).toEqual(peers)
    const none = await decodeRoomMessage(encodePresence({ name: 'bob', multiaddrs: [], hello: false }), topic)
    expect(none.type === 'presence' && none.presence.direct).toEqual([])
  })

  it('creates distinct 32-hex-character ids', () => {
    const a = createMessageId()
    expect(a).toMatch(/^[0-9a-f]{32}$/)
    expect(createMessageId()).not.toBe(a)
  })

  it('refuses text over the limit with MessageTooLargeError carrying the sizes', async () => {
    const text = 'é'.repeat(MAX_TEXT_BYTES / 2 + 1)
    expect(() => validateText(text)).toThrow(expect.objectContaining({ name: 'MessageTooLargeError', size: MAX_TEXT_BYTES + 2, limit: MAX_TEXT_BYTES }))
    await expect(encodeChat({ ...chat, text }, topic, key)).rejects.toMatchObject({ name: 'MessageTooLargeError' })
    expect(() => validateText('a'.repeat(MAX_TEXT_BYTES))).not.toThrow()
  })

  it('refuses empty text and names', () => {
    expect(() => validateText('   ')).toThrow(expect.objectContaining({ name: 'InvalidMessageError' }))
    expect(() => validateName(' ')).toThrow(expect.objectContaining({ name: 'InvalidNameError' }))
    expect(validateName('  bob  ')).toBe('bob')
  })

  it('refuses names with control, bidirectional or invisible characters anywhere, trimming included', () => {
    const spoofs = [
      'bob\u001b[2J', '\u001b]0;pwned\u0007bob', 'bob\nalice: hi', 'b\u0000ob', 'bob\u007f', 'bob\u009b2J', 'bob\u009d52;c;eA==\u009c',
      '\u202eecila', 'al\u202aice', 'al\u202dice', 'bob\u2066', 'bob\u2069',
      'al\u200bice', 'al\u200fice', 'al\u2060ice', '\ufeffalice', 'alice\u200b', '\talice'
    ]
    for (const name of spoofs) {
      expect(() => validateName(name), JSON.stringify(name)).toThrow(expect.objectContaining({ name: 'InvalidNameError' }))
    }
    for (const name of ['Zoë', 'محمد', 'שלום', '山田 太郎', 'Ada 🦊', 'e\u0301lan']) {
      expect(validateName(name)).toBe(name)
    }
  })

  it('rejects names such characters arrive in, in chat lines and presence', async () => {
    const spoofed = RoomMessage.encode({ version: 1, presence: { name: 'ali\u202ece', multiaddrs: [], hello: true, direct: [] } })
    await expect(decodeRoomMessage(spoofed, topic)).rejects.toMatchObject({ name: 'InvalidNameError' })
    await expect(decodeRoomMessage(altered(m => { m.chat!.name = '\u001b[31malice' }), topic)).rejects.toMatchObject({ name: 'InvalidNameError' })
    expect(() => encodePresence({ name: 'al\u200bice', multiaddrs: [], hello: true })).toThrow(expect.objectContaining({ name: 'InvalidNameError' }))
  })

  it('rejects garbage bytes with InvalidMessageError', async () => {
    await expect(decodeRoomMessage(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f]), topic)).rejects.toMatchObject({ name: 'InvalidMessageError' })
  })

  it('rejects an unknown version with UnsupportedVersionError', async () => {
    await expect(decodeRoomMessage(altered(m => { m.version = 99 }), topic)).rejects.toMatchObject({ name: 'UnsupportedVersionError' })
  })

  it('rejects a message with neither or both payloads', async () => {
    await expect(decodeRoomMessage(RoomMessage.encode({ version: 1 }), topic)).rejects.toMatchObject({ name: 'InvalidMessageError' })
    const both = altered(m => { m.presence = { name: 'x', multiaddrs: [], hello: false, direct: [] } })
    await expect(decodeRoomMessage(both, topic)).rejects.toMatchObject({ name: 'InvalidMessageError' })
  })

  it('round-trips a relay\'s departure notice; refuses one naming no peer id, an oversized one, or one with another payload', async () => {
    expect(await decodeRoomMessage(encodeDeparture(author), topic)).toEqual({ type: 'departure', peer: author })
    expect(await decodeRoomMessage(encodeDeparture(author, 0x18a1b2c3d4e5f607n), topic)).toEqual({ type: 'departure', peer: author, after: 0x18a1b2c3d4e5f607n })
    const departure = (peer: Uint8Array<ArrayBuffer>): Uint8Array => RoomMessage.encode({ version: 1, departure: { peer, after: 0n } })
    await expect(decodeRoomMessage(departure(new Uint8Array(0)), topic)).rejects.toMatchObject({ name: 'InvalidMessageError' })
    await expect(decodeRoomMessage(departure(Uint8Array.from([0xee, 0xee, 0xee])), topic)).rejects.toMatchObject({ name: 'InvalidMessageError' })
    await expect(decodeRoomMessage(departure(new Uint8Array(MAX_PEER_ID_BYTES + 1)), topic)).rejects.toMatchObject({ name: 'MessageTooLargeError' })
    const both = altered(m => { m.departure = { peer: peerIdFromPrivateKey(key).toMultihash().bytes, after: 0n } })
    await expect(decodeRoomMessage(both, topic)).rejects.toMatchObject({ name: 'InvalidMessageError' })
  })

  it('rejects oversized encodings before decoding them', async () => {
    await expect(decodeRoomMessage(new Uint8Array(MAX_ROOM_MESSAGE_BYTES + 1), topic)).rejects.toMatchObject({ name: 'MessageTooLargeError' })
  })

  it('rejects a decoded chat that breaks the schema rules', async () => {
    await expect(decodeRoomMessage(altered(m => { m.chat!.id = 'not-hex' }), topic)).rejects.toMatchObject({ name: 'InvalidMessageError' })
    await expect(decodeRoomMessage(altered(m => { m.chat!.timestamp = BigInt(Date.now() + 3_600_000) }), topic)).rejects.toMatchObject({ name: 'InvalidMessageError' })
    await expect(decodeRoomMessage(altered(m => { m.chat!.text = 'x'.repeat(MAX_TEXT_BYTES + 1) }), topic)).rejects.toMatchObject({ name: 'MessageTooLargeError' })
    await expect(decodeRoomMessage(altered(m => { m.chat!.name = '' }), topic)).rejects.toMatchObject({ name: 'InvalidNameError' })
  })

  it('rejects presence with too many or invalid multiaddrs', async () => {
    const many = RoomMessage.encode({ version: 1, presence: { name: 'x', multiaddrs: Array.from({ length: MAX_PRESENCE_MULTIADDRS + 1 }, () => multiaddr('/ip4/1.2.3.4/tcp/1').bytes), hello: false, direct: [] } })
    await expect(decodeRoomMessage(many, topic)).rejects.toMatchObject({ name: 'InvalidMessageError' })
    const bad = RoomMessage.encode({ version: 1, presence: { name: 'x', multiaddrs: [Uint8Array.from([0xee, 0xee, 0xee])], hello: false, direct: [] } })
    await expect(decodeRoomMessage(bad, topic)).rejects.toMatchObject({ name: 'InvalidMessageError' })
  })

  it('rejects presence naming too many direct peers, an oversized one or one that is no peer id', async () => {
    const peer = Uint8Array.from(peerIdFromPrivateKey(key).toMultihash().bytes)
    const presence = (direct: Array<Uint8Array<ArrayBuffer>>): Uint8Array => RoomMessage.encode({ version: 1, presence: { name: 'x', multiaddrs: [], hello: false, direct } })
    await expect(decodeRoomMessage(presence(Array.from({ length: MAX_PRESENCE_DIRECT + 1 }, () => peer)), topic)).rejects.toMatchObject({ name: 'InvalidMessageError' })
    await expect(decodeRoomMessage(presence([new Uint8Array(MAX_PEER_ID_BYTES + 1)]), topic)).rejects.toMatchObject({ name: 'MessageTooLargeError' })
    await expect(decodeRoomMessage(presence([Uint8Array.from([0xee, 0xee, 0xee])]), topic)).rejects.toMatchObject({ name: 'InvalidMessageError' })
    expect((await decodeRoomMessage(presence([peer]), topic)).type).toBe('presence')
  })
})

describe('replies, reactions, file offers and typing notices', async () => {
  const key = await generateKeyPair('Ed25519')
  const author = peerIdFromPrivateKey(key).toString()
  const target = createMessageId()
  const photo: FileOffer = { id: 'c0'.repeat(32), name: 'photo.jpg', size: 2_100_000, mime: 'image/jpeg', width: 4032, height: 3024 }
  const reply = { ...chat, id: createMessageId(), text: 'yes', replyTo: target }
  const reaction = { ...chat, id: createMessageId(), text: '👍🏽', reactTo: target }
  const offer = { ...chat, id: createMessageId(), text: attachmentFallback(photo), attachment: photo, replyTo: target }
  /** a signed line with some of its fields changed afterwards */
  const altered = async (line: Chat, change: (m: RoomMessage) => void): Promise<Uint8Array> => {
    const message = RoomMessage.decode(await encodeChat(line, topic, key))
    change(message)
    return RoomMessage.encode(message)
  }

  it('round-trips each kind of line with its fields, signed by its author', async () => {
    for (const line of [reply, reaction, offer]) {
      expect(await decodeRoomMessage(await encodeChat(line, topic, key), topic)).toEqual({ type: 'chat', chat: line, author })
    }
    const { width, height, ...file } = photo
    const plain = { ...chat, id: createMessageId(), attachment: { ...file, name: 'notes.txt', mime: 'text/plain' } }
    expect(await decodeRoomMessage(await encodeChat(plain, topic, key), topic)).toEqual({ type: 'chat', chat: plain, author })
    expect([width, height]).toEqual([4032, 3024])
  })

  it('keeps a file size across the 32-bit boundaries (protons-runtime encoded 2^31 to 2^32 - 1 as one byte: patched)', async () => {
    for (const size of [2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1, 2 ** 32, MAX_FILE_BYTES]) {
      const line = { ...offer, attachment: { ...photo, size } }
      expect(await decodeRoomMessage(await encodeChat(line, topic, key), topic)).toEqual({ type: 'chat', chat: line, author })
    }
  })

  it('signs every new field: changing, adding or dropping one, or the extended signature, is refused', async () => {
    const forgeries = [
      await altered(reply, m => { m.chat!.replyTo = createMessageId() }),
      await altered(reaction, m => { m.chat!.reactTo = createMessageId() }),
      await altered(reaction, m => { m.chat!.reactTo = ''; m.chat!.replyTo = target }),
      await altered(offer, m => { m.chat!.attachment!.name = 'invoice.pdf.exe' }),
      await altered(offer, m => { m.chat!.attachment!.size = 1n }),
      await altered(offer, m => { m.chat!.attachment!.id = new Uint8Array(32).fill(0xc1) }),
      await altered(offer, m => { m.chat!.attachment!.mime = 'image/png' }),
      await altered(offer, m => { m.chat!.attachment!.width = 1 }),
      await altered(offer, m => { m.chat!.replyTo = '' }),
      // an attachment added to a plain line, with a signature made for another line
      await altered(chat, m => { m.chat!.attachment = RoomMessage.decode(RoomMessage.encode({ version: 1, chat: { ...m.chat!, attachment: { id: new Uint8Array(32), name: 'x', size: 1n, mime: 'text/plain', width: 0, height: 0 } } })).chat!.attachment }),
      await altered(reply, m => { m.chat!.extendedSignature = m.chat!.extendedSignature.map((b, i) => i === 0 ? b ^ 1 : b) }),
      await altered(reply, m => { m.chat!.extendedSignature = new Uint8Array(0) })
    ]
    for (const bytes of forgeries) {
      await expect(decodeRoomMessage(bytes, topic)).rejects.toMatchObject({ name: 'InvalidSignatureError' })
    }
    // the extended signature is bound to the topic, like the first one
    await expect(decodeRoomMessage(await encodeChat(reply, topic, key), '/p2p-chat/room/1/bbbbbbbbbbbbbbbbbbbbbbbbbb')).rejects.toMatchObject({ name: 'InvalidSignatureError' })
  })

  it('refuses malformed replies, reactions and offers, when sending and when receiving', async () => {
    const cases: Array<[Chat, string]> = [
      [{ ...reply, replyTo: 'not-an-id' }, 'InvalidMessageError'],
      [{ ...reply, replyTo: reply.id }, 'InvalidMessageError'],
      [{ ...reaction, text: 'x'.repeat(MAX_REACTION_BYTES + 1) }, 'MessageTooLargeError'],
      [{ ...reaction, text: ' ' }, 'InvalidMessageError'],
      [{ ...reaction, replyTo: target }, 'InvalidMessageError'],
      [{ ...reaction, attachment: photo }, 'InvalidMessageError'],
      [{ ...offer, attachment: { ...photo, id: 'C0'.repeat(32) } }, 'InvalidMessageError'],
      [{ ...offer, attachment: { ...photo, id: 'c0'.repeat(31) } }, 'InvalidMessageError'],
      [{ ...offer, attachment: { ...photo, name: '../photo.jpg' } }, 'InvalidMessageError'],
      [{ ...offer, attachment: { ...photo, name: 'a\u0000.jpg' } }, 'InvalidMessageError'],
      [{ ...offer, attachment: { ...photo, name: '..' } }, 'InvalidMessageError'],
      [{ ...offer, attachment: { ...photo, name: 'é'.repeat(128) } }, 'MessageTooLargeError'],
      [{ ...offer, attachment: { ...photo, size: -1 } }, 'InvalidMessageError'],
      [{ ...offer, attachment: { ...photo, size: MAX_FILE_BYTES + 1 } }, 'InvalidMessageError'],
      [{ ...offer, attachment: { ...photo, mime: 'image/JPEG' } }, 'InvalidMessageError'],
      [{ ...offer, attachment: { ...photo, mime: 'image/jpeg; q=1' } }, 'InvalidMessageError'],
      [{ ...offer, attachment: { ...photo, mime: 'jpeg' } }, 'InvalidMessageError'],
      [{ ...offer, attachment: { ...photo, height: undefined } }, 'InvalidMessageError'],
      [{ ...offer, attachment: { ...photo, width: MAX_IMAGE_DIMENSION + 1 } }, 'InvalidMessageError'],
      [{ ...offer, attachment: { ...photo, mime: 'application/pdf' } }, 'InvalidMessageError']
    ]
    for (const [line, name] of cases) {
      await expect(encodeChat(line, topic, key), JSON.stringify(line)).rejects.toMatchObject({ name })
    }
    // received: the same checks come before the signature's, so each is refused for what it is
    const received: Array<[Uint8Array, string]> = [
      [await altered(reply, m => { m.chat!.replyTo = 'not-an-id' }), 'InvalidMessageError'],
      [await altered(reaction, m => { m.chat!.text = 'x'.repeat(MAX_REACTION_BYTES + 1) }), 'MessageTooLargeError'],
      [await altered(offer, m => { m.chat!.attachment!.id = new Uint8Array(31) }), 'InvalidMessageError'],
      [await altered(offer, m => { m.chat!.attachment!.name = 'a/b' }), 'InvalidMessageError'],
      [await altered(offer, m => { m.chat!.attachment!.size = 2n ** 64n - 1n }), 'InvalidMessageError'],
      [await altered(offer, m => { m.chat!.attachment!.mime = '' }), 'InvalidMessageError']
    ]
    for (const [bytes, name] of received) {
      await expect(decodeRoomMessage(bytes, topic)).rejects.toMatchObject({ name })
    }
  })

  it('refuses an offer over the room\'s limit, with the sizes; a peer without a limit of its own (the relay) accepts it', async () => {
    const big = { ...offer, attachment: { ...photo, size: DEFAULT_MAX_FILE_BYTES + 1 } }
    const limits = { maxFileSize: DEFAULT_MAX_FILE_BYTES }
    await expect(encodeChat(big, topic, key, Date.now(), limits)).rejects.toMatchObject({ name: 'MessageTooLargeError', size: DEFAULT_MAX_FILE_BYTES + 1, limit: DEFAULT_MAX_FILE_BYTES })
    const bytes = await encodeChat(big, topic, key)
    await expect(decodeRoomMessage(bytes, topic, { limits })).rejects.toMatchObject({ name: 'MessageTooLargeError' })
    expect((await decodeRoomMessage(bytes, topic)).type).toBe('chat')
  })

  it('carries a typing notice in a presence: typing, stopped, or not a notice at all', async () => {
    for (const typing of [true, false, undefined]) {
      const event = await decodeRoomMessage(encodePresence({ name: 'bob', multiaddrs: [], hello: false, typing }), topic)
      expect(event).toEqual({ type: 'presence', presence: { name: 'bob', multiaddrs: [], hello: false, direct: [], ...(typing == null ? {} : { typing }) } })
    }
  })

  it('names a file for people: the fallback text, sizes in SI units, MIME types as offers carry them', () => {
    expect(attachmentFallback({ name: 'photo.jpg', size: 2_100_000 })).toBe('📎 photo.jpg (2.1 MB)')
    expect([0, 999, 1000, 9_960, 52_428_800, 999_600, DEFAULT_MAX_FILE_BYTES].map(formatFileSize))
      .toEqual(['0 B', '999 B', '1.0 kB', '10 kB', '52 MB', '1.0 MB', '2.1 GB'])
    expect(['image/PNG', 'text/plain; charset=utf-8', '', 'not a type', 'application/vnd.ms-excel'].map(normalizeMimeType))
      .toEqual(['image/png', 'text/plain', DEFAULT_MIME_TYPE, DEFAULT_MIME_TYPE, 'application/vnd.ms-excel'])
  })
})

describe('isMessageId', () => {
  it('takes 32 lowercase hex characters and nothing else', () => {
    expect(isMessageId(createMessageId())).toBe(true)
    for (const value of ['', 'a'.repeat(31), 'a'.repeat(33), 'A'.repeat(32), 'g'.repeat(32), 32, null, undefined]) {
      expect(isMessageId(value), String(value)).toBe(false)
    }
  })
})
