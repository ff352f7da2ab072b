import { peerIdFromString } from '@libp2p/peer-id'
import {
  blobSource, DEFAULT_MAX_FILE_BYTES, FileTooLargeError, formatFileSize, normalizeMimeType, validateFileOffer
} from '@p2p-chat/shared'
import { openOpfsFileSink } from '../storage/file-sink.js'
import type { FileOffer, FileRoom, FileTransfer, FileUpload } from '@p2p-chat/shared'

/** Where a file offered in the room is, on this browser. */
export type DownloadStatus = 'downloading' | 'done' | 'failed' | 'cancelled'

export interface DownloadState {
  status: DownloadStatus
  /** bytes held so far (what an earlier, interrupted fetch left counts) */
  received: number
  size: number
  /** why it failed, for people */
  error?: string
  /** the failure can be resumed: the connection dropped or stalled, what arrived is kept */
  resumable?: boolean
  /** once done: the file, backed by its OPFS copy, to save or preview */
  url?: string
}

/** A file I offer, and how far each peer fetching it is. */
export interface SharedFile {
  /** my own copy, to preview an image I sent */
  url: string
  /** the peers fetching it now: peer id → bytes sent */
  uploads: Record<string, { sent: number, size: number }>
  /** I stopped sharing it (Cancel): nobody can fetch it from me any more */
  stopped: boolean
}

/** The errors after which a fetch resumes where it stopped. */
const RESUMABLE = new Set(['FileTransferInterruptedError', 'FileTransferTimeoutError', 'PeerUnreachableError'])

/** Why a fetch failed, in words for people. */
function describeFetchError (err: Error, from: string): string {
  switch (err.name) {
    case 'DirectConnectionRequiredError':
      return `Files move only over a direct connection, and ${from} is reached through the relay: try again once the peers list shows it direct`
    case 'FileNotFoundError':
      return `${from} no longer shares this file`
    case 'FileTooLargeError':
      return `This file is over this room's limit of ${formatFileSize(DEFAULT_MAX_FILE_BYTES)}`
    case 'FileIntegrityError':
      return 'The file that arrived is not the one offered (its SHA-256 differs): it was discarded'
    case 'FileDecryptionError':
      return 'The file could not be decrypted with this room\'s key: it was discarded'
    case 'FileSinkError':
      return `The file could not be written to this browser's storage: ${(err.cause as Error | undefined)?.message ?? err.message}`
    case 'FileTransferInterruptedError':
      return `The connection to ${from} dropped: what arrived is kept, Resume continues from there`
    case 'FileTransferTimeoutError':
      return `Nothing arrived from ${from} for a while: what arrived is kept, Resume continues from there`
    case 'PeerUnreachableError':
      return `${from} cannot be reached now: Resume tries again`
    default:
      return err.message
  }
}

/** Width and height of an image file, when the browser can decode it. */
async function imageSize (file: Blob): Promise<{ width: number, height: number } | undefined> {
  try {
    const bitmap = await createImageBitmap(file)
    const size = { width: bitmap.width, height: bitmap.height }
    bitmap.close()
    return size
  } catch {
    return undefined
  }
}

export interface FileTransfersInit {
  /** the room's file size limit @default DEFAULT_MAX_FILE_BYTES */
  maxFileSize?: number
  /** peers (by peer id) whose requests for my files are refused, and whose files I do not fetch: blocked ones */
  refuses?: (peerId: string) => boolean
}

/**
 * Files in the room being shown: the ones I offer (served by the node's file-transfer service until I cancel or
 * leave) and the ones I fetch (only when I ask: into OPFS, resumable, checked against their SHA-256). One per room:
 * the session makes a new one when it enters a room and stops the old one.
 */
export class FileTransfers {
  readonly #files: FileTransfer
  readonly #room: FileRoom
  readonly maxFileSize: number
  readonly #refuses: (peerId: string) => boolean
  readonly #left = new AbortController()
  /** fetches under way (not state: nothing renders them) */
  readonly #fetches: Partial<Record<string, AbortController>> = {}
  #downloads = $state.raw<Record<string, DownloadState>>({})
  #shared = $state.raw<Record<string, SharedFile>>({})

