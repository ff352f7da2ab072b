import { expectNoSeriousViolations } from '../support/axe.js'
import { ChatPage } from '../support/chat-page.js'
import { expect, test } from '../support/fixtures.js'

test('Diagnostics shows the relay, the reservation, each connection\'s transport and route, the mesh, and copies a report', async ({ browser, relay }) => {
  const alice = await ChatPage.open(browser, relay.url, { context: { permissions: ['clipboard-read', 'clipboard-write'] } })
  const link = await alice.createRoom()
  const bob = await ChatPage.open(browser, link)
  const bobName = await bob.displayName()
  await bob.send('hello')
  await alice.expectMessage('hello')
  await expect(alice.route(bobName)).toHaveText('direct', { timeout: 30_000 })

  await alice.page.getByRole('button', { name: 'Diagnostics' }).click()
  const dialog = alice.page.getByRole('dialog', { name: 'Diagnostics' })
  await expect(dialog).toBeVisible()
  await expect(dialog.getByTestId('diag-relay')).toContainText(`${new URL(relay.url).host}`)
  await expect(dialog.getByTestId('diag-relay')).toContainText('reserved')
  await expect(dialog.getByTestId('diag-reservation')).toContainText('yes')
  await expect(dialog.getByTestId('diag-mesh')).toContainText(/[1-9]\d* peer\(s\) in the mesh/)
  const connections = dialog.getByRole('table', { name: 'Connections' })
  // the relay over WebSockets, direct; Bob over WebRTC, direct
  await expect(connections.getByRole('row').filter({ hasText: 'websockets' })).toContainText('direct')
  const toBob = connections.getByRole('row').filter({ hasText: bobName }).filter({ hasText: 'webrtc' })
  await expect(toBob.first()).toContainText('direct')
  await expect(toBob.filter({ hasText: /\d+ ms/ }).first()).toBeVisible()
  for (const colorScheme of ['light', 'dark'] as const) {
    await alice.page.emulateMedia({ colorScheme })
    await expectNoSeriousViolations(alice.page, `the Diagnostics dialog (${colorScheme})`)
  }

  await dialog.getByRole('button', { name: 'Copy report' }).click()
  await expect(dialog.getByRole('button', { name: 'Report copied' })).toBeVisible()
  const report = await alice.page.evaluate(async () => navigator.clipboard.readText())
  expect(report).toContain('P2P Chat diagnostics')
  expect(report).toMatch(/webrtc direct/)
  expect(report).toContain(`relay: ${relay.url.replace(/\/$/, '')}`)

  await alice.page.keyboard.press('Escape')
  await expect(dialog).toBeHidden()
  await expect(alice.page.getByRole('button', { name: 'Diagnostics' })).toBeVisible()
  await alice.close()
  await bob.close()
})
