import { ChatPage } from '../support/chat-page.js'
import { expect, test } from '../support/fixtures.js'

test('a malformed room link shows a clear error page with a way back', async ({ browser, relay }) => {
  const visitor = await ChatPage.open(browser, new URL('/r/not-a-room!', relay.url).href)
  await expect(visitor.page.getByRole('heading', { name: 'This room link is not valid' })).toBeVisible()
  await expect(visitor.page.getByRole('alert')).toContainText('"not-a-room!" is not a valid room id')
  await visitor.page.getByRole('link', { name: 'Back to the start page' }).click()
  await expect(visitor.page.getByRole('button', { name: 'Create room' })).toBeEnabled()
  await visitor.close()
})

test('the composer refuses a message over the size limit and sends nothing', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom()
  const bob = await ChatPage.open(browser, link)
  await bob.send('ready')
  await alice.expectMessage('ready')

  await alice.composer.fill('x'.repeat(5000))
  await expect(alice.page.getByRole('alert')).toContainText('Too long: 5000 of 4096 bytes')
  await alice.composer.press('Enter')
  await expect(alice.page.getByRole('alert')).toContainText('This message is 5000 bytes; the limit is 4096 bytes')
  // the text stays in the composer to be shortened, and nothing reached the room
  await expect(alice.composer).toHaveValue('x'.repeat(5000))
  await alice.send('short one')
  await bob.expectMessage('short one')
  await expect(bob.messages.getByRole('listitem')).toHaveCount(2)
  await alice.close()
  await bob.close()
})

test('a display name is generated, can be changed, and peers see the change', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom()
  const generated = await alice.displayName()
  expect(generated).toMatch(/^[a-z]+-[a-z]+-\d+$/)
  const bob = await ChatPage.open(browser, link)
  await expect(bob.peer(generated)).toBeVisible()
  const bobGenerated = await bob.displayName()

  await alice.nameField.fill('Alice Liddell')
  await alice.nameField.press('Enter')
  await expect(bob.peer('Alice Liddell')).toBeVisible()
  await alice.send('my new name')
  await expect(bob.messages.getByRole('listitem').filter({ hasText: 'my new name' })).toContainText('Alice Liddell')

  // the name is kept for the next visit from this browser, a generated one too: Bob is not someone else after a reload
  await alice.page.reload()
  await expect(alice.nameField).toHaveValue('Alice Liddell')
  await bob.page.reload()
  await expect(bob.nameField).toHaveValue(bobGenerated)
  await expect(alice.peer(bobGenerated)).toBeVisible()
  await alice.close()
  await bob.close()
})

test('a page served over plain http from another computer says it needs https, and how to get it', async ({ playwright, relay }) => {
  // a host name that is not this computer's: Chromium reaches the relay's loopback port through it, but the page
  // is not a secure context (as when a relay on a LAN or a VPS serves plain http)
  const launch = test.info().project.use.launchOptions ?? {}
  const browser = await playwright.chromium.launch({ ...launch, args: [...launch.args ?? [], '--host-resolver-rules=MAP chat.p2p-chat.test 127.0.0.1'] })
  const url = new URL(relay.url)
  const page = await browser.newPage()
  await page.goto(`http://chat.p2p-chat.test:${url.port}/`)
  await expect(page.getByRole('heading', { name: 'This page needs a secure connection' })).toBeVisible()
  await expect(page.getByRole('alert')).toContainText(`You opened P2P Chat at http://chat.p2p-chat.test:${url.port} over plain HTTP`)
  await expect(page.getByRole('link', { name: `http://localhost:${url.port}` })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Create room' })).toHaveCount(0)
  await expect(page.getByTestId('relay-status')).toContainText('open it over https')
  // the guide it links to is served with the app
  await page.getByRole('link', { name: 'the self-hosting guide' }).click()
  await expect(page.locator('body')).toContainText('## 5. TLS')
  await browser.close()
})
