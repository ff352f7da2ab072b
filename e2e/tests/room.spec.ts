import { appendFile, mkdir } from 'node:fs/promises'
import { ChatPage } from '../support/chat-page.js'
import { expect, test } from '../support/fixtures.js'

/** Timings go to test-results/timings.jsonl, for the notes and the benchmarks to quote. */
async function recordTiming (name: string, ms: number): Promise<void> {
  await mkdir('test-results', { recursive: true })
  await appendFile('test-results/timings.jsonl', JSON.stringify({ name, ms, at: new Date().toISOString() }) + '\n')
  test.info().annotations.push({ type: name, description: `${ms} ms` })
}

test('two browsers chat through the relay, go direct, and keep chatting when the relay stops', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom()
  const aliceName = await alice.displayName()

  const opened = Date.now()
  const bob = await ChatPage.open(browser, link)
  const bobName = await bob.displayName()
  await bob.send('hello from bob')
  await alice.expectMessage('hello from bob')
  await recordTiming('open link → first message shown on the other side', Date.now() - opened)

  await alice.send('hello from alice <b>not bold</b>')
  await bob.expectMessage('hello from alice <b>not bold</b>')
  // text is text: the tag is shown, not rendered
  await expect(bob.messages.locator('b')).toHaveCount(0)

  await expect(alice.peer(bobName)).toBeVisible()
  await expect(bob.peer(aliceName)).toBeVisible()
  await expect(bob.route(aliceName)).toHaveText('direct', { timeout: 30_000 })
  await recordTiming('open link → peer shown as direct', Date.now() - opened)
  await expect(alice.route(bobName)).toHaveText('direct')
  for (const [milestone, ms] of Object.entries(await bob.milestones())) {
    await recordTiming(`newcomer milestone after navigation: ${milestone}`, ms)
  }

  expect(await relay.stop()).toBe(0)
  await expect(alice.page.getByTestId('relay-status')).toContainText('Cannot reach relay at', { timeout: 20_000 })
  await expect(alice.page.getByTestId('relay-status')).toContainText(/reconnecting in \d+ s/)

  await alice.send('still here without the relay')
  await bob.expectMessage('still here without the relay')
  await bob.send('me too')
  await alice.expectMessage('me too')
  await expect(bob.route(aliceName)).toHaveText('direct')

  await alice.close()
  await bob.close()
})
