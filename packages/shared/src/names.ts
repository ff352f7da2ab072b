const ADJECTIVES = [
  'amber', 'brave', 'calm', 'clever', 'curious', 'eager', 'gentle', 'happy', 'jolly', 'kind', 'lucky', 'merry',
  'nimble', 'polite', 'quick', 'quiet', 'rapid', 'shy', 'sunny', 'swift', 'tidy', 'witty', 'young', 'zesty'
]
const ANIMALS = [
  'badger', 'beaver', 'crane', 'dolphin', 'falcon', 'ferret', 'gecko', 'heron', 'ibis', 'koala', 'lemur', 'lynx',
  'marten', 'newt', 'otter', 'panda', 'puffin', 'quail', 'raven', 'seal', 'tapir', 'walrus', 'wombat', 'yak'
]

function pick (list: string[]): string {
  const [index] = crypto.getRandomValues(new Uint32Array(1))
  return list[(index ?? 0) % list.length] ?? list[0]!
}

/** A friendly random display name such as "swift-otter-42". */
export function generateDisplayName (): string {
  const [n] = crypto.getRandomValues(new Uint8Array(1))
  return `${pick(ADJECTIVES)}-${pick(ANIMALS)}-${(n ?? 0) % 100}`
}

/** How many trailing characters of a peer id its fingerprint shows. */
export const FINGERPRINT_LENGTH = 6

/**
 * A short fingerprint of a peer id, shown with every display name (names are only labels: two "alice"s differ
 * here): its last {@link FINGERPRINT_LENGTH} characters.
 */
export function fingerprint (peerId: string): string {
  return peerId.slice(-FINGERPRINT_LENGTH)
}
