import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ts from 'typescript'
import { expect, test } from '../support/fixtures.js'
import type { OpfsFileSink } from '../../apps/web/src/lib/storage/file-sink.js'
import type { Page } from '@playwright/test'

/**
 * The web app's OPFS file sink (apps/web/src/lib/storage/file-sink.ts) in the real browser: a bare page of a
 * secure origin (http://localhost, answered by Playwright: nothing listens), the module loaded as it is.
 */
const ORIGIN = 'http://localhost:8765'
const SEGMENT = 256 * 1024
const CHUNK = 64 * 1024

declare global {
  interface Window {
    /** the module under test, loaded by {@link load} */
    fileSink: { openOpfsFileSink: (name: string, options?: { segmentBytes?: number }) => Promise<OpfsFileSink> }
  }
}

async function moduleSource (): Promise<string> {
  const source = await readFile(new URL('../../apps/web/src/lib/storage/file-sink.ts', import.meta.url), 'utf8')
  return ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText
}

/** Opens the bare page and loads the module into it as `window.fileSink`. */
async function load (page: Page, js: string): Promise<void> {
  await page.goto(`${ORIGIN}/`)
  await page.evaluate(async (code) => {
    window.fileSink = await import(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })))
  }, js)
}

/** Byte `i` of the test file: a pattern a shifted or repeated chunk would break. */
function fileBytes (size: number): Buffer {
  return Buffer.from(Array.from({ length: size }, (_, i) => (i * 7 + (i >> 16)) & 0xff))
}

/** Bytes under `dir`, recursively: what the browser keeps on disk. */
async function diskBytes (dir: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      total += (await stat(join(entry.parentPath, entry.name))).size
    }
  }
  return total
}

test('OPFS keeps a fetched file on disk in segments, across a reload, and gives it back whole', async ({ playwright }) => {
  const profile = await mkdtemp(join(tmpdir(), 'p2p-chat-opfs-'))
  const launch = test.info().project.use.launchOptions ?? {}
  const context = await playwright.chromium.launchPersistentContext(profile, launch)
  try {
    await context.route(`${ORIGIN}/**`, route => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>opfs</title>' }))
    const page = await context.newPage()
    const js = await moduleSource()
    await load(page, js)
    expect(await page.evaluate(() => window.isSecureContext && typeof navigator.storage.getDirectory)).toBe('function')

    // 3 segments and a bit, written a chunk at a time as a fetch writes; the last segment is not committed yet
    const size = 3 * SEGMENT + 1000
    const before = await diskBytes(profile)
    const written = await page.evaluate(async ({ size, SEGMENT, CHUNK }) => {
      const bytes = (from: number, to: number): Uint8Array => Uint8Array.from({ length: to - from }, (_, k) => ((from + k) * 7 + ((from + k) >> 16)) & 0xff)
      const sink = await window.fileSink.openOpfsFileSink('file-a', { segmentBytes: SEGMENT })
      for (let at = 0; at < size; at += CHUNK) {
        await sink.write(at, bytes(at, Math.min(size, at + CHUNK)))
      }
      // a gap is refused
      const gap = await sink.write(size + 1, new Uint8Array(1)).then(() => 'written', (err: Error) => err.name)
      return { size: await sink.size(), gap }
    }, { size, SEGMENT, CHUNK })
    expect(written).toEqual({ size, gap: 'RangeError' })
    // full segments are on disk in the profile, not only in the page's memory
    expect(await diskBytes(profile) - before).toBeGreaterThanOrEqual(3 * SEGMENT)

    // the page goes away before the last segment was committed: the full segments are still there
    await page.reload()
    await load(page, js)
    expect(await page.evaluate(async (SEGMENT) => (await window.fileSink.openOpfsFileSink('file-a', { segmentBytes: SEGMENT })).size(), SEGMENT)).toBe(3 * SEGMENT)

    // resumed: a partial segment committed by flush() (the fetch ends) survives a reload too
    await page.evaluate(async ({ SEGMENT }) => {
      const sink = await window.fileSink.openOpfsFileSink('file-a', { segmentBytes: SEGMENT })
      const at = await sink.size()
      await sink.write(at, Uint8Array.from({ length: 500 }, (_, k) => ((at + k) * 7 + ((at + k) >> 16)) & 0xff))
      await sink.flush?.()
    }, { SEGMENT })
    await page.reload()
    await load(page, js)
    const result = await page.evaluate(async ({ size, SEGMENT }) => {
      const sink = await window.fileSink.openOpfsFileSink('file-a', { segmentBytes: SEGMENT })
      const resumedAt = await sink.size()
      const at = resumedAt
      await sink.write(at, Uint8Array.from({ length: size - at }, (_, k) => ((at + k) * 7 + ((at + k) >> 16)) & 0xff))
      const blob = await sink.blob()
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()))
      // a read across a segment boundary, as a resumed fetch re-hashes
      const across = [...await sink.read(SEGMENT - 2, 4)]
      await sink.truncate(SEGMENT + 10)
      const truncated = [await sink.size(), (await sink.blob()).size]
      await sink.remove()
      const reopened = await window.fileSink.openOpfsFileSink('file-a', { segmentBytes: SEGMENT })
      return { resumedAt, blobSize: blob.size, digest: [...digest].map(b => b.toString(16).padStart(2, '0')).join(''), across, truncated, afterRemove: await reopened.size() }
    }, { size, SEGMENT })
    const expected = fileBytes(size)
    expect(result).toEqual({
      resumedAt: 3 * SEGMENT + 500,
      blobSize: size,
      digest: createHash('sha256').update(expected).digest('hex'),
      across: [...expected.subarray(SEGMENT - 2, SEGMENT + 2)],
      truncated: [SEGMENT + 10, SEGMENT + 10],
      afterRemove: 0
    })
  } finally {
    await context.close()
    await rm(profile, { recursive: true, force: true })
  }
})
