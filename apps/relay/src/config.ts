import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { resolve } from 'node:path'
import { createSecureContext } from 'node:tls'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { multiaddr } from '@multiformats/multiaddr'
import {
  DEFAULT_DATA_DIR, DEFAULT_HISTORY_MAX_DAYS, DEFAULT_HISTORY_MAX_MESSAGES, DEFAULT_HOST, DEFAULT_HTTP_PORT, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_RESERVATIONS, DEFAULT_TCP_PORT,
  DEFAULT_METRICS_HOST, DEFAULT_METRICS_PORT,
  DEFAULT_QUIC_PORT, DEFAULT_WEBRTC_DIRECT_PORT, DEFAULT_WS_PORT,
  DEFAULT_CIRCUIT_DATA_BYTES, DEFAULT_CIRCUIT_DURATION_MS, DEFAULT_CONNECTION_RATE_PER_IP, DEFAULT_DHT_MAX_PROVIDERS, DEFAULT_DHT_MAX_PROVIDERS_PER_KEY,
  DEFAULT_DHT_PROVIDER_TTL_S, DEFAULT_HANDSHAKE_TIMEOUT_S, DEFAULT_MAX_CONNECTIONS_PER_IP, DEFAULT_MAX_PENDING_CONNECTIONS, DEFAULT_ADMISSION_DELAY_MS, DEFAULT_MAX_PENDING_PER_IP,
  DEFAULT_MAX_RESERVATIONS_PER_IP, DEFAULT_MAX_ROOMS, DEFAULT_MAX_ROOMS_PER_PEER, DEFAULT_PUBLISH_BURST, DEFAULT_PUBLISH_RATE,
  DEFAULT_STUN_PORT, DEFAULT_TURN_TTL_S, DEFAULT_ADMISSION_WAIT_MS, DEFAULT_MAX_QUEUED_CONNECTIONS
} from './constants.js'
import { ConfigError } from './errors.js'
import { isTurnUrl } from './ice.js'
import { LOG_FORMATS, LOG_LEVELS } from './log.js'
import { targetPeerId } from './peers.js'
import type { LogFormat, LogLevel } from './log.js'
import type { Multiaddr } from '@multiformats/multiaddr'

