import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { LateModule } from './late-module.js'
import { LatePing } from './late-ping.js'
import type { PingComponents } from '@libp2p/ping'

describe('LatePing', () => {
  it('a ping sent before the late module is in waits for it, one whose signal aborts first fails, and after it pings at once', async () => {
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const asked: string[] = []
    // the late module's ping: answers 42 ms for whichever peer it is asked about
    const extras = new LateModule(async () => ({
      createPing: () => ({ ping: async (target: unknown) => { asked.push(String(target)); return 42 } })
    }) as unknown as typeof import('./extras.js'))
    const ping = new LatePing({} as unknown as PingComponents, extras)
    ping.start()

    const early = ping.ping(peer)
    const aborted = ping.ping(peer, { signal: AbortSignal.timeout(10) })
    await expect(aborted).rejects.toMatchObject({ name: 'TimeoutError' })
    expect(asked).toEqual([])

    await extras.load()
    expect(await early).toBe(42)
    expect(await ping.ping(peer)).toBe(42)
    expect(asked).toEqual([peer.toString(), peer.toString()])
  })
})
