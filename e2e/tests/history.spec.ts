import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ROOM_PREVIEW_PAGE_ID } from '@p2p-chat/shared'
import { expectNoSeriousViolations } from '../support/axe.js'
import { ChatPage } from '../support/chat-page.js'
import { expect, test } from '../support/fixtures.js'
import type { RelayProcess } from '../support/relay-process.js'
import type { BrowserContext, Locator, Page } from '@playwright/test'

/** Whether any file the relay keeps (its SQLite history, LevelDB peer store) contains `text`. */
async function relayStores (relay: RelayProcess, text: string): Promise<boolean> {
  const needle = Buffer.from(text)
  const files = await readdir(relay.dataDir, { recursive: true, withFileTypes: true })
  for (const file of files.filter(f => f.isFile())) {
    if ((await readFile(join(file.parentPath, file.name))).includes(needle)) return true
  }
  return false
}

/** How many times a line shows in a page's log (a duplicate would show twice). */
async function count (page: ChatPage, text: string): Promise<number> {
  return page.messages.getByText(text, { exact: true }).count()
}

test('a late joiner sees what was said before it came', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom()
  const bob = await ChatPage.open(browser, link)
  await alice.send('first, before carol')
  await bob.expectMessage('first, before carol')
  await bob.send('second, before carol')
  await alice.expectMessage('second, before carol')

  const carol = await ChatPage.open(browser, link)
  await carol.expectMessage('first, before carol')
  await carol.expectMessage('second, before carol')
  // the same order on every peer: (timestamp, id)
  const order = async (p: ChatPage): Promise<string[]> => p.messages.locator('.text').allTextContents()
  expect(await order(carol)).toEqual(await order(alice))
  for (const p of [alice, bob, carol]) await p.close()
})

test('with every member gone, the relay alone gives a newcomer the private room\'s history, which it cannot read', async ({ browser, relay }) => {
  const secret = `the eagle lands at ${Date.now()}`
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom('private')
  const bob = await ChatPage.open(browser, link)
  await alice.send(secret)
  await bob.expectMessage(secret)
  await alice.close()
  await bob.close()

  const carol = await ChatPage.open(browser, link)
  await carol.expectMessage(secret)
  await expect(carol.page.getByTestId('room-privacy')).toContainText('end-to-end encrypted')
  await expect(carol.peers.getByRole('listitem')).toHaveCount(0)
  await carol.close()

  // the relay kept the line (carol got it from nobody else) but only as ciphertext
  expect(await relayStores(relay, secret)).toBe(false)
})

test('a public room is kept readable by the relay (what a private room avoids)', async ({ browser, relay }) => {
  const text = `public words ${Date.now()}`
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom('public')
  await expect(alice.page.getByTestId('room-privacy')).toContainText('Public room')
  const bob = await ChatPage.open(browser, link)
  await alice.send(text)
  await bob.expectMessage(text)
  await expect.poll(async () => relayStores(relay, text)).toBe(true)
  await alice.close()
  await bob.close()
})

test('a newcomer to a public room sees its newest lines in the page the relay served, before reaching anyone', async ({ browser, relay }) => {
  const lines = [`said before you came ${Date.now()}`, '<b>not bold</b> & <i>not markup</i>']
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom('public')
  for (const text of lines) await alice.send(text)
  await expect.poll(async () => relayStores(relay, lines[1]!)).toBe(true)
  await alice.close()

  // these pages reach nobody: every WebSocket (the relay's) closes as it opens, and WebRTC is refused
  const cutOff = { webrtcUnavailableMs: Infinity, prepare: async (context: BrowserContext) => { await context.routeWebSocket(/.*/, async ws => { await ws.close() }) } }
  const bob = await ChatPage.open(browser, link, cutOff)
  for (const text of lines) await bob.expectMessage(text)
  // shown before the page has made its time formatter (lib/time-of-day.svelte.ts): each line's time fills in
  await expect(bob.message(lines[0]!).locator('time')).toHaveText(/^\d{1,2}:\d{2}/)
  await expect(bob.messages.locator('b, i')).toHaveCount(0)
  await expect(bob.page.getByTestId('relay-status')).toContainText(/Starting|Connecting|Cannot reach/)
  await bob.close()

  // a private room of the same id: the relay cannot tell (the secret never reaches it), the page shows none of it
  const secret = 'A'.repeat(43)
  const carol = await ChatPage.open(browser, `${link}#${secret}`, cutOff)
  await expect(carol.page.getByTestId('room-privacy')).toContainText('end-to-end encrypted')
  await expect(carol.messages).toContainText('No messages yet')
  await expect(carol.messages.getByText(lines[0]!)).toHaveCount(0)
  await carol.close()
})