/** What a relay is told at start. Every field has a default in `constants.ts`. */
export interface RelayOptions {
  /** address every listener binds to: IPv4 or IPv6 (`::` is every address of both) @default '127.0.0.1' */
  host: string
  /** HTTP port: the web app, `/api/relay` and `/healthz` (0 picks a free port) @default 8080 */
  httpPort: number
  /** the admin listener's port: `/metrics` and `/healthz` (0 picks a free port) @default 9090 */
  metricsPort?: number
  /** the admin listener's address @default '127.0.0.1' */
  metricsHost?: string
  /** libp2p TCP port, for Node peers @default 4001 */
  tcpPort: number
  /** libp2p WebSocket port, for browsers @default 4002 */
  wsPort: number
  /** libp2p WebRTC-direct UDP port, for browsers that cannot use plain ws @default 4003 */
  webrtcDirectPort: number
  /** libp2p QUIC (v1) UDP port, for Node peers @default 4004 */
  quicPort: number
  /** where the relay keeps its identity, DHT records and kept history @default './.relay-data' */
  dataDir: string
  /** the built web app to serve @default apps/web/dist */
  webRoot: string
  /** STUN/TURN URLs handed to browsers for WebRTC, after the relay's own STUN responder @default [] */
  iceServers: string[]
  /**
   * UDP port of the relay's STUN responder (0 picks a free port); absent: no STUN responder. The command line's
   * default is 3478 (`DEFAULT_STUN_PORT`), and `--stun-port 0` turns it off. @default none
   */
  stunPort?: number
  /** the TURN server's shared secret: each TURN URL in `iceServers` is handed out with a time-limited credential @default none */
  turnSecret?: string
  /** seconds a minted TURN credential stays valid @default 43200 */
  turnTtlSeconds?: number
  /** most inbound connections the relay holds at once, open or in their handshake @default 8192 */
  maxConnections?: number
  /** most circuit-relay reservations the relay holds at once @default 8192 */
  maxReservations?: number
  // limits (limits*.ts): each refusal is logged (DEBUG=p2p-chat:relay:limits) and counted
  /** most inbound connections from one IP address, open or in their handshake @default 32 */
  maxConnectionsPerIp?: number
  /** most inbound handshakes under way at once @default 16 */
  maxPendingConnections?: number
  /** ms of event-loop delay above which fewer handshakes run at once (down to one); 0 = always the most @default 25 */
  admissionDelayMs?: number
  /** inbound connections that may wait for a handshake slot (each up to 3 s); more are refused @default 2048 */
  maxQueuedConnections?: number
  /** most inbound handshakes under way or waiting for a slot from one IP address @default 8 */
  maxPendingPerIp?: number
  /** new inbound connections a second from one IP address, and the burst allowed @default 10 */
  connectionRatePerIp?: number
  /** seconds an inbound connection may take to finish its handshake, from the moment it gets a slot @default 5 */
  handshakeTimeoutSeconds?: number
  /** most reservations held by peers connected from one IP address @default 8 */
  maxReservationsPerIp?: number
  /** seconds one relayed connection may stay open @default 600 */
  circuitDurationSeconds?: number
  /** bytes one relayed connection may carry in each direction @default 1048576 */
  circuitDataBytes?: number
  /** most rooms the relay follows @default 4096 */
  maxRooms?: number
  /** most rooms one peer's subscriptions make the relay follow @default 32 */
  maxRoomsPerPeer?: number
  /** room messages one peer may publish (or be first to deliver) a second; more are ignored @default 20 */
  publishRate?: number
  /** ...and in a burst @default 50 */
  publishBurst?: number
  /** most DHT provider records (room announcements) kept @default 16384 */
  dhtMaxProviders?: number
  /** most DHT provider records kept for one key (one room) @default 256 */
  dhtMaxProvidersPerKey?: number
  /** seconds a DHT provider record is kept after its last announcement @default 1800 */
  dhtProviderTtlSeconds?: number
  /** other relays to stay connected to (DHT and room gossip span them) @default [] */
  peers?: Multiaddr[]
  /** join the gossip of every room a connected peer is in (off: circuits, DHT and signalling only) @default true */
  followRooms?: boolean
  /** keep the rooms' lines (in `<dataDir>/history.sqlite`) and serve them to peers catching up @default true */
  history?: boolean
  /** lines kept per room @default 1000 */
  historyMaxMessages?: number
  /** days lines are kept @default 30 */
  historyMaxDays?: number
  /** the addresses the relay tells peers (identify, `/api/relay`) instead of its listen addresses @default [] */
  announce?: Multiaddr[]
  /** PEM certificate (chain) file: the WebSocket listener serves wss and the HTTP server HTTPS @default none */
  tlsCert?: string
  /** PEM private key file of `tlsCert` @default none */
  tlsKey?: string
  /** `text` (lines for people) or `json` (JSON lines) @default 'text' */
  logFormat?: LogFormat
  /** least severe level logged: error, warn, info, debug @default 'info' */
  logLevel?: LogLevel
}

/** The environment variable that may hold the TURN shared secret itself (read when no `--turn-secret-file` is named). */
export const TURN_SECRET_ENV = 'P2P_CHAT_TURN_SECRET'

/** Makes a value an option was given into what {@link RelayOptions} holds; throws {@link ConfigError} saying what it must be. */
type Parse<T> = (value: string) => T

/**
 * One option of the relay: a flag (`--name`), also its key in a `--config` file, an environment variable, the
 * {@link RelayOptions} field it sets, its default and how its value is read. `--help`, the self-hosting guide's
 * table (test/docs.spec.ts), the config file's keys and the checks all derive from {@link OPTIONS}.
 */
