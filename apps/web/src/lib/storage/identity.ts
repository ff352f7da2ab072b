import { generateKeyPair, privateKeyFromProtobuf, privateKeyFromRaw, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { logger } from '@libp2p/logger'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import type { Settings } from './settings.js'
import type { PrivateKey } from '@libp2p/interface'

const KEY = 'privateKey'
const log = logger('p2p-chat:identity')

/**
 * A new Ed25519 key. WebCrypto makes it natively; `@libp2p/crypto` makes it in JavaScript (the curve's first
 * use builds its tables), which took ~100 ms of a first visit's start on the benchmark machine. A browser
 * without Ed25519 in WebCrypto gets `@libp2p/crypto`'s.
 */
export async function newIdentityKey (): Promise<PrivateKey> {
  try {
    const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']) as CryptoKeyPair
    const { d, x } = await crypto.subtle.exportKey('jwk', pair.privateKey)
    // a libp2p Ed25519 private key is the 32-byte seed followed by the public key
    const raw = new Uint8Array(64)
    raw.set(uint8ArrayFromString(d!, 'base64url'))
    raw.set(uint8ArrayFromString(x!, 'base64url'), 32)
    return privateKeyFromRaw(raw)
  } catch {
    return generateKeyPair('Ed25519')
  }
}

/**
 * This browser's libp2p key (Ed25519), kept in IndexedDB for the origin so a reload keeps the peer id; made
 * the first time (and kept in the background: nothing waits for the write). A stored key that no longer
 * decodes is replaced.
 */
export async function loadIdentity (settings: Settings): Promise<PrivateKey> {
  const stored = await settings.get(KEY)
  if (stored != null) {
    try {
      return privateKeyFromProtobuf(uint8ArrayFromString(stored, 'base64'))
    } catch {
      // damaged: make a new one below
    }
  }
  const key = await newIdentityKey()
  settings.set(KEY, uint8ArrayToString(privateKeyToProtobuf(key), 'base64'))
    .catch((err: Error) => { log.error('could not keep the new identity: %s', err.message) })
  return key
}
/** Forgets the key: the next start makes a new identity (a new peer id). */
export async function forgetIdentity (settings: Settings): Promise<void> {
  await settings.delete(KEY)
}
