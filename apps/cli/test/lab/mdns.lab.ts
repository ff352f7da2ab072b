import { createRoomId } from '@p2p-chat/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { elapsed, Lab } from './lab.js'

describe('mDNS: two terminal peers on one LAN, no relay', () => {
  let lab: Lab
  beforeAll(() => { lab = new Lab() })
  afterAll(() => { lab?.destroy() })

  it('find each other, connect directly and chat in the room', async () => {
    const room = createRoomId()
    const alice = lab.startCli('Alice', 'la', ['--room', room])
    const bob = lab.startCli('Bob', 'lb', ['--room', room])
    await alice.waitForLine(/no relay: chatting with peers on the local network/, 15_000)
    // within 8 s: peers found by mDNS are dialled at once (~2 s here). Left alone, libp2p only connects when
    // the DHT's or AutoNAT's random walk happens to dial them (~11 s in this lab)
    // and each says the other is direct from the first line about it: the LAN connection carried the presence
    await alice.waitForLine(/^\* Bob …\w{6} is in the room, connected directly$/, 8_000)
    const met = elapsed(alice.started)
    await bob.waitForLine(/^\* Alice …\w{6} is in the room, connected directly$/, 10_000)

    alice.send('hello from the LAN')
    await bob.waitForLine(/\] Alice …\w{6}: hello from the LAN$/, 10_000)

    const status = await bob.status()
    expect(status).toMatch(/relays reserved on: none/)
    expect(status).toMatch(/connections: [1-9]\d* direct, 0 relayed/)
    expect(status).toMatch(/direct (inbound|outbound) \/ip4\/10\.3\.0\.1\//)
    console.info(`mDNS: Alice saw Bob in the room ${met} ms after starting`)
  })
})
