import fc from 'fast-check'

/** The seed every fuzz target runs with unless `FUZZ_SEED` names another: unit tests are deterministic. */
export const DEFAULT_FUZZ_SEED = 20_261_201
/** Longest one case may take (ms) before it counts as a hang; generous, for a shared machine under load. */
export const DEFAULT_FUZZ_CASE_TIMEOUT_MS = 10_000
/**
 * Most cases a long run gives a target that drives real nodes (a stream, a round trip and a close per case, some
 * 100 a second): the decoders inside them get their 100,000 cases on their own.
 */
export const LIVE_MAX_RUNS = 5000
/** How long a vitest test running a long fuzz (`FUZZ_RUNS` set) may take: the run itself is bounded by its case count. */
export const LONG_FUZZ_TEST_TIMEOUT_MS = 60 * 60 * 1000

/** What one fuzz run did: printed as one line, and returned for the spec to assert on. */
export interface FuzzReport {
  name: string
  seed: number
  cases: number
  ms: number
  /** cases a second */
  rate: number
  /** how many cases ended each way (what the check returned: an error name, 'accepted'...), most frequent first */
  outcomes: Record<string, number>
}

/**
 * What a check may say about a case that passed, to be counted: the typed error it was refused with, `accepted`,
 * an answer's status. The counts show how deep the inputs reach (a decoder that refuses everything at its first
 * check is not being fuzzed).
 */
export type FuzzOutcome = string | undefined | void

export interface FuzzOptions {
  /**
   * Cases to run when `FUZZ_RUNS` is not set: a unit test's short run, a few seconds on this machine.
   * `FUZZ_RUNS` (the long run, `pnpm fuzz`) wins over it.
   */
  runs: number
  /** Most cases `FUZZ_RUNS` may ask of this target (see {@link LIVE_MAX_RUNS}) @default no limit */
  maxRuns?: number
  /** @default DEFAULT_FUZZ_CASE_TIMEOUT_MS */
  caseTimeoutMs?: number
}

/**
 * The environment a fuzz run reads: `FUZZ_SEED`, `FUZZ_RUNS`, `FUZZ_PATH` (replays one shrunk counterexample),
 * `FUZZ_TARGET` (runs only the target of that name).
 */
export interface FuzzSettings {
  seed: number
  /** `FUZZ_RUNS`, if set */
  runs?: number
  path?: string
  target?: string
}

/** `FUZZ_SEED` or `FUZZ_RUNS` is not an integer. */
export class FuzzSettingsError extends Error {
  static override name = 'FuzzSettingsError'
  override name = 'FuzzSettingsError'
}

function integerFromEnv (name: string): number | undefined {
  const value = process.env[name]?.trim()
  if (value == null || value === '') {
    return undefined
  }
  const number = Number(value)
  if (!Number.isSafeInteger(number)) {
    throw new FuzzSettingsError(`${name} must be an integer, got "${value}"`)
  }
  return number
}

export function fuzzSettings (): FuzzSettings {
  const text = (name: string): string | undefined => {
    const value = process.env[name]?.trim()
    return value == null || value === '' ? undefined : value
  }
  return {
    seed: integerFromEnv('FUZZ_SEED') ?? DEFAULT_FUZZ_SEED,
    runs: integerFromEnv('FUZZ_RUNS'),
    path: text('FUZZ_PATH'),
    target: text('FUZZ_TARGET')
  }
}

/** The vitest timeout for a test that runs fuzz targets: the default for short runs, an hour for long ones. */
export function fuzzTestTimeout (shortMs = 60_000): number {
  return fuzzSettings().runs == null ? shortMs : LONG_FUZZ_TEST_TIMEOUT_MS
}

/**
 * A finding: what a decoder or handler did that it must not (threw something other than the typed errors it
 * documents, answered wrongly, accepted what it should refuse).
 */
export class FuzzFindingError extends Error {
  static override name = 'FuzzFindingError'
  override name = 'FuzzFindingError'
}

/**
 * Rethrows `err` as a {@link FuzzFindingError} unless it is an `Error` whose `name` is one of `expected`: a typed
 * refusal is the right answer to bad input, anything else (`TypeError`, `RangeError`, a plain `Error`, a
 * non-Error) escaping is a finding.
 */
export function expectTypedError (err: unknown, expected: readonly string[]): void {
  if (err instanceof Error && expected.includes(err.name)) {
    return
  }
  const what = err instanceof Error ? `${err.name}: ${err.message}` : `a non-Error ${String(err)}`
  throw new FuzzFindingError(`untyped refusal (${what}); expected one of ${expected.join(', ')}`, { cause: err })
}

/** What {@link settle} makes of a call: its value, or the typed error it refused with. */
export type Settled<T> = { ok: true, value: T } | { ok: false, error: Error }

/** The outcome to count for a settled call: the refusal's error name, or `accepted`. */
export function outcomeOf (settled: Settled<unknown>): string {
  return settled.ok ? 'accepted' : settled.error.name
}

