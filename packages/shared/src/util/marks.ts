/**
 * User Timing marks for the milestones a user waits on, so the e2e suite and the benchmarks can read
 * (with `performance.getEntriesByType('mark')`) where the time between navigation and chat goes.
 */
export type Milestone =
  | 'app-start'
  | 'node-started'
  | 'relay-connected'
  | 'relay-reserved'
  | 'room-route'
  | 'first-message'
  | 'preview-shown'
  | 'first-direct' | `t-${string}`

/** Marks the first time a milestone is reached in this page. */
export function mark (milestone: Milestone): void {
  const name = `p2p-chat:${milestone}`
  if (performance.getEntriesByName(name, 'mark').length === 0) {
    performance.mark(name)
  }
}
