import { generateKeyPair } from '@libp2p/crypto/keys'
import { noise } from '@libp2p/noise'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
import { reader, writer } from 'protons-runtime'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Libp2pOptions } from 'libp2p'

/**
 * A node on loopback TCP. A new object each time: createLibp2p writes the generated private key into the options
 * it is given.
 */
export function loopbackOptions (): Libp2pOptions {
  return {
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()]
  }
}

/** A node without P2P Chat's services: plays broken or hostile peers with raw streams. */
export async function createPlainNode (): Promise<Libp2p> {
  return createLibp2p(loopbackOptions())
}

/** A peer id nobody runs. */
export async function randomPeer (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

/** The error `promise` rejects with; throws if it resolves. */
export async function errorOf (promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a rejection')
}


/** What a peer answered on a raw stream: the length-prefixed frames it wrote, and how the stream ended. */
export interface RawAnswer {
  frames: Uint8Array[]
  /** bytes after the last whole frame */
  rest: number
  /** 'eof': the peer closed its end; 'reset': the stream was aborted */
  ended: 'eof' | 'reset'
}

/**
 * Opens `protocol` from `node` to `peer`, writes `chunks` as they are (the caller frames them, or not), closes its
 * writable end and reads everything the peer answers until it ends the stream; throws if that takes longer than
 * `ms`.
 */
export async function rawExchange (node: Libp2p, peer: PeerId, protocol: string, chunks: Uint8Array[], ms = 5000): Promise<RawAnswer> {
  const signal = AbortSignal.timeout(ms)
  const stream = await node.dialProtocol(peer, protocol, { signal })
  const received: Uint8Array[] = []
  let ended: RawAnswer['ended'] = 'eof'
  // read from the start: a peer may answer and close before this side has closed, and an iterator that starts
  // after the stream closed never hears of it
  const reading = (async () => {
    for await (const chunk of stream) {
      received.push(chunk.subarray())
    }
  })()
  const onTimeout = (): void => { stream.abort(new Error('timed out')) }
  signal.addEventListener('abort', onTimeout, { once: true })
  try {
    for (const chunk of chunks) {
      if (!stream.send(chunk)) {
        await stream.onDrain({ signal })
      }
    }
    await stream.close({ signal })
    await reading
  } catch (err) {
    reading.catch(() => {})
    if (signal.aborted) {
      stream.abort(err as Error)
      throw new Error(`the peer did not end the stream within ${ms} ms`, { cause: err })
    }
    ended = 'reset'
  } finally {
    signal.removeEventListener('abort', onTimeout)
  }
  const bytes = new Uint8Array(received.reduce((n, c) => n + c.byteLength, 0))
  received.reduce((at, c) => { bytes.set(c, at); return at + c.byteLength }, 0)
  const r = reader(bytes)
  const frames: Uint8Array[] = []
  let end = 0
  try {
    while (r.pos < r.len) {
      frames.push(r.bytes())
      end = r.pos
    }
  } catch {
    // a frame cut short: counted in `rest`
  }
  return { frames, rest: bytes.byteLength - end, ended }
}

/** `frame` with its varint length prefix, as `lpStream` writes it. */
export function lengthPrefixed (frame: Uint8Array): Uint8Array {
  return writer().bytes(frame).finish()
}
