import { createRoomId, roomPath } from '@p2p-chat/shared'
import { chromium } from '@playwright/test'
import { ChatPage } from '../support/chat-page.js'
import { CliProcess, directLine } from '../support/cli-process.js'
import { expect, labTest as test } from '../support/fixtures.js'
import { goesThroughTurn, goesToPeer } from '../support/ice.js'
import { natLabUnavailable } from '../support/nat-lab.js'
import type { IceRoute } from '../support/ice.js'
import type { NatLab } from '../support/nat-lab.js'

// Browsers behind NAT routers in network namespaces (support/nat-lab.ts; the picture is in
// apps/cli/test/lab/README.md). Only as root, with nftables and coturn: ./scripts/test installs them.
const unavailable = natLabUnavailable()
test.skip(unavailable != null, unavailable)

/**
 * How long failing upgrades may take before the peers list says "no direct route": each attempt may take the
 * room's 20 s dial timeout, and the retries back off from 2 s.
 */
const NO_DIRECT_ROUTE_TIMEOUT_MS = 100_000

/** Whether a peers-list item's text claims a direct connection ("no direct route" is not one). */
const saysDirect = (text: string): boolean => /\bdirect\b/.test(text.replaceAll('no direct route', ''))

/** Opens the app in a browser inside a lab host's namespace, keeping its peer connections for `iceRoutes()`. */
async function openIn (lab: NatLab, host: string, url: string): Promise<ChatPage> {
  return ChatPage.open(await lab.browser(host, chromium), url, { keepPeerConnections: true })
}

/** Both ways, and each side sees the other's line. */
async function chat (a: ChatPage, b: ChatPage, text: string): Promise<void> {
  await a.send(`${text} (a → b)`)
  await b.expectMessage(`${text} (a → b)`)
  await b.send(`${text} (b → a)`)
  await a.expectMessage(`${text} (b → a)`)
}

/** Two people in a room, each in a browser of their own lab host. */
interface Pair { alice: ChatPage, bob: ChatPage, aliceName: string, bobName: string }

/**
 * Alice (host a) creates a room, Bob (host b) opens its link, they chat both ways, and each peers list comes
 * to say the other is direct.
 */
async function goDirect (lab: NatLab, greeting: string): Promise<Pair> {
  const alice = await openIn(lab, 'a', lab.url)
  const link = await alice.createRoom()
  const aliceName = await alice.displayName()
  const bob = await openIn(lab, 'b', link)
  const bobName = await bob.displayName()
  await chat(alice, bob, greeting)
  await expect(alice.route(bobName)).toHaveText('direct', { timeout: 30_000 })
  await expect(bob.route(aliceName)).toHaveText('direct', { timeout: 30_000 })
  return { alice, bob, aliceName, bobName }
}

/** Stops the lab's relay: both pages say they cannot reach it, and the pair chats on, still direct. */
async function chatWithoutRelay (lab: NatLab, { alice, bob, aliceName, bobName }: Pair): Promise<void> {
  expect(await lab.relay.stop()).toBe(0)
  await Promise.all([alice, bob].map(async p => expect(p.page.getByTestId('relay-status')).toContainText('Cannot reach relay at', { timeout: 20_000 })))
  await chat(alice, bob, 'still here without the relay')
  await expect(alice.route(bobName)).toHaveText('direct')
  await expect(bob.route(aliceName)).toHaveText('direct')
}

/** Waits until one of `page.iceRoutes()` satisfies `works`; `what` names it for the failure message. */
async function waitForRoute (page: ChatPage, what: string, works: (route: IceRoute) => boolean): Promise<void> {
  await expect.poll(async () => (await page.iceRoutes()).some(works), { message: what }).toBe(true)
}

test.describe('the routers', () => {
  test.use({ nats: ['cone', 'symmetric'] })

  test('a cone router maps endpoint-independently, a symmetric one per destination (RFC 5780)', ({ lab }) => {
    expect(lab.mapping('a')).toBe('endpoint-independent')
    expect(lab.mapping('b')).toBe('address-and-port-dependent')
  })
})

test.describe('two cone NATs', () => {
  test.use({ nats: ['cone', 'cone'] })

  test('the browsers go direct through both NATs (srflx ↔ srflx) and keep chatting when the relay stops', async ({ lab }) => {
    const pair = await goDirect(lab, 'hello across two NATs')
    // each side reaches the other at its router's public address, as STUN found it (or as the first check
    // from there revealed it: prflx), over a nominated pair whose checks succeeded
    for (const [page, peer] of [[pair.alice, lab.host('b')], [pair.bob, lab.host('a')]] as const) {
      await waitForRoute(page, `a nominated, succeeded srflx/prflx pair to ${peer.routerIp}`, r => goesToPeer(r, peer.routerIp))
    }
    await chatWithoutRelay(lab, pair)
  })
})