test('the page the relay serves draws a public room\'s newest lines before any script runs, as the reader\'s app shows them', async ({ browser, relay }) => {
  const mine = `alice was here ${Date.now()}`
  const markup = '<b>not bold</b> & $& <i>not markup</i>'
  const spam = `buy cheap watches ${Date.now()}`
  // Alice's browser runs no service worker, which would answer a link with the app as cached, without any preview
  const alice = await ChatPage.open(browser, relay.url, { context: { serviceWorkers: 'block' } })
  const link = await alice.createRoom('public')
  await alice.send(mine)
  await alice.send(markup)
  const bob = await ChatPage.open(browser, link)
  const bobName = await bob.displayName()
  await bob.send(spam)
  await alice.expectMessage(spam)
  await alice.peer(bobName).getByRole('button', { name: 'Block', exact: true }).click()
  await expect(alice.messages).not.toContainText(spam)
  await expect.poll(async () => relayStores(relay, spam)).toBe(true)
  await bob.close()
  const drawing = (page: Page): Locator => page.getByRole('region', { name: 'The room\'s newest lines' })
  const tint = async (page: Page, text: string): Promise<string> => drawing(page).getByRole('listitem').filter({ hasText: text }).evaluate(li => getComputedStyle(li).backgroundColor)
  const untinted = 'rgba(0, 0, 0, 0)'

  // a browser without JavaScript: the room's newest lines, as text, and why it cannot join
  const reader = await browser.newContext({ javaScriptEnabled: false })
  const bare = await reader.newPage()
  await bare.goto(link)
  for (const text of [mine, markup, spam]) await expect(drawing(bare).getByText(text, { exact: true })).toBeVisible()
  await expect(drawing(bare).locator('b, i')).toHaveCount(0)
  await expect(bare.getByText('P2P Chat is starting to join this room (it needs JavaScript)')).toBeVisible()
  expect(await tint(bare, mine)).toBe(untinted)
  await reader.close()

  // Alice's browser, the app's code held back: what is drawn before it runs already leaves out whom she blocked, and
  // tints her own lines; on a private room's link of the same id, nothing of the public room is drawn
  const early = await alice.page.context().newPage()
  await early.route('**/assets/*.js', async route => { await route.abort() })
  await early.goto(link)
  await expect(drawing(early).getByText(mine, { exact: true })).toBeVisible()
  await expect(drawing(early).getByText(spam, { exact: true })).toBeHidden()
  expect(await tint(early, mine)).not.toBe(untinted)
  for (const colorScheme of ['light', 'dark'] as const) {
    await early.emulateMedia({ colorScheme })
    await expectNoSeriousViolations(early, `the relay's drawing of a room (${colorScheme})`)
  }
  await early.goto('about:blank')
  await early.goto(`${link}#${'A'.repeat(43)}`)
  const drawn = early.locator(`#${ROOM_PREVIEW_PAGE_ID}`)
  await expect(drawn).toBeAttached()
  await expect(drawn).toBeHidden()
  await early.close()

  // with its code, the app takes the drawing's place once it shows the lines itself: each line shows once
  const carol = await ChatPage.open(browser, link)
  for (const text of [mine, markup, spam]) await carol.expectMessage(text)
  await expect(drawing(carol.page)).toHaveCount(0)
  for (const text of [mine, markup, spam]) await expect(carol.page.getByText(text, { exact: true })).toHaveCount(1)
  await alice.close()
  await carol.close()
})

test('a relay restart mid-conversation loses and duplicates nothing', async ({ browser, relay }) => {
  // no WebRTC: the two depend on the relay for everything, so the outage really cuts them off
  const alice = await ChatPage.open(browser, relay.url, { webrtcUnavailableMs: Infinity })
  const link = await alice.createRoom()
  const bob = await ChatPage.open(browser, link, { webrtcUnavailableMs: Infinity })
  await alice.send('before the restart')
  await bob.expectMessage('before the restart')

  const restarting = relay.restart()
  await expect(alice.page.getByTestId('relay-status')).toContainText(/reconnecting|Connecting/, { timeout: 20_000 })
  await alice.send('during the outage, from alice')
  await bob.send('during the outage, from bob')
  await expect(alice.message('during the outage, from alice')).toContainText('pending')
  await restarting

  await bob.expectMessage('during the outage, from alice', 30_000)
  await alice.expectMessage('during the outage, from bob', 30_000)
  await expect(alice.message('during the outage, from alice')).not.toContainText('pending')
  await alice.send('after the restart')
  await bob.expectMessage('after the restart')
  for (const p of [alice, bob]) {
    for (const text of ['before the restart', 'during the outage, from alice', 'during the outage, from bob', 'after the restart']) {
      expect(await count(p, text), text).toBe(1)
    }
  }
  await alice.close()
  await bob.close()
})

test('a reload keeps the identity, the history and the rooms', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom()
  const bob = await ChatPage.open(browser, link)
  await alice.send('said before the reload')
  await bob.expectMessage('said before the reload')
  const fingerprint = await alice.fingerprint()
  await alice.reload()
  expect(await alice.fingerprint()).toBe(fingerprint)
  await alice.expectMessage('said before the reload')

  // the room is listed at home, and leads back to it (its secret included)
  await alice.page.getByRole('link', { name: 'P2P Chat' }).click()
  await alice.page.getByRole('list', { name: 'Your rooms' }).getByRole('button').first().click()
  await expect(alice.page).toHaveURL(link)
  await alice.expectMessage('said before the reload')
  await bob.close()
  await alice.close()
})

test('a line typed with nobody to take it waits across a reload and goes out when a peer comes', async ({ browser }) => {
  // a relay that carries no room gossip: alone in the room, alice has no route at all
  const { RelayProcess } = await import('../support/relay-process.js')
  const relay = await RelayProcess.start(['--follow-rooms', 'off'])
  try {
    const alice = await ChatPage.open(browser, relay.url)
    const link = await alice.createRoom()
    await alice.send('typed while alone')
    await expect(alice.message('typed while alone')).toContainText('pending')
    await alice.reload()
    await expect(alice.message('typed while alone')).toContainText('pending')

    const bob = await ChatPage.open(browser, link)
    await bob.expectMessage('typed while alone', 30_000)
    await expect(alice.message('typed while alone')).not.toContainText('pending', { timeout: 30_000 })
    expect(await count(bob, 'typed while alone')).toBe(1)
    await alice.close()
    await bob.close()
  } finally {
    await relay.dispose()
  }
})
