import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { crc32, deflateSync } from 'node:zlib'
import { ChatPage } from '../support/chat-page.js'
import { expect, test } from '../support/fixtures.js'
import { PeerPathCut } from '../support/peer-path-cut.js'

const MB = 1_000_000

function sha256 (bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** A real PNG of `width` × `height` pixels, a colour gradient, for the browser to decode and show. */
function png (width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
    const out = Buffer.alloc(body.length + 8)
    out.writeUInt32BE(data.length, 0)
    body.copy(out, 4)
    out.writeUInt32BE(crc32(body), body.length + 4)
    return out
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 2, 0, 0, 0], 8) // 8 bits, RGB, no interlace
  const rows = Buffer.alloc(height * (1 + width * 3))
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      rows.set([x * 255 / width, y * 255 / height, 128], y * (1 + width * 3) + 1 + x * 3)
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))
  ])
}

let dir: string
test.beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'p2p-chat-files-')) })
test.afterAll(async () => { await rm(dir, { recursive: true, force: true }) })

test('a 50 MB file goes from one browser to another only when asked, with progress on both sides, cancel and resume, and arrives with the same SHA-256', async ({ browser, relay }) => {
  test.setTimeout(240_000)
  const bytes = randomBytes(50 * MB)
  const path = join(dir, 'big-data.bin')
  await writeFile(path, bytes)
  const { alice, bob } = await ChatPage.directPair(browser, relay.url, 'public')

  await alice.page.getByLabel('Attach file').setInputFiles(path)
  const download = bob.messages.getByRole('button', { name: /^Download.*big-data\.bin/ })
  await expect(download).toBeVisible({ timeout: 60_000 })
  await expect(alice.messages.getByTestId('file')).toContainText('big-data.bin')
  // nothing moves until bob asks: alice sends nothing, bob's line offers a download
  await expect(alice.messages.getByRole('progressbar')).toHaveCount(0)
  await expect(bob.messages.getByRole('progressbar')).toHaveCount(0)

  await download.click()
  const bobBar = bob.messages.getByRole('progressbar', { name: 'Downloading big-data.bin' })
  await expect(bobBar).toBeVisible()
  await expect(alice.messages.getByRole('progressbar', { name: /^Sending big-data\.bin to / })).toBeVisible()
  // bob cancels part-way: what arrived is kept, and the download resumes from there
  await expect.poll(async () => Number(await bobBar.getAttribute('value')), { timeout: 60_000 }).toBeGreaterThan(5 * MB)
  await bob.messages.getByRole('button', { name: 'Cancel download of big-data.bin' }).click()
  await expect(bob.messages).toContainText('cancelled')
  const resume = bob.messages.getByRole('button', { name: 'Download (resume) big-data.bin' })
  await expect(resume).toBeVisible()

  const saved = bob.page.waitForEvent('download', { timeout: 180_000 })
  await resume.click()
  // the bar starts where the cancelled fetch stopped, not at 0
  await expect.poll(async () => Number(await bobBar.getAttribute('value'))).toBeGreaterThan(5 * MB)
  const file = await saved
  expect(file.suggestedFilename()).toBe('big-data.bin')
  const received = await readFile((await file.path()))
  expect(received.length).toBe(bytes.length)
  expect(sha256(received)).toBe(sha256(bytes))
  await expect(bob.messages.getByRole('button', { name: 'Save big-data.bin' })).toBeVisible()
  await expect(alice.messages.getByRole('progressbar')).toHaveCount(0)
  await alice.close()
  await bob.close()
})

test('a download cut off by a dropped connection says so, keeps what arrived, and resumes from there once the pair is direct again', async ({ browser, relay }) => {
  const unavailable = PeerPathCut.unavailable()
  test.skip(unavailable != null, unavailable)
  test.setTimeout(240_000)
  const bytes = randomBytes(50 * MB)
  const path = join(dir, 'cut-off.bin')
  await writeFile(path, bytes)
  const { alice, bob, aliceName } = await ChatPage.directPair(browser, relay.url)
  const cut = new PeerPathCut()
  try {
    await alice.page.getByLabel('Attach file').setInputFiles(path)
    const download = bob.messages.getByRole('button', { name: /^Download.*cut-off\.bin/ })
    await expect(download).toBeVisible({ timeout: 60_000 })
    await download.click()
    const bobBar = bob.messages.getByRole('progressbar', { name: 'Downloading cut-off.bin' })
    await expect.poll(async () => Number(await bobBar.getAttribute('value')), { timeout: 60_000 }).toBeGreaterThan(5 * MB)

    // the network between the two browsers goes away mid-transfer (the relay stays reachable)
    cut.drop()
    await expect(bob.messages).toContainText(`The connection to ${aliceName} dropped`, { timeout: 60_000 })
    const resume = bob.messages.getByRole('button', { name: 'Download (resume) cut-off.bin' })
    await expect(resume).toBeVisible()
    await expect(bob.route(aliceName)).toHaveText('relayed', { timeout: 60_000 })

    // the network comes back: the pair goes direct again, and the download continues where it stopped
    cut.mend()
    await expect(bob.route(aliceName)).toHaveText('direct', { timeout: 90_000 })
    const saved = bob.page.waitForEvent('download', { timeout: 120_000 })
    await resume.click()
    await expect.poll(async () => Number(await bobBar.getAttribute('value'))).toBeGreaterThan(5 * MB)
    const file = await saved
    const received = await readFile(await file.path())
    expect(received.length).toBe(bytes.length)
    expect(sha256(received)).toBe(sha256(bytes))
  } finally {
    cut.mend()
  }
  await alice.close()
  await bob.close()
})

