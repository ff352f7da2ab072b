// vitest runs in Node: an in-memory IndexedDB stands in for the browser's (e2e covers the real one)
import 'fake-indexeddb/auto'
import { privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { keychain } from '@libp2p/keychain'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { IDBDatastore } from 'datastore-idb'
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import { describe, expect, it } from 'vitest'
import { KEYCHAIN_DB } from './databases.js'
import { forgetIdentity, loadIdentity, newIdentityKey } from './identity.js'
import { openSettings } from './settings.js'

/** What the origin's keychain holds as `self`, read as another libp2p program would read it. */
async function keptSelf (): Promise<string | undefined> {
  const datastore = new IDBDatastore(KEYCHAIN_DB)
  await datastore.open()
  try {
    const key = await keychain()({ datastore, logger: defaultLogger() }).exportKey('self').catch(() => undefined)
    return key == null ? undefined : peerIdFromPrivateKey(key).toString()
  } finally {
    await datastore.close()
  }
}

describe('identity', () => {
  it('a new key is a working Ed25519 key: what it signs verifies with its public key, and with nothing else', async () => {
    const key = await newIdentityKey()
    const other = await newIdentityKey()
    expect(key.type).toBe('Ed25519')
    const data = new TextEncoder().encode('a chat line')
    const signature = await key.sign(data)
    expect(await key.publicKey.verify(data, signature)).toBe(true)
    expect(await other.publicKey.verify(data, signature)).toBe(false)
  })

  it('is kept in the libp2p keychain: the next start has the same peer id, until it is forgotten', async () => {
    const settings = await openSettings()
    const first = peerIdFromPrivateKey(await loadIdentity(settings)).toString()
    await expect.poll(keptSelf).toBe(first)
    expect(peerIdFromPrivateKey(await loadIdentity(settings)).toString()).toBe(first)
    await forgetIdentity(settings)
    expect(await keptSelf()).toBeUndefined()
    const next = peerIdFromPrivateKey(await loadIdentity(settings)).toString()
    expect(next).not.toBe(first)
    await expect.poll(keptSelf).toBe(next)
  })

  it('moves the key an earlier version kept in the settings into the keychain, keeping the peer id, the settings still opening when asked', async () => {
    const settings = await openSettings()
    await forgetIdentity(settings)
    const old = await newIdentityKey()
    await settings.set('privateKey', uint8ArrayToString(privateKeyToProtobuf(old), 'base64'))
    // as the page asks: the keychain opens while the settings do
    const loaded = await loadIdentity(openSettings())
    expect(peerIdFromPrivateKey(loaded).toString()).toBe(peerIdFromPrivateKey(old).toString())
    await expect.poll(keptSelf).toBe(peerIdFromPrivateKey(old).toString())
    await expect.poll(async () => settings.get('privateKey')).toBeUndefined()
  })
})
