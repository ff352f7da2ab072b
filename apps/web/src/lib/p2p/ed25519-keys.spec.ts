import { afterEach, describe, expect, it, vi } from 'vitest'

/**
 * The browser build of @libp2p/crypto's Ed25519 keys (what a page signs and checks chat lines with), read from
 * the installed package: Node has the same WebCrypto Ed25519 the page uses.
 */
const browserEd25519 = new URL('../../../node_modules/@libp2p/crypto/dist/src/keys/ed25519/index.browser.js', import.meta.url)

interface Ed25519 {
  generateKey: () => { privateKey: Uint8Array, publicKey: Uint8Array }
  hashAndSign: (privateKey: Uint8Array, message: Uint8Array) => Promise<Uint8Array>
  hashAndVerify: (publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array) => Promise<boolean>
}

describe('the page\'s Ed25519 keys (@libp2p/crypto, patched)', () => {
  afterEach(() => { vi.restoreAllMocks() })

  it('imports each key into WebCrypto once, however many lines it signs or checks and however often it is decoded, and still tells a bad signature', async () => {
    const ed: Ed25519 = await import(/* @vite-ignore */ browserEd25519.href)
    const mine = ed.generateKey()
    const theirs = ed.generateKey()
    const message = new TextEncoder().encode('a line of chat')
    await ed.hashAndVerify(mine.publicKey, await ed.hashAndSign(mine.privateKey, message), message) // WebCrypto's support probed
    const importKey = vi.spyOn(crypto.subtle, 'importKey')

    const signatures = []
    for (let i = 0; i < 5; i++) {
      signatures.push(await ed.hashAndSign(theirs.privateKey, message))
    }
    for (const signature of signatures) {
      expect(await ed.hashAndVerify(theirs.publicKey, signature, message)).toBe(true)
      // the same key decoded anew (as gossipsub does from a peer id, for every message)
      expect(await ed.hashAndVerify(theirs.publicKey.slice(), signature, message)).toBe(true)
      expect(await ed.hashAndVerify(mine.publicKey, signature, message)).toBe(false)
    }
    expect(await ed.hashAndVerify(theirs.publicKey, signatures[0]!, new TextEncoder().encode('another line'))).toBe(false)
    // their private key and their public key, once each (unpatched: one import per signature and per check, 21)
    expect(importKey).toHaveBeenCalledTimes(2)
  })
})
