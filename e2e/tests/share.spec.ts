import QRCode from 'qrcode'
import { ChatPage } from '../support/chat-page.js'
import { expect, test } from '../support/fixtures.js'

// what apps/web/src/lib/share/qr.ts draws with: the same link with the same options gives the same image
const QR_OPTIONS = { type: 'svg', margin: 2, errorCorrectionLevel: 'M', color: { dark: '#000000', light: '#ffffff' } } as const

test('"Show QR code" shows the room link as a QR code', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom()
  await alice.page.getByRole('button', { name: 'Show QR code' }).click()
  const qr = alice.page.getByRole('img', { name: 'Room link QR code' })
  await expect(qr).toBeVisible()
  const src = await qr.getAttribute('src')
  expect(src).toMatch(/^data:image\/svg\+xml/)
  // the image encodes this room's link, secret included
  const expected = await QRCode.toString(link, QR_OPTIONS)
  expect(decodeURIComponent(src!.slice(src!.indexOf(',') + 1))).toBe(expected)
  // no Web Share API in this desktop browser: no Share button
  await expect(alice.page.getByRole('button', { name: 'Share…' })).toHaveCount(0)
  await alice.page.getByRole('button', { name: 'Hide QR code' }).click()
  await expect(qr).toBeHidden()
  await alice.close()
})

test('on a phone with the Web Share API, "Share…" hands the room link to the share sheet', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom()
  const shared: ShareData[] = []
  const phone = await browser.newContext({ viewport: { width: 390, height: 740 }, isMobile: true, hasTouch: true })
  // Linux Chromium has no share sheet: the page gets navigator.share as a phone's browser gives it, and the test
  // sees what the page hands it
  await phone.exposeBinding('e2eShared', (_source, data: ShareData) => { shared.push(data) })
  await phone.addInitScript(() => {
    const record = (window as unknown as { e2eShared: (d: ShareData) => Promise<void> }).e2eShared
    Object.defineProperty(Navigator.prototype, 'share', { value: async (data: ShareData) => { await record(data) } })
  })
  const page = await phone.newPage()
  await page.goto(link)
  await page.getByRole('button', { name: /Peers \(\d+\) & link/ }).click()
  await page.getByRole('button', { name: 'Share…' }).click()
  await expect.poll(() => shared.map(d => d.url)).toEqual([link])
  await phone.close()
  await alice.close()
})
