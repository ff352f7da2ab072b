import { logger } from '@libp2p/logger'
import { isRoomTopic, roomMessageValidator } from '@p2p-chat/shared'
import { DEFAULT_MAX_ROOMS, ROOM_SWEEP_INTERVAL_MS } from './constants.js'
import type { GossipSub, SubscriptionChangeData } from '@libp2p/gossipsub'
import type { InvalidMessageScores } from '@p2p-chat/shared'

const log = logger('p2p-chat:relay:rooms')

export interface RoomFollowerOptions {
  /** most rooms followed at once @default 4096 */
  maxRooms?: number
  /** how often rooms nobody is in any more are left @default 30000 */
  sweepInterval?: number
  /** where invalid room messages are counted against the peer that sent them */
  scores?: InvalidMessageScores
}

/**
 * Makes the relay a member of every room its peers join: it subscribes to the room's topic (so it is in the
 * room's gossipsub mesh and forwards messages between peers that are not yet directly connected), validates
 * the room's messages, and leaves the room once no connected peer is in it.
 */
export class RoomFollower {
  private readonly pubsub: GossipSub
  private readonly maxRooms: number
  private readonly sweepInterval: number
  private readonly scores?: InvalidMessageScores
  private timer?: ReturnType<typeof setInterval>
  private readonly onSubscriptionChange = (evt: CustomEvent<SubscriptionChangeData>): void => {
    for (const { topic, subscribe } of evt.detail.subscriptions) {
      if (subscribe) {
        this.follow(topic)
      }
    }
  }

  constructor (pubsub: GossipSub, options: RoomFollowerOptions = {}) {
    this.pubsub = pubsub
    this.maxRooms = options.maxRooms ?? DEFAULT_MAX_ROOMS
    this.sweepInterval = options.sweepInterval ?? ROOM_SWEEP_INTERVAL_MS
    this.scores = options.scores
  }

  /** Topics of the rooms the relay is in now. */
  get rooms (): string[] {
    return this.pubsub.getTopics().filter(isRoomTopic)
  }

  start (): void {
    this.pubsub.addEventListener('subscription-change', this.onSubscriptionChange)
    this.timer = setInterval(() => { this.sweep() }, this.sweepInterval)
    this.timer.unref()
  }

  stop (): void {
    this.pubsub.removeEventListener('subscription-change', this.onSubscriptionChange)
    clearInterval(this.timer)
  }

  private follow (topic: string): void {
    if (!isRoomTopic(topic) || this.pubsub.getTopics().includes(topic)) {
      return
    }
    if (this.rooms.length >= this.maxRooms) {
      log('not following %s: already in %d rooms', topic, this.maxRooms)
      return
    }
    log('following room %s', topic)
    this.pubsub.topicValidators.set(topic, roomMessageValidator((peer, err) => {
      log('rejected a message on %s from %p: %s', topic, peer, err.message)
      this.scores?.record(peer.toString())
    }))
    this.pubsub.subscribe(topic)
  }

  /** Leaves rooms that no connected peer subscribes to any more. */
  sweep (): void {
    for (const topic of this.rooms) {
      if (this.pubsub.getSubscribers(topic).length === 0) {
        log('leaving empty room %s', topic)
        this.pubsub.unsubscribe(topic)
        this.pubsub.topicValidators.delete(topic)
      }
    }
  }
}
