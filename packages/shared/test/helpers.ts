import { generateKeyPair } from '@libp2p/crypto/keys'
import { noise } from '@libp2p/noise'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p } from 'libp2p'
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

/** Resolves once `condition` holds, polling; rejects after `ms`. */
export async function waitFor (condition: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time')
    }
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}
