/**
 * The relay's operational log: what an operator reads (start, addresses, peer relays, rooms, refusals,
 * shutdown), as JSON lines (pino) or lines for people (pino-pretty), filtered by level. libp2p's own internals
 * keep logging through `@libp2p/logger` (`DEBUG=libp2p:*`), which this does not replace.
 *
 * Never log secrets: no private keys, no TLS key material, no message contents. Fields named like secrets are
 * replaced by `[redacted]` all the same (pino's `redact`).
 */

import { pino } from 'pino'
import { prettyFactory } from 'pino-pretty'
import type { DestinationStream, Logger } from 'pino'

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
 * the details (`{ peer, kind }`), each a string, number, boolean, plain object or something with a useful
 * `toString()` (a PeerId, a Multiaddr); an Error is written as its message. In JSON each line is `{"level", "time", "event", ...fields}`.
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

/** Field names never written as they are, at the top level or one level down. */
export const REDACTED_FIELDS = ['privateKey', 'secret', 'password', 'passphrase', 'token', 'key', 'tlsKey', 'keyMaterial']

/** A PeerId, a Multiaddr, a URL: their string form; an Error: its message. */
function plain (value: unknown): unknown {
  if (value instanceof Error) {
    return value.message
  }
  const proto: unknown = value != null && typeof value === 'object' && !Array.isArray(value) ? Object.getPrototypeOf(value) : null
  return proto != null && proto !== Object.prototype ? String(value) : value
}

/** Names a field may not take: they are the line's own. */
const RESERVED = new Set(['time', 'level', 'event'])

/** The text format: the event's `message`, else its name and fields; prefixed by its level unless info. */
function textFormatter (): (line: string) => string {
  return prettyFactory({
    colorize: false,
    singleLine: true,
    errorLikeObjectKeys: [],
    messageKey: 'message',
    ignore: 'time,level,event,message',
    messageFormat: log => {
      const body = String(log.message ?? log.event)
      return log.level === 'info' ? body : `${String(log.level)}: ${body}`
    }
  })
}

/**
 * Creates the relay's logger.
 *
 * @example
 *
 * ```ts
 * const log = createRelayLogger({ format: 'json', level: 'warn' })
 * log.warn('refused', { kind: 'reservation', peer: peerId })
 * // {"level":"warn","time":"2026-11-27T10:00:00.000Z","event":"refused","kind":"reservation","peer":"12D3…"}
 * ```
 */
export function createRelayLogger (init: RelayLoggerInit = {}): RelayLogger {
  const write = init.write ?? ((line: string) => { process.stdout.write(`${line}\n`) })
  const now = init.now ?? (() => new Date())
  const text = (init.format ?? 'text') === 'text' ? textFormatter() : undefined
  const destination: DestinationStream = {
    write: (json: string) => { write((text?.(json) ?? json).replace(/\n$/, '')) }
  }
  const logger: Logger = pino({
    level: init.level ?? 'info',
    base: undefined,
    messageKey: 'message',
    timestamp: () => `,"time":"${now().toISOString()}"`,
    formatters: {
      level: label => ({ level: label }),
      log: fields => Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, plain(value)]))
    },
    redact: { paths: REDACTED_FIELDS.flatMap(name => [name, `*.${name}`]), censor: '[redacted]' }
  }, destination)
  const at = (level: LogLevel) => (event: string, fields: LogFields = {}): void => {
    // the line's own time, level and event are not a field's to set
    const rest: LogFields = Object.fromEntries(Object.entries(fields).filter(([name]) => !RESERVED.has(name)))
    // in text, a line with a message is that message alone
    logger[level](text != null && rest.message != null ? { event, message: rest.message } : { event, ...rest })
  }
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') }
}

/** A logger that writes nothing. */
export const silentLogger: RelayLogger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} }
