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
  // Bob moves on to a room of his own; Alice still sees him and writes to him privately
  await home(bob.page)
  await bob.createRoom()
  await alice.peer(bobName).getByRole('button').first().click()
  const toBob = alice.page.getByRole('region', { name: `Private conversation with ${bobName}` })
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
  await bob.page.goto(new URL('/docs/self-hosting.md', relay.url).href)
  await bob.page.goBack()
  await expect.poll(async () => bob.page.evaluate(() => sessionStorage.getItem('restored-from-bfcache'))).toBe('yes')
  await bob.send('after coming back')
  await alice.expectMessage('after coming back')
  await alice.send('welcome back')
  await bob.expectMessage('welcome back')
  await browser.close()
})
