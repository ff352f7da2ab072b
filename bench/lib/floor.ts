import type { Browser, Page } from 'playwright-core'

/**
 * The floor under every browser-to-browser figure: a raw RTCPeerConnection pair, no libp2p, trickle ICE.
 * Between two pages of one Chromium the pages signal to each other themselves (a BroadcastChannel); across
 * browsers (the NAT lab) the signalling goes through this process.
 */
export interface RawPair {
  a: Page
  b: Page
  /** ms, measured in the offering page, from createOffer to its datachannel open */
  openMs: number
  close: () => Promise<void>
}

/** What a floor page's signalling carries: the start signal (to the offerer), SDP, or an ICE candidate. */
interface Signal { candidate?: RTCIceCandidateInit, sdp?: RTCSessionDescriptionInit, go?: boolean }

declare global {
  interface Window {
    raw?: {
      pc: RTCPeerConnection
      dc?: RTCDataChannel
      /** resolves with ms from createOffer (or the datachannel's arrival) to open; -1 once ICE failed */
      open: Promise<number>
      received: number[]
      chunks: number
      echoed?: () => void
      /** hands the page a signal from its peer */
      deliver: (signal: Signal) => Promise<void>
    }
    /** the binding through which a page signals when this process carries its signalling */
    floorSignal?: (signal: Signal) => Promise<void>
  }
}

/**
 * Runs in a floor page: creates its RTCPeerConnection and `window.raw`. With `channel` the pages signal over
 * that BroadcastChannel; without, through `window.floorSignal` (a binding) and `window.raw.deliver`.
 */
function setupRawPeer ({ initiator, channel, iceServers }: { initiator: boolean, channel?: string, iceServers: RTCIceServer[] }): void {
  const pc = new RTCPeerConnection({ iceServers })
  const bc = channel != null ? new BroadcastChannel(channel) : undefined
  const send = (signal: Signal): void => {
    if (bc != null) bc.postMessage(signal)
    else void window.floorSignal!(signal)
  }
  let resolveOpen!: (ms: number) => void
  let started = 0
  const deliver = async ({ candidate, sdp, go }: Signal): Promise<void> => {
    if (go === true && initiator) {
      started = performance.now()
      wire(pc.createDataChannel('floor'))
      await pc.setLocalDescription(await pc.createOffer())
      send({ sdp: pc.localDescription!.toJSON() })
    } else if (sdp != null) {
      await pc.setRemoteDescription(sdp)
      if (sdp.type === 'offer') {
        await pc.setLocalDescription(await pc.createAnswer())
        send({ sdp: pc.localDescription!.toJSON() })
      }
    } else if (candidate != null) {
      await pc.addIceCandidate(candidate)
    }
  }
  const raw: NonNullable<Window['raw']> = { pc, open: new Promise(resolve => { resolveOpen = resolve }), received: [], chunks: 0, deliver }
  const wire = (dc: RTCDataChannel): void => {
    raw.dc = dc
    dc.binaryType = 'arraybuffer'
    dc.onopen = () => { resolveOpen(performance.now() - started) }
    dc.onmessage = (evt: MessageEvent) => {
      if (typeof evt.data !== 'string') raw.chunks++
      else if (evt.data === 'echo') dc.send('echoed')
      else if (evt.data === 'echoed') raw.echoed?.()
      else raw.received.push(performance.timeOrigin + performance.now() - Number(evt.data))
    }
  }
  pc.onicecandidate = evt => { if (evt.candidate != null) send({ candidate: evt.candidate.toJSON() }) }
  pc.onconnectionstatechange = () => { if (pc.connectionState === 'failed') resolveOpen(-1) }
  if (bc != null) bc.onmessage = async (evt: MessageEvent<Signal>) => { await deliver(evt.data) }
  if (!initiator) pc.ondatachannel = evt => { started = performance.now(); wire(evt.channel) }
  window.raw = raw
}

