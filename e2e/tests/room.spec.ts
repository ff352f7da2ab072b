import { appendFile, mkdir } from 'node:fs/promises'
import { ChatPage } from '../support/chat-page.js'
import { expect, test } from '../support/fixtures.js'
import { PeerPathCut } from '../support/peer-path-cut.js'

/** Timings go to test-results/timings.jsonl, for the notes and the benchmarks to quote. */
async function recordTiming (name: string, ms: number): Promise<void> {
  await mkdir('test-results', { recursive: true })
  await appendFile('test-results/timings.jsonl', JSON.stringify({ name, ms, at: new Date().toISOString() }) + '\n')
  test.info().annotations.push({ type: name, description: `${ms} ms` })
}

test('two browsers chat through the relay, go direct, and keep chatting when the relay stops', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom()
  const aliceName = await alice.displayName()

  const opened = Date.now()
  const bob = await ChatPage.open(browser, link)
  const bobName = await bob.displayName()
  await bob.send('hello from bob')
  await alice.expectMessage('hello from bob')
  await recordTiming('open link → first message shown on the other side', Date.now() - opened)

  await alice.send('hello from alice <b>not bold</b>')
  await bob.expectMessage('hello from alice <b>not bold</b>')
  // text is text: the tag is shown, not rendered
  await expect(bob.messages.locator('b')).toHaveCount(0)

  await expect(alice.peer(bobName)).toBeVisible()
  await expect(bob.peer(aliceName)).toBeVisible()
  await expect(bob.route(aliceName)).toHaveText('direct', { timeout: 30_000 })
  await recordTiming('open link → peer shown as direct', Date.now() - opened)
  await expect(alice.route(bobName)).toHaveText('direct')
  for (const [milestone, ms] of Object.entries(await bob.milestones())) {
    await recordTiming(`newcomer milestone after navigation: ${milestone}`, ms)
  }

  expect(await relay.stop()).toBe(0)
  await expect(alice.page.getByTestId('relay-status')).toContainText('Cannot reach relay at', { timeout: 20_000 })
  await expect(alice.page.getByTestId('relay-status')).toContainText(/reconnecting in \d+ s/)

  await alice.send('still here without the relay')
  await bob.expectMessage('still here without the relay')
  await bob.send('me too')
  await alice.expectMessage('me too')
  await expect(bob.route(aliceName)).toHaveText('direct')

  await alice.close()
  await bob.close()
})

test('two browsers whose direct path goes away while they are quiet keep chatting through the relay, and go direct again once it is back', async ({ browser, relay }) => {
  const unavailable = PeerPathCut.unavailable()
  test.skip(unavailable != null, unavailable)
  test.setTimeout(180_000)
  const { alice, bob, aliceName, bobName } = await ChatPage.directPair(browser, relay.url)

  const cut = new PeerPathCut()
  try {
    // nothing crosses the pair's WebRTC connection from now on, and nothing closes it: only the browsers' own
    // checks of the path (ICE consent) can tell it is gone, as the pages' connection monitor leaves it alone
    cut.drop()
    const cutAt = Date.now()
    await alice.send('sent as the path went')
    await bob.expectMessage('sent as the path went')
    await expect(bob.route(aliceName)).toHaveText('relayed', { timeout: 60_000 })
    await expect(alice.route(bobName)).toHaveText('relayed', { timeout: 60_000 })
    await recordTiming('direct path cut → both peers shown as relayed', Date.now() - cutAt)
    await bob.send('through the relay')
    await alice.expectMessage('through the relay')

    cut.mend()
    await expect(bob.route(aliceName)).toHaveText('direct', { timeout: 90_000 })
    await expect(alice.route(bobName)).toHaveText('direct', { timeout: 30_000 })
    await alice.send('direct again')
    await bob.expectMessage('direct again')
  } finally {
    cut.mend()
  }
  await alice.close()
  await bob.close()
})

test('a person who closes the page is gone from the other\'s peers list at once, and so is their direct connection', async ({ browser, relay }) => {
  const { alice, bob, bobName } = await ChatPage.directPair(browser, relay.url)
  await alice.page.getByRole('button', { name: 'Diagnostics' }).click()
  const webrtc = alice.page.getByRole('dialog', { name: 'Diagnostics' }).getByRole('table', { name: 'Connections' })
    .getByRole('row').filter({ hasText: 'webrtc' })
  await expect(webrtc).not.toHaveCount(0)

  await bob.page.close({ runBeforeUnload: true })
  // within seconds, where a quiet member is dropped after 40 s and the browser gives up on the connection after ~18 s
  await expect(alice.peer(bobName)).toHaveCount(0, { timeout: 10_000 })
  await expect(webrtc).toHaveCount(0, { timeout: 10_000 })
  await alice.close()
  await bob.close()
})

test('a person whose page crashes is gone from the other\'s peers list within seconds: the relay tells the room, and the direct connection is checked', async ({ browser, relay }) => {
  const { alice, bob, bobName } = await ChatPage.directPair(browser, relay.url)
  // a crashed page says nothing: no leave, no SCTP abort on its WebRTC connection, which stays open at the other
  // end until ICE gives up on it; its WebSocket to the relay closes with it
  const cdp = await bob.page.context().newCDPSession(bob.page)
  void cdp.send('Page.crash').catch(() => {})
  // the check of the direct connection takes up to 5 s; without the relay's word, 40 s
  await expect(alice.peer(bobName)).toHaveCount(0, { timeout: 15_000 })
  await alice.close()
  await bob.close()
})
