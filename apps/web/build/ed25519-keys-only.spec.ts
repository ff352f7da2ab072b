import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { ED25519_ONLY_MESSAGE } from '@p2p-chat/shared/protocol'
import { describe, expect, it } from 'vitest'
import { KeyImportsNotFoundError, withEd25519KeysOnly } from './ed25519-keys-only.js'
import { withRewrittenModule } from './rewritten-module.js'

/** @libp2p/crypto's keys module as installed (the web app's copy). */
const KEYS_MODULE = fileURLToPath(new URL('../node_modules/@libp2p/crypto/dist/src/keys/index.js', import.meta.url))

describe('Ed25519 keys only', () => {
  it('leaves no import of the RSA, secp256k1 and ECDSA modules in @libp2p/crypto\'s keys module', async () => {
    const code = await readFile(KEYS_MODULE, 'utf8')
    expect(code).toMatch(/from "\.\/secp256k1\/utils\.js"/)
    const out = withEd25519KeysOnly(code, KEYS_MODULE)
    expect(out).not.toMatch(/from "\.\/(rsa|secp256k1|ecdsa)\//)
    expect(out).toMatch(/from "\.\/ed25519\/utils\.js"/)
    expect(out).toContain('unmarshalSecp256k1PublicKey = ed25519KeysOnly')
    expect(out).toContain('secp256k1PublicKeyLength = ed25519KeysOnly')
  })

  it('as the page runs it: an Ed25519 key reads as before; a secp256k1 or RSA key fails with the reason', async () => {
    await withRewrittenModule<typeof import('@libp2p/crypto/keys'), void>(KEYS_MODULE, withEd25519KeysOnly, async keys => {
      const ed25519 = await generateKeyPair('Ed25519')
      expect(keys.publicKeyFromProtobuf(publicKeyToProtobuf(ed25519.publicKey)).equals(ed25519.publicKey)).toBe(true)
      expect(keys.privateKeyFromRaw(ed25519.raw).equals(ed25519)).toBe(true)
      for (const other of [await generateKeyPair('secp256k1'), await generateKeyPair('RSA', 1024)]) {
        expect(() => keys.publicKeyFromProtobuf(publicKeyToProtobuf(other.publicKey))).toThrow(expect.objectContaining({ name: 'UnsupportedKeyTypeError', message: ED25519_ONLY_MESSAGE }))
        expect(() => keys.privateKeyFromRaw(other.raw)).toThrow(ED25519_ONLY_MESSAGE)
      }
      await expect(keys.generateKeyPair('secp256k1')).rejects.toThrow(ED25519_ONLY_MESSAGE)
    })
  })

  it('fails the build when @libp2p/crypto no longer imports them as expected', () => {
    expect(() => withEd25519KeysOnly('import { UnsupportedKeyTypeError } from "x";\nexport {}', 'index.js')).toThrow(KeyImportsNotFoundError)
  })
})