export interface OptionSpec {
  /** the environment variable that gives it when no flag does */
  env: string
  /** what it does, for `--help` and the guide (the default is added) */
  help: string
  /** the field of {@link RelayOptions} it sets (none: `--config`, read first) */
  field?: keyof RelayOptions
  /** its value when given nowhere, as a flag would give it (none: the field stays unset) */
  default?: string
  /** how `--help` states the default when not as {@link default} (e.g. `none`, `on`) */
  shown?: string
  /** repeatable (a list): the flag given again, the environment variable comma-separated, a list in the file */
  multiple?: boolean
  /** reads one value (each item of a list) */
  parse: Parse<unknown>
}

/** Thrown by a {@link Parse}; {@link parseConfig} makes it a {@link ConfigError} naming the flag and the value's source. */
class BadValue extends Error {}

function parsePort (value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new BadValue(`must be a port number from 0 to 65535, got "${value}"`)
  }
  return Number(value)
}

function parseCount (value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < 1) {
    throw new BadValue(`must be a positive whole number, got "${value}"`)
  }
  return Number(value)
}

/** A count where 0 means off. */
function parseCountOrOff (value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new BadValue(`must be a whole number, 0 for off, got "${value}"`)
  }
  return Number(value)
}

function parseIp (value: string): string {
  if (isIP(value) === 0) {
    throw new BadValue(`must be an IPv4 or IPv6 address such as 127.0.0.1, 0.0.0.0, ::1 or ::, got "${value}"`)
  }
  return value
}

function parseMultiaddr (value: string): Multiaddr {
  try {
    return multiaddr(value)
  } catch (err) {
    throw new BadValue(`must be a multiaddr, got "${value}": ${(err as Error).message}`)
  }
}

function parseRelayAddr (value: string): Multiaddr {
  const ma = parseMultiaddr(value)
  if (targetPeerId(ma) == null) {
    throw new BadValue(`must end with the relay's peer id (/p2p/<id>), got "${value}"`)
  }
  return ma
}

function parseIceServer (value: string): string {
  if (!/^(stun|stuns|turn|turns):/.test(value)) {
    throw new BadValue(`must be a STUN or TURN URL (scheme stun, stuns, turn or turns), got "${value}"`)
  }
  return value
}

function parseOnOff (value: string): boolean {
  if (value !== 'on' && value !== 'off') {
    throw new BadValue(`must be on or off, got "${value}"`)
  }
  return value === 'on'
}

function parseOneOf<T extends string> (allowed: readonly T[]): Parse<T> {
  return value => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new BadValue(`must be ${allowed.join(', ')}, got "${value}"`)
    }
    return value as T
  }
}

function readFile (path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new BadValue(`${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
}

/** Reads the TURN shared secret from its file: the whole file, without surrounding white space. */
function readTurnSecret (path: string): string {
  const secret = readFile(resolve(path)).trim()
  if (secret === '') {
    throw new BadValue(`${path} is empty: it must hold the TURN server's static-auth-secret`)
  }
  return secret
}

/** A duration kept in milliseconds, as the seconds an option gives it in. */
const seconds = (ms: number): string => String(ms / 1000)
const port = (env: string, field: keyof RelayOptions, fallback: number, help: string): OptionSpec => ({ env, field, default: String(fallback), help, parse: parsePort })
const count = (env: string, field: keyof RelayOptions, fallback: number | bigint | string, help: string): OptionSpec => ({ env, field, default: String(fallback), help, parse: parseCount })

