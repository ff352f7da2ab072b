import { pureJsCrypto } from '@libp2p/noise'
import { x25519 } from '@noble/curves/ed25519.js'
import type { ICryptoInterface, KeyPair } from '@libp2p/noise'

/** An X25519 key pair from its secret: the public key by the Montgomery ladder (RFC 7748's X25519(k, 9)). */
function keyPairOf (privateKey: Uint8Array): KeyPair {
  return { privateKey, publicKey: x25519.scalarMult(privateKey, x25519.GuBytes) }
}

/**
 * The Noise handshake's crypto in the page: `@libp2p/noise`'s JavaScript crypto, except that an X25519 public key
 * is computed by the Montgomery ladder, as each Diffie-Hellman of the handshake is. `@noble/curves` computes it
 * on the Edwards curve from precomputed multiples of the base point instead, faster once they exist, but its
 * first use builds them: 100–140 ms of a page's start on the benchmark machine (a CPU profile of a join), spent
 * on the node's static Noise key before the relay could be dialled. A ladder costs what one Diffie-Hellman of
 * the handshake does (three of them took ~10 ms in the same profile); the keys are the same (`noise-crypto.spec.ts`).
 */
export const pageNoiseCrypto: ICryptoInterface = {
  ...pureJsCrypto,
  generateX25519KeyPair: () => keyPairOf(x25519.utils.randomSecretKey()),
  generateX25519KeyPairFromSeed: seed => keyPairOf(seed)
}
