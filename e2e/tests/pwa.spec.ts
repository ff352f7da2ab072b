import { ChatPage } from '../support/chat-page.js'
import { expect, test } from '../support/fixtures.js'

test('the app is installable, and after a first visit it opens with the relay down and no network, showing its rooms and kept history', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom()
  const roomId = new URL(link).pathname.split('/').at(-1)!
  const bob = await ChatPage.open(browser, link)
  await bob.send('kept for when we are offline')
  await alice.expectMessage('kept for when we are offline')

  // installable: a manifest with its icons, and a service worker that controls the page
  const manifest = await alice.page.evaluate(async () => {
    const href = document.querySelector<HTMLLinkElement>('link[rel="manifest"]')!.href
    return (await fetch(href)).json() as Promise<{ name: string, start_url: string, display: string, icons: Array<{ src: string, sizes: string, type: string }> }>
  })
  expect(manifest).toMatchObject({ name: 'P2P Chat', start_url: '/', display: 'standalone' })
  for (const size of ['192x192', '512x512']) {
    const icon = manifest.icons.find(i => i.sizes === size && i.type === 'image/png')
    expect(icon).toBeDefined()
    const decoded = await alice.page.evaluate(async (src) => {
      const bitmap = await createImageBitmap(await (await fetch(src)).blob())
      return `${bitmap.width}x${bitmap.height}`
    }, icon!.src)
    expect(decoded).toBe(size)
  }
  await alice.page.evaluate(async () => { await navigator.serviceWorker.ready })
  await expect.poll(async () => alice.page.evaluate(() => navigator.serviceWorker.controller != null)).toBe(true)
  await bob.close()

  // the relay goes away and so does the network: the room opens all the same, with what this browser kept
  expect(await relay.stop()).toBe(0)
  await alice.setOffline(true)
  await alice.page.reload()
  await alice.expectMessage('kept for when we are offline')
  await expect(alice.page.getByTestId('offline')).toContainText('Offline', { timeout: 20_000 })
  await expect(alice.page.getByTestId('relay-status')).toContainText('Cannot reach relay')

  // and so does the home page, with the rooms this browser has been in
  await alice.page.getByRole('link', { name: 'P2P Chat' }).click()
  await expect(alice.page.getByRole('list', { name: 'Your rooms' })).toContainText(roomId.slice(0, 8))

  await alice.close()
})
