/**
 * The two browsers the start-up metrics (`join`, `bundle`) open pages in, each page in a fresh browser context
 * (no cache, no storage): a bare Chromium, as a user's browser runs a page (see bare-chromium.ts), and Chromium
 * under Playwright, as the e2e tests drive it and as every figure before 2026-12-05 was taken.
 */
import { BareChromium } from './bare-chromium.ts'
import { launchChromium } from './browser.ts'
import type { BarePage } from './bare-chromium.ts'

/** How often a page is asked whether what is awaited has happened. */
export const DEFAULT_POLL_MS = 50

/** A page opened in a browser context of its own, read by evaluating expressions in it (either browser's). */
export type OpenedPage = BarePage

/** One kind of browser, and the label its figures carry ('' for the bare one: what users get). */
export interface PageOpener {
  label: string
  /** Opens `url` with `initScript` run in each of its documents before their own scripts. */
  open(url: string, initScript: string): Promise<OpenedPage>
  close(): Promise<void>
}

/** Chromium with no page's `Runtime` domain on: start-up as a user's browser has it. */
export async function bareOpener (): Promise<PageOpener> {
  const browser = await BareChromium.launch()
  return {
    label: '',
    open: async (url, initScript) => await browser.newPage(url, { initScript }),
    close: async () => { await browser.close() }
  }
}

/**
 * Chromium under Playwright. Its `Runtime` domain makes V8 parse the app's first script a second time as the app
 * starts (see bare-chromium.ts).
 */
export async function playwrightOpener (): Promise<PageOpener> {
  const browser = await launchChromium()
  return {
    label: ' (under Playwright)',
    open: async (url, initScript) => {
      const context = await browser.newContext()
      try {
        await context.addInitScript({ content: initScript })
        const page = await context.newPage()
        await page.goto(url)
        return { evaluate: async expression => await page.evaluate(expression), close: async () => { await context.close() } }
      } catch (err) {
        await context.close()
        throw err
      }
    },
    close: async () => { await browser.close() }
  }
}

/**
 * Opens a bare and a Playwright browser, runs `use` with both (bare first), and closes whichever were opened,
 * whatever happens.
 */
export async function withBothOpeners<T> (use: (openers: PageOpener[]) => Promise<T>): Promise<T> {
  const openers: PageOpener[] = []
  try {
    openers.push(await bareOpener())
    openers.push(await playwrightOpener())
    return await use(openers)
  } finally {
    for (const opener of openers) await opener.close()
  }
}

/** Asks `page` every `pollMs` until `expression` is true; throws after `timeoutMs` saying `what` did not happen. */
export async function waitUntil (page: OpenedPage, expression: string, what: string, timeoutMs: number, pollMs = DEFAULT_POLL_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await page.evaluate<boolean>(expression)) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, pollMs))
  }
}

/** Every User Timing mark of `page`, by name, in ms from navigation. */
export async function marksOf (page: OpenedPage): Promise<Record<string, number>> {
  return await page.evaluate("Object.fromEntries(performance.getEntriesByType('mark').map(m => [m.name, m.startTime]))")
}
