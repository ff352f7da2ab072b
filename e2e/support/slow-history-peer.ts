import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { createCliNode } from '@p2p-chat/cli/node'
import { createMemoryHistoryStore, createMessageId, encodeChat, publicRoomCodec, Room } from '@p2p-chat/shared'
import { openNodeStore } from '@p2p-chat/shared/node'
import type { CliNode } from '@p2p-chat/cli/node'
import type { HistoryStore } from '@p2p-chat/shared'
import type { NodeStore } from '@p2p-chat/shared/node'

/** Whether a history request came, and what holds its answer back. */
interface Gate {
  asked: boolean
  opened: Promise<void>
  open: () => void
}

/**
 * A terminal peer's node (the real one, in this process) that holds lines of a public room and answers history
 * requests only when the test says so: a peer on a slow link. It joins its rooms through the relay, so browsers
 * in them meet it and go direct with it, as with any member.
 */
export class SlowHistoryPeer {
  readonly name = 'Slowpoke'
  private readonly rooms: Room[] = []

  private constructor (
    readonly node: CliNode,
    private readonly store: NodeStore,
    private readonly history: HistoryStore,
    private readonly gate: Gate,
    private readonly dir: string
  ) {}

  /** a history request has come and waits for {@link release} */
  get asked (): boolean {
    return this.gate.asked
  }

  /** Starts the node and connects it to the relay (a multiaddr of it, with its peer id). */
  static async start (relayAddr: string): Promise<SlowHistoryPeer> {
    const dir = await mkdtemp(join(tmpdir(), 'p2p-chat-slow-peer-'))
    const store = await openNodeStore(dir)
    const kept = createMemoryHistoryStore()
    let open!: () => void
    const opened = new Promise<void>(resolve => { open = resolve })
    const gate: Gate = { asked: false, opened, open }
    // every history request is answered from `kept`, once released
    const history = new Proxy(kept, {
      get: (target, key) => {
        if (key === 'list') {
          return async (...args: Parameters<HistoryStore['list']>) => {
            gate.asked = true
            await gate.opened
            return target.list(...args)
          }
        }
        const value: unknown = Reflect.get(target, key)
        return typeof value === 'function' ? value.bind(target) : value
      }
    })
    const node = await createCliNode(store, { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, history })
    await node.dial(multiaddr(relayAddr))
    return new SlowHistoryPeer(node, store, history, gate, dir)
  }

  /** Keeps lines of a public room, as if said there earlier (they are not published now). */
  async keep (roomId: string, texts: string[]): Promise<void> {
    const codec = publicRoomCodec(roomId)
    const timestamp = Date.now() - 60_000
    for (const [i, text] of texts.entries()) {
      const chat = { id: createMessageId(), name: this.name, text, timestamp: timestamp + i }
      const data = await codec.wrap(await encodeChat(chat, codec.topic, this.store.privateKey), { id: chat.id, timestamp: chat.timestamp, ephemeral: false })
      await this.history.add([{ topic: codec.topic, id: chat.id, timestamp: chat.timestamp, data }])
    }
  }

  /** Joins a public room (its lines are served from what was kept). */
  join (roomId: string): Room {
    const room = new Room(this.node, { roomId, name: () => this.name, privateKey: this.store.privateKey, history: { store: this.history } })
    room.join()
    this.rooms.push(room)
    return room
  }

  /** Lets the waiting history requests be answered. */
  release (): void {
    this.gate.open()
  }

  async stop (): Promise<void> {
    this.release()
    this.rooms.forEach(room => { room.leave() })
    await this.node.stop()
    await this.store.datastore.close()
    await rm(this.dir, { recursive: true, force: true })
  }
}
