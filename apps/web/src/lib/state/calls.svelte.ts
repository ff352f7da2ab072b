import { peerIdFromString } from '@libp2p/peer-id'
import { CallSignal, createCallId, DM_CALL_SCOPE, MAX_CALL_PARTICIPANTS } from '@p2p-chat/shared'
import { RING_REPEATS_MS, TALKING_LEVEL } from '../p2p/constants.js'
import type { CallMesh, CallPeer } from '../p2p/call-mesh.js'
import type { CallSignals, IceServer, ReceivedCallSignal } from '@p2p-chat/shared'

/** Where a call happens: a room (its topic) or a private conversation with one peer. */
export type CallPlace = { room: string } | { dm: string }

/** The call this browser is in, as the UI shows it. */
export interface ActiveCall {
  callId: string
  /** `room:<topic>` or `dm:<peer id>` */
  place: string
  peers: Array<CallPeer & { talking: boolean }>
  local: MediaStream
  talking: boolean
  muted: boolean
  cameraOff: boolean
  hasCamera: boolean
  hasMicrophone: boolean
  /** my screen is sent instead of my camera */
  sharingScreen: boolean
}

/** A call under way that this browser can join. */
export interface AvailableCall {
  callId: string
  participants: string[]
  full: boolean
}

export interface CallsInit {
  /** the same STUN/TURN servers as libp2p's WebRTC connections */
  iceServers: () => Promise<IceServer[]>
  /** the room being shown: its topic and its members' peer ids */
  room: () => { topic: string, members: string[] } | undefined
  /** a peer whose calls are refused (blocked) */
  refuses?: (peerId: string) => boolean
  /** ms after a ring at which it is said again to those not in the call @default RING_REPEATS_MS */
  ringRepeatsMs?: readonly number[]
}

/** A place's key in the state: `room:<topic>` or `dm:<peer id>`. */
export function placeKey (place: CallPlace): string {
  return 'room' in place ? `room:${place.room}` : `dm:${place.dm}`
}

/** The camera and microphone, whatever of them this browser has: nothing at all still joins, to listen. */
async function openMedia (): Promise<{ stream: MediaStream, note?: string }> {
  const media = navigator.mediaDevices
  if (media == null) return { stream: new MediaStream(), note: 'This page cannot use a camera or microphone: you only see and hear the others' }
  const tries: Array<[MediaStreamConstraints, string | undefined]> = [
    [{ audio: true, video: true }, undefined],
    [{ audio: true }, 'No camera: you joined with audio only'],
    [{ video: true }, 'No microphone: the others cannot hear you']
  ]
  for (const [constraints, note] of tries) {
    const stream = await media.getUserMedia(constraints).catch(() => undefined)
    if (stream != null) return { stream, note }
  }
  return { stream: new MediaStream(), note: 'No camera or microphone allowed: you only see and hear the others' }
}

/**
 * Calls in the room and in private conversations: one at a time. Its media is a mesh of RTCPeerConnections (one
 * per other person, {@link CallMesh}, loaded when a call starts), signalled over the node's `calls` service; rings
 * tell the room's members (or the conversation's peer) that a call is under way, so they can join it.
 */
export class Calls {
  readonly #signals: CallSignals
  readonly #init: CallsInit
  readonly #me: string
  #mesh?: CallMesh
  #active = $state.raw<ActiveCall>()
  /** calls others are in, by place key */
  #available = $state.raw<Record<string, AvailableCall>>({})
  #note = $state<string>()
  #error = $state<string>()
  #busy = $state(false)
  /** who heard of the call this browser is in (a RING): the room's newcomers are rung once */
  #rung: Record<string, true> = {}
  /** the ring said again ({@link RING_REPEATS_MS}) */
  #ringTimers: Array<ReturnType<typeof setTimeout>> = []

