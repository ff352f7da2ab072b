import { expectNoSeriousViolations } from '../support/axe.js'
import { ChatPage } from '../support/chat-page.js'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium.js'
import { expect, test } from '../support/fixtures.js'
import type { Browser, Locator } from '@playwright/test'

// a fake camera (a test pattern) and microphone (a beep), allowed without asking
test.use({
  launchOptions: {
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required']
  }
})

/** What a page's call media connections carried so far, summed over its RTCPeerConnections (kept by the test). */
interface MediaTotals {
  audioBytesReceived: number
  videoFramesDecoded: number
  audioPacketsSent: number
}

/** In the page: totals of inbound and outbound RTP over every peer connection it kept. */
async function mediaTotals (): Promise<MediaTotals> {
  const { instances = [] } = RTCPeerConnection as unknown as { instances?: RTCPeerConnection[] }
  const totals = { audioBytesReceived: 0, videoFramesDecoded: 0, audioPacketsSent: 0 }
  for (const pc of instances.filter(pc => pc.connectionState !== 'closed')) {
    (await pc.getStats()).forEach((s: { type: string, kind?: string, bytesReceived?: number, framesDecoded?: number, packetsSent?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') totals.audioBytesReceived += s.bytesReceived ?? 0
      if (s.type === 'inbound-rtp' && s.kind === 'video') totals.videoFramesDecoded += s.framesDecoded ?? 0
      if (s.type === 'outbound-rtp' && s.kind === 'audio') totals.audioPacketsSent += s.packetsSent ?? 0
    })
  }
  return totals
}

/** Polls a page's totals until `key` grows past where it is now (media flows), and returns the later totals. */
async function grows (person: ChatPage, key: keyof MediaTotals): Promise<void> {
  const before = (await person.page.evaluate(mediaTotals))[key]
  await expect.poll(async () => (await person.page.evaluate(mediaTotals))[key], { timeout: 20_000 }).toBeGreaterThan(before)
}

/** Polls until `key` stays the same between two reads a poll interval apart: that media no longer flows. */
async function stops (person: ChatPage, key: keyof MediaTotals): Promise<void> {
  let last = -1
  await expect.poll(async () => {
    const now = (await person.page.evaluate(mediaTotals))[key]
    const same = now === last
    last = now
    return same
  }, { timeout: 20_000, intervals: [1000] }).toBe(true)
}

/** Alice in a new room, and Bob (with no camera if `noCamera`) in it with her, directly connected. */
async function room (browser: Browser, url: string, options: { noCamera?: boolean } = {}): Promise<{ alice: ChatPage, bob: ChatPage, aliceName: string, bobName: string }> {
  const alice = await ChatPage.open(browser, url, { keepPeerConnections: true })
  const link = await alice.createRoom()
  const aliceName = await alice.displayName()
  const bob = await ChatPage.open(browser, link, { keepPeerConnections: true, prepare: options.noCamera === true ? async (context) => { await context.addInitScript(noCamera) } : undefined })
  const bobName = await bob.displayName()
  await expect(alice.route(bobName)).toHaveText('direct', { timeout: 30_000 })
  return { alice, bob, aliceName, bobName }
}

/** For `addInitScript`: this browser has a microphone but no camera (asking for video fails, as without a device). */
function noCamera (): void {
  const media = navigator.mediaDevices
  const native = media.getUserMedia.bind(media)
  media.getUserMedia = async (constraints?: MediaStreamConstraints) => {
    if (constraints?.video != null && constraints.video !== false) {
      throw new DOMException('Requested device not found', 'NotFoundError')
    }
    return native(constraints)
  }
}

function call (person: ChatPage): Locator {
  return person.page.getByRole('region', { name: 'Room call' })
}

test('a room call: the other side joins, audio and video flow both ways, mute stops the audio, leaving ends it on both sides', async ({ browser, relay }) => {
  // two browsers encoding and decoding video on two shared cores: slower than a chat test
  test.setTimeout(180_000)
  const { alice, bob, aliceName, bobName } = await room(browser, relay.url)
  await expect(call(bob).getByRole('button', { name: 'Join call' })).toHaveCount(0)

  await call(alice).getByRole('button', { name: 'Start call' }).click()
  await expect(call(alice).getByRole('button', { name: 'Leave call' })).toBeVisible()
  // the call screens pass axe-core in both themes: bob being rung, then both in the call
  await expect(call(bob).getByRole('button', { name: 'Join call' })).toBeVisible()
  for (const colorScheme of ['light', 'dark'] as const) {
    await bob.page.emulateMedia({ colorScheme })
    await expectNoSeriousViolations(bob.page, `a room with a call to join (${colorScheme})`)
  }
  await call(bob).getByRole('button', { name: 'Join call' }).click()
  await expect(call(bob).getByRole('button', { name: 'Leave call' })).toBeVisible()

  // each sees the other's video, and frames and audio keep arriving on both sides
  await expect(call(bob).getByLabel(`Video of ${aliceName}`)).toBeVisible()
  await expect(call(alice).getByLabel(`Video of ${bobName}`)).toBeVisible()
  for (const colorScheme of ['light', 'dark'] as const) {
    await alice.page.emulateMedia({ colorScheme })
    await expectNoSeriousViolations(alice.page, `a room call under way (${colorScheme})`)
  }
  for (const person of [alice, bob]) {
    await grows(person, 'videoFramesDecoded')
    await grows(person, 'audioBytesReceived')
  }
  // the fake microphone beeps: who is talking shows
  await expect(call(alice).getByTestId('call-tile').filter({ hasText: bobName })).toContainText('talking')

  // alice mutes: she sends no audio, bob receives none, and her video goes on
  const mute = call(alice).getByRole('button', { name: 'Mute' })
  await mute.click()
  await expect(mute).toHaveAttribute('aria-pressed', 'true')
  await stops(alice, 'audioPacketsSent')
  await stops(bob, 'audioBytesReceived')
  await grows(bob, 'videoFramesDecoded')
  await mute.click()
  await grows(bob, 'audioBytesReceived')

  // bob leaves: the call is over for both
  await call(bob).getByRole('button', { name: 'Leave call' }).click()
  await expect(call(bob).getByRole('button', { name: 'Start call' })).toBeVisible()
  await expect(call(alice).getByRole('button', { name: 'Start call' })).toBeVisible()
  await expect(call(alice).getByRole('button', { name: 'Leave call' })).toHaveCount(0)
  await expect(call(bob).getByRole('button', { name: 'Join call' })).toHaveCount(0)
  await alice.close()
  await bob.close()
})

/** In the page: the label of the track its call sends as video (on its media connection), and of its camera. */
async function sentVideo (): Promise<{ sent?: string, camera?: string }> {
  const { instances = [] } = RTCPeerConnection as unknown as { instances?: RTCPeerConnection[] }
  // libp2p's own WebRTC connections carry datachannels only: the call's is the one with a video transceiver
  const sender = instances.filter(pc => pc.connectionState !== 'closed')
    .flatMap(pc => pc.getTransceivers())
    .find(t => t.receiver.track.kind === 'video')?.sender
  const camera = (document.querySelector('video[aria-label^="Video of You"]') as HTMLVideoElement | null)?.srcObject as MediaStream | null
  return { sent: sender?.track?.label, camera: camera?.getVideoTracks()[0]?.label }
}

test('sharing the screen sends it in the camera\'s place, and stopping brings the camera back', async ({ browser, relay }) => {
  test.setTimeout(180_000)
  const { alice, bob, aliceName } = await room(browser, relay.url)
  await call(alice).getByRole('button', { name: 'Start call' }).click()
  await call(bob).getByRole('button', { name: 'Join call' }).click()
  await expect(call(bob).getByLabel(`Video of ${aliceName}`)).toBeVisible()
  const camera = await alice.page.evaluate(sentVideo)
  expect(camera.sent).toBe(camera.camera)

  const share = call(alice).getByRole('button', { name: 'Share screen' })
  await share.click()
  await expect(share).toHaveAttribute('aria-pressed', 'true')
  await expect(call(alice).getByLabel(/^Video of You.*sharing your screen/)).toBeVisible()
  await expect.poll(async () => (await alice.page.evaluate(sentVideo)).sent).not.toBe(camera.camera)
  expect((await alice.page.evaluate(sentVideo)).sent).toBeDefined()
  // bob goes on receiving video: the screen now
  await grows(bob, 'videoFramesDecoded')

  await share.click()
  await expect(share).toHaveAttribute('aria-pressed', 'false')
  await expect.poll(async () => (await alice.page.evaluate(sentVideo)).sent).toBe(camera.camera)
  await grows(bob, 'videoFramesDecoded')
  await alice.close()
  await bob.close()
})

test('a browser without a camera joins a call with audio: it hears and sees the others, and they hear it', async ({ browser, relay }) => {
  test.setTimeout(180_000)
  const { alice, bob: carol, aliceName } = await room(browser, relay.url, { noCamera: true })
  await call(alice).getByRole('button', { name: 'Start call' }).click()
  await call(carol).getByRole('button', { name: 'Join call' }).click()
  await expect(call(carol).getByRole('status')).toContainText('No camera: you joined with audio only')
  await expect(call(carol).getByRole('button', { name: 'Camera' })).toBeDisabled()
  // carol sees alice; alice hears carol
  await expect(call(carol).getByLabel(`Video of ${aliceName}`)).toBeVisible()
  await grows(carol, 'videoFramesDecoded')
  await grows(alice, 'audioBytesReceived')
  await call(alice).getByRole('button', { name: 'Leave call' }).click()
  await expect(call(carol).getByRole('button', { name: 'Start call' })).toBeVisible()
  await alice.close()
  await carol.close()
})

test('a private call: started in a private conversation, the other person is told and joins, media flows, leaving ends it', async ({ browser, relay }) => {
  test.setTimeout(180_000)
  const { alice, bob, aliceName, bobName } = await room(browser, relay.url)
  await alice.peer(bobName).getByRole('button').first().click()
  const aliceCall = alice.page.getByRole('region', { name: `Call with ${bobName}` })
  await aliceCall.getByRole('button', { name: 'Start call' }).click()
  await expect(aliceCall.getByRole('button', { name: 'Leave call' })).toBeVisible()
  // bob has not opened the conversation: the room tells him, and joining opens it
  await expect(call(bob).getByRole('button', { name: 'Join call' })).toHaveCount(0)
  await expect(bob.page.getByRole('button', { name: `Join call with ${aliceName}` })).toBeVisible()
  for (const colorScheme of ['light', 'dark'] as const) {
    await bob.page.emulateMedia({ colorScheme })
    await expectNoSeriousViolations(bob.page, `a private call to join (${colorScheme})`)
  }
  await bob.page.getByRole('button', { name: `Join call with ${aliceName}` }).click()
  const bobCall = bob.page.getByRole('region', { name: `Call with ${aliceName}` })
  await expect(bobCall.getByRole('button', { name: 'Leave call' })).toBeVisible()
  await expect(bobCall.getByLabel(`Video of ${aliceName}`)).toBeVisible()
  await grows(bob, 'videoFramesDecoded')
  await grows(alice, 'audioBytesReceived')
  await bobCall.getByRole('button', { name: 'Leave call' }).click()
  await expect(aliceCall.getByRole('button', { name: 'Start call' })).toBeVisible()
  await expect(bob.page.getByRole('button', { name: `Join call with ${aliceName}` })).toHaveCount(0)
  await alice.close()
  await bob.close()
})
