import { createHash } from 'node:crypto'
import { createLibp2p } from 'libp2p'
import { fileTransfer, FILE_PROTOCOL } from '../../src/file/index.js'
import { loopbackOptions } from '../helpers.js'
import type { FileTransfer, FileTransferInit } from '../../src/file/index.js'
import type { Libp2p } from '@libp2p/interface'

export type FilesNode = Libp2p<{ files: FileTransfer }>

/** A node on loopback TCP running the file-transfer service as `files`. */
export async function filesNode (init?: FileTransferInit): Promise<FilesNode> {
  return createLibp2p({ ...loopbackOptions(), services: { files: fileTransfer(init) } })
}

/** `size` random bytes (incompressible, like a photo). */
export function randomFile (size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size)
  for (let at = 0; at < size; at += 65_536) {
    crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65_536)))
  }
  return bytes
}

/** The file id of `bytes`: its SHA-256 in hex (Node's own, to check ours against). */
export function sha256 (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** The file-transfer streams `node` has open with `peer`. */
export function fileStreams (node: Libp2p, peer: Libp2p): number {
  return node.getConnections(peer.peerId).flatMap(c => c.streams).filter(s => s.protocol === FILE_PROTOCOL).length
}
