import { createRoomId, createRoomSecret, roomPath } from '@p2p-chat/shared'
import { chromium } from 'playwright-core'
import { goesThroughTurn, goesToPeer, iceRoutes, keepPeerConnections } from '../../e2e/support/ice.ts'
import { NatLab, natLabUnavailable } from '../../e2e/support/nat-lab.ts'
import { connectRawAcross } from '../lib/floor.ts'
import { median, summarize } from '../lib/stats.ts'
import type { IceRoute } from '../../e2e/support/ice.ts'
import type { LabHost, NatKind } from '../../e2e/support/nat-lab.ts'
import type { Figure, Metric } from '../lib/report.ts'
import type { Browser, Page } from 'playwright-core'

/** Timed cone/cone runs at the least, whatever `--runs` says (p95 needs them). */
const MIN_TIMED_RUNS = 20
/** Attempts for each NAT type that is only counted (a failing attempt waits the whole window). */
const RATE_RUNS = Number(process.env.BENCH_NAT_RATE_RUNS ?? 5)
/** How long after the link is opened (or the offer made) an attempt may take to go direct. */
const WINDOW_MS = Number(process.env.BENCH_NAT_WINDOW_MS ?? 20_000)
/** Longest the first browser may take to get its relay reservation. */
const RESERVE_TIMEOUT_MS = 20_000
/** How often the stats are read while waiting for a working pair. */
const POLL_MS = 50

interface Scenario {
  id: string
  nats: [NatKind, NatKind]
  turn: boolean
  /** timed over max(--runs, MIN_TIMED_RUNS) runs; the others get RATE_RUNS */
  timed: boolean
}

const SCENARIOS: Scenario[] = [
  { id: 'cone/cone', nats: ['cone', 'cone'], turn: false, timed: true },
  { id: 'cone/symmetric', nats: ['cone', 'symmetric'], turn: false, timed: false },
  { id: 'symmetric/symmetric', nats: ['symmetric', 'symmetric'], turn: false, timed: false },
  { id: 'symmetric/symmetric + TURN', nats: ['symmetric', 'symmetric'], turn: true, timed: false }
]

/** One attempt: `ms` once it worked; `shownMs` when the app's peers list said direct (worked or not). */
interface Attempt {
  ms?: number
  shownMs?: number
  route?: IceRoute
  /** why it did not work */
  failure?: string
}

/** "relay↔prflx in-progress": the candidate types and state of the routes to peers, for a failure's note. */
function describeRoutes (lab: NatLab, routes: IceRoute[]): string {
  return routes.filter(r => !r.signalled.includes(lab.relayIp)).map(r => `${r.local.type}↔${r.remote.type} ${r.state}${r.nominated ? '' : ' (not nominated)'}`).join(', ') || 'none connected'
}

/** Installed in the newcomer's page: marks when its peers list first says a peer is direct. */
function watchDirectShown (): void {
  const observer = new MutationObserver(() => {
    const items = [...document.querySelectorAll('[aria-label="Peers"] li')]
    if (items.some(li => /\bdirect\b/.test((li.textContent ?? '').replaceAll('no direct route', '')))) {
      performance.mark('bench:direct-shown')
      observer.disconnect()
    }
  })
  addEventListener('DOMContentLoaded', () => { observer.observe(document.body, { childList: true, subtree: true, characterData: true }) })
}

/**
 * A page's working route to `peer`: through both NATs (or TURN), nominated, succeeded, and it has carried data
 * (either way: through TURN, Chromium may receive on another pair than the one it selected to send on).
 */
async function workingRoute (lab: NatLab, page: Page, peer: LabHost): Promise<IceRoute | undefined> {
  return (await page.evaluate(iceRoutes)).find(r => r.bytesSent + r.bytesReceived > 0 && (goesToPeer(r, peer.routerIp) || goesThroughTurn(r, lab.coturnIp)))
}

