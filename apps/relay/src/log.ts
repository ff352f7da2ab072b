/**
 * The relay's operational log: what an operator reads (start, addresses, peer relays, rooms, refusals,
 * shutdown), as plain lines or JSON lines, filtered by level. libp2p's own internals keep logging through
 * `@libp2p/logger` (`DEBUG=libp2p:*`), which this does not replace.
 *
 * Never log secrets: no private keys, no TLS key material, no message contents. Fields whose names look like
 * secrets are replaced by `[redacted]` all the same.
 */

/** Log levels, most severe first: a logger at `info` writes error, warn and info. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const
export type LogLevel = typeof LOG_LEVELS[number]

/** `text`: one line for people per event; `json`: one JSON object per line, for log collectors. */
export const LOG_FORMATS = ['text', 'json'] as const
export type LogFormat = typeof LOG_FORMATS[number]

/** Extra facts about an event. `message`, when given, is the line people read in the text format. */
export type LogFields = Record<string, unknown> & { message?: string }

/**
 * The relay's logger. `event` is a short, stable name (`'peer relay connected'`, `'refused'`); `fields` carry
 * the details (`{ peer, kind }`), each a string, number, boolean or something with a useful `toString()`
 * (a PeerId, a Multiaddr). In JSON each line is `{"time", "level", "event", ...fields}`.
 */
export interface RelayLogger {
  error: (event: string, fields?: LogFields) => void
  warn: (event: string, fields?: LogFields) => void
  info: (event: string, fields?: LogFields) => void
  debug: (event: string, fields?: LogFields) => void
}

export interface RelayLoggerInit {
  /** @default 'text' */
  format?: LogFormat
  /** the least severe level written @default 'info' */
  level?: LogLevel
  /** where each line goes (without its newline) @default a line on stdout */
  write?: (line: string) => void
  /** the clock @default () => new Date() */
  now?: () => Date
}

/** Field names never written as they are. */
const SECRET_FIELD = /private|secret|passw|token|^key$|tlskey|keymaterial/i
/** Names a field may not take: they are the line's own. */
const RESERVED = new Set(['time', 'level', 'event'])

function plain (value: unknown): unknown {
  if (value == null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value
  }
  if (typeof value === 'bigint') {
    return value.toString()
  }
  if (value instanceof Error) {
    return value.message
  }
  if (Array.isArray(value)) {
    return value.map(plain)
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
    // a PeerId, a Multiaddr, a URL: their string form
    return String(value)
  }
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_FIELD.test(k) ? '[redacted]' : plain(v)]))
  }
  return String(value)
}

function fieldsOf (fields: LogFields | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(fields ?? {})) {
    if (value === undefined || RESERVED.has(name)) {
      continue
    }
    out[name] = SECRET_FIELD.test(name) ? '[redacted]' : plain(value)
  }
  return out
}

function textValue (value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text)
}

/**
 * A line for people: the event's `message` when it has one, else the event and its fields as `name=value`;
 * levels other than info are prefixed (`warn: refused kind=reservation peer=12D3…`).
 */
function textLine (level: LogLevel, event: string, fields: Record<string, unknown>): string {
  const { message, ...rest } = fields
  const body = typeof message === 'string'
    ? message
    : [event, ...Object.entries(rest).map(([name, value]) => `${name}=${textValue(value)}`)].join(' ')
  return level === 'info' ? body : `${level}: ${body}`
}

/**
 * Creates the relay's logger.
 *
 * @example
 *
 * ```ts
 * const log = createRelayLogger({ format: 'json', level: 'warn' })
 * log.warn('refused', { kind: 'reservation', peer: peerId })
 * // {"time":"2026-11-27T10:00:00.000Z","level":"warn","event":"refused","kind":"reservation","peer":"12D3…"}
 * ```
 */
export function createRelayLogger (init: RelayLoggerInit = {}): RelayLogger {
  const format = init.format ?? 'text'
  const threshold = LOG_LEVELS.indexOf(init.level ?? 'info')
  const write = init.write ?? ((line: string) => { process.stdout.write(`${line}\n`) })
  const now = init.now ?? (() => new Date())
  const at = (level: LogLevel) => (event: string, fields?: LogFields): void => {
    if (LOG_LEVELS.indexOf(level) > threshold) {
      return
    }
    const values = fieldsOf(fields)
    write(format === 'json'
      ? JSON.stringify({ time: now().toISOString(), level, event, ...values })
      : textLine(level, event, values))
  }
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') }
}

/** A logger that writes nothing. */
export const silentLogger: RelayLogger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} }
