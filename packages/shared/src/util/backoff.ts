/** Exponential backoff with full jitter: the n-th retry waits a random time in [min·2ⁿ/2, min·2ⁿ], capped. */
export function backoffDelay (attempt: number, min: number, max: number, random = Math.random): number {
  const ceiling = Math.min(max, min * 2 ** attempt)
  return Math.round(ceiling / 2 + random() * ceiling / 2)
}