/** Polls {@link workingRoute} until one exists or the page is `WINDOW_MS` old. */
async function waitForWorkingRoute (lab: NatLab, page: Page, peer: LabHost): Promise<IceRoute | undefined> {
  for (;;) {
    const route = await workingRoute(lab, page, peer)
    if (route != null || await page.evaluate(() => performance.now()) > WINDOW_MS) {
      return route
    }
    await new Promise(resolve => setTimeout(resolve, POLL_MS))
  }
}

/**
 * The app: browser a opens a fresh room link and waits for its relay reservation; then browser b opens the
 * link. Measured in b from navigation until its peers list says a is direct and its peer connection to a is
 * connected, whichever comes last. The run counts only if that connection's selected candidate pair goes to
 * a's router (or through TURN), is nominated, has carried data and is reported `succeeded` within the window
 * (Chromium may report the selected pair `in-progress` for a moment after it connected: that wait is not
 * timed, here or in the floor).
 */
async function appAttempt (lab: NatLab, [browserA, browserB]: Browser[]): Promise<Attempt> {
  const link = new URL(`${roomPath(createRoomId())}#${createRoomSecret()}`, lab.url).href
  const contexts = await Promise.all([browserA!.newContext(), browserB!.newContext()])
  try {
    await Promise.all(contexts.map(async c => c.addInitScript(keepPeerConnections)))
    await contexts[1]!.addInitScript(watchDirectShown)
    const a = await contexts[0]!.newPage()
    await a.goto(link)
    await a.waitForFunction(() => performance.getEntriesByName('p2p-chat:relay-reserved').length > 0, undefined, { timeout: RESERVE_TIMEOUT_MS })
    const b = await contexts[1]!.newPage()
    await b.goto(link)
    const shownMs = await b.waitForFunction(() => performance.getEntriesByName('bench:direct-shown')[0]?.startTime, undefined, { timeout: WINDOW_MS, polling: POLL_MS })
      .then(async handle => await handle.jsonValue() as number, () => undefined)
    if (shownMs == null) {
      return { failure: 'never shown direct' }
    }
    const route = await waitForWorkingRoute(lab, b, lab.host('a'))
    return route == null
      ? { shownMs, failure: `shown direct, no working pair (selected: ${describeRoutes(lab, await b.evaluate(iceRoutes))})` }
      : { shownMs, route, ms: Math.max(shownMs, route.connectedAt) }
  } finally {
    await Promise.all(contexts.map(async c => c.close()))
  }
}

/**
 * The floor: a raw RTCPeerConnection pair across the same NATs with the same ICE servers; a offers. Timed
 * from createOffer to the datachannel open; counts on the same terms as {@link appAttempt}.
 */
async function floorAttempt (lab: NatLab, [browserA, browserB]: Browser[], turn: boolean): Promise<Attempt> {
  const contexts = await Promise.all([browserA!.newContext(), browserB!.newContext()])
  try {
    await Promise.all(contexts.map(async c => c.addInitScript(keepPeerConnections)))
    const [a, b] = await Promise.all(contexts.map(async c => c.newPage()))
    const ms = await connectRawAcross(a!, b!, lab.iceServers(turn), WINDOW_MS)
    if (ms == null) {
      return { failure: `no datachannel (ICE ${await a!.evaluate(() => window.raw!.pc.iceConnectionState)})` }
    }
    const route = await waitForWorkingRoute(lab, a!, lab.host('b'))
    return route == null ? { failure: `no working pair (selected: ${describeRoutes(lab, await a!.evaluate(iceRoutes))})` } : { ms, route }
  } finally {
    await Promise.all(contexts.map(async c => c.close()))
  }
}

