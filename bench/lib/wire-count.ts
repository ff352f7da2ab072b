/**
 * What a page receives over the wire: WebSocket messages (a page's connection to its relay) and data channel
 * messages (WebRTC, browser to browser), with their bytes, counted in the page while counting is on. Installed in
 * every page before its own scripts ({@link countWire}); read and switched from the bench ({@link wireCounts}).
 */
import { sum } from './stats.ts'
import type { Page } from 'playwright-core'

/** Messages and bytes a page received, by path. */
export interface WireCounts {
  webSocketMessages: number
  webSocketBytes: number
  dataChannelMessages: number
  dataChannelBytes: number
}

declare global {
  interface Window {
    /** this page's wire counts (bench instrumentation), counted while `on` */
    benchWire?: WireCounts & { on: boolean }
  }
}

/**
 * An init script: counts each message the page's WebSockets and data channels (opened by either side) receive,
 * while `window.benchWire.on` is true. The page's own code is unchanged: its sockets and peer connections are the
 * browser's, with one listener more.
 */
export function countWire (): void {
  const counts = { on: false, webSocketMessages: 0, webSocketBytes: 0, dataChannelMessages: 0, dataChannelBytes: 0 }
  window.benchWire = counts
  const size = (data: unknown): number => data instanceof ArrayBuffer ? data.byteLength : data instanceof Blob ? data.size : String(data).length
  const PageWebSocket = window.WebSocket
  window.WebSocket = class extends PageWebSocket {
    constructor (url: string | URL, protocols?: string | string[]) {
      super(url, protocols)
      this.addEventListener('message', event => {
        if (!counts.on) return
        counts.webSocketMessages++
        counts.webSocketBytes += size(event.data)
      })
    }
  }
  const watch = (channel: RTCDataChannel): void => {
    channel.addEventListener('message', event => {
      if (!counts.on) return
      counts.dataChannelMessages++
      counts.dataChannelBytes += size(event.data)
    })
  }
  const PagePeerConnection = window.RTCPeerConnection
  window.RTCPeerConnection = class extends PagePeerConnection {
    constructor (configuration?: RTCConfiguration) {
      super(configuration)
      this.addEventListener('datachannel', event => { watch(event.channel) })
    }

    override createDataChannel (label: string, options?: RTCDataChannelInit): RTCDataChannel {
      const channel = super.createDataChannel(label, options)
      watch(channel)
      return channel
    }
  }
}

/** Starts (or stops) counting in every page; starting sets the counts to zero. */
export async function countWireIn (pages: Page[], on: boolean): Promise<void> {
  await Promise.all(pages.map(async page => page.evaluate(on => {
    const counts = window.benchWire
    if (counts == null) return
    if (on) Object.assign(counts, { webSocketMessages: 0, webSocketBytes: 0, dataChannelMessages: 0, dataChannelBytes: 0 })
    counts.on = on
  }, on)))
}

/** The pages' counts, added up. */
export async function wireCounts (pages: Page[]): Promise<WireCounts> {
  const all = await Promise.all(pages.map(async page => page.evaluate(() => window.benchWire)))
  const total = (key: keyof WireCounts): number => sum(all.map(counts => counts?.[key] ?? 0))
  return {
    webSocketMessages: total('webSocketMessages'),
    webSocketBytes: total('webSocketBytes'),
    dataChannelMessages: total('dataChannelMessages'),
    dataChannelBytes: total('dataChannelBytes')
  }
}
