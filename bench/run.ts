/**
 * `pnpm bench [--only id,id] [--runs N] [--soak-minutes M]`: runs the benchmarks one after another, prints a table per metric
 * and records each metric's figures, with the date and the machine it ran on, in bench/results/latest.json
 * (a metric's entry is replaced by its newest run; the others stay). The on-demand metrics (`soak`, which runs
 * for minutes to hours) run only when `--only` names them. See bench/README.md.
 */
import { execFileSync } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { cpus, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { CHROMIUM_PATH } from '../e2e/support/chromium.ts'
import { formatReport } from './lib/report.ts'
import type { Metric, MetricReport } from './lib/report.ts'

const METRICS: Record<string, () => Promise<Metric>> = {
  join: async () => (await import('./metrics/join.ts')).join,
  direct: async () => (await import('./metrics/direct.ts')).direct,
  latency: async () => (await import('./metrics/latency.ts')).latency,
  dm: async () => (await import('./metrics/dm.ts')).dm,
  history: async () => (await import('./metrics/history.ts')).history,
  files: async () => (await import('./metrics/files.ts')).files,
  relay: async () => (await import('./metrics/relay-capacity.ts')).relayCapacity,
  churn: async () => (await import('./metrics/churn.ts')).churn,
  bundle: async () => (await import('./metrics/bundle.ts')).bundle,
  nat: async () => (await import('./metrics/nat.ts')).nat,
  soak: async () => (await import('./metrics/soak.ts')).soak,
  idle: async () => (await import('./metrics/idle.ts')).idle,
  'long-room': async () => (await import('./metrics/long-room.ts')).longRoom,
  'room-cpu': async () => (await import('./metrics/room-cpu.ts')).roomCpu
}

/** Metrics a plain `pnpm bench` leaves out: they run only when `--only` names them. */
const ON_DEMAND = new Set(['soak', 'idle', 'room-cpu'])

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    runs: { type: 'string', default: '15' },
    // the soak's length (its default, 2 minutes, is a smoke check; the figure is from 30)
    'soak-minutes': { type: 'string' }
  }
})
if (values['soak-minutes'] != null) {
  process.env.BENCH_SOAK_MINUTES = values['soak-minutes']
}
const ids = values.only != null ? values.only.split(',') : Object.keys(METRICS).filter(id => !ON_DEMAND.has(id))
const unknown = ids.filter(id => METRICS[id] == null)
if (unknown.length > 0) {
  console.error(`unknown metric(s): ${unknown.join(', ')}; known: ${Object.keys(METRICS).join(', ')}`)
  process.exit(2)
}

function chromiumVersion (): string {
  try {
    return execFileSync(CHROMIUM_PATH, ['--version'], { encoding: 'utf8' }).trim()
  } catch {
    return 'unknown'
  }
}

const machine = {
  cores: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  chromium: chromiumVersion()
}
console.info(`P2P Chat benchmarks on ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${machine.chromium}\n`)

const reports: MetricReport[] = []
for (const id of ids) {
  const metric = await METRICS[id]!()
  const started = Date.now()
  try {
    const report = await metric({ runs: Number(values.runs), log: line => { console.info(`  [${id}] ${line}`) } })
    reports.push(report)
    console.info(`${formatReport(report)}\n  (${((Date.now() - started) / 1000).toFixed(0)} s)\n`)
  } catch (err) {
    console.error(`${id} failed: ${(err as Error).stack ?? String(err)}\n`)
    reports.push({ id, title: id, figures: [], notes: [`failed: ${(err as Error).message}`] })
  }
}

interface Recorded extends MetricReport { date: string, machine: typeof machine }

const file = new URL('./results/latest.json', import.meta.url)
await mkdir(new URL('.', file), { recursive: true })
const previous = await readFile(file, 'utf8').then(text => (JSON.parse(text) as { reports: Recorded[] }).reports, () => [])
const date = new Date().toISOString()
const fresh = reports.filter(r => r.figures.length > 0).map(r => ({ ...r, date, machine }))
const merged = [...previous.filter(p => !fresh.some(r => r.id === p.id)), ...fresh]
  .sort((a, b) => Object.keys(METRICS).indexOf(a.id) - Object.keys(METRICS).indexOf(b.id))
await writeFile(file, JSON.stringify({ reports: merged }, null, 2) + '\n')
console.info(`recorded ${fresh.map(r => r.id).join(', ') || 'nothing'} in ${file.pathname}`)