/** Opens a raw pair; `origin` is any http page of the harness relay (BroadcastChannel needs an origin). */
export async function openRawPair (browser: Browser, origin: string): Promise<RawPair> {
  const context = await browser.newContext()
  const [a, b] = await Promise.all([context.newPage(), context.newPage()])
  const channel = `floor-${Math.random()}`
  await Promise.all([a.goto(origin), b.goto(origin)])
  await a.evaluate(setupRawPeer, { initiator: true, channel, iceServers: [] })
  await b.evaluate(setupRawPeer, { initiator: false, channel, iceServers: [] })
  await b.evaluate((name: string) => { new BroadcastChannel(name).postMessage({ go: true }) }, channel)
  const openMs = await a.evaluate(async () => window.raw!.open)
  await b.evaluate(async () => window.raw!.open)
  return { a, b, openMs, close: async () => { await context.close() } }
}

/**
 * A raw pair between pages of two browsers (in the NAT lab: each behind its own router), signalling through
 * this process, with these ICE servers. `a` offers. Resolves with the offerer's createOffer → datachannel open
 * in ms, or undefined when ICE failed or nothing opened within `timeoutMs`. The pages stay open: the caller
 * reads their stats and closes them.
 */
export async function connectRawAcross (a: Page, b: Page, iceServers: RTCIceServer[], timeoutMs: number): Promise<number | undefined> {
  for (const [page, other] of [[a, b], [b, a]] as const) {
    await page.exposeBinding('floorSignal', async (_source, signal: Signal) => {
      await other.evaluate(async (s: Signal) => window.raw!.deliver(s), signal)
    })
  }
  await a.evaluate(setupRawPeer, { initiator: true, iceServers })
  await b.evaluate(setupRawPeer, { initiator: false, iceServers })
  await a.evaluate(async () => window.raw!.deliver({ go: true }))
  const openMs = await a.evaluate(async (ms: number) => Promise.race([
    window.raw!.open,
    new Promise<number>(resolve => { setTimeout(() => { resolve(-1) }, ms) })
  ]), timeoutMs)
  return openMs >= 0 ? openMs : undefined
}

/** One-way latencies (ms) of `count` stamped messages from a to b over the raw datachannel. */
export async function rawOneWay (pair: RawPair, count: number, intervalMs: number): Promise<number[]> {
  await pair.b.evaluate(() => { window.raw!.received = [] })
  await pair.a.evaluate(async ({ count, intervalMs }) => {
    for (let i = 0; i < count; i++) {
      window.raw!.dc!.send(String(performance.timeOrigin + performance.now()))
      await new Promise(resolve => setTimeout(resolve, intervalMs))
    }
  }, { count, intervalMs })
  await pair.b.waitForFunction((n: number) => window.raw!.received.length >= n, count, { timeout: 10_000 }).catch(() => {})
  return pair.b.evaluate(() => window.raw!.received)
}

/** Round-trip times (ms) of `count` echoes from a to b and back over the raw datachannel, one at a time. */
export async function rawRoundTrips (pair: RawPair, count: number): Promise<number[]> {
  return pair.a.evaluate(async (count: number) => {
    const raw = window.raw!
    const times: number[] = []
    for (let i = 0; i < count; i++) {
      const started = performance.now()
      await new Promise<void>(resolve => { raw.echoed = resolve; raw.dc!.send('echo') })
      times.push(performance.now() - started)
    }
    return times
  }, count)
}

/** Bytes per second of `total` bytes sent from a to b in `chunk`-byte messages over the raw datachannel. */
export async function rawThroughput (pair: RawPair, chunk: number, total: number): Promise<number> {
  await pair.b.evaluate(() => { window.raw!.chunks = 0 })
  const count = Math.ceil(total / chunk)
  const started = Date.now()
  await pair.a.evaluate(async ({ chunk, count }) => {
    const dc = window.raw!.dc!
    const data = new Uint8Array(chunk)
    dc.bufferedAmountLowThreshold = 256 * 1024
    for (let i = 0; i < count; i++) {
      if (dc.bufferedAmount > 1024 * 1024) {
        await new Promise(resolve => { dc.onbufferedamountlow = resolve })
      }
      dc.send(data)
    }
  }, { chunk, count })
  await pair.b.waitForFunction((n: number) => window.raw!.chunks >= n, count, { timeout: 60_000, polling: 20 })
  return chunk * count / ((Date.now() - started) / 1000)
}
