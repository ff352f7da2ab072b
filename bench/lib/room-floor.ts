import type { Browser, BrowserContext, Page } from 'playwright-core'

/**
 * The floor under a room's latency: N pages, a browser context each (as a room's members are), every pair joined by
 * a raw `RTCDataChannel` (no libp2p, no relay, nothing signed, stored or verified), each line sent to every other
 * page as its text and added to that page's message list as one list item. It is the least N pages of this
 * Chromium on this machine can do with a room's schedule of lines, read by the same observer as the rooms: what no
 * chat app, ours or stock, can go below. The pages signal through this process.
 */

/** The floor page: a message list, an input and a Send button (the ids the stock page's are, so lines are typed alike). */
const FLOOR_PAGE = `<!doctype html><meta charset="utf-8"><title>room floor</title>
<ul aria-label="Messages"></ul>
<input id="send-topic-message-input"><button id="send-topic-message-button">Send</button>`

/** Where the floor page is served from: answered by the context's route, never fetched. */
const FLOOR_URL = 'http://room-floor.invalid/'

/** Longest wait for every pair's data channel to open. */
const OPEN_TIMEOUT_MS = 60_000

interface FloorSignal { candidate?: RTCIceCandidateInit, sdp?: RTCSessionDescriptionInit }

declare global {
  interface Window {
    roomFloor?: {
      /** offers a data channel to member `to` */
      dial: (to: number) => Promise<void>
      /** hands the page a signal from member `from` */
      deliver: (from: number, signal: FloorSignal) => Promise<void>
      /** data channels open */
      open: () => number
    }
    /** the binding through which a floor page signals to member `to` */
    roomFloorSignal?: (to: number, signal: FloorSignal) => Promise<void>
  }
}

/** Runs in a floor page: its peer connections (made as signals arrive), the list and the Send button. */
function setupFloorPage (): void {
  const list = document.querySelector('ul[aria-label="Messages"]')!
  const input = document.querySelector<HTMLInputElement>('#send-topic-message-input')!
  const connections = new Map<number, RTCPeerConnection>()
  /** candidates that came before their connection's remote description, by peer */
  const early = new Map<number, RTCIceCandidateInit[]>()
  const channels = new Set<RTCDataChannel>()
  const show = (text: string, mine: boolean): void => {
    const item = document.createElement('li')
    if (mine) item.className = 'mine'
    const span = document.createElement('span')
    span.className = 'text'
    span.textContent = text
    item.append(span)
    list.append(item)
  }
  const wire = (dc: RTCDataChannel): void => {
    if (dc.readyState === 'open') channels.add(dc)
    dc.onopen = () => { channels.add(dc) }
    dc.onclose = () => { channels.delete(dc) }
    dc.onmessage = (evt: MessageEvent<string>) => { show(evt.data, false) }
  }
  const connection = (peer: number): RTCPeerConnection => {
    let pc = connections.get(peer)
    if (pc == null) {
      pc = new RTCPeerConnection({ iceServers: [] })
      pc.onicecandidate = evt => { if (evt.candidate != null) void window.roomFloorSignal!(peer, { candidate: evt.candidate.toJSON() }) }
      pc.ondatachannel = evt => { wire(evt.channel) }
      connections.set(peer, pc)
    }
    return pc
  }
  document.querySelector('#send-topic-message-button')!.addEventListener('click', () => {
    const text = input.value
    input.value = ''
    for (const dc of channels) dc.send(text)
    show(text, true)
  })
  window.roomFloor = {
    dial: async to => {
      const pc = connection(to)
      wire(pc.createDataChannel('floor'))
      await pc.setLocalDescription(await pc.createOffer())
      await window.roomFloorSignal!(to, { sdp: pc.localDescription!.toJSON() })
    },
    deliver: async (from, { sdp, candidate }) => {
      const pc = connection(from)
      if (sdp != null) {
        await pc.setRemoteDescription(sdp)
        for (const c of early.get(from)?.splice(0) ?? []) await pc.addIceCandidate(c)
        if (sdp.type === 'offer') {
          await pc.setLocalDescription(await pc.createAnswer())
          await window.roomFloorSignal!(from, { sdp: pc.localDescription!.toJSON() })
        }
      } else if (candidate != null) {
        if (pc.remoteDescription == null) early.set(from, [...early.get(from) ?? [], candidate])
        else await pc.addIceCandidate(candidate)
      }
    },
    open: () => channels.size
  }
}

/**
 * Opens `n` floor pages, each in a context of its own with `initScripts` installed, and joins every pair (the
 * lower index offers); resolves once every page has all n − 1 data channels open. On a failure every context it
 * made is closed.
 */
export async function openRoomFloor (browser: Browser, n: number, initScripts: Array<() => void> = []): Promise<Page[]> {
  const contexts: BrowserContext[] = []
  const pages: Page[] = []
  try {
    for (let i = 0; i < n; i++) {
      const context = await browser.newContext()
      contexts.push(context)
      await context.route(FLOOR_URL, async route => route.fulfill({ contentType: 'text/html', body: FLOOR_PAGE }))
      for (const script of initScripts) await context.addInitScript(script)
      const page = await context.newPage()
      await page.exposeBinding('roomFloorSignal', async (_source, to: number, signal: FloorSignal) => {
        await pages[to]!.evaluate(async ({ from, signal }) => window.roomFloor!.deliver(from, signal), { from: i, signal })
      })
      await page.goto(FLOOR_URL)
      await page.evaluate(setupFloorPage)
      pages.push(page)
    }
    await Promise.all(pages.map(async (page, i) => {
      for (let to = i + 1; to < n; to++) await page.evaluate(async (to: number) => window.roomFloor!.dial(to), to)
    }))
    await Promise.all(pages.map(async page => page.waitForFunction((others: number) => window.roomFloor!.open() >= others, n - 1, { timeout: OPEN_TIMEOUT_MS, polling: 100 })))
  } catch (err) {
    // pages left open would go on using the machine while the next rooms are measured
    await Promise.all(contexts.map(async context => context.close()))
    throw err
  }
  return pages
}
