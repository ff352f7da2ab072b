/** Anything ordered in a timeline: a history record, a chat line. */
export interface TimelineItem {
  id: string
  timestamp: number
}

/** Orders by timestamp, then by id (the same order everywhere, so every peer shows the same timeline). */
export function compareRecords (a: TimelineItem, b: TimelineItem): number {
  if (a.timestamp !== b.timestamp) {
    return a.timestamp < b.timestamp ? -1 : 1
  }
  if (a.id === b.id) {
    return 0
  }
  return a.id < b.id ? -1 : 1
}

/**
 * Merges two timelines of one topic (e.g. what is shown and what history sync brought) into one, ordered by
 * {@link compareRecords}, each id once: where both have an id, the item from `a` is kept. Neither input changes.
 */
export function mergeTimeline<T extends TimelineItem> (a: readonly T[], b: readonly T[]): T[] {
  const seen = new Set<string>()
  const merged: T[] = []
  for (const item of [...a, ...b]) {
    if (!seen.has(item.id)) {
      seen.add(item.id)
      merged.push(item)
    }
  }
  return merged.sort(compareRecords)
}
