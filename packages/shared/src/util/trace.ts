/** TEMPORARY (bench trace of one line's journey; removed once bench/RESULTS.md has the figures). */
const KEY = /bench:(\d+:-?\d+)/

export function traceKey (text: string): string | undefined {
  return KEY.exec(text)?.[1]
}

/** Marks `trace:<stage>:<member>:<seq>` for a bench line (text `bench:<member>:<seq>:…`); anything else is ignored. */
export function trace (stage: string, text: string, startTime?: number): void {
  const key = traceKey(text)
  if (key != null) {
    performance.mark(`trace:${stage}:${key}`, startTime == null ? undefined : { startTime })
  }
}
