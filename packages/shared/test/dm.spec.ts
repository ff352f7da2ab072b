import { lpStream } from '@libp2p/utils'
import { createLibp2p } from 'libp2p'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMessageId } from '../src/codec.js'
import { DM_PROTOCOL, MAX_CLOCK_SKEW_MS } from '../src/constants.js'
import { directMessages } from '../src/dm/index.js'
import { DirectMessage, DirectMessageAck } from '../src/proto/dm.js'
import { waitFor } from '../src/testing/index.js'
import { createPlainNode, errorOf, loopbackOptions, randomPeer } from './helpers.js'
import type { DirectMessages, DirectMessagesInit, ReceivedDirectMessage } from '../src/dm/index.js'
import type { Libp2p, Startable, Stream } from '@libp2p/interface'

const TIMEOUT = 500

/** A node running the direct-message service. */
async function createNode (init?: DirectMessagesInit): Promise<Libp2p<{ dm: DirectMessages }>> {
  return createLibp2p({ ...loopbackOptions(), services: { dm: directMessages(init) } })
}

function request (fields: Partial<DirectMessage> = {}): Uint8Array {
  return DirectMessage.encode({ id: createMessageId(), name: 'carol', text: 'hi', timestamp: BigInt(Date.now()), ...fields })
}

describe('direct messages', () => {
  let alice: Libp2p<{ dm: DirectMessages }>
  let bob: Libp2p<{ dm: DirectMessages }>
  /** no direct-message service */
  let carol: Libp2p
  const received: ReceivedDirectMessage[] = []

  beforeAll(async () => {
    alice = await createNode({ timeout: TIMEOUT })
    bob = await createNode({ idleTimeout: 1000 })
    carol = await createPlainNode()
    bob.services.dm.addEventListener('message', (evt) => { received.push(evt.detail) })
    for (const [from, to] of [[alice, bob], [alice, carol], [carol, bob]] as const) {
      await from.peerStore.merge(to.peerId, { multiaddrs: to.getMultiaddrs() })
    }
  })

  afterAll(async () => {
    await Promise.all([alice?.stop(), bob?.stop(), carol?.stop()])
  })

  /** Opens a raw DM_PROTOCOL stream from carol to bob. */
  async function rawStream (): Promise<{ stream: Stream, lp: ReturnType<typeof lpStream<Stream>> }> {
    const stream = await carol.dialProtocol(bob.peerId, DM_PROTOCOL)
    return { stream, lp: lpStream(stream) }
  }

  /** Serves DM_PROTOCOL on carol with `handler` for the duration of `fn`. */
  async function withCarolHandler (handler: (stream: Stream) => Promise<void>, fn: () => Promise<void>): Promise<void> {
    await carol.handle(DM_PROTOCOL, async (stream) => {
      try {
        await handler(stream)
      } catch (err) {
        stream.abort(err as Error)
      }
    })
    try {
      await fn()
    } finally {
      await carol.unhandle(DM_PROTOCOL)
    }
  }

  it('delivers a message with an OK ack; the receiver sees the authenticated sender', async () => {
    const arrived = new Promise<ReceivedDirectMessage>(resolve => {
      bob.services.dm.addEventListener('message', (evt) => { resolve(evt.detail) }, { once: true })
    })
    const before = Date.now()
    const sent = await alice.services.dm.send(bob.peerId, { name: '  alice ', text: 'hello bob' })

    expect(sent.id).toMatch(/^[0-9a-f]{32}$/)
    expect(sent).toMatchObject({ name: 'alice', text: 'hello bob' })
    expect(sent.to.equals(bob.peerId)).toBe(true)
    expect(sent.timestamp).toBeGreaterThanOrEqual(before)

    const message = await arrived
    expect(message.from.equals(alice.peerId)).toBe(true)
    expect(message).toMatchObject({ id: sent.id, name: 'alice', text: 'hello bob', timestamp: sent.timestamp })

    // a resend keeps the id it is given
    const again = await alice.services.dm.send(bob.peerId, { id: sent.id, name: 'alice', text: 'hello bob' })
    expect(again.id).toBe(sent.id)
    expect(received.at(-1)!.id).toBe(sent.id)
  })

  it('carries several messages, in order, over one reused channel', async () => {
    const start = received.length
    const channel = await alice.services.dm.openChannel(bob.peerId)
    expect(channel.peer.equals(bob.peerId)).toBe(true)

    // sent without waiting: the channel queues them, one request/ack at a time
    const sent = await Promise.all(['one', 'two', 'three'].map(async text => channel.send({ name: 'alice', text })))
    await channel.send({ name: 'alice', text: 'four' })

    const streams = alice.getConnections(bob.peerId).flatMap(c => c.streams).filter(s => s.protocol === DM_PROTOCOL)
    expect(streams).toHaveLength(1)
    expect(received.slice(start).map(m => m.text)).toEqual(['one', 'two', 'three', 'four'])
    expect(received.slice(start, start + 3).map(m => m.id)).toEqual(sent.map(m => m.id))

    await channel.close()
    expect(channel.closed).toBe(true)
    expect((await errorOf(channel.send({ name: 'alice', text: 'five' }))).name).toBe('DirectMessageChannelClosedError')
  })

  it('refuses empty and oversized text and names before opening any stream', async () => {
    // nobody knows this peer: if a stream were opened first, the error would be PeerUnreachableError
    const nobody = await randomPeer()
    const dm = alice.services.dm
    expect((await errorOf(dm.send(nobody, { name: 'alice', text: '' }))).name).toBe('InvalidMessageError')
    expect((await errorOf(dm.send(nobody, { name: 'alice', text: ' \n ' }))).name).toBe('InvalidMessageError')
    expect((await errorOf(dm.send(nobody, { name: 'alice', text: 'x'.repeat(4097) }))).name).toBe('MessageTooLargeError')
    expect((await errorOf(dm.send(nobody, { name: 'alice', text: 'é'.repeat(2049) }))).name).toBe('MessageTooLargeError')
    expect((await errorOf(dm.send(nobody, { name: ' ', text: 'hi' }))).name).toBe('InvalidNameError')
    expect((await errorOf(dm.send(nobody, { name: 'alice\u200b', text: 'hi' }))).name).toBe('InvalidNameError')
    expect((await errorOf(dm.send(nobody, { name: 'n'.repeat(65), text: 'hi' }))).name).toBe('MessageTooLargeError')
    expect((await errorOf(dm.send(nobody, { id: 'not-an-id', name: 'alice', text: 'hi' }))).name).toBe('InvalidMessageError')

    const channel = await dm.openChannel(bob.peerId)
    expect((await errorOf(channel.send({ name: 'alice', text: 'x'.repeat(4097) }))).name).toBe('MessageTooLargeError')
    // a refused message does not break the channel
    await channel.send({ name: 'alice', text: 'x'.repeat(4096) })
    await channel.close()
  })

  it('reports a peer it cannot reach or that does not speak the protocol as PeerUnreachableError', async () => {
    const noAddresses = await errorOf(alice.services.dm.send(await randomPeer(), { name: 'alice', text: 'hi' }))
    expect(noAddresses.name).toBe('PeerUnreachableError')

    const gone = await createPlainNode()
    await alice.peerStore.merge(gone.peerId, { multiaddrs: gone.getMultiaddrs() })
    await gone.stop()
    const refused = await errorOf(alice.services.dm.send(gone.peerId, { name: 'alice', text: 'hi' }))
    expect(refused.name).toBe('PeerUnreachableError')

    const unsupported = await errorOf(alice.services.dm.openChannel(carol.peerId))
    expect(unsupported.name).toBe('PeerUnreachableError')
    expect((unsupported.cause as Error).name).toBe('UnsupportedProtocolError')
  })

  it('times out when the peer never answers, and honours the caller\'s abort signal', async () => {
    await withCarolHandler(async (stream) => {
      await lpStream(stream).read() // and never answer
    }, async () => {
      const started = Date.now()
      const timedOut = await errorOf(alice.services.dm.send(carol.peerId, { name: 'alice', text: 'hi' }))
      expect(timedOut.name).toBe('DirectMessageTimeoutError')
      expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT - 50)

      const channel = await alice.services.dm.openChannel(carol.peerId)
      expect((await errorOf(channel.send({ name: 'alice', text: 'hi' }))).name).toBe('DirectMessageTimeoutError')
      expect(channel.closed).toBe(true)

      // the caller's own abort surfaces as its own error, not as our timeout
      const controller = new AbortController()
      setTimeout(() => { controller.abort() }, 100)
      const aborted = await errorOf(alice.services.dm.send(carol.peerId, { name: 'alice', text: 'hi' }, { signal: controller.signal }))
      expect(aborted.name).toBe('AbortError')
    })
  })

  it('treats a garbage ack, an ack for another message, or no ack at all as a protocol error', async () => {
    const answers: Array<(lp: ReturnType<typeof lpStream<Stream>>) => Promise<void>> = [
      async lp => lp.write(Uint8Array.from([0x0a, 0xff, 0x01])), // a string field longer than the frame
      async lp => lp.write(DirectMessageAck.encode({ id: createMessageId(), status: DirectMessageAck.Status.OK })),
      async lp => lp.write(new Uint8Array(2000)), // a frame over the ack limit
      async lp => lp.write(new Uint8Array(100_000)), // more than a sender buffers
      async lp => lp.unwrap().close() // close without answering
    ]
    for (const answer of answers) {
      await withCarolHandler(async (stream) => {
        const lp = lpStream(stream)
        await lp.read()
        await answer(lp)
      }, async () => {
        const err = await errorOf(alice.services.dm.send(carol.peerId, { name: 'alice', text: 'hi' }))
        expect(err.name).toBe('DirectMessageProtocolError')
      })
    }
  })

  it('answers malformed requests on a raw stream with a non-OK ack, delivers none and closes the stream', async () => {
    const start = received.length
    const cases: Array<[string, Uint8Array, DirectMessageAck.Status, boolean]> = [
      ['not protobuf', Uint8Array.from([0x0a, 0xff, 0x01]), DirectMessageAck.Status.INVALID, false],
      ['bad id', request({ id: 'ABC' }), DirectMessageAck.Status.INVALID, false],
      ['empty text', request({ text: '' }), DirectMessageAck.Status.INVALID, true],
      ['empty name', request({ name: '' }), DirectMessageAck.Status.INVALID, true],
      ['name with a terminal escape', request({ name: 'bob\u001b]0;x\u0007' }), DirectMessageAck.Status.INVALID, true],
      ['name with a bidi override', request({ name: '\u202eecila' }), DirectMessageAck.Status.INVALID, true],
      ['text too large', request({ text: 'x'.repeat(5000) }), DirectMessageAck.Status.TOO_LARGE, true],
      ['name too large', request({ name: 'n'.repeat(100) }), DirectMessageAck.Status.TOO_LARGE, true],
      ['no timestamp', request({ timestamp: 0n }), DirectMessageAck.Status.INVALID, true],
      ['from the future', request({ timestamp: BigInt(Date.now() + MAX_CLOCK_SKEW_MS + 60_000) }), DirectMessageAck.Status.INVALID, true],
      ['huge timestamp', request({ timestamp: 2n ** 64n - 1n }), DirectMessageAck.Status.INVALID, true]
    ]
    for (const [label, frame, status, echoesId] of cases) {
      const { lp } = await rawStream()
      await lp.write(frame)
      const ack = DirectMessageAck.decode(await lp.read())
      expect(ack.status, label).toBe(status)
      expect(ack.id, label).toBe(echoesId ? DirectMessage.decode(frame).id : '')
      expect((await errorOf(lp.read())).name, label).toBe('UnexpectedEOFError')
    }

    // a length prefix over the limit (9000 bytes) is refused before the body is read
    const { stream, lp } = await rawStream()
    stream.send(Uint8Array.from([0xa8, 0x46, 1, 2, 3]))
    expect(DirectMessageAck.decode(await lp.read())).toEqual({ id: '', status: DirectMessageAck.Status.TOO_LARGE })

    // one good request, then a bad one, on the same stream
    const good = await rawStream()
    const first = request({ text: 'from carol' })
    await good.lp.write(first)
    expect(DirectMessageAck.decode(await good.lp.read())).toEqual({ id: DirectMessage.decode(first).id, status: DirectMessageAck.Status.OK })
    await good.lp.write(request({ text: '' }))
    expect(DirectMessageAck.decode(await good.lp.read()).status).toBe(DirectMessageAck.Status.INVALID)
    expect((await errorOf(good.lp.read())).name).toBe('UnexpectedEOFError')

    expect(received.slice(start).map(m => m.text)).toEqual(['from carol'])
    expect(received.at(-1)!.from.equals(carol.peerId)).toBe(true)
  })

  it('a rejection reaches the sender as DirectMessageRejectedError with the status', async () => {
    const strict = await createNode({ maxMessageSize: 100 })
    try {
      await alice.peerStore.merge(strict.peerId, { multiaddrs: strict.getMultiaddrs() })
      const err = await errorOf(alice.services.dm.send(strict.peerId, { name: 'alice', text: 'x'.repeat(200) }))
      expect(err.name).toBe('DirectMessageRejectedError')
      expect(err).toHaveProperty('status', 'TOO_LARGE')
    } finally {
      await strict.stop()
    }
  })

  it('closes a channel left idle; the sender sees it closed', async () => {
    const channel = await alice.services.dm.openChannel(bob.peerId)
    await channel.send({ name: 'alice', text: 'before the pause' })
    await waitFor(() => channel.closed)
    expect((await errorOf(channel.send({ name: 'alice', text: 'after' }))).name).toBe('DirectMessageChannelClosedError')
  })

  it('stopping the service ends its channels and refuses new sends', async () => {
    const dave = await createNode()
    try {
      await dave.peerStore.merge(bob.peerId, { multiaddrs: bob.getMultiaddrs() })
      const channel = await dave.services.dm.openChannel(bob.peerId)
      await channel.send({ name: 'dave', text: 'bye' })
      await (dave.services.dm as unknown as Startable).stop()
      expect(channel.closed).toBe(true)
      expect((await errorOf(dave.services.dm.send(bob.peerId, { name: 'dave', text: 'hi' }))).name).toBe('NotStartedError')
    } finally {
      await dave.stop()
    }
  })

  it('still delivers after all of that', async () => {
    const start = received.length
    await alice.services.dm.send(bob.peerId, { name: 'alice', text: 'still here' })
    const channel = await alice.services.dm.openChannel(bob.peerId)
    await channel.send({ name: 'alice', text: 'and here' })
    await channel.close()
    expect(received.slice(start).map(m => m.text)).toEqual(['still here', 'and here'])
  })
})
