/** Reading the relay's `/metrics` (Prometheus text exposition). */

/**
 * The value of the first sample of `name` in Prometheus text: `name` alone matches the bare metric or its first
 * labelled line; `name{label="x"}` matches that line only. NaN when absent.
 */
export function sample (text: string, name: string): number {
  const line = text.split('\n').find(l => l.startsWith(`${name} `) || (!name.includes('{') && l.startsWith(`${name}{`)))
  return line == null ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1))
}

/** Every sample of a metric with one label, by that label's value: `p2p_chat_relay_refused_total{kind="…"}`. */
export function samplesByLabel (text: string, name: string, label: string): Map<string, number> {
  const pattern = new RegExp(`^${name}\\{(?:.*,)?${label}="([^"]*)"(?:,.*)?\\} (\\S+)$`)
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    const match = pattern.exec(line)
    if (match != null) {
      out.set(match[1]!, Number(match[2]))
    }
  }
  return out
}

/** `GET` a `/metrics` URL, within `timeoutMs`. */
export async function scrape (url: string, timeoutMs = 5000): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })
  if (!response.ok) {
    throw new Error(`GET ${url}: ${response.status}`)
  }
  return response.text()
}
