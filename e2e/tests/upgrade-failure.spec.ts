import { ChatPage } from '../support/chat-page.js'
import { expect, test } from '../support/fixtures.js'

test('when the direct upgrade fails, the room keeps working through the relay', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom()
  const aliceName = await alice.displayName()
  const bob = await ChatPage.open(browser, link, { webrtcUnavailableMs: Infinity })
  const bobName = await bob.displayName()

  await bob.send('no webrtc here')
  await alice.expectMessage('no webrtc here')
  await alice.send('but we still talk')
  await bob.expectMessage('but we still talk')
  await expect(alice.route(bobName)).toHaveText('relayed')
  await expect(bob.route(aliceName)).toHaveText('relayed')

  // upgrade attempts fail and are retried in the background (after 2 s, then 4 s); the chat is not disturbed
  const refused = await bob.refusedWebRTC()
  await expect.poll(async () => bob.refusedWebRTC(), { timeout: 20_000 }).toBeGreaterThanOrEqual(refused + 2)
  await alice.send('after the failed upgrades')
  await bob.expectMessage('after the failed upgrades')
  await bob.send('still here')
  await alice.expectMessage('still here')
  await expect(alice.route(bobName)).toHaveText('relayed')
  await expect(bob.route(aliceName)).toHaveText('relayed')
  await alice.close()
  await bob.close()
})

test('a failed direct upgrade is retried and the pair goes direct once WebRTC works', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom()
  const aliceName = await alice.displayName()
  const bob = await ChatPage.open(browser, link, { webrtcUnavailableMs: 5_000 })
  const bobName = await bob.displayName()

  await bob.send('first attempts fail')
  await alice.expectMessage('first attempts fail')
  await expect(bob.route(aliceName)).toHaveText('relayed')
  expect(await bob.page.evaluate(() => performance.now())).toBeLessThan(5_000)
  await expect(bob.route(aliceName)).toHaveText('direct', { timeout: 45_000 })
  await expect(alice.route(bobName)).toHaveText('direct')
  await alice.send('direct after retrying')
  await bob.expectMessage('direct after retrying')
  await alice.close()
  await bob.close()
})