test('an image offered in a private room shows inline once fetched; a peer reached only through the relay is told why it cannot fetch', async ({ browser, relay }) => {
  const image = png(120, 80)
  const path = join(dir, 'gradient.png')
  await writeFile(path, image)
  const { alice, bob, aliceName } = await ChatPage.directPair(browser, relay.url)

  // a third person whose browser has no WebRTC: reached through the relay only
  const carol = await ChatPage.open(browser, alice.page.url(), { webrtcUnavailableMs: Infinity })
  await expect(carol.route(aliceName)).toHaveText('relayed', { timeout: 30_000 })

  await alice.page.getByLabel('Attach file').setInputFiles(path)
  // alice sees her own image at once
  await expect(alice.messages.getByRole('img', { name: 'gradient.png' })).toBeVisible()

  const saved = bob.page.waitForEvent('download')
  await bob.messages.getByRole('button', { name: /^Download.*gradient\.png/ }).click()
  const preview = bob.messages.getByRole('img', { name: 'gradient.png' })
  await expect(preview).toBeVisible()
  expect(await preview.evaluate((img: HTMLImageElement) => [img.complete, img.naturalWidth, img.naturalHeight])).toEqual([true, 120, 80])
  expect(sha256(await readFile(await (await saved).path()))).toBe(sha256(image))

  await carol.messages.getByRole('button', { name: /^Download.*gradient\.png/ }).click()
  await expect(carol.messages.getByRole('alert')).toContainText('direct connection')
  await expect(carol.messages.getByRole('img', { name: 'gradient.png' })).toHaveCount(0)
  await alice.close()
  await bob.close()
  await carol.close()
})

test('files pasted into the composer or dropped on the conversation go to the room; one over the room\'s limit is refused before anything is read, the draft kept', async ({ browser, relay }) => {
  const { alice, bob } = await ChatPage.directPair(browser, relay.url)
  /** What bob saves when he fetches `name`. */
  const fetched = async (name: string): Promise<string> => {
    const saved = bob.page.waitForEvent('download')
    await bob.messages.getByRole('button', { name: new RegExp(`^Download.*${name.replace('.', '\\.')}`) }).click()
    return readFile(await (await saved).path(), 'utf8')
  }

  // pasted, with the draft as its line
  await alice.composer.fill('here it is')
  await alice.composer.evaluate((box) => {
    const data = new DataTransfer()
    data.items.add(new File(['pasted bytes'], 'pasted.txt', { type: 'text/plain' }))
    box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
  })
  await bob.expectMessage('here it is')
  expect(await fetched('pasted.txt')).toBe('pasted bytes')
  await expect(alice.composer).toHaveValue('')

  // dropped on the conversation
  await alice.page.getByRole('group', { name: /^Conversation/ }).evaluate((area) => {
    const data = new DataTransfer()
    data.items.add(new File(['dropped bytes'], 'dropped.txt', { type: 'text/plain' }))
    area.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }))
    area.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }))
  })
  expect(await fetched('dropped.txt')).toBe('dropped bytes')

  // over the room's limit (2 GiB): a 3 GiB file made of one 1 MiB blob 3,072 times over, which nothing reads
  await alice.composer.fill('too big?')
  await alice.composer.evaluate((box) => {
    const mib = new Blob([new Uint8Array(1 << 20)])
    const data = new DataTransfer()
    data.items.add(new File(Array.from({ length: 3072 }, () => mib), 'huge.bin'))
    box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
  })
  await expect(alice.page.getByRole('alert').filter({ hasText: 'huge.bin' })).toContainText('limit')
  await expect(alice.composer).toHaveValue('too big?')
  await expect(alice.messages.getByText('huge.bin')).toHaveCount(0)
  await expect(bob.messages.getByText('huge.bin')).toHaveCount(0)
  await alice.close()
  await bob.close()
})
