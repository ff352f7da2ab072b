import { ChatPage } from '../support/chat-page.js'
import { CliProcess, directLine } from '../support/cli-process.js'
import { expect, test } from '../support/fixtures.js'

test('a browser and the terminal peer chat in one room, both ways, and privately', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url)
  const link = await alice.createRoom()
  const aliceName = await alice.displayName()
  // the private room's link (its secret) goes on standard input, as the README recommends, not in argv
  const cli = await CliProcess.start(['--room', '-', '--name', 'Carol'])
  try {
    cli.type(link)
    await cli.waitFor(/connected to the relay/)
    await expect(alice.peer('Carol')).toBeVisible()
    await cli.waitFor(new RegExp(`${aliceName} …\\w+ is in the room`))

    await alice.send('hello terminal')
    await cli.waitFor(new RegExp(`${aliceName} …\\w+: hello terminal`))
    cli.type('hello browser')
    await alice.expectMessage('hello browser')
    await expect(alice.messages.getByRole('listitem').filter({ hasText: 'hello browser' })).toContainText('Carol')

    cli.type(`/dm ${aliceName} just for you`)
    await cli.waitFor(/delivered to/)
    await expect(alice.peer('Carol').getByLabel('1 unread')).toBeVisible()

    // the terminal peer speaks WebRTC too: the pair goes direct, as two browsers do
    await expect(alice.route('Carol')).toHaveText('direct', { timeout: 30_000 })
    // each side counts the path direct once data crossed it its own way: the terminal's turn may come a moment later
    await cli.waitFor(directLine(aliceName), 30_000)
    cli.type('/peers')
    await cli.waitFor(new RegExp(`${aliceName} …\\w+ direct`))

    // and back
    await alice.peer('Carol').getByRole('button').first().click()
    await expect(alice.page.getByRole('log', { name: 'Private messages' })).toContainText('just for you')
    await alice.page.getByRole('textbox', { name: 'Private message' }).fill('got it')
    await alice.page.getByRole('textbox', { name: 'Private message' }).press('Enter')
    await expect(alice.page.getByRole('log', { name: 'Private messages' }).getByRole('listitem').filter({ hasText: 'got it' })).toContainText('delivered')
    await cli.waitFor(new RegExp(`\\(private\\) ${aliceName} …\\w+: got it`))
  } finally {
    expect(await cli.quit()).toBe(0)
    await alice.close()
  }
})
