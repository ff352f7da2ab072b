import { FILE_CHUNK_TAG_BYTES, FILE_KEY_INFO, FILE_NONCE_BYTES } from './constants.js'
import { FileDecryptionError } from './errors.js'
import type { PrivateRoomKeys } from '../private-room/index.js'

const encoder = new TextEncoder()

/**
 * The AES-256-GCM key of one file in a private room: HKDF-SHA256 from the room's file secret, with the file's id
 * (its 32 bytes) as the salt, so every file has its own key and chunk nonces can simply count.
 */
export async function fileKey (keys: Pick<PrivateRoomKeys, 'files'>, id: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(id), info: encoder.encode(FILE_KEY_INFO) },
    keys.files,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt']
  )
}

/** Chunk `index`'s nonce: 4 zero bytes, then the index as a big-endian uint64. */
function nonce (index: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(FILE_NONCE_BYTES)
  new DataView(iv.buffer).setBigUint64(4, BigInt(index))
  return iv
}

/** Seals chunk `index` of a file: its bytes encrypted and the 16-byte tag appended. */
export async function sealChunk (key: CryptoKey, index: number, chunk: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: nonce(index), tagLength: FILE_CHUNK_TAG_BYTES * 8 },
    key,
    new Uint8Array(chunk)
  ))
}

/** Opens chunk `index`; throws {@link FileDecryptionError} unless it was sealed with this key as chunk `index`. */
export async function openChunk (key: CryptoKey, index: number, sealed: Uint8Array): Promise<Uint8Array> {
  try {
    return new Uint8Array(await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: nonce(index), tagLength: FILE_CHUNK_TAG_BYTES * 8 },
      key,
      new Uint8Array(sealed)
    ))
  } catch (err) {
    throw new FileDecryptionError(`Chunk ${index} does not open with this room's file key: another room's key, or altered`, { cause: err })
  }
}