/** "srflx↔srflx ×20, prflx↔srflx ×1": the candidate types of the routes that worked. */
function routeTypes (attempts: Attempt[]): string {
  const counts = new Map<string, number>()
  for (const { route } of attempts) {
    if (route != null) {
      const key = `${route.local.type}↔${route.remote.type}`
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
  }
  return [...counts].map(([key, n]) => `${key} ×${n}`).join(', ') || 'none'
}

/**
 * Two browsers, each behind its own router in the NAT lab (e2e/support/nat-lab.ts): the real app, from
 * opening the room link to a working direct connection, and its success rate per NAT type, beside the floor
 * (a raw RTCPeerConnection pair across the same NATs with the same STUN/TURN servers).
 */
export const nat: Metric = async ({ runs, log }) => {
  const unavailable = natLabUnavailable()
  if (unavailable != null) {
    return { id: 'nat', title: 'Open link → direct across NATs', figures: [], notes: [`skipped: ${unavailable}`] }
  }
  const figures: Figure[] = []
  const notes: string[] = []
  for (const scenario of SCENARIOS) {
    const count = scenario.timed ? Math.max(runs, MIN_TIMED_RUNS) : RATE_RUNS
    const lab = await NatLab.create({ nats: scenario.nats, turn: scenario.turn })
    const app: Attempt[] = []
    const floor: Attempt[] = []
    try {
      const browsers = [await lab.browser('a', chromium), await lab.browser('b', chromium)]
      // interleaved, so that both see the same moments of a shared machine
      for (let run = 0; run < count; run++) {
        floor.push(await floorAttempt(lab, browsers, scenario.turn))
        app.push(await appAttempt(lab, browsers))
      }
    } finally {
      await lab.destroy()
    }
    const worked = (attempts: Attempt[]): number[] => attempts.flatMap(a => a.ms != null ? [a.ms] : [])
    const rate = (attempts: Attempt[]): number => 100 * worked(attempts).length / attempts.length
    log(`${scenario.id}: ours ${app.map(a => a.ms != null ? Math.round(a.ms) : '✗').join(' ')}; floor ${floor.map(a => a.ms != null ? Math.round(a.ms) : '✗').join(' ')}`)
    figures.push({ label: `ours: direct within ${WINDOW_MS / 1000} s, ${scenario.id}`, unit: '%', value: rate(app) })
    figures.push({ label: `floor: direct within ${WINDOW_MS / 1000} s, ${scenario.id}`, unit: '%', value: rate(floor) })
    if (worked(app).length > 0) {
      figures.push({ label: `ours: open link → working direct, ${scenario.id}`, unit: 'ms', summary: summarize(worked(app)) })
    }
    if (scenario.timed) {
      figures.push({ label: `ours: open link → peer shown direct, ${scenario.id}`, unit: 'ms', summary: summarize(app.flatMap(a => a.shownMs != null ? [a.shownMs] : [])) })
    }
    if (worked(floor).length > 0) {
      figures.push({ label: `floor: raw offer → datachannel open, ${scenario.id}`, unit: 'ms', summary: summarize(worked(floor)) })
    }
    if (scenario.timed && worked(app).length > 0 && worked(floor).length > 0) {
      figures.push({ label: `ratio ours / floor (p50), ${scenario.id}`, unit: '×', value: median(worked(app)) / median(worked(floor)) })
    }
    notes.push(`${scenario.id}: ${count} runs; pairs that worked: ours ${routeTypes(app)}, floor ${routeTypes(floor)}`)
    for (const [who, attempts] of [['ours', app], ['floor', floor]] as const) {
      const failures = new Map<string, number>()
      for (const { failure } of attempts) {
        if (failure != null) failures.set(failure, (failures.get(failure) ?? 0) + 1)
      }
      if (failures.size > 0) {
        notes.push(`${scenario.id}, ${who}: not direct within ${WINDOW_MS / 1000} s: ${[...failures].map(([why, n]) => `${why} ×${n}`).join('; ')}`)
      }
    }
  }
  return {
    id: 'nat',
    title: 'Open link → direct across NATs (the real app in the NAT lab)',
    figures,
    notes: [
      'ours: the real web app; from the newcomer\'s navigation until its peers list says direct and its peer connection is connected; counted when that connection\'s selected pair is nominated, succeeded and carried data',
      'floor: raw RTCPeerConnection pair between the same two browsers, signalling through the bench process, same STUN (and TURN) servers; createOffer → datachannel open',
      ...notes
    ]
  }
}
