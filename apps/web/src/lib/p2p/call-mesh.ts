import { peerIdFromString } from '@libp2p/peer-id'
import { CallSignal, MAX_CALL_PARTICIPANTS } from '@p2p-chat/shared'
import { AUDIO_LEVEL_INTERVAL_MS } from './constants.js'
import type { CallSignals, IceServer } from '@p2p-chat/shared'

/** One other person in the call. */
export interface CallPeer {
  peerId: string
  /** their audio and video as they arrive (empty until the media connection carries some) */
  stream: MediaStream
  /** the media connection's state: 'new', 'connecting', 'connected', 'failed', … */
  state: RTCPeerConnectionState
  /** their audio level, 0–1 */
  level: number
}

export interface CallMeshInit {
  callId: string
  scope: string
  /** this peer's id */
  me: string
  signals: CallSignals
  /** the same STUN/TURN servers as libp2p's WebRTC connections */
  iceServers: () => Promise<IceServer[]>
  /** this browser's camera and microphone (whatever of them it has; possibly nothing) */
  local: MediaStream
  /** something changed: peers, their media, their levels, or the call ended */
  onchange: () => void
  /** the last other person left: the call is over for this peer */
  onended: () => void
}

interface Pair {
  pc: RTCPeerConnection
  peer: CallPeer
  /** ICE candidates produced before this side's description was sent: they follow it */
  pending: RTCIceCandidate[] | undefined
}

/**
 * This browser's side of one call: a media RTCPeerConnection to every other participant (a mesh, at most
 * {@link MAX_CALL_PARTICIPANTS} people), signalled over libp2p streams ({@link CallSignals}). A joiner offers to
 * each participant; each answers. Mute and camera stop the sending of that track (`replaceTrack(null)`): nothing
 * of it leaves the browser while off. A shared screen takes the camera's place on the same video sender
 * (`replaceTrack`, no renegotiation), so a browser without a camera can share its screen too.
 */
export class CallMesh {
  readonly callId: string
  readonly scope: string
  readonly #init: CallMeshInit
  readonly #pairs = new Map<string, Pair>()
  #muted = false
  #cameraOff = false
  /** the screen being shared, sent instead of the camera */
  #screen?: MediaStreamTrack
  #localLevel = 0
  #timer?: ReturnType<typeof setInterval>
  #ended = false

  constructor (init: CallMeshInit) {
    this.callId = init.callId
    this.scope = init.scope
    this.#init = init
    this.#timer = setInterval(() => { void this.#readLevels() }, AUDIO_LEVEL_INTERVAL_MS)
  }