/** Every option of the relay, by flag name (see {@link OptionSpec}). */
export const OPTIONS: Record<string, OptionSpec> = {
  host: { env: 'P2P_CHAT_HOST', field: 'host', default: DEFAULT_HOST, parse: parseIp, help: 'address to bind every public listener to, IPv4 or IPv6; :: is every address of both' },
  'http-port': port('P2P_CHAT_HTTP_PORT', 'httpPort', DEFAULT_HTTP_PORT, 'HTTP port for the web app, /api/relay and /healthz; 0 = any free port'),
  'metrics-port': port('P2P_CHAT_METRICS_PORT', 'metricsPort', DEFAULT_METRICS_PORT, 'admin HTTP port for /metrics (Prometheus) and /healthz; 0 = any free port'),
  'metrics-host': { env: 'P2P_CHAT_METRICS_HOST', field: 'metricsHost', default: DEFAULT_METRICS_HOST, parse: parseIp, help: 'address the admin port binds to; keep it off the internet' },
  'tcp-port': port('P2P_CHAT_TCP_PORT', 'tcpPort', DEFAULT_TCP_PORT, 'libp2p TCP port; 0 = any free port'),
  'ws-port': port('P2P_CHAT_WS_PORT', 'wsPort', DEFAULT_WS_PORT, 'libp2p WebSocket port; 0 = any free port'),
  'webrtc-port': port('P2P_CHAT_WEBRTC_PORT', 'webrtcDirectPort', DEFAULT_WEBRTC_DIRECT_PORT, 'libp2p WebRTC-direct UDP port; 0 = any free port'),
  'quic-port': port('P2P_CHAT_QUIC_PORT', 'quicPort', DEFAULT_QUIC_PORT, 'libp2p QUIC UDP port, for Node peers; 0 = any free port'),
  'data-dir': { env: 'P2P_CHAT_DATA_DIR', field: 'dataDir', default: DEFAULT_DATA_DIR, parse: value => resolve(value), help: 'directory for the relay\'s identity, DHT records and kept history' },
  'web-root': { env: 'P2P_CHAT_WEB_ROOT', field: 'webRoot', default: fileURLToPath(new URL('../../web/dist', import.meta.url)), shown: 'apps/web/dist', parse: value => resolve(value), help: 'directory of the built web app' },
  'ice-server': { env: 'P2P_CHAT_ICE_SERVERS', field: 'iceServers', multiple: true, shown: 'none', parse: parseIceServer, help: 'another STUN or TURN URL for browsers, after the relay\'s own STUN, e.g. turn:turn.example.org:3478?transport=udp; repeatable; env: comma-separated' },
  'stun-port': { env: 'P2P_CHAT_STUN_PORT', field: 'stunPort', default: String(DEFAULT_STUN_PORT), parse: value => parsePort(value) || undefined, help: 'UDP port of the relay\'s own STUN responder, which /api/relay hands browsers for NAT traversal; 0 = off' },
  'turn-secret-file': { env: 'P2P_CHAT_TURN_SECRET_FILE', field: 'turnSecret', shown: 'none', parse: readTurnSecret, help: `file holding the TURN server's shared secret (coturn's static-auth-secret): each turn:/turns: --ice-server is then handed out with a time-limited credential; without a file, env ${TURN_SECRET_ENV} may hold the secret itself` },
  'turn-ttl': count('P2P_CHAT_TURN_TTL', 'turnTtlSeconds', DEFAULT_TURN_TTL_S, 'seconds a TURN credential minted for a browser stays valid'),
  announce: { env: 'P2P_CHAT_ANNOUNCE', field: 'announce', multiple: true, shown: 'the listen addresses', parse: parseMultiaddr, help: 'multiaddr to tell peers instead of the listen addresses (behind NAT or a proxy), e.g. /dns4/chat.example.org/tcp/443/tls/ws; repeatable; env: comma-separated' },
  'tls-cert': { env: 'P2P_CHAT_TLS_CERT', field: 'tlsCert', shown: 'none', parse: value => resolve(value), help: 'PEM certificate file: WebSocket on --ws-port becomes wss, HTTP becomes HTTPS (with --tls-key)' },
  'tls-key': { env: 'P2P_CHAT_TLS_KEY', field: 'tlsKey', shown: 'none', parse: value => resolve(value), help: 'PEM private key file of --tls-cert' },
  'log-format': { env: 'P2P_CHAT_LOG_FORMAT', field: 'logFormat', default: 'text', parse: parseOneOf(LOG_FORMATS), help: `${LOG_FORMATS.join(' or ')}: lines for people, or JSON lines` },
  'log-level': { env: 'P2P_CHAT_LOG_LEVEL', field: 'logLevel', default: 'info', parse: parseOneOf(LOG_LEVELS), help: `${LOG_LEVELS.join(', ')} ; DEBUG=libp2p:* for libp2p's own logs` },
  config: { env: 'P2P_CHAT_CONFIG', shown: 'none', parse: value => value, help: 'JSON file of options, keys named like the flags: {"http-port": 8080, "peer": ["/ip4/…"]}; flags, then environment variables, win over it' },
  'max-connections': count('P2P_CHAT_MAX_CONNECTIONS', 'maxConnections', DEFAULT_MAX_CONNECTIONS, 'most inbound connections held at once, open or in their handshake'),
  'max-reservations': count('P2P_CHAT_MAX_RESERVATIONS', 'maxReservations', DEFAULT_MAX_RESERVATIONS, 'most circuit-relay reservations held at once; more are answered RESERVATION_REFUSED'),
  'max-connections-per-ip': count('P2P_CHAT_MAX_CONNECTIONS_PER_IP', 'maxConnectionsPerIp', DEFAULT_MAX_CONNECTIONS_PER_IP, 'most inbound connections from one IP address (IPv6: one /64), open or in their handshake; everyone behind one NAT shares it'),
  'max-pending-connections': count('P2P_CHAT_MAX_PENDING_CONNECTIONS', 'maxPendingConnections', DEFAULT_MAX_PENDING_CONNECTIONS, 'most inbound handshakes under way at once; more wait their turn'),
  'admission-delay': { env: 'P2P_CHAT_ADMISSION_DELAY', field: 'admissionDelayMs', default: String(DEFAULT_ADMISSION_DELAY_MS), parse: parseCountOrOff, help: 'ms of event-loop delay above which the relay halves the handshakes it runs at once (down to 1), growing back to --max-pending-connections while it keeps up; 0 = always --max-pending-connections' },
  'max-queued-connections': count('P2P_CHAT_MAX_QUEUED_CONNECTIONS', 'maxQueuedConnections', DEFAULT_MAX_QUEUED_CONNECTIONS, `inbound connections that may wait for a handshake slot, first come first served, each up to ${seconds(DEFAULT_ADMISSION_WAIT_MS)} s; more are refused`),
  'max-pending-per-ip': count('P2P_CHAT_MAX_PENDING_PER_IP', 'maxPendingPerIp', DEFAULT_MAX_PENDING_PER_IP, 'most inbound handshakes under way or waiting for a slot from one IP address'),
  'connection-rate-per-ip': count('P2P_CHAT_CONNECTION_RATE_PER_IP', 'connectionRatePerIp', DEFAULT_CONNECTION_RATE_PER_IP, 'new inbound connections a second from one IP address, and the burst allowed'),
  'handshake-timeout': count('P2P_CHAT_HANDSHAKE_TIMEOUT', 'handshakeTimeoutSeconds', DEFAULT_HANDSHAKE_TIMEOUT_S, 'seconds an inbound connection may take to finish its handshake, from the moment it gets a slot, before it is closed'),
  'max-reservations-per-ip': count('P2P_CHAT_MAX_RESERVATIONS_PER_IP', 'maxReservationsPerIp', DEFAULT_MAX_RESERVATIONS_PER_IP, 'most circuit-relay reservations held by peers connected from one IP address; more are answered RESERVATION_REFUSED'),
  'circuit-duration': count('P2P_CHAT_CIRCUIT_DURATION', 'circuitDurationSeconds', seconds(DEFAULT_CIRCUIT_DURATION_MS), 'seconds one relayed connection may stay open'),
  'circuit-data': count('P2P_CHAT_CIRCUIT_DATA', 'circuitDataBytes', DEFAULT_CIRCUIT_DATA_BYTES, 'bytes one relayed connection may carry in each direction before it is reset'),
  'max-rooms': count('P2P_CHAT_MAX_ROOMS', 'maxRooms', DEFAULT_MAX_ROOMS, 'most rooms the relay follows'),
  'max-rooms-per-peer': count('P2P_CHAT_MAX_ROOMS_PER_PEER', 'maxRoomsPerPeer', DEFAULT_MAX_ROOMS_PER_PEER, 'most rooms one peer\'s subscriptions make the relay follow'),
  'publish-rate': count('P2P_CHAT_PUBLISH_RATE', 'publishRate', DEFAULT_PUBLISH_RATE, 'room messages one peer may publish (or be first to deliver) a second; more are ignored, not forwarded; what a --peer relay forwards counts for its authors only'),
  'publish-burst': count('P2P_CHAT_PUBLISH_BURST', 'publishBurst', DEFAULT_PUBLISH_BURST, 'room messages one peer may publish in a burst'),
  'dht-max-providers': count('P2P_CHAT_DHT_MAX_PROVIDERS', 'dhtMaxProviders', DEFAULT_DHT_MAX_PROVIDERS, 'most DHT provider records (room announcements) kept'),
  'dht-max-providers-per-key': count('P2P_CHAT_DHT_MAX_PROVIDERS_PER_KEY', 'dhtMaxProvidersPerKey', DEFAULT_DHT_MAX_PROVIDERS_PER_KEY, 'most DHT provider records kept for one key, i.e. one room'),
  'dht-provider-ttl': count('P2P_CHAT_DHT_PROVIDER_TTL', 'dhtProviderTtlSeconds', DEFAULT_DHT_PROVIDER_TTL_S, 'seconds a DHT provider record is kept after its last announcement; members announce every 600'),
  peer: { env: 'P2P_CHAT_PEERS', field: 'peers', multiple: true, shown: 'none', parse: parseRelayAddr, help: 'another relay to stay connected to, a multiaddr ending in /p2p/<id>; repeatable; env: comma-separated' },
  'follow-rooms': { env: 'P2P_CHAT_FOLLOW_ROOMS', field: 'followRooms', default: 'on', parse: parseOnOff, help: 'on: carry the gossip of every room a peer joins; off: only circuits, DHT, signalling' },
  history: { env: 'P2P_CHAT_HISTORY', field: 'history', default: 'on', parse: parseOnOff, help: 'on: keep the lines of the rooms followed and serve them to late joiners (private rooms: ciphertext only), and put a public room\'s newest into the page at its link; off: keep nothing' },
  'history-max-messages': count('P2P_CHAT_HISTORY_MAX_MESSAGES', 'historyMaxMessages', DEFAULT_HISTORY_MAX_MESSAGES, 'lines kept per room'),
  'history-max-days': count('P2P_CHAT_HISTORY_MAX_DAYS', 'historyMaxDays', DEFAULT_HISTORY_MAX_DAYS, 'days lines are kept')
}