  readonly #onUpload = (evt: CustomEvent<FileUpload>): void => {
    this.#trackUpload(evt.detail, false)
  }

  readonly #onUploadEnd = (evt: CustomEvent<FileUpload & { error?: Error }>): void => {
    this.#trackUpload(evt.detail, true)
  }

  constructor (files: FileTransfer, room: FileRoom, init: FileTransfersInit = {}) {
    this.#files = files
    this.#room = room
    this.maxFileSize = init.maxFileSize ?? DEFAULT_MAX_FILE_BYTES
    this.#refuses = init.refuses ?? (() => false)
    files.addEventListener('upload:progress', this.#onUpload)
    files.addEventListener('upload:end', this.#onUploadEnd)
  }

  /** fetches of files offered in the room, by file id */
  get downloads (): Record<string, DownloadState> { return this.#downloads }
  /** files I offered in the room, by file id */
  get shared (): Record<string, SharedFile> { return this.#shared }

  /**
   * Serves a picked, dropped or pasted file in the room and returns the offer to send in a line. Throws
   * `FileTooLargeError` above the room's limit (nothing is read), or the offer checks' typed errors.
   */
  async share (file: File): Promise<FileOffer> {
    if (file.size > this.maxFileSize) {
      throw new FileTooLargeError(`${file.name} is ${formatFileSize(file.size)}; this room's limit is ${formatFileSize(this.maxFileSize)}`, file.size, this.maxFileSize)
    }
    const mime = normalizeMimeType(file.type)
    const dimensions = mime.startsWith('image/') ? await imageSize(file) : undefined
    const offer: FileOffer = { id: '0'.repeat(64), name: file.name, size: file.size, mime, ...dimensions }
    validateFileOffer(offer, this.maxFileSize)
    offer.id = await this.#files.serve(blobSource(file), {
      ...this.#room, maxSize: this.maxFileSize, signal: this.#left.signal, refuse: peer => this.#refuses(peer.toString())
    })
    const previous = this.#shared[offer.id]
    this.#shared = { ...this.#shared, [offer.id]: { url: previous?.url ?? URL.createObjectURL(file), uploads: {}, stopped: false } }
    return offer
  }

  /** Stops sharing a file I offered: uploads under way end, and nobody can fetch it from me any more. */
  stopSharing (id: string): void {
    const shared = this.#shared[id]
    if (shared == null) return
    this.#files.unserve(this.#room.topic, id)
    this.#shared = { ...this.#shared, [id]: { ...shared, uploads: {}, stopped: true } }
  }

  /**
   * Fetches a file offered by `from` (peer id) into this browser's storage, resuming after what an earlier fetch
   * kept. When it is done and checked, its state holds an object URL to save or preview.
   */
  async download (offer: FileOffer, from: string, fromName: string): Promise<void> {
    if (this.#fetches[offer.id] != null || this.#refuses(from)) return
    const controller = new AbortController()
    this.#fetches[offer.id] = controller
    const signal = AbortSignal.any([controller.signal, this.#left.signal])
    this.#put(offer.id, { status: 'downloading', received: this.#downloads[offer.id]?.received ?? 0, size: offer.size })
    try {
      const sink = await openOpfsFileSink(offer.id)
      this.#put(offer.id, { status: 'downloading', received: await sink.size(), size: offer.size })
      await this.#files.fetch(peerIdFromString(from), {
        ...this.#room,
        id: offer.id,
        size: offer.size,
        maxSize: this.maxFileSize,
        sink,
        signal,
        onProgress: ({ received }) => {
          if (!signal.aborted) this.#put(offer.id, { status: 'downloading', received, size: offer.size })
        }
      })
      const blob = new File([await sink.blob()], offer.name, { type: offer.mime })
      if (!this.#left.signal.aborted) {
        this.#put(offer.id, { status: 'done', received: offer.size, size: offer.size, url: URL.createObjectURL(blob) })
      }
    } catch (err) {
      if (this.#left.signal.aborted) return
      const received = this.#downloads[offer.id]?.received ?? 0
      if (controller.signal.aborted) {
        this.#put(offer.id, { status: 'cancelled', received, size: offer.size, resumable: true })
      } else {
        const error = err as Error
        this.#put(offer.id, { status: 'failed', received, size: offer.size, error: describeFetchError(error, fromName), resumable: RESUMABLE.has(error.name) })
      }
    } finally {
      delete this.#fetches[offer.id]
    }
  }

  /** Stops a fetch under way; what arrived is kept, so downloading again resumes. */
  cancel (id: string): void {
    this.#fetches[id]?.abort(new DOMException('Cancelled', 'AbortError'))
  }

  /** The room was left: stop serving and fetching, let go of the object URLs. */
  stop (): void {
    this.#left.abort()
    this.#files.removeEventListener('upload:progress', this.#onUpload)
    this.#files.removeEventListener('upload:end', this.#onUploadEnd)
    for (const state of Object.values(this.#downloads)) {
      if (state.url != null) URL.revokeObjectURL(state.url)
    }
    for (const shared of Object.values(this.#shared)) {
      URL.revokeObjectURL(shared.url)
    }
  }

  #put (id: string, state: DownloadState): void {
    this.#downloads = { ...this.#downloads, [id]: state }
  }

  #trackUpload (upload: FileUpload, ended: boolean): void {
    const shared = this.#shared[upload.id]
    if (upload.topic !== this.#room.topic || shared == null) return
    const peer = upload.peer.toString()
    const uploads = { ...shared.uploads }
    if (ended) {
      delete uploads[peer]
    } else {
      uploads[peer] = { sent: upload.sent, size: upload.size }
    }
    this.#shared = { ...this.#shared, [upload.id]: { ...shared, uploads } }
  }
}
