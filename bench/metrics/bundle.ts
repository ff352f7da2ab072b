import { readdir, readFile } from 'node:fs/promises'
import { join as joinPath } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { RelayProcess } from '../../e2e/support/relay-process.ts'
import { marksOf, waitUntil, withBothOpeners } from '../lib/page-openers.ts'
import { summarize } from '../lib/stats.ts'
import type { PageOpener } from '../lib/page-openers.ts'
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

/** Longest a page may take to enable Create room. */
const INTERACTIVE_TIMEOUT_MS = 30_000

/**
 * Installed in the page before any of its scripts: marks `bench:create-room-enabled` in the first animation frame
 * in which the home page's Create room button is there and enabled.
 */
function watchCreateRoomEnabled (): void {
  const check = (): void => {
    const button = document.querySelector<HTMLButtonElement>('button.primary')
    if (button != null && !button.disabled && button.textContent.includes('Create room')) {
      performance.mark('bench:create-room-enabled')
    } else {
      requestAnimationFrame(check)
    }
  }
  requestAnimationFrame(check)
}

const WATCH_CREATE_ROOM_ENABLED = `(${watchCreateRoomEnabled.toString()})()`

/**
 * Web bundle: the initial JS, raw, gzip and brotli (as the relay serves it), all of the app's JS (what loads
 * later included), and time to interactive from a cold cache: a fresh browser context opens the home page;
 * interactive = **Create room** enabled. Each run opens it twice, in turn: in a bare Chromium (as a user's) and
 * under Playwright (see lib/page-openers.ts).
 */
export const bundle: Metric = async ({ runs }) => {
  const scripts = await initialScripts()
  const { raw, gz, br } = await weigh(scripts)
  const everything = await allScripts()
  const total = await weigh(everything)
  const relay = await RelayProcess.start()
  /** by browser: navigation → app start, and → Create room enabled */
  const loads = new Map<PageOpener, Array<{ appStart: number, interactive: number }>>()
  /** the scripts the page had started to fetch by the time Create room was enabled, in any run */
  const startScripts = new Set<string>()
  try {
    await withBothOpeners(async openers => {
      for (let run = 0; run < runs; run++) {
        for (const opener of openers) {
          const page = await opener.open(relay.url, WATCH_CREATE_ROOM_ENABLED)
          try {
            await waitUntil(page, "performance.getEntriesByName('bench:create-room-enabled').length > 0", 'Create room enabled', INTERACTIVE_TIMEOUT_MS)
            const marks = await marksOf(page)
            const enabledAt = marks['bench:create-room-enabled']!
            const fetched = await page.evaluate<string[]>(`performance.getEntriesByType('resource').filter(r => r.startTime <= ${enabledAt}).map(r => new URL(r.name).pathname).filter(path => path.endsWith('.js'))`)
            for (const script of fetched) startScripts.add(script)
            loads.set(opener, [...loads.get(opener) ?? [], { appStart: marks['p2p-chat:app-start'] ?? Number.NaN, interactive: enabledAt }])
          } finally {
            await page.close()
          }
        }
      }
    })
  } finally {
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
    ...[...loads].flatMap(([opener, all]): Figure[] => [
      { label: `cold cache${opener.label}: navigation → app script running`, unit: 'ms', summary: summarize(all.map(l => l.appStart)) },
      { label: `cold cache${opener.label}: navigation → Create room enabled`, unit: 'ms', summary: summarize(all.map(l => l.interactive)) }
    ])
  ]
  return { id: 'bundle', title: 'Web bundle', figures, notes: ['served over loopback by the relay: download time is near zero here; parse and start-up dominate'] }
}
