import { logger } from '@libp2p/logger'
import { isRoomTopic, previewLines, privateTopicIdFromTopic, readChatLabel, readEnvelopeHeader, ROOM_PREVIEW_MAX_LINES, roomTopic, validateTimestamp } from '@p2p-chat/shared'
import type { GossipSub, GossipsubMessage } from '@libp2p/gossipsub'
import type { HistoryRecord, HistoryStore, RoomPreview } from '@p2p-chat/shared'

const log = logger('p2p-chat:relay:history')

/**
 * The relay's always-on memory of the rooms it carries: every chat line that passes the room's validator is
 * kept (bounded per room by the store), so a late joiner catches up even when every member is offline. A
 * public room's lines are kept as signed; a private room's envelopes are kept as ciphertext, by the id and
 * time on their envelope, and announcements (presence) are not kept at all.
 */
export class HistoryKeeper {
  private readonly pubsub: GossipSub
  private readonly store: HistoryStore
  /** writes under way (each is removed when done, so nothing it wrote stays referenced): `stop()` waits for them */
  private readonly writes = new Set<Promise<void>>()

  private readonly onMessage = (evt: CustomEvent<GossipsubMessage>): void => {
    const { msg } = evt.detail
    if (!isRoomTopic(msg.topic)) {
      return
    }
    void this.keep(msg.topic, msg.data)
  }

  constructor (pubsub: GossipSub, store: HistoryStore) {
    this.pubsub = pubsub
    this.store = store
  }

  start (): void {
    this.pubsub.addEventListener('gossipsub:message', this.onMessage)
  }

  /** Stops listening and waits for the lines being written. */
  async stop (): Promise<void> {
    this.pubsub.removeEventListener('gossipsub:message', this.onMessage)
    await Promise.all(this.writes)
  }

  private async keep (topic: string, data: Uint8Array): Promise<void> {
    let record: HistoryRecord | undefined
    try {
      record = recordOf(topic, data)
    } catch (err) {
      log('not keeping a message on %s: %s', topic, (err as Error).message)
    }
    if (record == null) {
      return
    }
    const write = this.store.add([record]).then(() => {}, (err: Error) => { log.error('could not keep a line of %s: %s', topic, err.message) })
    this.writes.add(write)
    try {
      await write
    } finally {
      this.writes.delete(write)
    }
  }
}

/** The history record of a message published on a room topic, or `undefined` for an announcement. */
function recordOf (topic: string, data: Uint8Array): HistoryRecord | undefined {
  if (privateTopicIdFromTopic(topic) != null) {
    // lines only: an announcement's direct peers are the room validator's to read
    const header = readEnvelopeHeader(data, { direct: false })
    if (header.ephemeral) {
      return undefined
    }
    validateTimestamp(header.timestamp)
    return { topic, id: header.id, timestamp: header.timestamp, data }
  }
  // the room's validator has decoded the line and checked that its author published it before gossipsub delivered
  // it (gossipsub verified the publisher's signature over it: see docs/PROTOCOL.md, "Signed chat lines")
  const label = readChatLabel(data)
  return label == null ? undefined : { topic, ...label, data }
}

/**
 * The preview of a public room for the page the relay serves at its link (docs/PROTOCOL.md, "Room preview"): its
 * newest kept lines as signed ({@link previewLines}), or `undefined` when none are kept. A private room's link names
 * no topic the relay knows (its topic is derived from the secret in the link's fragment, which never reaches the
 * relay), so a private room's page gets at most the lines of a public room of the same id, which the page does not
 * show.
 */
export async function roomPreview (store: HistoryStore, roomId: string): Promise<RoomPreview | undefined> {
  const records = await store.list(roomTopic(roomId), { limit: ROOM_PREVIEW_MAX_LINES })
  return records.length === 0 ? undefined : { roomId, lines: previewLines(records.map(record => record.data)) }
}