/** An option's help with its default, as `--help` and the guide print it. */
export function optionHelp (spec: OptionSpec): string {
  return `${spec.help} (default ${spec.shown ?? spec.default ?? 'none'})`
}

export const USAGE = `Usage: pnpm relay [options]

Starts the P2P Chat relay: a libp2p node (TCP, QUIC, WebSocket, WebRTC-direct; circuit relay, AutoNAT, DHT,
gossipsub) and an HTTP server for the web app. Every option also reads an environment variable and a key
of the --config file: a flag wins over the environment, which wins over the file, which wins over the default.

Options:
${Object.entries(OPTIONS).map(([name, spec]) => `  --${name.padEnd(16)} ${optionHelp(spec)}\n  ${''.padEnd(19)} env ${spec.env}`).join('\n')}
  --help             show this text
`

/** Describes a JSON value for an error message. */
function jsonType (value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`
}

/**
 * Reads a JSON config file: an object whose keys are flag names (`"http-port"`, `"peer"`) and whose values
 * are strings, numbers or true/false (`"on"`/`"off"` flags), or lists of strings for repeatable flags.
 * Returns each value as the string a flag would have given (`values`), and as written (`written`). Throws
 * {@link ConfigError} (its `flag` is `config`) for anything else.
 */
export function readConfigFile (path: string): { values: Record<string, string | string[]>, written: Record<string, unknown> } {
  const fail = (message: string): ConfigError => new ConfigError(`--config ${path}: ${message}`, { flag: 'config' })
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw fail(`cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    throw fail(`not valid JSON: ${(err as Error).message}`)
  }
  if (data == null || typeof data !== 'object' || Array.isArray(data)) {
    throw fail('must hold a JSON object whose keys are flag names, such as {"http-port": 8080}')
  }
  const keys = Object.keys(OPTIONS).filter(name => name !== 'config')
  const values: Record<string, string | string[]> = {}
  for (const [key, value] of Object.entries(data)) {
    if (!keys.includes(key)) {
      throw fail(`unknown key "${key}"; the keys are the flags' names: ${keys.join(', ')}`)
    }
    if (OPTIONS[key]!.multiple === true) {
      if (!Array.isArray(value) || !value.every(item => typeof item === 'string')) {
        throw fail(`"${key}" must be a list of strings, not ${jsonType(value)}`)
      }
      values[key] = value
    } else if (typeof value === 'string') {
      values[key] = value
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      values[key] = String(value)
    } else if (typeof value === 'boolean') {
      values[key] = value ? 'on' : 'off'
    } else {
      throw fail(`"${key}" must be a string, a number or true/false, not ${jsonType(value)}`)
    }
  }
  return { values, written: data as Record<string, unknown> }
}

