import { raceSignal } from 'race-signal'
import { IdleTimer } from '../util/idle-timer.js'
import { FILE_CHUNK_BYTES } from './constants.js'
import { sealChunk } from './crypto.js'
import { FileTransferProtocolError } from './errors.js'
import { parseFileCredit } from './wire.js'
import type { FileSource, FileUpload } from './index.js'
import type { FileRequestFields } from './wire.js'
import type { PeerId, Stream } from '@libp2p/interface'
import type { LengthPrefixedStream } from '@libp2p/utils'

/** A file as this peer serves it in one room. */
export interface ServedFile {
  id: string
  topic: string
  source: FileSource
  /** a private room's key for this file: every chunk is sealed with it */
  key?: Promise<CryptoKey>
  /** aborted when the file is no longer served: its uploads end */
  signal: AbortSignal
  /** peers it is not served to */
  refuse?: (peer: PeerId) => boolean
}

export interface UploadInit {
  idleTimeout: number
  /** the upload was stopped from here (the service stops, the file is no longer served) */
  signal: AbortSignal
  onProgress: (upload: FileUpload) => void
}

/**
 * One peer fetching one file from this one: sends its chunks from the requested offset, never more than the peer
 * granted, and waits for the transport to drain after each, so it holds at most one chunk the transport has not
 * taken. Reads the peer's credits as they come. Ends when the last chunk is sent and the peer closes its end.
 */
export class Upload {
  readonly peer: PeerId
  readonly file: ServedFile
  readonly offset: number
  private readonly stream: Stream
  private readonly lp: LengthPrefixedStream<Stream>
  private readonly init: UploadInit
  private sent: number
  /** bytes read from the source and not yet handed to the stream */
  private inHand = 0
  private granted: number
  /** the peer closed its end: no more credit will come */
  private creditsEnded = false
  /** resolves the wait for the next credit */
  private wake?: () => void

  constructor (stream: Stream, lp: LengthPrefixedStream<Stream>, peer: PeerId, file: ServedFile, request: FileRequestFields, init: UploadInit) {
    this.stream = stream
    this.lp = lp
    this.peer = peer
    this.file = file
    this.offset = request.offset
    this.sent = request.offset
    this.granted = request.window
    this.init = init
  }

  get status (): FileUpload {
    return { id: this.file.id, topic: this.file.topic, peer: this.peer, offset: this.offset, sent: this.sent, size: this.file.source.size }
  }

  /** Bytes this upload holds that the transport has not taken: a chunk in hand, and the stream's write buffer. */
  get buffered (): number {
    return this.inHand + this.stream.writeBufferLength
  }

  /** Sends the file; throws whatever stops it (the caller aborts the stream). */
  async run (): Promise<void> {
    const idle = new IdleTimer(this.init.idleTimeout)
    const stopped = new AbortController()
    const signal = AbortSignal.any([idle.signal, this.init.signal, stopped.signal])
    const credits = this.readCredits(signal, idle).catch((err: Error) => { stopped.abort(err) })
    try {
      const { source } = this.file
      const key = await this.file.key
      this.init.onProgress(this.status)
      for (let index = this.offset / FILE_CHUNK_BYTES; this.sent < source.size; index++) {
        await this.credit(index - this.offset / FILE_CHUNK_BYTES, signal)
        const chunk = await raceSignal(source.read(this.sent, Math.min(FILE_CHUNK_BYTES, source.size - this.sent)), signal)
        this.inHand = chunk.byteLength
        await this.lp.write(key == null ? chunk : await sealChunk(key, index, chunk), { signal })
        this.inHand = 0
        this.sent += chunk.byteLength
        idle.touch()
        this.init.onProgress(this.status)
      }
      await this.stream.close({ signal })
      // the peer closes its end once it has the last chunk
      await credits
      signal.throwIfAborted()
    } finally {
      this.inHand = 0
      idle.clear()
    }
  }

  /** Waits until the peer has granted chunk `n` (counted from this upload's first). */
  private async credit (n: number, signal: AbortSignal): Promise<void> {
    while (n >= this.granted) {
      if (this.creditsEnded) {
        throw new FileTransferProtocolError('The peer closed its end without granting the rest of the file')
      }
      await raceSignal(new Promise<void>(resolve => { this.wake = resolve }), signal)
    }
  }

  /** Reads credit frames until the peer closes its end; a frame that is not a credit ends the upload. */
  private async readCredits (signal: AbortSignal, idle: IdleTimer): Promise<void> {
    try {
      while (true) {
        let frame
        try {
          frame = await this.lp.read({ signal })
        } catch (err) {
          if ((err as Error).name === 'UnexpectedEOFError') {
            return
          }
          throw err
        }
        this.granted += parseFileCredit(frame)
        idle.touch()
        this.wake?.()
      }
    } finally {
      this.creditsEnded = true
      this.wake?.()
    }
  }
}
