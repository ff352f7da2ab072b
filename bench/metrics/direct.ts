import { createRoomId } from '@p2p-chat/shared'
import { launchChromium } from '../lib/browser.ts'
import { openRawPair } from '../lib/floor.ts'
import { openHarness, startHarnessRelay, waitForFullMesh } from '../lib/harness.ts'
import { bytesWritten } from '../lib/proc.ts'
import { median, summarize } from '../lib/stats.ts'
import type { Figure, Metric } from '../lib/report.ts'

/**
 * Relayed → direct: two harness pages, each connected to the relay and reserved, join a room. Measured in
 * the page that dials: from its first relayed (limited) connection to the other page until the direct
 * WebRTC connection is open; and the bytes the relay process wrote meanwhile. Floor: a raw RTCPeerConnection
 * pair between two pages (offer → datachannel open, signalling handed across by the harness).
 */
export const direct: Metric = async ({ runs, log }) => {
  const browser = await launchChromium()
  const upgrade: number[] = []
  const joinToDirect: number[] = []
  const relayBytes: number[] = []
  const floor: number[] = []
  let failures = 0
  try {
    const floorRelay = await startHarnessRelay()
    try {
      for (let run = 0; run < runs; run++) {
        const pair = await openRawPair(browser, floorRelay.url)
        floor.push(pair.openMs)
        await pair.close()
      }
    } finally {
      await floorRelay.dispose()
    }
    for (let run = 0; run < runs; run++) {
      const relay = await startHarnessRelay()
      try {
        const [a, b] = [await openHarness(browser, relay), await openHarness(browser, relay)]
        const roomId = createRoomId()
        const before = bytesWritten(relay.pid!)
        const joined = Date.now()
        await Promise.all([a, b].map(async (p, i) => p.evaluate(async ({ roomId, i }) => window.bench.join(roomId, `peer-${i}`), { roomId, i })))
        if (!await waitForFullMesh([a, b], 1, 30_000)) {
          failures++
          continue
        }
        joinToDirect.push(Date.now() - joined)
        relayBytes.push(bytesWritten(relay.pid!) - before)
        for (const page of [a, b]) {
          const events = await page.evaluate(() => window.bench.connectionEvents())
          const peerEvents = events.filter(e => e.kind === 'limited')
          const first = peerEvents[0]
          const directOpen = events.find(e => e.kind === 'direct' && e.peer === first?.peer)
          if (first != null && directOpen != null) upgrade.push(directOpen.at - first.at)
        }
        await Promise.all([a, b].map(async p => p.context().close()))
      } finally {
        await relay.dispose()
      }
    }
  } finally {
    await browser.close()
  }
  log(`upgrade: ${upgrade.map(Math.round).join(' ')}`)
  const figures: Figure[] = [
    { label: 'ours: first relayed connection → WebRTC connection open', unit: 'ms', summary: summarize(upgrade) },
    { label: 'ours: both join the room → both see each other direct', unit: 'ms', summary: summarize(joinToDirect) },
    { label: 'relay bytes written from join to direct (upper bound)', unit: 'KiB', summary: summarize(relayBytes.map(b => b / 1024)) },
    { label: 'floor: raw RTCPeerConnection offer → datachannel open', unit: 'ms', summary: summarize(floor) },
    { label: 'ratio upgrade / floor (p50)', unit: '×', value: median(upgrade) / median(floor) }
  ]
  return {
    id: 'direct',
    title: 'Relayed → direct (WebRTC upgrade through the relay)',
    figures,
    notes: [
      'relay bytes: everything the relay process wrote (presence, gossip and circuit) between the join and the direct connection, from /proc/<pid>/io',
            ...(failures > 0 ? [`${failures} of ${runs} runs did not go direct within 30 s`] : [])
    ]
  }
}
