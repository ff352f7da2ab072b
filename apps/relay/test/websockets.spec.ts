import { multiaddr } from '@multiformats/multiaddr'
import { waitFor } from '@p2p-chat/shared/testing'
import { describe, expect, it } from 'vitest'
import { createBareClient, useTestResources, wsAddr } from './helpers.js'

/** The length of each Noise frame in a WebSocket message (2-byte big-endian length, then that many bytes), or null if it does not hold whole frames. */
function noiseFrames (message: Uint8Array): number[] | null {
  const lengths: number[] = []
  let at = 0
  while (at < message.byteLength) {
    if (at + 2 > message.byteLength) {
      return null
    }
    const length = (message[at]! << 8) + message[at + 1]!
    at += 2 + length
    lengths.push(length)
  }
  return at === message.byteLength ? lengths : null
}

const { relay, track } = useTestResources()

describe('WebSocket framing, as pages and the relay send (the @libp2p/websockets patch)', () => {
  it('sends each Noise frame whole in one WebSocket message, not its length prefix apart', async () => {
    const { relay: r } = await relay()
    const sent: Uint8Array[] = []
    const send = WebSocket.prototype.send
    WebSocket.prototype.send = function (data) {
      sent.push(new Uint8Array(data as ArrayBuffer))
      send.call(this, data)
    }
    try {
      const client = track(await createBareClient('ws'))
      const relayAddr = multiaddr(wsAddr(r))
      await client.dial(relayAddr)
      // a stream of its own after the handshake: multistream-select, a ping and its answer, the stream's close
      await client.services.ping.ping(relayAddr)
      await waitFor(() => sent.length > 4)
    } finally {
      WebSocket.prototype.send = send
    }
    // before Noise, the connection's multistream-select picked it: a varint length, then '/multistream/1.0.0\n'...
    const encrypted = sent.filter(m => m[1] !== '/'.charCodeAt(0))
    expect(encrypted.length).toBeGreaterThan(4)
    // unpatched, each frame went as two messages: its 2-byte length, then its body
    expect(encrypted.map(noiseFrames).filter(frames => frames == null || frames.includes(0))).toEqual([])
  })
})
