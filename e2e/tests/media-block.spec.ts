import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ChatPage } from '../support/chat-page.js'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium.js'
import { expect, test } from '../support/fixtures.js'

test.use({
  launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] }
})

test('a blocked peer cannot fetch my files and its calls do not ring me; others are not affected', async ({ browser, relay }) => {
  test.setTimeout(180_000)
  const dir = await mkdtemp(join(tmpdir(), 'p2p-chat-block-'))
  try {
    const bytes = Buffer.from('notes only carol may have\n'.repeat(1000))
    const path = join(dir, 'notes.txt')
    await writeFile(path, bytes)
    const alice = await ChatPage.open(browser, relay.url)
    const link = await alice.createRoom()
    const bob = await ChatPage.open(browser, link)
    const carol = await ChatPage.open(browser, link)
    const [bobName, carolName] = [await bob.displayName(), await carol.displayName()]
    await expect(alice.route(bobName)).toHaveText('direct', { timeout: 30_000 })
    await expect(alice.route(carolName)).toHaveText('direct', { timeout: 30_000 })
    await alice.peer(bobName).getByRole('button', { name: 'Block', exact: true }).click()
    await expect(alice.peer(bobName).getByRole('button', { name: 'Unblock', exact: true })).toBeVisible()

    // alice offers a file: carol gets it, bob is told it is not shared
    await alice.page.getByLabel('Attach file').setInputFiles(path)
    const saved = carol.page.waitForEvent('download')
    await carol.messages.getByRole('button', { name: /^Download.*notes\.txt/ }).click()
    expect(createHash('sha256').update(await readFile(await (await saved).path())).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'))
    await bob.messages.getByRole('button', { name: /^Download.*notes\.txt/ }).click()
    await expect(bob.messages.getByRole('alert')).toContainText('no longer shares this file')

    // bob starts a call: carol is rung, alice is not
    await bob.page.getByRole('region', { name: 'Room call' }).getByRole('button', { name: 'Start call' }).click()
    await expect(carol.page.getByRole('region', { name: 'Room call' }).getByRole('button', { name: 'Join call' })).toBeVisible()
    await expect(alice.page.getByRole('region', { name: 'Room call' }).getByRole('button', { name: 'Start call' })).toBeVisible()
    await expect(alice.page.getByRole('region', { name: 'Room call' }).getByRole('button', { name: 'Join call' })).toHaveCount(0)
    for (const p of [alice, bob, carol]) await p.close()
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
