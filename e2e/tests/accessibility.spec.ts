import { expectNoSeriousViolations } from '../support/axe.js'
import { ChatPage } from '../support/chat-page.js'
import { expect, test } from '../support/fixtures.js'

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe-core finds no serious violation on the landing page, a room and a private conversation (${colorScheme} theme)`, async ({ browser, relay }) => {
    const alice = await ChatPage.open(browser, relay.url)
    await alice.page.emulateMedia({ colorScheme })
    await expect(alice.page.getByRole('button', { name: 'Create room' })).toBeEnabled()
    await expectNoSeriousViolations(alice.page, `the landing page (${colorScheme})`)

    const link = await alice.createRoom()
    await expect(alice.page.getByText('No messages yet')).toBeVisible()
    await expectNoSeriousViolations(alice.page, `an empty room (${colorScheme})`)

    const bob = await ChatPage.open(browser, link)
    const bobName = await bob.displayName()
    await bob.send('hello, can you read me?')
    await alice.expectMessage('hello, can you read me?')
    await alice.send('loud and clear')
    await expect(alice.peer(bobName)).toContainText(/direct|relayed/)
    await expectNoSeriousViolations(alice.page, `a room with lines and a peer (${colorScheme})`)

    await alice.peer(bobName).getByRole('button').first().click()
    await expect(alice.page.getByRole('region', { name: `Private conversation with ${bobName}` })).toBeVisible()
    await expectNoSeriousViolations(alice.page, `a private conversation (${colorScheme})`)
    await alice.close()
    await bob.close()
  })
}

test('on a phone the conversation comes first; peers, link and identity open in a drawer, by keyboard too', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom()
  const aliceName = await alice.displayName()
  const phone = await browser.newContext({ viewport: { width: 390, height: 740 }, isMobile: true, hasTouch: true })
  const page = await phone.newPage()
  await page.goto(link)
  const composer = page.getByRole('textbox', { name: 'Message', exact: true })
  await expect(composer).toBeEnabled()
  // the first screen: the log and the composer, with the composer inside the viewport; the details are closed
  await expect(composer).toBeInViewport()
  await expect(page.getByRole('log', { name: 'Messages' })).toBeInViewport()
  await expect(page.getByRole('textbox', { name: 'Room link' })).toBeHidden()
  await expect(page.getByRole('list', { name: 'Peers' })).toBeHidden()
  await expectNoSeriousViolations(page, 'a room on a phone')
  // a line's Reply and React show on the line tapped
  await alice.send('tap me')
  const line = page.getByRole('log', { name: 'Messages' }).getByRole('listitem').filter({ hasText: 'tap me' })
  const reply = line.getByRole('button', { name: /^Reply to/ })
  await expect(line).toBeVisible()
  await expect(reply).toBeHidden()
  await line.getByText('tap me', { exact: true }).tap()
  await expect(reply).toBeVisible()

  const toggle = page.getByRole('button', { name: /Peers \(\d+\) & link/ })
  await expect(toggle).toHaveAttribute('aria-expanded', 'false')
  await toggle.focus()
  await page.keyboard.press('Enter')
  await expect(toggle).toHaveAttribute('aria-expanded', 'true')
  const details = page.getByRole('complementary', { name: 'Room details' })
  await expect(details).toBeFocused()
  await expect(page.getByRole('textbox', { name: 'Room link' })).toHaveValue(link)
  await expect(page.getByRole('list', { name: 'Peers' }).getByRole('listitem').filter({ hasText: aliceName })).toBeVisible()
  await expect(page.getByRole('textbox', { name: 'Display name' })).toBeVisible()
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    await expectNoSeriousViolations(page, `the room's details drawer on a phone (${colorScheme})`)
  }
  await page.keyboard.press('Escape')
  await expect(page.getByRole('list', { name: 'Peers' })).toBeHidden()
  await expect(toggle).toBeFocused()
  await phone.close()
  await alice.close()
})

test('keyboard only: create a room and send a line without a pointer', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url)
  await expect(alice.page.getByRole('button', { name: 'Create room' })).toBeEnabled()
  // Tab until the Create room button has focus, as a keyboard user does
  const create = alice.page.getByRole('button', { name: 'Create room' })
  for (let i = 0; i < 10 && !await create.evaluate(el => el === document.activeElement); i++) {
    await alice.page.keyboard.press('Tab')
  }
  await expect(create).toBeFocused()
  await alice.page.keyboard.press('Enter')
  await expect(alice.page).toHaveURL(/\/r\//)
  await expect(alice.composer).toBeEnabled()
  for (let i = 0; i < 30 && !await alice.composer.evaluate(el => el === document.activeElement); i++) {
    await alice.page.keyboard.press('Tab')
  }
  await expect(alice.composer).toBeFocused()
  await alice.page.keyboard.type('typed without a mouse')
  await alice.page.keyboard.press('Enter')
  await alice.expectMessage('typed without a mouse')
  await alice.close()
})