  get peers (): CallPeer[] { return [...this.#pairs.values()].map(p => ({ ...p.peer })) }
  get participants (): string[] { return [this.#init.me, ...this.#pairs.keys()] }
  get muted (): boolean { return this.#muted }
  get cameraOff (): boolean { return this.#cameraOff }
  get sharingScreen (): boolean { return this.#screen != null }
  get hasCamera (): boolean { return this.#init.local.getVideoTracks().length > 0 }
  get hasMicrophone (): boolean { return this.#init.local.getAudioTracks().length > 0 }
  get localStream (): MediaStream { return this.#init.local }
  get localLevel (): number { return this.#localLevel }
  get full (): boolean { return this.#pairs.size + 1 >= MAX_CALL_PARTICIPANTS }

  /** Joins the people already in the call: a JOIN and an offer to each. */
  async connect (participants: string[]): Promise<void> {
    for (const peerId of participants.slice(0, MAX_CALL_PARTICIPANTS - 1)) {
      if (peerId === this.#init.me || this.#pairs.has(peerId)) continue
      const pair = await this.#pair(peerId, true)
      try {
        await this.#send(peerId, { type: CallSignal.Type.JOIN, scope: this.scope })
        await pair.pc.setLocalDescription()
        await this.#sendDescription(peerId, pair, CallSignal.Type.OFFER)
      } catch {
        this.#drop(peerId)
      }
    }
  }

  /** Handles a signal of this call from `from` (the session checked it belongs to this call's scope). */
  async handle (from: string, signal: CallSignal): Promise<void> {
    if (this.#ended) return
    switch (signal.type) {
      case CallSignal.Type.OFFER: {
        if (!this.#pairs.has(from) && this.full) {
          await this.#send(from, { type: CallSignal.Type.LEAVE }).catch(() => {})
          return
        }
        const known = this.#pairs.get(from)
        const pair = known ?? await this.#pair(from, false)
        await pair.pc.setRemoteDescription({ type: 'offer', sdp: signal.sdp })
        if (known == null) {
          // the offer's audio and video carry this browser's tracks back
          for (const transceiver of pair.pc.getTransceivers()) {
            transceiver.direction = 'sendrecv'
            transceiver.sender.setStreams(this.#init.local)
            await transceiver.sender.replaceTrack(this.#sending(transceiver.receiver.track.kind))
          }
        }
        await pair.pc.setLocalDescription()
        await this.#sendDescription(from, pair, CallSignal.Type.ANSWER).catch(() => { this.#drop(from) })
        break
      }
      case CallSignal.Type.ANSWER:
        await this.#pairs.get(from)?.pc.setRemoteDescription({ type: 'answer', sdp: signal.sdp })
        break
      case CallSignal.Type.CANDIDATE:
        await this.#pairs.get(from)?.pc.addIceCandidate(signal.candidate === ''
          ? null
          : { candidate: signal.candidate, sdpMid: signal.sdpMid ?? null, sdpMLineIndex: signal.sdpMLineIndex ?? null }).catch(() => {})
        break
      case CallSignal.Type.LEAVE:
        this.#drop(from)
        break
      default:
    }
  }

  /** Mutes or unmutes the microphone: while muted no audio is sent at all. */
  async setMuted (muted: boolean): Promise<void> {
    this.#muted = muted
    await this.#setSending('audio', !muted)
  }

  /** Turns the camera off or on: while off no video is sent at all. */
  async setCameraOff (off: boolean): Promise<void> {
    this.#cameraOff = off
    await this.#setSending('video', !off)
  }

  /**
   * Shares a screen (a track from `getDisplayMedia`) in the camera's place, or stops sharing (`undefined`): the
   * camera comes back, unless it is off. Sharing stops by itself when the browser's own "Stop sharing" ends the track.
   */
  async setScreen (track: MediaStreamTrack | undefined): Promise<void> {
    const previous = this.#screen
    if (previous === track) return
    this.#screen = track
    track?.addEventListener('ended', () => { if (this.#screen === track) void this.setScreen(undefined) }, { once: true })
    previous?.stop()
    await this.#resend('video')
  }

  /** Leaves the call: tells every participant, closes every media connection, stops the camera and microphone. */
  async leave (): Promise<void> {
    if (this.#ended) return
    this.#ended = true
    clearInterval(this.#timer)
    const peers = [...this.#pairs.keys()]
    await Promise.allSettled(peers.map(async peerId => this.#send(peerId, { type: CallSignal.Type.LEAVE })))
    for (const peerId of peers) {
      this.#pairs.get(peerId)?.pc.close()
      this.#pairs.delete(peerId)
    }
    for (const track of this.#init.local.getTracks()) track.stop()
    this.#screen?.stop()
    this.#screen = undefined
  }

  async #setSending (kind: 'audio' | 'video', on: boolean): Promise<void> {
    const track = this.#init.local.getTracks().find(t => t.kind === kind)
    if (track == null) return
    track.enabled = on
    await this.#resend(kind)
  }

  /** Puts what is to be sent of a kind now ({@link #sending}) on that kind's sender to every participant. */
  async #resend (kind: 'audio' | 'video'): Promise<void> {
    for (const { pc } of this.#pairs.values()) {
      const transceiver = pc.getTransceivers().find(t => t.receiver.track.kind === kind)
      await transceiver?.sender.replaceTrack(this.#sending(kind))
    }
    this.#init.onchange()
  }

  /** The local track of a kind, unless it is muted or turned off; the shared screen, if any, for video. */
  #sending (kind: string): MediaStreamTrack | null {
    if (kind === 'video' && this.#screen != null) return this.#screen
    const off = kind === 'audio' ? this.#muted : this.#cameraOff
    return off ? null : this.#init.local.getTracks().find(t => t.kind === kind) ?? null
  }

  /** A media connection to a peer; the offerer adds its audio and video, the answerer takes the offer's. */
  async #pair (peerId: string, offerer: boolean): Promise<Pair> {
    const pc = new RTCPeerConnection({ iceServers: await this.#init.iceServers() })
    const pair: Pair = { pc, peer: { peerId, stream: new MediaStream(), state: pc.connectionState, level: 0 }, pending: [] }
    this.#pairs.set(peerId, pair)
    // one transceiver per kind, so that mute and camera can leave the track out without renegotiating
    for (const kind of offerer ? ['audio', 'video'] : []) {
      pc.addTransceiver(this.#sending(kind) ?? kind, { direction: 'sendrecv', streams: [this.#init.local] })
    }
    pc.ontrack = evt => {
      pair.peer.stream.addTrack(evt.track)
      // a new MediaStream object, so that a <video> bound to it notices
      pair.peer.stream = new MediaStream(pair.peer.stream.getTracks())
      this.#init.onchange()
    }
    pc.onicecandidate = evt => {
      const candidate = evt.candidate
      if (candidate == null) return
      if (pair.pending != null) {
        pair.pending.push(candidate)
      } else {
        void this.#sendCandidate(peerId, candidate)
      }
    }
    pc.onconnectionstatechange = () => {
      pair.peer.state = pc.connectionState
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') {
        this.#drop(peerId)
      } else {
        this.#init.onchange()
      }
    }
    this.#init.onchange()
    return pair
  }

  async #sendDescription (peerId: string, pair: Pair, type: CallSignal.Type): Promise<void> {
    await this.#send(peerId, { type, sdp: pair.pc.localDescription?.sdp ?? '' })
    const pending = pair.pending ?? []
    pair.pending = undefined
    for (const candidate of pending) {
      await this.#sendCandidate(peerId, candidate)
    }
  }

  async #sendCandidate (peerId: string, candidate: RTCIceCandidate): Promise<void> {
    await this.#send(peerId, {
      type: CallSignal.Type.CANDIDATE,
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid ?? undefined,
      sdpMLineIndex: candidate.sdpMLineIndex ?? undefined
    }).catch(() => {})
  }

  async #send (peerId: string, signal: Partial<CallSignal> & Pick<CallSignal, 'type'>): Promise<void> {
    await this.#init.signals.send(peerIdFromString(peerId), { callId: this.callId, scope: '', participants: [], sdp: '', candidate: '', ...signal })
  }

  /** Someone left (or their connection failed): forget them; the last one leaving ends the call. */
  #drop (peerId: string): void {
    const pair = this.#pairs.get(peerId)
    if (pair == null) return
    this.#pairs.delete(peerId)
    pair.pc.close()
    this.#init.signals.release(peerId)
    if (this.#pairs.size === 0 && !this.#ended) {
      void this.leave().then(() => { this.#init.onended() })
    } else {
      this.#init.onchange()
    }
  }

  async #readLevels (): Promise<void> {
    let local = 0
    for (const pair of this.#pairs.values()) {
      let level = 0
      const stats = await pair.pc.getStats().catch(() => undefined)
      stats?.forEach((report: { type: string, kind?: string, audioLevel?: number }) => {
        if (report.type === 'inbound-rtp' && report.kind === 'audio') level = report.audioLevel ?? 0
        if (report.type === 'media-source' && report.kind === 'audio') local = Math.max(local, report.audioLevel ?? 0)
      })
      pair.peer.level = level
    }
    this.#localLevel = this.#muted ? 0 : local
    this.#init.onchange()
  }
}
