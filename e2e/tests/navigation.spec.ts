import { ChatPage } from '../support/chat-page.js'
import { expect, test } from '../support/fixtures.js'
import type { Page } from '@playwright/test'

/** Goes to the start page without reloading (the header's link), as a person switching rooms does. */
async function home (page: Page): Promise<void> {
  await page.getByRole('link', { name: 'P2P Chat' }).click()
  await expect(page.getByRole('button', { name: 'Create room' })).toBeEnabled()
}

test('the room link shown is the room\'s own after switching rooms', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url)
  const first = await alice.createRoom()
  await expect(alice.page.getByRole('textbox', { name: 'Room link' })).toHaveValue(first)
  await home(alice.page)
  const second = await alice.createRoom()
  expect(second).not.toBe(first)
  await expect(alice.page.getByRole('textbox', { name: 'Room link' })).toHaveValue(second)
  await alice.close()
})

test('a private message from a peer who is not in this room can be read and answered', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom()
  const bob = await ChatPage.open(browser, link)
  const bobName = await bob.displayName()
  const aliceName = await alice.displayName()
  await expect(alice.peer(bobName)).toBeVisible()
  // Alice opens a private conversation with Bob; Bob moves on to a room of his own (he is gone from her peers list),
  // and she writes to him there
  await alice.peer(bobName).getByRole('button').first().click()
  const toBob = alice.page.getByRole('region', { name: `Private conversation with ${bobName}` })
  await expect(toBob).toBeVisible()
  await home(bob.page)
  await bob.createRoom()
  await expect(alice.peer(bobName)).toHaveCount(0)
  await toBob.getByRole('textbox', { name: 'Private message' }).fill('are you still there?')
  await toBob.getByRole('textbox', { name: 'Private message' }).press('Enter')
  await expect(toBob.getByRole('listitem').filter({ hasText: 'are you still there?' })).toContainText('delivered')

  const others = bob.page.getByRole('list', { name: 'Private messages from outside the room' })
  await expect(others.getByRole('listitem').filter({ hasText: aliceName })).toContainText('1')
  await others.getByRole('button', { name: new RegExp(aliceName) }).click()
  const toAlice = bob.page.getByRole('region', { name: `Private conversation with ${aliceName}` })
  await expect(toAlice.getByText('are you still there?')).toBeVisible()
  await toAlice.getByRole('textbox', { name: 'Private message' }).fill('yes, in another room')
  await toAlice.getByRole('textbox', { name: 'Private message' }).press('Enter')
  await expect(toBob.getByText('yes, in another room')).toBeVisible()
  await alice.close()
  await bob.close()
})

test('a room page restored from the back/forward cache works again', async ({ playwright, relay }) => {
  // Playwright turns the back/forward cache off by default; people's browsers have it on
  const launch = test.info().project.use.launchOptions ?? {}
  const browser = await playwright.chromium.launch({ ...launch, ignoreDefaultArgs: ['--disable-back-forward-cache'] })
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom()
  const bob = await ChatPage.open(browser, link)
  await bob.send('before leaving')
  await alice.expectMessage('before leaving')
  await bob.page.evaluate(() => {
    addEventListener('pageshow', evt => { if (evt.persisted) sessionStorage.setItem('restored-from-bfcache', 'yes') })
  })
  // a first visit's service worker claims the page once it activates; Chromium evicts a page it claims while the
  // page is in the back/forward cache ("serviceworker-claimed"). Leave once it is in control, as on any later visit
  await bob.page.evaluate(async () => { await navigator.serviceWorker.ready })
  await expect.poll(async () => bob.page.evaluate(() => navigator.serviceWorker.controller != null)).toBe(true)
  await bob.page.goto(new URL('/docs/self-hosting.md', relay.url).href)
  await bob.page.goBack()
  // why Chromium did not restore it, if it did not (the Navigation Timing API's notRestoredReasons)
  const notRestored = async (): Promise<string> => bob.page.evaluate(() => JSON.stringify((performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming & { notRestoredReasons?: unknown }).notRestoredReasons ?? null))
  await expect.poll(async () => bob.page.evaluate(() => sessionStorage.getItem('restored-from-bfcache')), { message: `not restored from the back/forward cache: ${await notRestored().catch(() => '?')}` }).toBe('yes')
  await bob.send('after coming back')
  await alice.expectMessage('after coming back')
  await alice.send('welcome back')
  await bob.expectMessage('welcome back')
  await browser.close()
})

test('lines of a room left while its history was still coming never show up in the next room', async ({ browser }) => {
  const { RelayProcess } = await import('../support/relay-process.js')
  const { SlowHistoryPeer } = await import('../support/slow-history-peer.js')
  // the relay keeps no history: the slow peer is the only one that has the room's earlier lines
  const relay = await RelayProcess.start(['--history', 'off'])
  const peer = await SlowHistoryPeer.start(relay.wsAddr)
  try {
    const alice = await ChatPage.open(browser, relay.url)
    const first = await alice.createRoom('public')
    const firstId = new URL(first).pathname.split('/').pop()!
    await peer.keep(firstId, ['said in the first room, long ago'])
    peer.join(firstId)
    // Alice meets the peer, goes direct with it, and asks it for the room's history, which does not come yet
    await expect(alice.route(peer.name)).toHaveText('direct', { timeout: 30_000 })
    await expect.poll(() => peer.asked, { timeout: 15_000 }).toBe(true)

    await home(alice.page)
    const second = await alice.createRoom('public')
    const marker = await peer.join(new URL(second).pathname.split('/').pop()!)
    // now the first room's history is answered; then a line in the second room shows that what came before it
    // (the answer, over the same connection) has been dealt with
    peer.release()
    await expect(alice.peer(peer.name)).toBeVisible({ timeout: 30_000 })
    await marker.send('said in the second room')
    await alice.expectMessage('said in the second room')
    await expect(alice.messages).not.toContainText('said in the first room')
    await alice.close()
  } finally {
    await peer.stop()
    await relay.dispose()
  }
})
