import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import type { Settings } from './settings.js'
import type { PrivateKey } from '@libp2p/interface'

const KEY = 'privateKey'

/**
 * This browser's libp2p key (Ed25519), kept in IndexedDB for the origin so a reload keeps the peer id; made
 * the first time. A stored key that no longer decodes is replaced.
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
  const key = await generateKeyPair('Ed25519')
  await settings.set(KEY, uint8ArrayToString(privateKeyToProtobuf(key), 'base64'))
  return key
}

/** Forgets the key: the next start makes a new identity (a new peer id). */
export async function forgetIdentity (settings: Settings): Promise<void> {
  await settings.delete(KEY)
}
