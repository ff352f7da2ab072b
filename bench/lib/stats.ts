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

export function sum (values: number[]): number {
  return values.reduce((a, b) => a + b, 0)
}

/** The nearest-rank median: of an even count, the lower of the middle two. */
export function median (values: number[]): number {
  return percentile(values, 50)
}

/** The median of a few values, of an even count the mean of the middle two (neither of them favoured). */
export function midMedian (values: number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const half = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2
}
