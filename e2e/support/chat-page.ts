import { expect } from '@playwright/test'
import { iceRoutes, keepPeerConnections } from './ice.js'
import type { IceRoute } from './ice.js'
import type { Browser, BrowserContext, BrowserContextOptions, JSHandle, Locator, Page } from '@playwright/test'

/** One person in a browser: a fresh context (own storage, own libp2p identity) and its page. */
export class ChatPage {
  readonly page: Page
  private readonly context: BrowserContext

  private constructor (context: BrowserContext, page: Page) {
    this.context = context
    this.page = page
  }

  /**
   * @param options.webrtcUnavailableMs - for this long after the page starts it cannot create peer
   * connections, as in browsers where WebRTC is turned off (Tor Browser, some privacy settings and
   * extensions; use Infinity) or briefly unavailable: every direct upgrade tried meanwhile fails (each refusal
   * leaves an `e2e:webrtc-refused` performance mark, counted by {@link refusedWebRTC})
   * @param options.context - options of the browser context (permissions, viewport, …)
   * @param options.prepare - called with the context before the page opens (init scripts, bindings)
   * @param options.keepPeerConnections - the page keeps its RTCPeerConnections, so {@link iceRoutes} can read
   * which candidate pairs they use
   */
  static async open (browser: Browser, url: string, options: { webrtcUnavailableMs?: number, keepPeerConnections?: boolean, context?: BrowserContextOptions, prepare?: (context: BrowserContext) => Promise<void> } = {}): Promise<ChatPage> {
    const context = await browser.newContext(options.context)
    await options.prepare?.(context)
    if (options.keepPeerConnections === true) {
      await context.addInitScript(keepPeerConnections)
    }
    if (options.webrtcUnavailableMs != null) {
      await context.addInitScript((until: number) => {
        const Native = window.RTCPeerConnection
        window.RTCPeerConnection = class extends Native {
          constructor (config?: RTCConfiguration) {
            if (performance.now() < until) {
              performance.mark('e2e:webrtc-refused')
              throw new DOMException('WebRTC is unavailable in this browser', 'NotSupportedError')
            }
            super(config)
          }
        }
      }, Math.min(options.webrtcUnavailableMs, Number.MAX_SAFE_INTEGER))
    }
    const debug = process.env.E2E_DEBUG
    if (debug != null) {
      await context.addInitScript((namespaces: string) => { localStorage.setItem('debug', namespaces) }, debug)
    }
    const page = await context.newPage()
    if (debug != null) {
      // E2E_DEBUG (CONTRIBUTING.md): the page's console, tagged by page and ms since it opened
      const opened = Date.now()
      const tag = Math.random().toString(36).slice(2, 5)
      page.on('console', message => { console.info(`[${tag} ${Date.now() - opened}] ${message.text()}`) })
    }
    await page.goto(url)
    return new ChatPage(context, page)
  }

  /**
   * Alice creates a room (private by default) at `url`, Bob opens its link, and both wait until each shows the
   * other as directly connected.
   */
  static async directPair (browser: Browser, url: string, kind: 'private' | 'public' = 'private'): Promise<{ alice: ChatPage, bob: ChatPage, aliceName: string, bobName: string }> {
    const alice = await ChatPage.open(browser, url)
    const link = await alice.createRoom(kind)
    const aliceName = await alice.displayName()
    const bob = await ChatPage.open(browser, link)
    const bobName = await bob.displayName()
    await expect(alice.route(bobName)).toHaveText('direct', { timeout: 30_000 })
    await expect(bob.route(aliceName)).toHaveText('direct', { timeout: 30_000 })
    return { alice, bob, aliceName, bobName }
  }

  get messages (): Locator { return this.page.getByRole('log', { name: 'Messages', exact: true }) }
  get peers (): Locator { return this.page.getByRole('list', { name: 'Peers' }) }
  get composer (): Locator { return this.page.getByRole('textbox', { name: 'Message', exact: true }) }
  get nameField (): Locator { return this.page.getByRole('textbox', { name: 'Display name' }).first() }

  async displayName (): Promise<string> {
    await expect(this.nameField).not.toHaveValue('')
    return this.nameField.inputValue()
  }

