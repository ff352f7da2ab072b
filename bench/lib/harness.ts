import { fileURLToPath } from 'node:url'
import { RelayProcess } from '../../e2e/support/relay-process.ts'
import type { Browser, Page } from 'playwright-core'

/** The built harness page (bench/pages → bench/dist), served by its own relay. */
export const HARNESS_ROOT = fileURLToPath(new URL('../dist', import.meta.url))

/** A relay that serves the harness page instead of the app. */
export async function startHarnessRelay (extraArgs: string[] = []): Promise<RelayProcess> {
  return RelayProcess.start(['--web-root', HARNESS_ROOT, ...extraArgs])
}

/** A fresh browser context with the harness page loaded and its node started; resolves to the page. */
export async function openHarness (browser: Browser, relay: RelayProcess): Promise<Page> {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(relay.url)
  await page.waitForFunction(() => 'bench' in window)
  await page.evaluate(async () => window.bench.start())
  await page.waitForFunction(() => window.bench.relayStatus() === 'reserved', undefined, { timeout: 20_000 })
  return page
}

/** Waits until every harness page sees `others` members, all of them directly connected. */
export async function waitForFullMesh (pages: Page[], others: number, timeout = 60_000): Promise<boolean> {
  try {
    await Promise.all(pages.map(async page => page.waitForFunction(
      (n: number) => {
        const members = window.bench.members()
        return members.length >= n && members.every(m => m.connection === 'direct')
      }, others, { timeout, polling: 100 })))
    return true
  } catch {
    return false
  }
}

export type { RelayProcess }
