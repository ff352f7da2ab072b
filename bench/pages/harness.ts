/**
 * The benchmark harness page: the web app's own p2p layer (node, relay link, room), without the UI, driven
 * from Playwright through `window.bench`. Served by a relay started with `--web-root bench/dist`. This page
 * exists only for benchmarks; the app itself exposes nothing on `window`.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { bytesSource, derivePrivateRoom, fetchRelayInfo, isRoomTopic, memorySink, Room } from '@p2p-chat/shared'
import { relayIceServers } from '../../apps/web/src/lib/p2p/ice-servers.ts'
import { createBrowserNode } from '../../apps/web/src/lib/p2p/node.ts'
import { RelayLink } from '../../apps/web/src/lib/p2p/relay-link.ts'
import { openOpfsFileSink } from '../../apps/web/src/lib/storage/file-sink.ts'
import { openHistoryStore } from '../../apps/web/src/lib/storage/history.ts'
import type { BrowserNode } from '../../apps/web/src/lib/p2p/node.ts'
import type { PrivateKey } from '@libp2p/interface'
import type { FileSink, FileTransfer, HistoryStore, PrivateRoomKeys } from '@p2p-chat/shared'
import type { RoomChat } from '@p2p-chat/shared'

const now = (): number => performance.timeOrigin + performance.now()
/** The node's file-transfer service (it comes with the node's late parts). */
const files = async (): Promise<FileTransfer> => node!.services.files.load()

let node: BrowserNode | undefined
let privateKey: PrivateKey | undefined
let history: HistoryStore | undefined
/** when the last join() began */
let joinedAt = 0
let link: RelayLink | undefined
let room: Room | undefined
let roomKeys: PrivateRoomKeys | undefined
const received: Array<{ from: string, text: string, latency: number, at: number }> = []
const connectionEvents: Array<{ peer: string, kind: 'limited' | 'direct', at: number }> = []

const bench = {
  /** Starts the node, with all its parts (no UI here waits for a first line to be on screen). */
  async start (): Promise<string> {
    const info = fetchRelayInfo(location.origin)
    privateKey = await generateKeyPair('Ed25519')
    history = await openHistoryStore()
    const parts = await createBrowserNode({
      iceServers: relayIceServers({ origin: location.origin, initial: info }),
      origin: location.origin,
      privateKey,
      history: { store: history, serves: topic => isRoomTopic(topic) && topic === room?.topic }
    })
    node = parts.node
    await parts.loadExtras()
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

  /** Joins a room (a private one with `secret`), keeping history in IndexedDB as the app does. */
  async join (roomId: string, name: string, secret?: string): Promise<void> {
    joinedAt = now()
    const keys = secret == null ? undefined : await derivePrivateRoom(roomId, secret)
    roomKeys = keys
    room = new Room(node!, { roomId, name: () => name, privateKey: privateKey!, keys, history: { store: history!, sync: node!.services.history } })
    room.addEventListener('chat', evt => {
      const chat: RoomChat = evt.detail
      const sentAt = Number(/^bench:\d+:([\d.]+)$/.exec(chat.text)?.[1] ?? Number.NaN)
      received.push({ from: chat.from, text: chat.text, latency: now() - sentAt, at: now() })
    })
    // as the app does: what this browser kept of the room is known before anything arrives
    await room.restore()
    room.join()
  },

  members (): Array<{ peerId: string, connection: string }> {
    return room?.getMembers() ?? []
  },

  /**
   * Sends `count` lines of `size` characters, one after the other; resolves once every one has gone out (those
   * that found no route at once waited in the outbox), to how many went out at once.
   */
  async sendMany (count: number, size: number): Promise<number> {
    const gone = new Set<string>()
    const onSent = (evt: CustomEvent<string>): void => { gone.add(evt.detail) }
    room!.addEventListener('sent', onSent)
    const waiting: string[] = []
    for (let i = 0; i < count; i++) {
      const { chat, pending } = await room!.send(`${i}`.padEnd(size, '.'))
      if (pending) waiting.push(chat.id)
    }
    while (waiting.some(id => !gone.has(id))) {
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    room!.removeEventListener('sent', onSent)
    return count - waiting.length
  },

  /** Sends `bench:<seq>:<send time>`; resolves once handed to gossipsub (or queued as pending). */
  async sendStamped (seq: number): Promise<boolean> {
    const { pending } = await room!.send(`bench:${seq}:${now()}`)
    return !pending
  },

  received (): typeof received {
    return received
  },

  /** ms from the last join() until `count` lines had arrived (live or from history), or -1 if not yet. */
  timeToLines (count: number): number {
    const line = received[count - 1]
    return line == null ? -1 : line.at - joinedAt
  },

  connectionEvents (): typeof connectionEvents {
    return connectionEvents
  },

  /** Round-trip times (ms) of `count` direct messages to `peer`: each on a new stream, or all on one. */
  async dmRoundTrips (peer: string, count: number, reuse: boolean): Promise<number[]> {
    const dm = await node!.services.dm.load()
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
    const channel = await (await node!.services.dm.load()).openChannel(peerIdFromString(peer))
    const text = 'x'.repeat(size)
    const started = performance.now()
    for (let i = 0; i < count; i++) {
      await channel.send({ name: 'bench', text })
    }
    const seconds = (performance.now() - started) / 1000
    await channel.close()
    return size * count / seconds
  },

  /** Serves `size` random bytes in the room joined (sealed in a private one); resolves with the file's id. */
  async fileServe (size: number): Promise<string> {
    const bytes = new Uint8Array(size)
    for (let at = 0; at < size; at += 65_536) {
      crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65_536)))
    }
    return (await files()).serve(bytesSource(bytes), { topic: room!.topic, keys: roomKeys })
  },

  /**
   * Fetches a file the other page serves into memory or OPFS (emptied first); resolves with the ms it took, from
   * asking to the last byte written and the SHA-256 checked.
   */
  async fileFetch (peer: string, id: string, size: number, into: 'memory' | 'opfs'): Promise<number> {
    let sink: FileSink = memorySink()
    if (into === 'opfs') {
      const opfs = await openOpfsFileSink(id)
      await opfs.truncate(0)
      sink = opfs
    }
    const started = performance.now()
    await (await files()).fetch(peerIdFromString(peer), { id, size, topic: room!.topic, keys: roomKeys, sink })
    return performance.now() - started
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
