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

  // a line's actions show while it is pointed at (or focused), not on every line
  const reply = alice.message('what about lunch?').getByRole('button', { name: /^Reply to/ })
  await expect(reply).toBeHidden()
  await alice.message('what about lunch?').hover()
  await reply.click()
  await expect(alice.page.getByTestId('replying')).toContainText(`Replying to ${bobName}: “what about lunch?”`)
  await expect(alice.composer).toBeFocused()
  await alice.page.keyboard.type('noon works')
  await alice.page.keyboard.press('Enter')
  await expect(alice.page.getByTestId('replying')).toHaveCount(0)
  await bob.expectMessage('noon works')
  const quote = bob.message('noon works').getByRole('blockquote', { name: `In reply to ${bobName}` })
  await expect(quote).toContainText('what about lunch?')

  // Alice reacts with a thumbs up, by keyboard: back from the composer to the log's tab stop (the line she focused last,
  // Bob's), down to her own and up again, then Tab to its React; Bob then adds his own
  await alice.page.mouse.move(0, 0)
  await expect(alice.composer).toBeFocused()
  await alice.page.keyboard.press('Shift+Tab')
  await expect(alice.message('what about lunch?')).toBeFocused()
  await alice.page.keyboard.press('ArrowDown')
  await expect(alice.message('noon works')).toBeFocused()
  await alice.page.keyboard.press('ArrowUp')
  await expect(alice.message('what about lunch?')).toBeFocused()
  await alice.page.keyboard.press('Tab')
  await alice.page.keyboard.press('Tab')
  const react = alice.message('what about lunch?').getByRole('button', { name: /^React to/ })
  await expect(react).toBeFocused()
  await alice.page.keyboard.press('Enter')
  await alice.message('what about lunch?').getByRole('button', { name: 'React with 👍' }).click()
  const onBob = bob.message('what about lunch?').getByRole('group', { name: 'Reactions' })
  await expect(onBob.getByRole('button', { name: `👍 1: ${aliceName}` })).toBeVisible()
  await onBob.getByRole('button', { name: /^👍 1/ }).click()
  await expect(onBob.getByRole('button', { name: `👍 2: ${aliceName}, ${bobName}` })).toHaveAttribute('aria-pressed', 'true')
  const onAlice = alice.message('what about lunch?').getByRole('group', { name: 'Reactions' })
  await expect(onAlice.getByRole('button', { name: /^👍 2/ })).toBeVisible()
  // a click between two lines focuses their list, as a click does, and no more: the focus does not go on to the line
  // focused last, which would scroll the log to it (a keyboard's Tab into the list does, above)
  const upper = (await alice.message('what about lunch?').boundingBox())!
  const lower = (await alice.message('noon works').boundingBox())!
  expect(lower.y).toBeGreaterThan(upper.y + upper.height)
  await alice.page.mouse.click(upper.x + upper.width / 2, (upper.y + upper.height + lower.y) / 2)
  await expect(alice.messages.getByRole('list')).toBeFocused()
  // three lines, the reactions are not among them
  await expect(bob.messages.getByRole('listitem')).toHaveCount(3)
  await expect(alice.messages.getByRole('listitem')).toHaveCount(3)
  await alice.close()
  await bob.close()
})

