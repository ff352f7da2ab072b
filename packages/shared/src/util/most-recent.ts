/**
 * Sets `key` as the most recent entry of `map` (a Map iterates in insertion order: the first key is the least
 * recent) and forgets the least recent beyond `max`: a Map used as a bounded cache of recently used entries.
 */
export function setMostRecent<K, V> (map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key)
  map.set(key, value)
  if (map.size > max) {
    map.delete(map.keys().next().value!)
  }
}
