import { createRoomId } from '@p2p-chat/shared'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { elapsed, Lab, RELAY_IP, ROUTER_A_IP, ROUTER_B_IP } from './lab.js'
import type { LabProcess } from './lab.js'

const esc = (s: string): string => s.replace(/\./g, '\\.')

/** Polls `/status` until a line matches `re` (a connection to the other peer, say); returns that line. */
async function statusLine (peer: LabProcess, re: RegExp, ms: number): Promise<string> {
  const deadline = Date.now() + ms
  for (;;) {
    const line = (await peer.status()).split('\n').find(l => re.test(l))
    if (line != null) {
      return line
    }
    if (Date.now() > deadline) {
      throw new Error(`${peer.name}: no /status line matching ${re} within ${ms} ms:\n${peer.lines.slice(-30).join('\n')}`)
    }
    await new Promise(resolve => setTimeout(resolve, 250))
  }
}

/**
 * The relay on a "public" address; Alice and Bob each behind a NAT router of their own (nftables masquerade).
 * See README.md beside this file for the topology and the address range.
 */
describe('NAT lab: AutoNAT and DCUtR through the real relay', () => {
  let lab: Lab
  let relayAddr: string
  let relayId: string
  beforeAll(async () => {
    lab = new Lab()
    ;({ addr: relayAddr, peerId: relayId } = await lab.startRelay())
  })
  afterEach(() => { lab?.killPeers() })
  afterAll(() => { lab?.destroy() })

  it('behind NATs: AutoNAT says private, both stay DHT clients and chat through the relay', async () => {
    const room = createRoomId()
    const alice = lab.startCli('Alice', 'ha', ['--room', room, '--relay', relayAddr, '--no-mdns'])
    const bob = lab.startCli('Bob', 'hb', ['--room', room, '--relay', relayAddr, '--no-mdns'])
    for (const peer of [alice, bob]) {
      await peer.waitForLine(/^\* connected to the relay/, 15_000)
      // the relay tried to dial the router's address it observed and could not. Mostly ~2 s, but up to ~14 s
      // was seen since the relay has QUIC (not traced: a QUIC dial-back that times out takes 10 s)
      const verdict = await peer.waitForLine(/^\* reachability: private \(AutoNAT server …\w{6} could not dial back/, 25_000)
      expect(verdict).toContain(`/ip4/${peer === alice ? ROUTER_A_IP : ROUTER_B_IP}/tcp/`)
      console.info(`AutoNAT: ${peer.name} private ${elapsed(peer.started)} ms after starting`)
    }
    // identify told her the relay runs the hop protocol, and she took a slot on it to be reached through
    await alice.waitForLine(new RegExp(`^\\* reserved a slot on relay …${relayId.slice(-6)}`), 15_000)
    await alice.waitForLine(/^\* Bob …\w{6} is in the room/, 20_000)
    bob.send('hello through the relay')
    await alice.waitForLine(/\] Bob …\w{6}: hello through the relay$/, 10_000)

    const status = await alice.status()
    expect(status).toContain(`relays reserved on: …${relayId.slice(-6)}`)
    expect(status).toContain('* DHT: client')
    expect(status).toMatch(new RegExp(`…${relayId.slice(-6)} direct outbound /ip4/${esc(RELAY_IP)}/tcp/4001`))
  })

  it('a port forwarded on Alice\'s router: AutoNAT says public, and DCUtR moves her relayed connection with Bob to a direct one', async () => {
    // Alice's router forwards TCP and UDP 4011 to her, and she announces that address
    lab.exec('ra', 'nft', 'add', 'rule', 'ip', 'nat', 'prerouting', 'iifname', 'wan', 'tcp', 'dport', '4011', 'dnat', 'to', '10.1.0.2:4011')
    lab.exec('ra', 'nft', 'add', 'rule', 'ip', 'nat', 'prerouting', 'iifname', 'wan', 'udp', 'dport', '4011', 'dnat', 'to', '10.1.0.2:4011')
    const room = createRoomId()
    // Bob first, and Alice once his first room lookups in the DHT are done (at 0, 2 and 8 s; the next is at 30
    // s): later lookups could find Alice's public address and dial it, and the point here is the upgrade of a
    // relayed connection
    const bob = lab.startCli('Bob2', 'hb', ['--room', room, '--relay', relayAddr, '--no-mdns'], 'libp2p:dcutr,p2p-chat:room:discovery')
    await bob.waitForLine(/^\* reachability: private/, 25_000)
    await bob.waitForLine(/p2p-chat:room:discovery lookup \(at 8000 ms\) of \S+ (done|failed)/, 30_000)
    const alice = lab.startCli('Alice2', 'ha', [
      '--room', room, '--relay', relayAddr, '--no-mdns',
      '--listen', '/ip4/0.0.0.0/tcp/4011', '--listen', '/ip4/0.0.0.0/udp/4011/quic-v1',
      '--announce', `/ip4/${ROUTER_A_IP}/tcp/4011`, '--announce', `/ip4/${ROUTER_A_IP}/udp/4011/quic-v1`
    ])
    await alice.waitForLine(new RegExp(`^\\* reachability: public \\(AutoNAT server …\\w{6} dialled back .*/ip4/${esc(ROUTER_A_IP)}/`), 25_000)
    console.info(`AutoNAT: Alice2 public ${elapsed(alice.started)} ms after starting`)
    // with a verified public address, kad-dht switches to server mode
    await statusLine(alice, /^\* DHT: server$/, 15_000)
    await alice.waitForLine(/^\* Bob2 …\w{6} is in the room/, 20_000)

    // Whichever of the two opens the relayed connection (Alice, public, dials each member through the relay;
    // of a pair, the smaller peer id dials the other's WebRTC address, which goes through the relay too), DCUtR
    // ends it with a direct connection to her forwarded port: Bob, receiving it, dials her public address
    // (unilateral upgrade, or the synchronised dial if that fails); Alice, receiving it, has no public address
    // of Bob's to dial, so the two run DCUtR's connect/sync and Bob dials her.
    const attempt = await bob.waitForLine(/libp2p:dcutr (attempting unilateral connection upgrade to |A receiving connect)/, 20_000)
    const success = await bob.waitForLine(/libp2p:dcutr (unilateral connection upgrade to \w+ succeeded via|DCUtR to \w+ succeeded (to address|via)) \/ip4\//, 10_000)
    const upgradeMs = Date.parse(success.split(' ')[0]!) - Date.parse(attempt.split(' ')[0]!)
    await alice.waitForLine(/^\* Bob2 …\w{6} is now connected directly/, 5_000)
    const bobId = (await bob.waitForLine(/^\* you are Bob2 …\w{6}/, 1_000)).match(/…(\w{6})/)![1]
    const aliceId = (await alice.waitForLine(/^\* you are Alice2 …\w{6}/, 1_000)).match(/…(\w{6})/)![1]
    const atAlice = await statusLine(alice, new RegExp(`^ {2}…${bobId} direct inbound /ip4/${esc(ROUTER_B_IP)}/`), 5_000)
    const atBob = await statusLine(bob, new RegExp(`^ {2}…${aliceId} direct outbound /ip4/${esc(ROUTER_A_IP)}/(tcp|udp)/4011`), 5_000)
    console.info(`DCUtR: upgrade took ${upgradeMs} ms (Bob2's attempt to success), direct ${elapsed(alice.started)} ms after Alice2 started; Alice2 sees "${atAlice.trim()}", Bob2 sees "${atBob.trim()}"`)
    // the relayed connection between them is closed once the direct one is up
    await statusLine(alice, /^\* connections: \d+ direct, 0 relayed$/, 10_000)

    alice.send('hello, directly')
    await bob.waitForLine(/\] Alice2 …\w{6}: hello, directly$/, 10_000)
  })
})
