import { InvalidRoomIdError } from '../errors.js'
import { PRIVATE_ROOM_TOPIC_PREFIX, PRIVATE_TOPIC_ID_LENGTH } from './constants.js'

const TOPIC_ID_PATTERN = new RegExp(`^[a-z2-7]{${PRIVATE_TOPIC_ID_LENGTH}}$`)

/** The gossipsub topic of the private room whose topic id is given. Throws InvalidRoomIdError for a malformed id. */
export function privateRoomTopic (topicId: string): string {
  if (!TOPIC_ID_PATTERN.test(topicId)) {
    throw new InvalidRoomIdError(`"${topicId.slice(0, 64)}" is not a private room topic id: expected ${PRIVATE_TOPIC_ID_LENGTH} characters a-z and 2-7`)
  }
  return `${PRIVATE_ROOM_TOPIC_PREFIX}${topicId}`
}

/** The topic id of a private room topic, or `undefined` for any other topic. */
export function privateTopicIdFromTopic (topic: string): string | undefined {
  if (!topic.startsWith(PRIVATE_ROOM_TOPIC_PREFIX)) {
    return undefined
  }
  const topicId = topic.slice(PRIVATE_ROOM_TOPIC_PREFIX.length)
  return TOPIC_ID_PATTERN.test(topicId) ? topicId : undefined
}
