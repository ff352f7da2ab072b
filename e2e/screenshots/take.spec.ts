import { fileURLToPath } from 'node:url'
import { test } from '@playwright/test'
import { ChatPage } from '../support/chat-page.js'
import { RelayProcess } from '../support/relay-process.js'
import type { Page } from '@playwright/test'

/**
 * Takes docs/screenshots/<screen>-<desktop|phone>-<light|dark>.png: the landing page, a room with a conversation
 * (a reply, reactions, someone typing), a private conversation and the Diagnostics dialog at desktop width; the
 * landing page, a room and its details drawer at phone width. Run with `pnpm screenshots` (after `pnpm build`).
 */
const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }
const THEMES = ['light', 'dark'] as const

async function shoot (page: Page, name: string): Promise<void> {
  for (const colorScheme of THEMES) {
    await page.emulateMedia({ colorScheme })
    await page.screenshot({ path: `${OUT}${name}-${colorScheme}.png` })
  }
}

async function rename (chat: ChatPage, name: string): Promise<void> {
  await chat.nameField.fill(name)
  await chat.nameField.press('Enter')
}

test('screenshots of each main screen', async ({ browser }) => {
  const relay = await RelayProcess.start()
  try {
    const ana = await ChatPage.open(browser, relay.url, { context: { viewport: DESKTOP } })
    await ana.displayName()
    await rename(ana, 'Ana')
    await shoot(ana.page, 'landing-desktop')
    const link = await ana.createRoom()

    const ben = await ChatPage.open(browser, link, { context: { viewport: DESKTOP } })
    await ben.displayName()
    await rename(ben, 'Ben')
    await ben.send('Hi Ana! Is this really going browser to browser?')
    await ana.expectMessage('Hi Ana! Is this really going browser to browser?')
    // a line's actions show while it is pointed at
    await ana.message('Hi Ana! Is this really going browser to browser?').hover()
    await ana.message('Hi Ana! Is this really going browser to browser?').getByRole('button', { name: /^Reply to/ }).click()
    await ana.page.keyboard.type('Yes: the relay only introduced us. Look at the peers list, it says direct.')
    await ana.page.keyboard.press('Enter')
    await ben.expectMessage('Yes: the relay only introduced us. Look at the peers list, it says direct.')
    await ben.message('Yes: the relay only introduced us. Look at the peers list, it says direct.').hover()
    await ben.message('Yes: the relay only introduced us. Look at the peers list, it says direct.').getByRole('button', { name: /^React to/ }).click()
    await ben.page.getByRole('button', { name: 'React with 🎉' }).click()
    await ana.peer('Ben').getByText('direct', { exact: true }).waitFor()
    await ben.composer.pressSequentially('Nice')
    await ana.page.getByText('Ben is typing…').waitFor()
    await shoot(ana.page, 'room-desktop')

    await ana.peer('Ben').getByRole('button').first().click()
    const box = ana.page.getByRole('textbox', { name: 'Private message' })
    await box.fill('This one only you can read.')
    await box.press('Enter')
    await ana.page.getByRole('log', { name: 'Private messages' }).getByText('delivered').waitFor()
    await shoot(ana.page, 'private-desktop')

    await ana.page.getByRole('button', { name: 'Diagnostics' }).click()
    await ana.page.getByRole('table', { name: 'Connections' }).getByText('webrtc', { exact: true }).first().waitFor()
    await shoot(ana.page, 'diagnostics-desktop')
    await ana.page.keyboard.press('Escape')

    const phone = await ChatPage.open(browser, relay.url, { context: { viewport: PHONE, isMobile: true, hasTouch: true } })
    await phone.displayName()
    await rename(phone, 'Cleo')
    await shoot(phone.page, 'landing-phone')
    await phone.page.goto(link)
    await phone.expectMessage('Hi Ana! Is this really going browser to browser?')
    await phone.page.getByRole('button', { name: 'Peers (2) & link' }).waitFor()
    // Cleo came after Ben's notice, and Ben typing on tells the room again only 3 s after it: Ben starts afresh
    await ben.composer.clear()
    await ben.composer.pressSequentially('Nice, really nice')
    await phone.page.getByText('Ben is typing…').waitFor()
    await shoot(phone.page, 'room-phone')
    await phone.page.getByRole('button', { name: 'Peers (2) & link' }).click()
    await phone.page.getByRole('list', { name: 'Peers' }).getByText('Ana').waitFor()
    await shoot(phone.page, 'details-phone')
    for (const p of [ana, ben, phone]) await p.close()
  } finally {
    await relay.dispose()
  }
})