/** Runs `fn`; a typed refusal (see {@link expectTypedError}) is returned as such, anything else is a finding. */
export async function settle<T> (fn: () => T | Promise<T>, expected: readonly string[]): Promise<Settled<T>> {
  try {
    return { ok: true, value: await fn() }
  } catch (err) {
    expectTypedError(err, expected)
    return { ok: false, error: err as Error }
  }
}

/**
 * Runs `check` on `runs` (or `FUZZ_RUNS`) inputs drawn from `arbitrary` with a reproducible seed, and prints one
 * line: cases, cases a second, seed, findings. A case that throws, takes longer than the case timeout (a hang),
 * or is followed by an unhandled rejection is a finding; the returned report says so and the failing,
 * shrunk, input is printed with the `FUZZ_SEED`/`FUZZ_PATH` that replays it.
 */
export async function fuzz<T> (name: string, arbitrary: fc.Arbitrary<T>, check: (input: T) => FuzzOutcome | Promise<FuzzOutcome>, options: FuzzOptions): Promise<FuzzReport> {
  const settings = fuzzSettings()
  if (settings.target != null && settings.target !== name) {
    return { name, seed: settings.seed, cases: 0, ms: 0, rate: 0, outcomes: {} }
  }
  const numRuns = settings.runs == null ? options.runs : Math.min(settings.runs, options.maxRuns ?? Infinity)
  const outcomes = new Map<string, number>()
  const rejections: unknown[] = []
  const onRejection = (reason: unknown): void => { rejections.push(reason) }
  process.on('unhandledRejection', onRejection)
  const started = performance.now()
  let details: fc.RunDetails<[T]>
  try {
    details = await fc.check(fc.asyncProperty(arbitrary, async (input) => {
      const outcome = await check(input)
      if (outcome != null) {
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
      }
      if (rejections.length > 0) {
        throw new FuzzFindingError(`unhandled rejection: ${String(rejections[0])}`, { cause: rejections[0] })
      }
    }), {
      seed: settings.seed,
      numRuns,
      path: settings.path,
      timeout: options.caseTimeoutMs ?? DEFAULT_FUZZ_CASE_TIMEOUT_MS,
      endOnFailure: settings.path != null
    })
    // a rejection left unhandled by the last case surfaces once the microtasks have run
    await new Promise(resolve => setImmediate(resolve))
  } finally {
    process.off('unhandledRejection', onRejection)
  }
  const ms = performance.now() - started
  if (!details.failed && rejections.length > 0) {
    throw new FuzzFindingError(`fuzz ${name}: unhandled rejection after the last case: ${String(rejections[0])}`, { cause: rejections[0] })
  }
  const report: FuzzReport = {
    name,
    seed: settings.seed,
    cases: details.numRuns,
    ms: Math.round(ms),
    rate: Math.round(details.numRuns / (ms / 1000)),
    outcomes: Object.fromEntries([...outcomes].sort((a, b) => b[1] - a[1]))
  }
  // fast-check stops at the first failing case (and shrinks it): a run has 0 findings or 1
  const seen = Object.entries(report.outcomes).map(([outcome, count]) => `${outcome} ${count}`).join(', ')
  process.stdout.write(`fuzz ${name}: ${report.cases} cases in ${(ms / 1000).toFixed(1)} s (${report.rate}/s), seed ${report.seed}, ${details.failed ? 1 : 0} findings${seen === '' ? '' : `; outcomes: ${seen}`}\n`)
  if (details.failed) {
    const reason = details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance))
    process.stdout.write(`  replay: FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ''} (${name})\n` +
      `  input: ${fc.stringify(details.counterexample)}\n  ${reason.name}: ${reason.message}\n`)
    throw new FuzzFindingError(`fuzz ${name} (FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ''}): ${reason.message}`, { cause: reason })
  }
  return report
}

/** Bytes of randomness drawn at once by {@link withDeterministicRandom}. */
const RANDOM_BLOCK_BYTES = 65_536

/**
 * Runs `fn` with `crypto.getRandomValues` answering from a fixed stream (fast-check's generator, from `seed`), so
 * that seed messages made with random ivs or ids are the same bytes in every run. Only for making fixtures: nothing
 * else may run meanwhile.
 */
export async function withDeterministicRandom<T> (seed: number, fn: () => Promise<T>): Promise<T> {
  let block = new Uint8Array(0)
  let at = 0
  let next = seed
  const getRandomValues = <A extends ArrayBufferView | null>(array: A): A => {
    if (array == null) return array
    const out = new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
    for (let i = 0; i < out.byteLength; i++) {
      if (at === block.byteLength) {
        block = fc.sample(fc.noBias(fc.uint8Array({ minLength: RANDOM_BLOCK_BYTES, maxLength: RANDOM_BLOCK_BYTES })), { seed: next++, numRuns: 1 })[0]!
        at = 0
      }
      out[i] = block[at++]!
    }
    return array
  }
  Object.defineProperty(globalThis.crypto, 'getRandomValues', { value: getRandomValues, configurable: true, writable: true })
  try {
    return await fn()
  } finally {
    // uncovers Crypto.prototype.getRandomValues again
    delete (globalThis.crypto as { getRandomValues?: unknown }).getRandomValues
  }
}