test.describe('symmetric NATs, no TURN', () => {
  // Alice behind a cone router, Bob and Carol behind symmetric ones: cone ↔ symmetric and symmetric ↔
  // symmetric in one room. No pair can punch a hole, so the room runs through the relay.
  test.use({ nats: ['cone', 'symmetric', 'symmetric'] })

  test('the room keeps working through the relay and the peers list says relayed, then "no direct route"', async ({ lab }) => {
    test.setTimeout(150_000)
    const alice = await openIn(lab, 'a', lab.url)
    const link = await alice.createRoom()
    const bob = await openIn(lab, 'b', link)
    const carol = await openIn(lab, 'c', link)
    const pages = [alice, bob, carol]
    const shown = await Promise.all(pages.map(async p => p.recordPeerList()))
    const names = await Promise.all(pages.map(async p => p.displayName()))

    await chat(alice, bob, 'cone and symmetric')
    await chat(bob, carol, 'symmetric and symmetric')
    for (const [i, page] of pages.entries()) {
      for (const [j, name] of names.entries()) {
        if (i !== j) await expect(page.route(name)).toHaveText('relayed')
      }
    }
    // the upgrades fail and are retried; once they keep failing, every list says so. No direct path can
    // exist here: a list that says direct at any moment fails the test at once (an error thrown while
    // polling ends the poll)
    await expect.poll(async () => {
      const lie = shown.flat().find(saysDirect)
      if (lie != null) throw new Error(`a peers list said direct, though no direct path exists: "${lie}"`)
      const items = await Promise.all(pages.map(async p => p.peers.getByRole('listitem').allTextContents()))
      return items.flat().map(text => text.includes('no direct route'))
    }, { message: 'every peers list says "no direct route"', timeout: NO_DIRECT_ROUTE_TIMEOUT_MS }).toEqual(Array(6).fill(true))
    await chat(carol, alice, 'still through the relay')
    expect(shown.flat().filter(saysDirect)).toEqual([])
    // and no page has a peer connection through the NATs (each has one to the relay: WebRTC-direct)
    const routes = (await Promise.all(pages.map(async p => p.iceRoutes()))).flat()
    expect(routes.filter(r => lab.hosts.some(h => goesToPeer(r, h.routerIp)))).toEqual([])
  })
})

test.describe('symmetric NATs with TURN', () => {
  test.use({ nats: ['symmetric', 'symmetric'], turn: true })

  test('the browsers go direct through TURN (a relay candidate) and keep chatting when the relay stops', async ({ lab }) => {
    const pair = await goDirect(lab, 'hello through TURN')
    // the pair goes through coturn: one end of it at least is a relay candidate on coturn's address
    for (const page of [pair.alice, pair.bob]) {
      await waitForRoute(page, `a nominated, succeeded pair through TURN at ${lab.coturnIp}`, r => goesThroughTurn(r, lab.coturnIp))
    }
    await chatWithoutRelay(lab, pair)
  })
})

test.describe('terminal peers behind cone NATs', () => {
  test.use({ nats: ['cone', 'cone'] })

  /** A terminal peer in a lab host's namespace, in the room of `link` (given on standard input). */
  async function cliIn (lab: NatLab, host: string, name: string, link: string): Promise<CliProcess> {
    const cli = await CliProcess.start(['--room', '-', '--name', name, '--no-mdns'], { netns: lab.ns(`h${host}`) })
    cli.type(link)
    await cli.waitFor(/connected to the relay/)
    return cli
  }

  test('a browser and a terminal peer go direct over WebRTC through both NATs and keep chatting when the relay stops', async ({ lab }) => {
    const alice = await openIn(lab, 'a', lab.url)
    const link = await alice.createRoom()
    const aliceName = await alice.displayName()
    const carol = await cliIn(lab, 'b', 'Carol', link)
    try {
      await expect(alice.route('Carol')).toHaveText('direct', { timeout: 30_000 })
      await waitForRoute(alice, `a nominated, succeeded srflx/prflx pair to ${lab.host('b').routerIp}`, r => goesToPeer(r, lab.host('b').routerIp))
      await carol.waitFor(directLine(aliceName), 30_000)
      carol.type('/peers')
      await carol.waitFor(new RegExp(`${aliceName} …\\w+ direct`))

      expect(await lab.relay.stop()).toBe(0)
      await alice.send('from the browser, relay gone')
      await carol.waitFor(new RegExp(`${aliceName} …\\w+: from the browser, relay gone`))
      carol.type('from the terminal, relay gone')
      await alice.expectMessage('from the terminal, relay gone')
    } finally {
      expect(await carol.quit()).toBe(0)
    }
  })

  test('two terminal peers go direct over WebRTC through both NATs and keep chatting when the relay stops', async ({ lab }) => {
    const link = new URL(roomPath(createRoomId()), lab.url).href
    const alice = await cliIn(lab, 'a', 'Alice', link)
    const bob = await cliIn(lab, 'b', 'Bob', link)
    try {
      for (const [me, other] of [[alice, 'Bob'], [bob, 'Alice']] as const) {
        await me.waitFor(directLine(other), 30_000)
      }
      // the connection is WebRTC between the routers' public addresses: /status lists it
      alice.type('/status')
      await alice.waitFor(/…\w{6} direct (inbound|outbound) \S*\/webrtc/)

      expect(await lab.relay.stop()).toBe(0)
      alice.type('hello without the relay')
      await bob.waitFor(/Alice …\w+: hello without the relay/)
      bob.type('and back')
      await alice.waitFor(/Bob …\w+: and back/)
    } finally {
      expect(await alice.quit()).toBe(0)
      expect(await bob.quit()).toBe(0)
    }
  })
})