test('the log follows new lines while it shows its end; scrolled up to read, it stays put and offers the new ones', async ({ browser, relay }) => {
  const { alice, bob } = await pair(browser, relay.url)
  for (let i = 1; i <= 30; i++) {
    await alice.send(`line ${i}`)
  }
  await bob.expectMessage('line 30')
  await expect(bob.message('line 30')).toBeInViewport()

  // Bob scrolls up to read: a new line neither moves what he reads nor goes unnoticed
  const log = bob.page.getByRole('log', { name: 'Messages' })
  await log.evaluate(el => { el.scrollTop = 0 })
  await expect(bob.message('line 1')).toBeInViewport()
  await alice.send('said while Bob reads')
  const jump = bob.page.getByRole('button', { name: '↓ 1 new message' })
  await expect(jump).toBeVisible()
  await alice.send('and another')
  await expect(bob.page.getByRole('button', { name: '↓ 2 new messages' })).toBeVisible()
  await expect(bob.message('line 1')).toBeInViewport()
  await expect(bob.message('and another')).not.toBeInViewport()

  await bob.page.getByRole('button', { name: '↓ 2 new messages' }).click()
  await expect(bob.message('and another')).toBeInViewport()
  await expect(bob.page.getByRole('button', { name: /new message/ })).toHaveCount(0)
  await alice.send('back at the end')
  await expect(bob.message('back at the end')).toBeInViewport()

  // one's own line is always shown, even scrolled up
  await log.evaluate(el => { el.scrollTop = 0 })
  await expect(bob.message('line 1')).toBeInViewport()
  await bob.send('my own line')
  await expect(bob.message('my own line')).toBeInViewport()
  await alice.close()
  await bob.close()
})

test('a long room draws only its newest lines; scrolled up, older ones come in above without moving what is read', async ({ browser, relay }) => {
  test.setTimeout(180_000)
  const { alice, bob } = await pair(browser, relay.url)
  const count = 230
  for (let i = 1; i <= count; i++) {
    await alice.send(`old line ${i}`)
  }
  await bob.expectMessage(`old line ${count}`)
  await expect(bob.message(`old line ${count}`)).toBeInViewport()
  const drawn = bob.messages.getByRole('listitem')
  expect(await drawn.count()).toBeLessThan(count)
  await expect(bob.message('old line 1')).toHaveCount(0)

  // each time Bob reaches the top, older lines are drawn above, and the line he was at stays in view
  const log = bob.page.getByRole('log', { name: 'Messages' })
  for (let round = 0; round < 5 && await bob.message('old line 1').count() === 0; round++) {
    const before = await drawn.count()
    const reading = drawn.first()
    const text = await reading.locator('.text').innerText()
    await log.evaluate(el => { el.scrollTop = 0 })
    await expect.poll(async () => drawn.count()).toBeGreaterThan(before)
    await expect(bob.message(text)).toBeInViewport()
  }
  await log.evaluate(el => { el.scrollTop = 0 })
  await expect(bob.message('old line 1')).toBeInViewport()

  // back at the end, the log lets the old lines go again as new ones come
  await alice.send('one more')
  await bob.page.getByRole('button', { name: '↓ 1 new message' }).click()
  await expect(bob.message('one more')).toBeInViewport()
  await alice.send('and the last')
  await expect(bob.message('and the last')).toBeInViewport()
  await expect(bob.message('old line 1')).toHaveCount(0)
  expect(await drawn.count()).toBeLessThan(count)
  await alice.close()
  await bob.close()
})

test('Enter pressed twice at once sends the line once; what is typed while it goes out stays as the next draft', async ({ browser, relay }) => {
  const { alice, bob } = await pair(browser, relay.url)
  await alice.composer.fill('only once')
  // two Enters in one task: the second comes while the first line is still being handed over
  await alice.composer.evaluate(box => {
    for (let i = 0; i < 2; i++) box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }))
  })
  await expect(alice.composer).toHaveValue('')

  // Enter, then more typed before the line is out: the line goes as it was, the rest stays in the box
  await alice.composer.fill('first part')
  await alice.composer.evaluate((box: HTMLTextAreaElement) => {
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }))
    box.value = 'first part and the next'
    box.dispatchEvent(new Event('input', { bubbles: true }))
  })
  await expect(alice.composer).toHaveValue('and the next')
  await bob.expectMessage('first part')
  // a second copy of "only once" would have gone before "first part"
  await expect(bob.messages.getByRole('listitem').filter({ hasText: 'only once' })).toHaveCount(1)
  await expect(alice.messages.getByRole('listitem').filter({ hasText: 'only once' })).toHaveCount(1)
  await expect(bob.messages.getByRole('listitem').filter({ hasText: 'and the next' })).toHaveCount(0)
  await alice.close()
  await bob.close()
})
