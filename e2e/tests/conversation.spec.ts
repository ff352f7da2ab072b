import { ChatPage } from '../support/chat-page.js'
import { expect, test } from '../support/fixtures.js'

/** Two people in a new room who have heard each other. */
async function pair (browser: Parameters<typeof ChatPage.open>[0], url: string): Promise<{ alice: ChatPage, bob: ChatPage, aliceName: string, bobName: string }> {
  const alice = await ChatPage.open(browser, url)
  const link = await alice.createRoom()
  const aliceName = await alice.displayName()
  const bob = await ChatPage.open(browser, link)
  const bobName = await bob.displayName()
  await bob.send('hi all')
  await alice.expectMessage('hi all')
  return { alice, bob, aliceName, bobName }
}

test('a peer typing shows "<name> is typing…", cleared when they empty the draft or send', async ({ browser, relay }) => {
  const { alice, bob, aliceName } = await pair(browser, relay.url)
  const typing = bob.page.getByTestId('typing')
  await expect(typing).toHaveText('')
  await alice.composer.pressSequentially('hel')
  await expect(typing).toHaveText(`${aliceName} is typing…`)
  await alice.composer.fill('')
  await expect(typing).toHaveText('')

  await alice.composer.pressSequentially('here I am')
  await expect(typing).toHaveText(`${aliceName} is typing…`)
  await alice.composer.press('Enter')
  await bob.expectMessage('here I am')
  await expect(typing).toHaveText('')
  // my own typing is never shown to me
  await expect(alice.page.getByTestId('typing')).toHaveText('')
  await alice.close()
  await bob.close()
})

test('a reply shows the line it answers; reactions are counted under the line, not shown as lines', async ({ browser, relay }) => {
  const { alice, bob, aliceName, bobName } = await pair(browser, relay.url)
  await bob.send('what about lunch?')
  await alice.expectMessage('what about lunch?')

  await alice.message('what about lunch?').getByRole('button', { name: /^Reply to/ }).click()
  await expect(alice.page.getByTestId('replying')).toContainText(`Replying to ${bobName}: “what about lunch?”`)
  await expect(alice.composer).toBeFocused()
  await alice.page.keyboard.type('noon works')
  await alice.page.keyboard.press('Enter')
  await expect(alice.page.getByTestId('replying')).toHaveCount(0)
  await bob.expectMessage('noon works')
  const quote = bob.message('noon works').getByRole('blockquote', { name: `In reply to ${bobName}` })
  await expect(quote).toContainText('what about lunch?')

  // Alice reacts with a thumbs up, by keyboard; Bob then adds his own
  const react = alice.message('what about lunch?').getByRole('button', { name: /^React to/ })
  await react.focus()
  await alice.page.keyboard.press('Enter')
  await alice.message('what about lunch?').getByRole('button', { name: 'React with 👍' }).click()
  const onBob = bob.message('what about lunch?').getByRole('group', { name: 'Reactions' })
  await expect(onBob.getByRole('button', { name: `👍 1: ${aliceName}` })).toBeVisible()
  await onBob.getByRole('button', { name: /^👍 1/ }).click()
  await expect(onBob.getByRole('button', { name: `👍 2: ${aliceName}, ${bobName}` })).toHaveAttribute('aria-pressed', 'true')
  const onAlice = alice.message('what about lunch?').getByRole('group', { name: 'Reactions' })
  await expect(onAlice.getByRole('button', { name: /^👍 2/ })).toBeVisible()
  // three lines, the reactions are not among them
  await expect(bob.messages.getByRole('listitem')).toHaveCount(3)
  await expect(alice.messages.getByRole('listitem')).toHaveCount(3)
  await alice.close()
  await bob.close()
})