  /** Creates a room (private by default: its link carries the secret after #) and returns its link. */
  async createRoom (kind: 'private' | 'public' = 'private'): Promise<string> {
    const button = this.page.getByRole('button', { name: kind === 'private' ? 'Create room' : 'Create public room', exact: kind === 'private' })
    await expect(button).toBeEnabled()
    await button.click()
    await expect(this.page).toHaveURL(kind === 'private' ? /\/r\/[a-z2-7]{26}#[A-Za-z0-9_-]{43}$/ : /\/r\/[a-z2-7]{26}$/)
    return this.page.url()
  }

  async send (text: string): Promise<void> {
    await expect(this.composer).toBeEnabled()
    await this.composer.fill(text)
    await this.composer.press('Enter')
    await expect(this.composer).toHaveValue('')
  }

  async expectMessage (text: string, timeout?: number): Promise<void> {
    await expect(this.messages.getByText(text, { exact: true })).toBeVisible({ timeout })
  }

  peer (name: string): Locator {
    return this.peers.getByRole('listitem').filter({ hasText: name })
  }

  /**
   * How the peers list says this page reaches the peer: its badge, exactly 'direct' or 'relayed' (the item's
   * other text, such as a note on why it is relayed, may mention a direct route without there being one).
   */
  route (name: string): Locator {
    return this.peer(name).getByTestId('route')
  }

  /** The app's User Timing milestones (ms after navigation started), e.g. `{ 'relay-connected': 180 }`. */
  async milestones (): Promise<Record<string, number>> {
    return this.page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark')
      .filter(m => m.name.startsWith('p2p-chat:'))
      .map(m => [m.name.slice('p2p-chat:'.length), Math.round(m.startTime)])))
  }

  /** How many peer connections this page refused to create (see `webrtcUnavailableMs`): failed upgrade attempts. */
  async refusedWebRTC (): Promise<number> {
    return this.page.evaluate(() => performance.getEntriesByName('e2e:webrtc-refused').length)
  }

  /** This browser's peer id fingerprint, as shown beside its name. */
  async fingerprint (): Promise<string> {
    const shown = this.page.getByTestId('my-fingerprint')
    await expect(shown).toHaveText(/^…\S{6}$/)
    return (await shown.textContent())!.slice(1)
  }

  /**
   * Starts recording the statuses that the line of `log` holding `text` shows ('sending', 'delivered',
   * 'failed'), each time it changes, from now on; the line may not be there yet. The status it shows now is not
   * recorded, nor is any other change to the log (a line's time of day fills in a moment after it is shown).
   * Resolves to a handle whose `jsonValue()` is the statuses so far, in order.
   */
  async recordStatuses (log: Locator, text: string): Promise<JSHandle<string[]>> {
    return log.evaluateHandle((list, wanted) => {
      const seen: string[] = []
      const statusNow = (): string | undefined => {
        const line = [...list.querySelectorAll('li')].find(li => li.textContent?.includes(wanted) === true)
        return line?.querySelector('.status')?.textContent?.replace(/[:…].*$/s, '').trim()
      }
      let shown = statusNow()
      new MutationObserver(() => {
        const status = statusNow()
        if (status == null || status === shown) return
        seen.push(status)
        shown = status
      }).observe(list, { subtree: true, childList: true, characterData: true })
      return seen
    }, text)
  }

  /** A line in the messages log, by its text. */
  message (text: string): Locator {
    return this.messages.getByRole('listitem').filter({ has: this.page.getByText(text, { exact: true }) })
  }

  /**
   * Records, from now on, the text of every item of the peers list each time the list changes (a
   * MutationObserver in the page reports through a Playwright binding): a test can then assert what was never
   * shown, not only what is shown at its end. The returned list fills up as the page changes.
   */
  async recordPeerList (): Promise<string[]> {
    const seen: string[] = []
    await this.page.exposeBinding('recordPeerList', (_source, items: string[]) => { seen.push(...items) })
    await this.page.evaluate(() => {
      const record = (window as unknown as { recordPeerList: (items: string[]) => Promise<void> }).recordPeerList
      const report = (): void => {
        const items = [...document.querySelectorAll('[aria-label="Peers"] li')].map(li => li.textContent ?? '')
        void record(items)
      }
      new MutationObserver(report).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true })
      report()
    })
    return seen
  }

  /** The candidate pair each connected RTCPeerConnection uses (opened with `keepPeerConnections`). */
  async iceRoutes (): Promise<IceRoute[]> {
    return this.page.evaluate(iceRoutes)
  }

  /** Reloads the page (same browser storage) and waits for the node to be back. */
  async reload (): Promise<void> {
    await this.page.reload()
    await expect(this.composer).toBeEnabled()
  }

  /** Takes the browser's network away (or gives it back), as when the computer goes offline. */
  async setOffline (offline: boolean): Promise<void> {
    await this.context.setOffline(offline)
  }

  async close (): Promise<void> {
    await this.context.close()
  }
}
