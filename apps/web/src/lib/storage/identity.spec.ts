// vitest runs in Node: an in-memory IndexedDB stands in for the browser's (e2e covers the real one)
import 'fake-indexeddb/auto'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { forgetIdentity, loadIdentity, newIdentityKey } from './identity.js'
import { openSettings } from './settings.js'

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

  it('is kept: the next start has the same peer id, until it is forgotten', async () => {
    const settings = await openSettings()
    const first = peerIdFromPrivateKey(await loadIdentity(settings)).toString()
    await expect.poll(async () => settings.get('privateKey')).toBeDefined()
    expect(peerIdFromPrivateKey(await loadIdentity(settings)).toString()).toBe(first)
    await forgetIdentity(settings)
    expect(peerIdFromPrivateKey(await loadIdentity(settings)).toString()).not.toBe(first)
  })
})
