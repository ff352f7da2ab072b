import { ChatPage } from '../support/chat-page.js'
import { expect, test } from '../support/fixtures.js'

test('a private message between two browsers shows delivered; the peers list shows ping times', async ({ browser, relay }) => {
  const { alice, bob, aliceName, bobName } = await ChatPage.directPair(browser, relay.url)
  await expect(alice.peer(bobName)).toContainText(/\d+ ms/)

  await alice.peer(bobName).getByRole('button').first().click()
  const privateBox = alice.page.getByRole('textbox', { name: 'Private message' })
  await privateBox.fill('just between us')
  await privateBox.press('Enter')
  const privateLog = alice.page.getByRole('log', { name: 'Private messages' })
  await expect(privateLog.getByRole('listitem').filter({ hasText: 'just between us' })).toContainText('delivered')

  // bob sees an unread count on alice, opens the conversation, and answers
  await expect(bob.peer(aliceName).getByLabel('1 unread')).toBeVisible()
  await bob.peer(aliceName).getByRole('button').first().click()
  const bobLog = bob.page.getByRole('log', { name: 'Private messages' })
  await expect(bobLog).toContainText('just between us')
  await bob.page.getByRole('textbox', { name: 'Private message' }).fill('understood')
  await bob.page.getByRole('textbox', { name: 'Private message' }).press('Enter')
  await expect(privateLog).toContainText('understood')
  // private lines never show up in the room
  await expect(bob.messages).not.toContainText('just between us')
  await alice.close()
  await bob.close()
})

test('a private message to a peer who left shows failed, with a retry', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom()
  const bob = await ChatPage.open(browser, link)
  const bobName = await bob.displayName()
  await expect(alice.route(bobName)).toHaveText('direct', { timeout: 30_000 })
  await alice.peer(bobName).getByRole('button').first().click()
  await bob.close()

  const privateBox = alice.page.getByRole('textbox', { name: 'Private message' })
  const privateLog = alice.page.getByRole('log', { name: 'Private messages' })
  const line = privateLog.getByRole('listitem').filter({ hasText: 'are you there?' })
  // the line's statuses, in the order it shows them: sending…, then failed (never delivered)
  const sent = await alice.recordStatuses(privateLog, 'are you there?')
  await privateBox.fill('are you there?')
  await privateBox.press('Enter')
  await expect.poll(async () => sent.jsonValue(), { timeout: 20_000 }).toEqual(['sending', 'failed'])
  // said in words for people, by the name bob had in the room
  await expect(line).toContainText(`failed: ${bobName} cannot be reached now`)

  // Retry sends it again: sending…, then failed once more
  const retried = await alice.recordStatuses(privateLog, 'are you there?')
  await line.getByRole('button', { name: 'Retry' }).click()
  await expect.poll(async () => retried.jsonValue(), { timeout: 20_000 }).toEqual(['sending', 'failed'])
  await expect(line.getByRole('button', { name: 'Retry' })).toBeVisible()
  await alice.close()
})
