import { ChatPage } from '../support/chat-page.js'
import { expect, test } from '../support/fixtures.js'
import type { Browser, BrowserContext, Page } from '@playwright/test'

interface Raised { title: string, body?: string }

/**
 * Records every notification the page raises (the real Notification is still constructed: recorded only once
 * it was), and lets the test hide and show the tab: headless Chromium keeps every page visible, so the page is
 * told it is hidden the way a browser tells it (visibilityState, and a visibilitychange event).
 */
async function observeNotifications (context: BrowserContext, raised: Raised[]): Promise<void> {
  await context.exposeBinding('e2eNotificationRaised', (_source, n: Raised) => { raised.push(n) })
  await context.addInitScript(() => {
    const Native = window.Notification
    const record = (window as unknown as { e2eNotificationRaised: (n: Raised) => Promise<void> }).e2eNotificationRaised
    window.Notification = class extends Native {
      constructor (title: string, options?: NotificationOptions) {
        super(title, options)
        void record({ title, body: options?.body })
      }
    }
    let hidden = false
    Object.defineProperty(Document.prototype, 'visibilityState', { get: () => hidden ? 'hidden' : 'visible' })
    Object.defineProperty(Document.prototype, 'hidden', { get: () => hidden })
    addEventListener('e2e:tab', evt => {
      hidden = (evt as CustomEvent<boolean>).detail
      document.dispatchEvent(new Event('visibilitychange'))
    })
  })
}

async function setHidden (page: Page, hidden: boolean): Promise<void> {
  await page.evaluate(h => dispatchEvent(new CustomEvent('e2e:tab', { detail: h })), hidden)
}

/** Alice (notifications allowed, and recorded in `raised`) in a new room, and Bob in it with her. */
async function roomWithNotifications (browser: Browser, url: string): Promise<{ raised: Raised[], alice: ChatPage, aliceName: string, bob: ChatPage, bobName: string, link: string }> {
  const raised: Raised[] = []
  const alice = await ChatPage.open(browser, url, {
    context: { permissions: ['notifications'] },
    prepare: async context => { await observeNotifications(context, raised) }
  })
  const link = await alice.createRoom()
  const aliceName = await alice.displayName()
  const bob = await ChatPage.open(browser, link)
  const bobName = await bob.displayName()
  return { raised, alice, aliceName, bob, bobName, link }
}

test('while the tab is hidden: unread lines in the title and per room, a notification for a mention and a private message', async ({ browser, relay }) => {
  const { raised, alice, aliceName, bob, bobName } = await roomWithNotifications(browser, relay.url)
  await expect(alice.page.getByTestId('notifications-on')).toBeVisible()
  // nobody is asked on load: a button asks
  await expect(bob.page.getByRole('button', { name: 'Turn on notifications' })).toBeVisible()
  await bob.send('hi')
  await alice.expectMessage('hi')
  await expect(alice.page).toHaveTitle('P2P Chat')

  await setHidden(alice.page, true)
  await bob.send('lunch, anyone?')
  await expect(alice.page).toHaveTitle('(1) P2P Chat')
  await bob.send(`hey @${aliceName}, are you coming?`)
  await expect(alice.page).toHaveTitle('(2) P2P Chat')
  await expect.poll(() => raised).toEqual([{ title: `${bobName} mentioned you`, body: `hey @${aliceName}, are you coming?` }])

  await bob.peer(aliceName).getByRole('button').first().click()
  await bob.page.getByRole('textbox', { name: 'Private message' }).fill('psst')
  await bob.page.getByRole('textbox', { name: 'Private message' }).press('Enter')
  await expect.poll(() => raised.at(-1)).toEqual({ title: `Private message from ${bobName}`, body: 'psst' })
  await expect(alice.page).toHaveTitle('(3) P2P Chat')

  await setHidden(alice.page, false)
  await expect(alice.page).toHaveTitle('P2P Chat')

  // hidden again; a line comes, and the tab is left for the start page without being looked at
  await setHidden(alice.page, true)
  await bob.send('see you there')
  await expect(alice.page).toHaveTitle('(1) P2P Chat')
  await alice.page.goto(relay.url)
  const rooms = alice.page.getByRole('list', { name: 'Your rooms' })
  await expect(rooms.getByRole('listitem').first().getByLabel('1 unread')).toBeVisible()
  expect(raised).toHaveLength(2)
  await alice.close()
  await bob.close()
})

test('a muted peer\'s lines show, but neither count as unread nor notify, a mention neither; still after a reload', async ({ browser, relay }) => {
  const { raised, alice, aliceName, bob, bobName, link } = await roomWithNotifications(browser, relay.url)
  const carol = await ChatPage.open(browser, link)
  await bob.send('first')
  await alice.expectMessage('first')

  await alice.peer(bobName).getByRole('button', { name: 'Mute', exact: true }).click()
  await expect(alice.peer(bobName).getByRole('button', { name: 'Unmute', exact: true })).toBeVisible()
  await expect(alice.peer(bobName).getByRole('button', { name: 'Block', exact: true })).toBeVisible()
  await alice.reload()
  await expect(alice.peer(bobName).getByRole('button', { name: 'Unmute', exact: true })).toBeVisible()

  await setHidden(alice.page, true)
  await bob.send(`@${aliceName} you there?`)
  await alice.expectMessage(`@${aliceName} you there?`)
  await carol.send('carol counts')
  await alice.expectMessage('carol counts')
  await expect(alice.page).toHaveTitle('(1) P2P Chat')
  expect(raised).toEqual([])
  for (const p of [alice, bob, carol]) await p.close()
})
