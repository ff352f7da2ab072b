/** Order statistics over repeated runs. Benchmarks report; they never pass or fail on a time. */
export interface Summary {
  n: number
  p50: number
  p95: number
  p99: number
  min: number
  max: number
}

/** Nearest-rank percentile of an unsorted sample. */
export function percentile (values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1))
  return sorted[rank]!
}

export function summarize (values: number[]): Summary {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    min: Math.min(...values),
    max: Math.max(...values)
  }
}

export function median (values: number[]): number {
  return percentile(values, 50)
}