  readonly #onSignal = (evt: CustomEvent<ReceivedCallSignal>): void => {
    void this.#handle(evt.detail.from.toString(), evt.detail.signal)
  }

  constructor (signals: CallSignals, me: string, init: CallsInit) {
    this.#signals = signals
    this.#init = init
    this.#me = me
  }

  get active (): ActiveCall | undefined { return this.#active }
  /** what the media could not do (no camera, say) */
  get note (): string | undefined { return this.#note }
  /** why starting or joining failed */
  get error (): string | undefined { return this.#error }
  /** a call is being started or joined */
  get busy (): boolean { return this.#busy }

  /** Private calls others started with me (by their peer id) that I am not in. */
  get incoming (): Array<{ peerId: string, call: AvailableCall }> {
    return Object.entries(this.#available)
      .filter(([key]) => key.startsWith('dm:'))
      .map(([key, call]) => ({ peerId: key.slice(3), call }))
  }

  /** The call under way at a place that this browser is not in. */
  available (place: CallPlace): AvailableCall | undefined {
    return this.#available[placeKey(place)]
  }

  start (): void {
    this.#signals.addEventListener('signal', this.#onSignal)
  }

  stop (): void {
    this.#signals.removeEventListener('signal', this.#onSignal)
    void this.leave()
  }

  /** Starts a call at a place and rings whoever is there. */
  async startCall (place: CallPlace): Promise<void> {
    await this.#enter(place, createCallId(), [])
  }

  /** Joins the call under way at a place. */
  async join (place: CallPlace): Promise<void> {
    const call = this.available(place)
    if (call == null) return
    await this.#enter(place, call.callId, call.participants)
  }

  async leave (): Promise<void> {
    const mesh = this.#mesh
    if (mesh == null) return
    const place = this.#active?.place
    this.#mesh = undefined
    this.#active = undefined
    this.#note = undefined
    const participants = mesh.participants
    this.#stopRinging()
    await mesh.leave()
    // the others who were told of the call hear that this peer left it
    if (place != null) this.#tell(place, mesh, { type: CallSignal.Type.LEAVE }, participants)
  }

  async toggleMute (): Promise<void> {
    await this.#mesh?.setMuted(!this.#mesh.muted)
  }

  async toggleCamera (): Promise<void> {
    await this.#mesh?.setCameraOff(!this.#mesh.cameraOff)
  }

  /** Whether this browser can share a screen at all (`getDisplayMedia`). */
  get canShareScreen (): boolean {
    return typeof navigator.mediaDevices?.getDisplayMedia === 'function'
  }

  /** Shares a screen (the browser asks which) in place of the camera, or stops sharing it. */
  async toggleScreenShare (): Promise<void> {
    const mesh = this.#mesh
    if (mesh == null) return
    if (mesh.sharingScreen) {
      await mesh.setScreen(undefined)
      return
    }
    this.#error = undefined
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false })
      const [track] = stream.getVideoTracks()
      if (this.#mesh !== mesh) {
        stream.getTracks().forEach(t => { t.stop() })
        return
      }
      await mesh.setScreen(track)
    } catch (err) {
      this.#error = (err as Error).name === 'NotAllowedError' ? 'Screen sharing was not allowed' : `Could not share the screen: ${(err as Error).message}`
    }
  }

  /** The room's members changed: those new to it hear of the call this browser is in there. */
  ring (): void {
    const mesh = this.#mesh
    const room = this.#init.room()
    if (mesh == null || room == null || this.#active?.place !== placeKey({ room: room.topic })) return
    const unrung = room.members.filter(peerId => this.#rung[peerId] == null)
    if (unrung.length === 0) return
    this.#ring(this.#active.place, mesh)
  }

  /** Rings whoever is at the place and not in the call, and again a while later (a ring can be lost). */
  #ring (key: string, mesh: CallMesh): void {
    const ring = (): void => {
      if (this.#mesh === mesh) this.#tell(key, mesh, { type: CallSignal.Type.RING, scope: mesh.scope, participants: mesh.participants }, mesh.participants)
    }
    ring()
    this.#stopRinging()
    this.#ringTimers = (this.#init.ringRepeatsMs ?? RING_REPEATS_MS).map(ms => setTimeout(ring, ms))
  }

  #stopRinging (): void {
    this.#ringTimers.forEach(clearTimeout)
    this.#ringTimers = []
  }

  async #enter (place: CallPlace, callId: string, participants: string[]): Promise<void> {
    if (this.#mesh != null || this.#busy) return
    this.#busy = true
    this.#error = undefined
    try {
      const [{ CallMesh }, media] = await Promise.all([import('../p2p/call-mesh.js'), openMedia()])
      const key = placeKey(place)
      const mesh: CallMesh = new CallMesh({
        callId,
        scope: 'room' in place ? place.room : DM_CALL_SCOPE,
        me: this.#me,
        signals: this.#signals,
        iceServers: this.#init.iceServers,
        local: media.stream,
        onchange: () => { if (this.#mesh === mesh) this.#snapshot(mesh, key) },
        onended: () => {
          if (this.#mesh !== mesh) return
          this.#stopRinging()
          this.#mesh = undefined
          this.#active = undefined
          this.#tell(key, mesh, { type: CallSignal.Type.LEAVE }, [])
        }
      })
      this.#mesh = mesh
      this.#rung = {}
      this.#note = media.note
      this.#forget(key)
      this.#snapshot(mesh, key)
      await mesh.connect(participants)
      this.#ring(key, mesh)
    } catch (err) {
      this.#error = `The call could not start: ${(err as Error).message}`
    } finally {
      this.#busy = false
    }
  }

  /** Sends a signal about the call to everyone invited at its place who is not in `except`. */
  #tell (key: string, mesh: CallMesh, signal: Partial<CallSignal> & Pick<CallSignal, 'type'>, except: string[]): void {
    const invited = key.startsWith('dm:') ? [key.slice(3)] : this.#init.room()?.members ?? []
    for (const peerId of invited) {
      if (except.includes(peerId) || peerId === this.#me) continue
      if (signal.type === CallSignal.Type.RING) this.#rung[peerId] = true
      void this.#signals.send(peerIdFromString(peerId), {
        callId: mesh.callId, scope: '', participants: [], sdp: '', candidate: '', ...signal
      }).catch(() => {})
    }
  }

  async #handle (from: string, signal: CallSignal): Promise<void> {
    if (this.#init.refuses?.(from) === true) return
    const mesh = this.#mesh
    if (mesh != null && signal.callId === mesh.callId) {
      if (signal.type === CallSignal.Type.RING) return
      try {
        await mesh.handle(from, signal)
      } catch {
        // a broken offer or answer: that pair fails, the call goes on
      }
      return
    }
    const room = this.#init.room()
    if (signal.type === CallSignal.Type.RING) {
      const key = signal.scope === DM_CALL_SCOPE ? `dm:${from}` : `room:${signal.scope}`
      // a room's ring counts only from a member of the room being shown
      if (signal.scope !== DM_CALL_SCOPE && (room?.topic !== signal.scope || !room.members.includes(from))) return
      if (!signal.participants.includes(from)) return
      // a blocked peer in the call is left out of it here: joining never connects to it
      const participants = signal.participants.filter(p => this.#init.refuses?.(p) !== true)
      this.#available = { ...this.#available, [key]: { callId: signal.callId, participants, full: signal.participants.length >= MAX_CALL_PARTICIPANTS } }
    } else if (signal.type === CallSignal.Type.LEAVE) {
      for (const [key, call] of Object.entries(this.#available)) {
        if (call.callId !== signal.callId) continue
        const participants = call.participants.filter(p => p !== from)
        if (participants.length === 0) {
          this.#forget(key)
        } else {
          this.#available = { ...this.#available, [key]: { ...call, participants, full: false } }
        }
      }
    }
  }

  #forget (key: string): void {
    const available = { ...this.#available }
    delete available[key]
    this.#available = available
  }

  #snapshot (mesh: CallMesh, place: string): void {
    this.#active = {
      callId: mesh.callId,
      place,
      peers: mesh.peers.map(peer => ({ ...peer, talking: peer.level > TALKING_LEVEL })),
      local: mesh.localStream,
      talking: mesh.localLevel > TALKING_LEVEL,
      muted: mesh.muted,
      cameraOff: mesh.cameraOff,
      hasCamera: mesh.hasCamera,
      hasMicrophone: mesh.hasMicrophone,
      sharingScreen: mesh.sharingScreen
    }
  }
}
