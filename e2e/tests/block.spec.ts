import { ChatPage } from '../support/chat-page.js'
import { expect, test } from '../support/fixtures.js'

test('a blocked peer\'s lines are hidden, still after a reload, and shown again once unblocked', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom()
  const bob = await ChatPage.open(browser, link)
  const bobName = await bob.displayName()
  const carol = await ChatPage.open(browser, link)
  await bob.send('buy cheap watches')
  await alice.expectMessage('buy cheap watches')

  await alice.peer(bobName).getByRole('button', { name: 'Block', exact: true }).click()
  await expect(alice.peer(bobName).getByRole('button', { name: 'Unblock', exact: true })).toBeVisible()
  await expect(alice.messages).not.toContainText('buy cheap watches')

  // the block is kept: after a reload the room's history comes back without Bob's lines
  await alice.reload()
  await carol.send('carol is still heard')
  await alice.expectMessage('carol is still heard')
  await expect(alice.peer(bobName).getByRole('button', { name: 'Unblock', exact: true })).toBeVisible()
  await bob.send('and more watches')
  await carol.expectMessage('and more watches')
  await expect(alice.messages).not.toContainText('watches')

  // what was hidden had arrived: unblocking shows it
  await alice.peer(bobName).getByRole('button', { name: 'Unblock', exact: true }).click()
  await alice.expectMessage('buy cheap watches')
  await alice.expectMessage('and more watches')
  for (const p of [alice, bob, carol]) await p.close()
})
