import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { DirectUpgrader } from '../src/chat/upgrader.js'
import { randomPeer, waitFor } from './helpers.js'
import type { MemberRecord } from '../src/chat/members.js'
import type { RoomNode } from '../src/chat/peer-pinger.js'
import type { Multiaddr } from '@multiformats/multiaddr'

describe('direct upgrader', () => {
  it('dials at most maxDials members at once; the others get their turn as dials end, in the order they came', async () => {
    const dials: Array<{ to: string, end: () => void }> = []
    // a node whose id sorts before every peer id (so it is the dialler of every pair), none of them direct yet,
    // whose dials last until the test ends them
    const node = {
      peerId: { toString: () => '0' },
      services: { directPaths: { isDirect: () => false } },
      dial: async (addrs: Multiaddr[]) => new Promise<void>(resolve => { dials.push({ to: addrs[0]!.toString(), end: resolve }) })
    } as unknown as RoomNode
    const left = new AbortController()
    const upgrader = new DirectUpgrader(node, {
      signal: left.signal, dialTimeout: 60_000, retryMin: 60_000, retryMax: 60_000, canUpgrade: () => true, onSettled: () => {}, maxDials: 2
    })
    const members = await Promise.all(Array.from({ length: 5 }, async (_, i) => ({
      peerId: (await randomPeer()).toString(), multiaddrs: [multiaddr(`/ip4/127.0.0.1/tcp/${i + 1}`)], dialing: false, failures: 0, announced: true, lastSeen: 0
    }) as unknown as MemberRecord))
    const addr = (i: number): string => members[i]!.multiaddrs[0]!.toString()

    members.forEach(member => { upgrader.maybeDial(member) })
    expect(dials.map(d => d.to)).toEqual([addr(0), addr(1)])

    dials[1]!.end()
    await waitFor(() => dials.length === 3)
    dials[0]!.end()
    await waitFor(() => dials.length === 4)
    dials[2]!.end()
    await waitFor(() => dials.length === 5)
    expect(dials.map(d => d.to)).toEqual([0, 1, 2, 3, 4].map(addr))
    expect(members.filter(m => m.dialing)).toHaveLength(2)
    left.abort()
  })
})
