// vitest runs in Node: the camera is a stand-in (a stream without tracks), and the call's signals a stand-in service
// that loses the first ring, as one written to a connection that closes under it is lost.
import { setTimeout as delay } from 'node:timers/promises'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { CallSignal } from '@p2p-chat/shared'
import { waitFor } from '@p2p-chat/shared/testing'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Calls } from './calls.svelte.js'
import type { PeerId } from '@libp2p/interface'
import type { CallSignals } from '@p2p-chat/shared'

const peerId = async (): Promise<string> => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()

describe('Calls', () => {
  afterEach(() => { vi.unstubAllGlobals() })

  it('rings the room again a while later, as a ring can be lost, and stops once it has left the call', async () => {
    const noTracks = { getTracks: () => [], getAudioTracks: () => [], getVideoTracks: () => [] }
    vi.stubGlobal('navigator', { mediaDevices: { getUserMedia: async () => noTracks } })
    const [me, other] = [await peerId(), await peerId()]
    const rung: string[] = []
    let lost = 0
    const signals = Object.assign(new EventTarget(), {
      send: async (peer: PeerId, signal: CallSignal): Promise<void> => {
        if (signal.type !== CallSignal.Type.RING) return
        if (lost++ === 0) return
        rung.push(peer.toString())
      }
    }) as unknown as CallSignals
    const topic = '/p2p-chat/room/1/aaaaaaaaaaaaaaaaaaaaaaaaaa'
    const calls = new Calls(signals, me, { iceServers: async () => [], room: () => ({ topic, members: [me, other] }), ringRepeatsMs: [20, 60, 200] })
    calls.start()
    await calls.startCall({ room: topic })
    expect(calls.active?.place).toBe(`room:${topic}`)
    expect(rung).toEqual([])
    await waitFor(() => rung.length === 2, 2_000, 'the ring said again, twice')
    expect(rung).toEqual([other, other])
    await calls.leave()
    await delay(300)
    expect(rung).toHaveLength(2)
    calls.stop()
  })
})
