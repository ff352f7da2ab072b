import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ChildProcess } from 'node:child_process'
import type { Browser, Page } from 'playwright-core'

const RELAY_SCRIPT = fileURLToPath(new URL('../stock/relay.ts', import.meta.url))
const START_TIMEOUT_MS = 20_000

/** The stock baseline's relay process (stock/relay.ts), which also serves the stock page. */
export class StockRelay {
  readonly url: string
  readonly wsAddr: string
  private readonly child: ChildProcess

  private constructor (child: ChildProcess, url: string, wsAddr: string) {
    this.child = child
    this.url = url
    this.wsAddr = wsAddr
  }

  /** Starts a stock relay subscribed to `topic`. */
  static async start (topic: string): Promise<StockRelay> {
    const child = spawn(process.execPath, [RELAY_SCRIPT, topic], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    try {
      const started = await new Promise<{ url: string, wsAddr: string }>((resolve, reject) => {
        const timer = setTimeout(() => { reject(new Error(`the stock relay did not start in ${START_TIMEOUT_MS} ms: ${output}`)) }, START_TIMEOUT_MS)
        child.stdout!.on('data', (chunk: Buffer) => {
          output += chunk.toString()
          const line = output.split('\n').find(l => l.startsWith('{'))
          if (line != null) {
            clearTimeout(timer)
            resolve(JSON.parse(line) as { url: string, wsAddr: string })
          }
        })
        child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString() })
        child.once('exit', code => {
          clearTimeout(timer)
          reject(new Error(`the stock relay exited with ${code}: ${output}`))
        })
      })
      return new StockRelay(child, started.url, started.wsAddr)
    } catch (err) {
      child.kill('SIGKILL')
      throw err
    }
  }

  async dispose (): Promise<void> {
    if (this.child.exitCode != null || this.child.signalCode != null) {
      return
    }
    const exited = new Promise(resolve => this.child.once('exit', resolve))
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }
}

/**
 * A fresh browser context on the stock page, driven as its README says: the relay's multiaddr typed into "Dial
 * multiaddr" and connected, then the topic typed and subscribed.
 */
export async function openStockPage (browser: Browser, relay: StockRelay, topic: string, initScripts: Array<() => void> = []): Promise<Page> {
  const context = await browser.newContext()
  for (const script of initScripts) {
    await context.addInitScript(script)
  }
  const page = await context.newPage()
  await page.goto(relay.url)
  await page.locator('#peer-id').filter({ hasText: /\S/ }).waitFor()
  await page.locator('#dial-multiaddr-input').fill(relay.wsAddr)
  await page.locator('#dial-multiaddr-button').click()
  await page.locator('#output').filter({ hasText: 'Connected to' }).waitFor({ timeout: 20_000 })
  await page.locator('#subscribe-topic-input').fill(topic)
  await page.locator('#subscribe-topic-button').click()
  // the relay is in the topic (the page lists the topic's peers every 500 ms)
  await page.locator('#topic-peers li').filter({ hasText: /^12D3/ }).first().waitFor({ timeout: 20_000 })
  return page
}
