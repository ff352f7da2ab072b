import { multiaddrConnectionPair } from '@libp2p/utils'
import { yamux } from '@libp2p/yamux'
import { waitFor } from '@p2p-chat/shared/testing'
import { describe, expect, it } from 'vitest'
import type { Stream } from '@libp2p/interface'

/** A yamux frame's type (its header's second byte): 1 is a window update. */
const WINDOW_UPDATE = 1

describe('yamux, as every peer and the relay run it (the @libp2p/yamux patch)', () => {
  it('a stream that reads 1,000 small messages sends a window update back only once half its window is used', async () => {
    const [outbound, inbound] = multiaddrConnectionPair()
    // every frame the reading side writes to its connection, by yamux frame type
    const sentTypes: number[] = []
    const send = inbound.send.bind(inbound)
    inbound.send = data => {
      // one frame per send: its 12-byte header, then its data
      sentTypes.push((data instanceof Uint8Array ? data : data.subarray())[1]!)
      return send(data)
    }
    const writer = yamux()().createStreamMuxer(outbound)
    const reader = yamux()().createStreamMuxer(inbound)
    const accepted = new Promise<Stream>(resolve => { reader.addEventListener('stream', evt => { resolve(evt.detail) }, { once: true }) })
    const stream = await writer.createStream()
    let read = 0
    void accepted.then(async incoming => {
      for await (const chunk of incoming) {
        read += chunk.byteLength
      }
    })
    // 1,000 messages of 200 bytes: 200 kB, under the initial window (256 KiB), over half of it
    for (let i = 0; i < 1000; i++) {
      if (!stream.send(new Uint8Array(200).fill(i % 256))) {
        await new Promise(resolve => { stream.addEventListener('drain', resolve, { once: true }) })
      }
    }
    await waitFor(() => read === 200_000, 5_000, 'every message to be read')
    const updates = sentTypes.filter(type => type === WINDOW_UPDATE).length
    // the first acknowledges the new stream (its ACK flag), the next is sent at half the window (128 KiB read):
    // unpatched, one went back for every message read
    expect(updates).toBeGreaterThanOrEqual(1)
    expect(updates).toBeLessThanOrEqual(3)
    await Promise.all([writer.close(), reader.close()])
  })
})
