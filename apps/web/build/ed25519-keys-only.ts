import { ED25519_ONLY_MESSAGE } from '@p2p-chat/shared/protocol'
import { moduleRewrite } from './module-rewrite.js'
import type { Plugin } from 'vite'

/** @libp2p/crypto's module that turns key bytes into keys, whatever their type. */
const KEYS_MODULE = /[\\/]@libp2p[\\/]crypto[\\/]dist[\\/]src[\\/]keys[\\/]index\.js$/

/** Its imports of the key types P2P Chat does not use: RSA, secp256k1 and ECDSA (parsers, DER, curves). */
const OTHER_KEY_TYPE_IMPORT = /^import \{([^}]+)\} from "\.\/(?:rsa|secp256k1|ecdsa)\/[\w-]+\.js";$/gm

/** How many such imports @libp2p/crypto 5.1 has: another count means the module changed, and the build looks again. */
const OTHER_KEY_TYPE_IMPORTS = 8

/** The module's own import of the error the stand-ins throw. */
const ERROR_IMPORT = /^import \{[^}]*\bUnsupportedKeyTypeError\b[^}]*\} from '@libp2p\/interface';$/m

/** @libp2p/crypto's keys module no longer imports the other key types as this build expects: look again. */
export class KeyImportsNotFoundError extends Error {
  static override name = 'KeyImportsNotFoundError'
  override name = 'KeyImportsNotFoundError'
}

/**
 * Takes the RSA, secp256k1 and ECDSA keys out of the page (~9.5 KB gzip: their parsers, DER, and the Weierstrass
 * curve arithmetic secp256k1 needs). P2P Chat's identities are Ed25519 (PROTOCOL.md, "Identities"), and the relay
 * refuses a peer with any other key type before it can meet a page. Every name @libp2p/crypto's keys module
 * imports from those key types becomes a function that throws `UnsupportedKeyTypeError` with
 * {@link ED25519_ONLY_MESSAGE}: a key of another type met anyway (a third party's peer on a LAN, a stored key
 * from elsewhere) fails with that error where it is parsed, and nothing else changes. The build fails if the
 * imports are not found.
 */
export function withEd25519KeysOnly (code: string, id: string): string {
  const imports = code.match(OTHER_KEY_TYPE_IMPORT)?.length ?? 0
  if (imports !== OTHER_KEY_TYPE_IMPORTS || !ERROR_IMPORT.test(code)) {
    throw new KeyImportsNotFoundError(`${id} has ${imports} imports of RSA, secp256k1 and ECDSA modules, not ${OTHER_KEY_TYPE_IMPORTS}, or does not import UnsupportedKeyTypeError: @libp2p/crypto changed, look again`)
  }
  const out = code.replace(OTHER_KEY_TYPE_IMPORT, (_line, list: string) => {
    const local = list.split(',').map(name => name.trim().split(/\s+as\s+/).at(-1)!).filter(name => name !== '')
    return `const ${local.map(name => `${name} = ed25519KeysOnly`).join(', ')};`
  })
  return `${out}\nfunction ed25519KeysOnly () { throw new UnsupportedKeyTypeError(${JSON.stringify(ED25519_ONLY_MESSAGE)}) }\n`
}

/** The Vite plugin applying {@link withEd25519KeysOnly} to @libp2p/crypto's keys module. */
export function ed25519KeysOnly (): Plugin {
  return moduleRewrite('p2p-chat-ed25519-keys-only', KEYS_MODULE, withEd25519KeysOnly)
}
