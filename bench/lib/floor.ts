import type { Browser, Page } from 'playwright-core'

/**
 * The floor under every browser-to-browser figure: a raw RTCPeerConnection pair between two pages of the
 * same Chromium, no libp2p, signalling in the pages themselves (a BroadcastChannel, trickle ICE).
 */
export interface RawPair {
  a: Page
  b: Page
  /** ms, measured in the offering page, from createOffer to its datachannel open */
  openMs: number
  close: () => Promise<void>
}

declare global {
  interface Window {
    raw?: { pc: RTCPeerConnection, dc?: RTCDataChannel, open: Promise<number>, received: number[], chunks: number, echoed?: () => void }
  }
}

/** Opens a raw pair; `origin` is any http page of the harness relay (BroadcastChannel needs an origin). */
export async function openRawPair (browser: Browser, origin: string): Promise<RawPair> {
  const context = await browser.newContext()
  const [a, b] = await Promise.all([context.newPage(), context.newPage()])
  const signalling = `floor-${Math.random()}`
  const setup = ({ initiator, signalling }: { initiator: boolean, signalling: string }): void => {
    const pc = new RTCPeerConnection({ iceServers: [] })
    const bc = new BroadcastChannel(signalling)
    let resolveOpen!: (ms: number) => void
    const raw: NonNullable<Window['raw']> = { pc, open: new Promise(resolve => { resolveOpen = resolve }), received: [], chunks: 0 }
    let started = 0
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
    pc.onicecandidate = evt => { if (evt.candidate != null) bc.postMessage({ candidate: evt.candidate.toJSON() }) }
    bc.onmessage = async (evt: MessageEvent<{ candidate?: RTCIceCandidateInit, sdp?: RTCSessionDescriptionInit, go?: boolean }>) => {
      const { candidate, sdp, go } = evt.data
      if (go === true && initiator) {
        started = performance.now()
        wire(pc.createDataChannel('floor'))
        await pc.setLocalDescription(await pc.createOffer())
        bc.postMessage({ sdp: pc.localDescription!.toJSON() })
      } else if (sdp != null) {
        await pc.setRemoteDescription(sdp)
        if (sdp.type === 'offer') {
          await pc.setLocalDescription(await pc.createAnswer())
          bc.postMessage({ sdp: pc.localDescription!.toJSON() })
        }
      } else if (candidate != null) {
        await pc.addIceCandidate(candidate)
      }
    }
    if (!initiator) pc.ondatachannel = evt => { started = performance.now(); wire(evt.channel) }
    window.raw = raw
  }
  await Promise.all([a.goto(origin), b.goto(origin)])
  await a.evaluate(setup, { initiator: true, signalling })
  await b.evaluate(setup, { initiator: false, signalling })
  await b.evaluate((name: string) => { new BroadcastChannel(name).postMessage({ go: true }) }, signalling)
  const openMs = await a.evaluate(async () => window.raw!.open)
  await b.evaluate(async () => window.raw!.open)
  return { a, b, openMs, close: async () => { await context.close() } }
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
