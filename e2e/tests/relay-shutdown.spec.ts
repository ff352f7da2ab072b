import { ChatPage } from '../support/chat-page.js'
import { expect, test } from '../support/fixtures.js'

/**
 * Browsers whose relay connection drops redial it at once, WebRTC-direct included, so STUN requests reach the
 * relay's UDP port while it shuts down. node-datachannel freed its closed listener while libjuice still handed
 * it such requests, and the relay aborted (SIGABRT) in about one shutdown of four (patches/).
 */
const SHUTDOWNS = 20

test('the relay exits with status 0 on SIGTERM, again and again, while two browsers chat directly', async ({ browser, relay }) => {
  test.setTimeout(180_000)
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom()
  const aliceName = await alice.displayName()
  const bob = await ChatPage.open(browser, link)
  const bobName = await bob.displayName()
  await expect(bob.peer(aliceName)).toContainText('direct', { timeout: 30_000 })
  await expect(alice.peer(bobName)).toContainText('direct')

  const exits: Array<number | null> = []
  for (let i = 0; i < SHUTDOWNS; i++) {
    // both browsers are connected to this relay process (most hold a reservation too), so they redial it when it goes
    for (const p of [alice, bob]) {
      await expect(p.page.getByTestId('relay-status')).toContainText(/Connected to relay|Reachable through relay/, { timeout: 20_000 })
    }
    const code = await relay.restart()
    exits.push(code)
    expect(exits, `shutdown ${i + 1} of ${SHUTDOWNS}; its output:\n${relay.stoppedOutput}`).toEqual(exits.map(() => 0))
  }

  await expect(bob.peer(aliceName)).toContainText('direct')
  await alice.send('still direct after all that')
  await bob.expectMessage('still direct after all that')
  await alice.close()
  await bob.close()
})
