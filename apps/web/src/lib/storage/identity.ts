import { generateKeyPair, privateKeyFromProtobuf, privateKeyFromRaw } from '@libp2p/crypto/keys'
import { keychain } from '@libp2p/keychain'
import { defaultLogger, logger } from '@libp2p/logger'
import { IDBDatastore } from 'datastore-idb'
import { Key } from 'interface-datastore'
import { fromString as uint8ArrayFromString } from 'uint8arrays/from-string'
import { KEYCHAIN_DB } from './databases.js'
import type { Settings } from './settings.js'
import type { PrivateKey } from '@libp2p/interface'
import type { Keychain } from '@libp2p/keychain'

/** The keychain's name for the node's own key, as `@libp2p/config`'s `loadOrCreateSelfKey` (the Node peers) names it. */
const SELF = 'self'
/** Where the keychain keeps a key and its info (its datastore keys, `/pkcs8/<name>` and `/info/<name>`). */
const SELF_KEYS = [new Key(`/pkcs8/${SELF}`), new Key(`/info/${SELF}`)]
/** Where earlier versions kept the key: the settings store, base64 protobuf. Moved into the keychain once. */
const LEGACY_SETTING = 'privateKey'
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

async function openKeychain (): Promise<{ datastore: IDBDatastore, chain: Keychain }> {
  const datastore = new IDBDatastore(KEYCHAIN_DB)
  await datastore.open()
  return { datastore, chain: keychain()({ datastore, logger: defaultLogger() }) }
}

/** Removes the keychain's own key and its info (the keychain itself refuses to remove `self`). */
async function deleteSelf (datastore: IDBDatastore): Promise<void> {
  await Promise.all(SELF_KEYS.map(async key => datastore.delete(key)))
}

/** The key an earlier version kept in the settings store, if it did and it decodes. */
async function legacyKey (settings: Settings): Promise<PrivateKey | undefined> {
  const stored = await settings.get(LEGACY_SETTING)
  try {
    return stored == null ? undefined : privateKeyFromProtobuf(uint8ArrayFromString(stored, 'base64'))
  } catch {
    return undefined
  }
}

/**
 * This browser's libp2p key (Ed25519), kept in the origin's libp2p keychain (`@libp2p/keychain` on an IndexedDB
 * datastore, as the Node peers keep theirs on LevelDB) so a reload keeps the peer id. Made the first time, or taken
 * from where an earlier version kept it, and kept in the background: nothing waits for the write. A stored key that
 * no longer decodes is replaced.
 */
export async function loadIdentity (settings: Settings | Promise<Settings>): Promise<PrivateKey> {
  // the keychain opens while the settings do: they are needed only to move an earlier version's key
  const { datastore, chain } = await openKeychain()
  if (await datastore.has(SELF_KEYS[0]!)) {
    try {
      const key = await chain.exportKey(SELF)
      await datastore.close()
      return key
    } catch (err) {
      log.error('the kept identity does not decode, a new one replaces it: %e', err)
      await deleteSelf(datastore)
    }
  }
  const key = await legacyKey(await settings) ?? await newIdentityKey()
  chain.importKey(SELF, key)
    .then(async () => { await (await settings).delete(LEGACY_SETTING) })
    .catch((err: Error) => { log.error('could not keep the identity: %s', err.message) })
    .finally(() => { datastore.close().catch(() => {}) })
  return key
}

/** Forgets the key: the next start makes a new identity (a new peer id). */
export async function forgetIdentity (settings: Settings): Promise<void> {
  const { datastore } = await openKeychain()
  try {
    await deleteSelf(datastore)
  } finally {
    await datastore.close()
  }
  await settings.delete(LEGACY_SETTING)
}
