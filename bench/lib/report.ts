import type { Summary } from './stats.ts'

/** One line of a metric's table: a summary over runs, or a single figure (a size, a count, a ratio). */
export interface Figure {
  label: string
  unit: string
  value?: number
  summary?: Summary
}

/** What a metric module returns. */
export interface MetricReport {
  /** short id, e.g. 'join' */
  id: string
  title: string
  figures: Figure[]
  /** how to read it, what was left out, anything odd seen in this run */
  notes?: string[]
}

/** Options every metric receives from `run.ts`. */
export interface MetricOptions {
  /** repetitions for the timed parts (`--runs`) */
  runs: number
  /** print progress */
  log: (line: string) => void
}

export type Metric = (options: MetricOptions) => Promise<MetricReport>

function fmt (value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (Math.abs(value) >= 100) return value.toFixed(0)
  if (Math.abs(value) >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

/** A plain-text table of one report. */
export function formatReport (report: MetricReport): string {
  const rows = report.figures.map(f => {
    const value = f.summary != null
      ? `p50 ${fmt(f.summary.p50)}  p95 ${fmt(f.summary.p95)}  p99 ${fmt(f.summary.p99)}  (n=${f.summary.n})`
      : fmt(f.value ?? Number.NaN)
    return `  ${f.label.padEnd(58)} ${value} ${f.unit}`
  })
  return [`${report.title} [${report.id}]`, ...rows, ...(report.notes ?? []).map(n => `  · ${n}`)].join('\n')
}
