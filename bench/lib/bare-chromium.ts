/**
 * Chromium driven over the DevTools protocol without turning on any page's `Runtime` domain, which Playwright
 * turns on in every page it drives. With it on, V8 works out the line and column of every frame of each `Error`
 * as it is made, and the first one made while a module's top-level code runs (Svelte makes one as its runtime
 * loads) has V8 parse the whole module again for its source positions (`V8.CollectSourcePositions` in a trace):
 * ~40 ms for the app's 573 KiB first script on this machine, which a user's browser never spends. A page opened
 * here runs as it does for a user, and is read with `Runtime.evaluate`, which needs no domain turned on.
 *
 * It speaks the protocol over `--remote-debugging-pipe` (file descriptors 3 and 4, messages ended by a NUL).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/support/chromium.ts'
import type { ChildProcess } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'

/** Longest one protocol command may take. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 30_000
/** Longest Chromium may take to exit once asked; then it is killed. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000

/** Chromium could not be started, answered a command with an error, or did not answer in time. */
export class BareChromiumError extends Error {
  static override name = 'BareChromiumError'
  override name = 'BareChromiumError'
}

interface Message { id?: number, method?: string, sessionId?: string, result?: Record<string, unknown>, error?: { message: string } }

/** A page in a browser context of its own. */
export interface BarePage {
  /** Evaluates `expression` in the page and resolves to its value (awaited if a promise, returned by value). */
  evaluate<T>(expression: string): Promise<T>
  /** Closes the page's browser context. */
  close(): Promise<void>
}

export interface BarePageOptions {
  /** A script run in every document of the page before the document's own scripts. */
  initScript?: string
}

export class BareChromium {
  private readonly child: ChildProcess
  private readonly userDataDir: string
  private readonly input: Writable
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void, reject: (e: Error) => void }>()
  private nextId = 1

  private constructor (child: ChildProcess, userDataDir: string) {
    this.child = child
    this.userDataDir = userDataDir
    this.input = child.stdio[3] as Writable
    let buffered = ''
    ;(child.stdio[4] as Readable).setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk
      let end: number
      while ((end = buffered.indexOf('\0')) >= 0) {
        this.receive(JSON.parse(buffered.slice(0, end)) as Message)
        buffered = buffered.slice(end + 1)
      }
    })
    child.once('exit', code => { this.failAll(new BareChromiumError(`Chromium exited (${code})`)) })
    child.once('error', err => { this.failAll(new BareChromiumError(`Chromium could not be run: ${err.message}`)) })
    // a write after Chromium has gone fails here; the command's own reply then fails with its exit
    this.input.on('error', () => {})
  }

  /** Starts Debian's Chromium (or CHROMIUM_PATH) headless, with the flags that keep it off the network. */
  static async launch (): Promise<BareChromium> {
    const userDataDir = await mkdtemp(join(tmpdir(), 'bare-chromium-'))
    const child = spawn(CHROMIUM_PATH, [...CHROMIUM_ARGS, '--headless', '--remote-debugging-pipe', `--user-data-dir=${userDataDir}`, 'about:blank'], {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe']
    })
    const browser = new BareChromium(child, userDataDir)
    try {
      await browser.send('Browser.getVersion')
    } catch (err) {
      await browser.close()
      throw err
    }
    return browser
  }

  /** Opens `url` in a new browser context (no cache, no storage) and resolves once navigation has committed. */
  async newPage (url: string, options: BarePageOptions = {}): Promise<BarePage> {
    const { browserContextId } = await this.send('Target.createBrowserContext', { disposeOnDetach: true }) as { browserContextId: string }
    const close = async (): Promise<void> => { await this.send('Target.disposeBrowserContext', { browserContextId }) }
    let sessionId: string
    try {
      const { targetId } = await this.send('Target.createTarget', { url: 'about:blank', browserContextId }) as { targetId: string }
      ;({ sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true }) as { sessionId: string })
      await this.send('Page.enable', {}, sessionId)
      if (options.initScript != null) await this.send('Page.addScriptToEvaluateOnNewDocument', { source: options.initScript }, sessionId)
      await this.send('Page.navigate', { url }, sessionId)
    } catch (err) {
      await close().catch(() => {})
      throw err
    }
    return {
      evaluate: async <T>(expression: string): Promise<T> => {
        const reply = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId) as { result: { value: T }, exceptionDetails?: { text: string } }
        if (reply.exceptionDetails != null) throw new BareChromiumError(`${expression}: ${reply.exceptionDetails.text}`)
        return reply.result.value
      },
      close
    }
  }

  /** Closes Chromium (killing it if it does not exit in time) and removes its profile. */
  async close (): Promise<void> {
    // (a Chromium that could not be run has no pid, and no exit to wait for)
    if (this.child.pid != null && this.child.exitCode == null && this.child.signalCode == null) {
      const exited = new Promise(resolve => this.child.once('exit', resolve))
      await this.send('Browser.close').catch(() => {})
      const timer = setTimeout(() => this.child.kill('SIGKILL'), DEFAULT_CLOSE_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
    }
    await rm(this.userDataDir, { recursive: true, force: true })
  }

  private async send (method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++
    const reply = new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new BareChromiumError(`${method}: no answer in ${DEFAULT_COMMAND_TIMEOUT_MS} ms`))
      }, DEFAULT_COMMAND_TIMEOUT_MS)
      this.pending.set(id, {
        resolve: r => { clearTimeout(timer); resolve(r) },
        reject: e => { clearTimeout(timer); reject(e) }
      })
    })
    this.input.write(JSON.stringify({ id, method, params, sessionId }) + '\0')
    return await reply
  }

  private receive (message: Message): void {
    if (message.id == null) return
    const waiting = this.pending.get(message.id)
    this.pending.delete(message.id)
    if (message.error != null) waiting?.reject(new BareChromiumError(message.error.message))
    else waiting?.resolve(message.result ?? {})
  }

  private failAll (err: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(err)
    this.pending.clear()
  }
}