/** A {@link ConfigError} for option `name`; the message says where a value not given on the command line came from. */
function optionError (name: string, message: string, source?: string): ConfigError {
  return new ConfigError(`${message}${source == null || source === 'command line' ? '' : ` (from ${source})`}`, { flag: name, source })
}

/** Where an option's value came from, and what it was. */
interface Given {
  value: string | string[]
  /** `command line`, `environment variable X`, `config file F: "key": <as written>` */
  source: string
}

/**
 * Reads the relay's options from command-line arguments, falling back to environment variables, then to the
 * `--config` file (`P2P_CHAT_CONFIG`), then to the defaults ({@link OPTIONS}). Throws {@link ConfigError} for
 * anything it does not understand, with the option at fault (`flag`) and where its value came from (`source`).
 * Returns `undefined` for `--help`.
 */
export function parseConfig (argv: string[], env: Record<string, string | undefined> = {}): RelayOptions | undefined {
  let flags: Record<string, string | string[] | boolean | undefined>
  try {
    ({ values: flags } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.entries(OPTIONS).map(([name, spec]) => [name, { type: 'string' as const, multiple: spec.multiple ?? false }])),
        help: { type: 'boolean' }
      }
    }))
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}. Run with --help to list the options.`)
  }
  if (flags.help === true) {
    return undefined
  }
  // a flag, else its environment variable (unless empty; a list comma-separated), else the config file's key
  const given = (name: string, file?: ReturnType<typeof readConfigFile>, configPath?: string): Given | undefined => {
    const spec = OPTIONS[name]!
    const flag = flags[name]
    if (typeof flag === 'string' || Array.isArray(flag)) {
      return { value: flag, source: 'command line' }
    }
    const fromEnv = env[spec.env]?.trim()
    if (fromEnv != null && fromEnv !== '') {
      const value = spec.multiple === true ? fromEnv.split(',').map(s => s.trim()).filter(s => s !== '') : fromEnv
      return { value, source: `environment variable ${spec.env}` }
    }
    const fromFile = file?.values[name]
    return fromFile == null ? undefined : { value: fromFile, source: `config file ${configPath}: "${name}": ${JSON.stringify(file?.written[name])}` }
  }
  const read = <T>(name: string, parse: (value: string) => T, value: string, source?: string): T => {
    try {
      return parse(value)
    } catch (err) {
      if (!(err instanceof BadValue)) throw err
      throw optionError(name, `--${name} ${err.message}`, source)
    }
  }

  const config = given('config')
  const file = config == null ? undefined : readConfigFile(String(config.value))
  const options: Record<string, unknown> = {}
  const sources = new Map<string, string>()
  for (const [name, spec] of Object.entries(OPTIONS)) {
    if (spec.field == null) continue
    const value = given(name, file, String(config?.value))
    if (value != null) sources.set(name, value.source)
    if (spec.multiple === true) {
      const items = value == null ? [] : Array.isArray(value.value) ? value.value : [value.value]
      options[spec.field] = items.map(item => read(name, spec.parse, item, value?.source))
    } else if (value != null || spec.default != null) {
      options[spec.field] = read(name, spec.parse, String(value?.value ?? spec.default), value?.source)
    }
  }
  const relay = options as unknown as RelayOptions
  const fail = (name: string, message: string): ConfigError => optionError(name, message, sources.get(name))
  // the UDP ports: the STUN responder's must be its own
  for (const [flag, port] of [['webrtc-port', relay.webrtcDirectPort], ['quic-port', relay.quicPort]] as const) {
    if (relay.stunPort === port) {
      throw fail('stun-port', `--stun-port ${port} is --${flag} too: the STUN responder needs a UDP port of its own`)
    }
  }
  // TLS: both files or neither, readable, the key the certificate's
  if ((relay.tlsCert == null) !== (relay.tlsKey == null)) {
    const [missing, present] = relay.tlsCert == null ? ['tls-cert', 'tls-key'] : ['tls-key', 'tls-cert']
    throw fail(present, `--${present} needs --${missing} too: give both or neither`)
  }
  if (relay.tlsCert != null && relay.tlsKey != null) {
    const pem = {
      cert: read('tls-cert', readFile, relay.tlsCert, sources.get('tls-cert')),
      key: read('tls-key', readFile, relay.tlsKey, sources.get('tls-key'))
    }
    try {
      createSecureContext(pem)
    } catch (err) {
      throw fail('tls-cert', `--tls-cert and --tls-key must be a PEM certificate and its PEM private key (${(err as Error).message})`)
    }
  }
  const secretEnv = env[TURN_SECRET_ENV]?.trim()
  relay.turnSecret ??= secretEnv === '' ? undefined : secretEnv
  return relay
}

/** Something the options allow but that is likely not what the operator wants, said at start (level warn). */
export interface ConfigWarning {
  /** a short, stable name */
  event: string
  /** what to read in the log, and what to do about it */
  message: string
}

/** Whether an address the relay binds to is reachable from this machine only. */
function isLoopback (host: string): boolean {
  return host.startsWith('127.') || host === '::1' || host === 'localhost'
}

/** The warnings the relay logs at start for `options` (see {@link ConfigWarning}). */
export function configWarnings (options: RelayOptions): ConfigWarning[] {
  const warnings: ConfigWarning[] = []
  const turnUrls = options.iceServers.filter(isTurnUrl)
  if (turnUrls.length > 0 && options.turnSecret == null) {
    warnings.push({
      event: 'turn without credentials',
      message: `TURN servers (${turnUrls.join(', ')}) are handed to browsers without credentials, which TURN servers usually refuse: give their shared secret with --turn-secret-file (docs/SELF-HOSTING.md, "NAT traversal")`
    })
  }
  if (turnUrls.length === 0 && options.turnSecret != null) {
    warnings.push({
      event: 'turn secret unused',
      message: `a TURN secret is set (--turn-secret-file or ${TURN_SECRET_ENV}) but no --ice-server is a turn: or turns: URL, so no TURN credentials are handed out`
    })
  }
  if (options.tlsCert == null && !isLoopback(options.host)) {
    warnings.push({
      event: 'insecure origin',
      message: `the web app is served over plain HTTP on ${options.host}: browsers will refuse to start the chat from http://<anything but localhost> (WebCrypto needs a secure context). Serve it over HTTPS: --tls-cert and --tls-key, or a reverse proxy in front (docs/SELF-HOSTING.md, "TLS"); with such a proxy, ignore this`
    })
  }
  return warnings
}
