/**
 * The benchmark harness page: the web app's own p2p layer (node, relay link, room), without the UI, driven
 * from Playwright through `window.bench`. Served by a relay started with `--web-root bench/dist`. This page
 * exists only for benchmarks; the app itself exposes nothing on `window`.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { fetchRelayInfo, Room } from '@p2p-chat/shared'
import { createBrowserNode } from '../../apps/web/src/lib/p2p/node.ts'
import { RelayLink } from '../../apps/web/src/lib/p2p/relay-link.ts'
import type { BrowserNode } from '../../apps/web/src/lib/p2p/node.ts'
import type { RoomChat } from '@p2p-chat/shared'

const now = (): number => performance.timeOrigin + performance.now()

let node: BrowserNode | undefined
let link: RelayLink | undefined
let room: Room | undefined
const received: Array<{ from: string, text: string, latency: number, at: number }> = []
const connectionEvents: Array<{ peer: string, kind: 'limited' | 'direct', at: number }> = []

const bench = {
  /** Starts the node; `stockMeshDegree` runs gossipsub's default mesh degree (D = 6) instead of ours. */
  async start (stockMeshDegree = false): Promise<string> {
    const info = fetchRelayInfo(location.origin)
    const pubsub = stockMeshDegree ? { D: 6, Dlo: 4, Dhi: 12, Dout: 2 } : undefined
    node = await createBrowserNode({ iceServers: info.then(i => i.iceServers), origin: location.origin, pubsub })
    node.addEventListener('connection:open', evt => {
      const c = evt.detail
      connectionEvents.push({ peer: c.remotePeer.toString(), kind: c.limits == null ? 'direct' : 'limited', at: now() })
    })
    link = new RelayLink(node, { origin: location.origin, info: await info })
    link.start()
    return node.peerId.toString()
  },

  relayStatus (): string {
    return link?.state.status ?? 'none'
  },

  join (roomId: string, name: string): void {
    room = new Room(node!, { roomId, name: () => name })
    room.addEventListener('chat', evt => {
      const chat: RoomChat = evt.detail
      const sentAt = Number(/^bench:\d+:([\d.]+)$/.exec(chat.text)?.[1] ?? Number.NaN)
      received.push({ from: chat.from, text: chat.text, latency: now() - sentAt, at: now() })
    })
    room.join()
  },

  members (): Array<{ peerId: string, connection: string }> {
    return room?.getMembers() ?? []
  },

  /** Sends `bench:<seq>:<send time>`; resolves once handed to gossipsub (or queued as pending). */
  async sendStamped (seq: number): Promise<boolean> {
    const { pending } = await room!.send(`bench:${seq}:${now()}`)
    return !pending
  },

  received (): typeof received {
    return received
  },

  connectionEvents (): typeof connectionEvents {
    return connectionEvents
  },

  /** Round-trip times (ms) of `count` direct messages to `peer`: each on a new stream, or all on one. */
  async dmRoundTrips (peer: string, count: number, reuse: boolean): Promise<number[]> {
    const dm = node!.services.dm
    const to = peerIdFromString(peer)
    const times: number[] = []
    const channel = reuse ? await dm.openChannel(to) : undefined
    for (let i = 0; i < count; i++) {
      const started = performance.now()
      const message = { name: 'bench', text: `ping ${i}` }
      await (channel != null ? channel.send(message) : dm.send(to, message))
      times.push(performance.now() - started)
    }
    await channel?.close()
    return times
  },

  /** Sends `count` direct messages of `size` bytes of text over one channel; resolves to bytes per second. */
  async dmThroughput (peer: string, size: number, count: number): Promise<number> {
    const channel = await node!.services.dm.openChannel(peerIdFromString(peer))
    const text = 'x'.repeat(size)
    const started = performance.now()
    for (let i = 0; i < count; i++) {
      await channel.send({ name: 'bench', text })
    }
    const seconds = (performance.now() - started) / 1000
    await channel.close()
    return size * count / seconds
  },

  async stop (): Promise<void> {
    room?.leave()
    link?.stop()
    await node?.stop()
  }
}

declare global {
  interface Window { bench: typeof bench }
}
window.bench = bench
