import { pureJsCrypto } from '@libp2p/noise'
import { describe, expect, it } from 'vitest'
import { pageNoiseCrypto } from './noise-crypto.js'

describe('the page\'s Noise crypto', () => {
  it('makes the X25519 public key noble\'s fixed-base multiplication makes, for the same secret', () => {
    for (let i = 0; i < 20; i++) {
      const { privateKey, publicKey } = pageNoiseCrypto.generateX25519KeyPair()
      expect(publicKey).toEqual(pureJsCrypto.generateX25519KeyPairFromSeed(privateKey).publicKey)
      expect(pageNoiseCrypto.generateX25519KeyPairFromSeed(privateKey)).toEqual({ privateKey, publicKey })
    }
  })

  it('agrees on a shared secret with a peer using the stock crypto', () => {
    const mine = pageNoiseCrypto.generateX25519KeyPair()
    const theirs = pureJsCrypto.generateX25519KeyPair()
    const shared = pageNoiseCrypto.generateX25519SharedKey(mine.privateKey, theirs.publicKey)
    expect(shared).toEqual(pureJsCrypto.generateX25519SharedKey(theirs.privateKey, mine.publicKey))
    expect(shared).toHaveLength(32)
  })

  it('matches RFC 7748\'s test vector (section 6.1)', () => {
    const alice = Uint8Array.from(Buffer.from('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a', 'hex'))
    expect(Buffer.from(pageNoiseCrypto.generateX25519KeyPairFromSeed(alice).publicKey).toString('hex'))
      .toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a')
  })
})
