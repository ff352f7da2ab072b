import { readdir, readFile } from 'node:fs/promises'
import { join as joinPath } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { RelayProcess } from '../../e2e/support/relay-process.ts'
import { launchChromium } from '../lib/browser.ts'
import { summarize } from '../lib/stats.ts'
import type { Figure, Metric } from '../lib/report.ts'

const WEB_DIST = fileURLToPath(new URL('../../apps/web/dist', import.meta.url))

/** The JS a first visit loads before the app runs: index.html's module script and its modulepreloads. */
async function initialScripts (): Promise<string[]> {
  const html = await readFile(joinPath(WEB_DIST, 'index.html'), 'utf8')
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map(m => m[1]!)
}

/** Every script the app may load: the initial ones and the chunks loaded later (extras, history sync, DM UI). */
async function allScripts (): Promise<string[]> {
  return (await readdir(joinPath(WEB_DIST, 'assets'))).filter(name => name.endsWith('.js')).map(name => `/assets/${name}`)
}

/** Raw, gzip -9 and brotli q9 bytes of `scripts`, together. */
async function weigh (scripts: string[]): Promise<{ raw: number, gz: number, br: number }> {
  let raw = 0
  let gz = 0
  let br = 0
  for (const path of scripts) {
    const data = await readFile(joinPath(WEB_DIST, path))
    raw += data.byteLength
    gz += gzipSync(data, { level: 9 }).byteLength
    br += brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }).byteLength
  }
  return { raw, gz, br }
}

/**
 * Web bundle: the initial JS, raw, gzip and brotli (as the relay serves it), all of the app's JS (what loads
 * later included), and time to interactive from a
 * cold cache: a fresh browser context opens the home page; interactive = **Create room** enabled.
 */
export const bundle: Metric = async ({ runs }) => {
  const scripts = await initialScripts()
  const { raw, gz, br } = await weigh(scripts)
  const everything = await allScripts()
  const total = await weigh(everything)
  const browser = await launchChromium()
  const relay = await RelayProcess.start()
  const tti: number[] = []
  const scriptsDone: number[] = []
  /** the scripts the page had fetched by the time Create room was enabled, in any run */
  const startScripts = new Set<string>()
  try {
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext()
      const page = await context.newPage()
      await page.goto(relay.url)
      await page.getByRole('button', { name: 'Create room' }).waitFor()
      await page.waitForFunction(() => !(document.querySelector('button.primary') as HTMLButtonElement).disabled, undefined, { polling: 'raf' })
      const times = await page.evaluate(() => ({
        now: performance.now(),
        appStart: performance.getEntriesByName('p2p-chat:app-start')[0]?.startTime ?? Number.NaN,
        scripts: performance.getEntriesByType('resource').map(r => new URL(r.name).pathname).filter(path => path.endsWith('.js'))
      }))
      for (const script of times.scripts) startScripts.add(script)
      tti.push(times.now)
      scriptsDone.push(times.appStart)
      await context.close()
    }
  } finally {
    await browser.close()
    await relay.dispose()
  }
  const started = [...new Set([...scripts, ...startScripts])]
  const startWeight = await weigh(started)
  const figures: Figure[] = [
    { label: `initial JS (${scripts.length} files), raw`, unit: 'KiB', value: raw / 1024 },
    { label: 'initial JS, gzip -9', unit: 'KiB', value: gz / 1024 },
    { label: 'initial JS, brotli q9 (as the relay serves it)', unit: 'KiB', value: br / 1024 },
    { label: `JS fetched before Create room is enabled (${started.length} files: the first script and the chunks the page imports as it starts), gzip -9`, unit: 'KiB', value: startWeight.gz / 1024 },
    { label: `total JS (${everything.length} files, the later chunks included), gzip -9`, unit: 'KiB', value: total.gz / 1024 },
    { label: 'total JS, raw', unit: 'KiB', value: total.raw / 1024 },
    { label: 'cold cache: navigation → app script running', unit: 'ms', summary: summarize(scriptsDone) },
    { label: 'cold cache: navigation → Create room enabled', unit: 'ms', summary: summarize(tti) }
  ]
  return { id: 'bundle', title: 'Web bundle', figures, notes: ['served over loopback by the relay: download time is near zero here; parse and start-up dominate'] }
}
