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
 * A timeline as shown: ordered by {@link compareRecords}, each id once, the newest `max` items. An item is placed
 * from the end, so a live line, which sorts last, costs O(1) (no re-sort, no re-merge of what is shown); an older
 * one (from history) a binary search. After a change {@link items} is a new array (for Svelte's `$state.raw`),
 * holding the items as given.
 */
export class Timeline<T extends TimelineItem> {
  readonly max: number
  #items: readonly T[] = []
  readonly #ids = new Set<string>()

  constructor (max = Infinity) {
    this.max = max
  }

  get items (): readonly T[] {
    return this.#items
  }

  /** Adds items, skipping ids already in the timeline; true if anything was added. */
  add (...added: T[]): boolean {
    let items: T[] | undefined
    for (const item of added) {
      if (this.#ids.has(item.id)) {
        continue
      }
      this.#ids.add(item.id)
      items ??= [...this.#items]
      items.splice(insertionIndex(items, item), 0, item)
    }
    if (items == null) {
      return false
    }
    for (const dropped of items.splice(0, Math.max(0, items.length - this.max))) {
      this.#ids.delete(dropped.id)
    }
    this.#items = items
    return true
  }

  /** Replaces the item with `id` (same id and time) by `change(item)`; false if there is none. */
  update (id: string, change: (item: T) => T): boolean {
    const index = this.#items.findLastIndex(item => item.id === id)
    if (index < 0) {
      return false
    }
    this.#items = this.#items.with(index, change(this.#items[index]!))
    return true
  }

  clear (): void {
    this.#items = []
    this.#ids.clear()
  }
}

/** Where `item` goes in the ordered `items`: checked against the last first, else a binary search. */
function insertionIndex (items: readonly TimelineItem[], item: TimelineItem): number {
  let high = items.length
  if (high === 0 || compareRecords(items[high - 1]!, item) < 0) {
    return high
  }
  let low = 0
  while (low < high) {
    const middle = (low + high) >>> 1
    if (compareRecords(items[middle]!, item) < 0) {
      low = middle + 1
    } else {
      high = middle
    }
  }
  return low
}
