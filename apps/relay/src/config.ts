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
  DEFAULT_DHT_PROVIDER_TTL_S, DEFAULT_HANDSHAKE_TIMEOUT_S, DEFAULT_MAX_CONNECTIONS_PER_IP, DEFAULT_MAX_PENDING_CONNECTIONS, DEFAULT_MAX_PENDING_PER_IP,
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
  /** where the relay keeps its identity and peer store @default './.relay-data' */
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

export interface Flag {
  env: string
  help: string
  multiple?: boolean
}

/** Every option: its flag name (also its key in a --config file), environment variable and help text. */
export const FLAGS: Record<string, Flag> = {
  host: { env: 'P2P_CHAT_HOST', help: `address to bind every public listener to, IPv4 or IPv6; :: is every address of both (default ${DEFAULT_HOST})` },
  'http-port': { env: 'P2P_CHAT_HTTP_PORT', help: `HTTP port for the web app, /api/relay and /healthz (default ${DEFAULT_HTTP_PORT}; 0 = any free port)` },
  'metrics-port': { env: 'P2P_CHAT_METRICS_PORT', help: `admin HTTP port for /metrics (Prometheus) and /healthz (default ${DEFAULT_METRICS_PORT}; 0 = any free port)` },
  'metrics-host': { env: 'P2P_CHAT_METRICS_HOST', help: `address the admin port binds to; keep it off the internet (default ${DEFAULT_METRICS_HOST})` },
  'tcp-port': { env: 'P2P_CHAT_TCP_PORT', help: `libp2p TCP port (default ${DEFAULT_TCP_PORT}; 0 = any free port)` },
  'ws-port': { env: 'P2P_CHAT_WS_PORT', help: `libp2p WebSocket port (default ${DEFAULT_WS_PORT}; 0 = any free port)` },
  'webrtc-port': { env: 'P2P_CHAT_WEBRTC_PORT', help: `libp2p WebRTC-direct UDP port (default ${DEFAULT_WEBRTC_DIRECT_PORT}; 0 = any free port)` },
  'quic-port': { env: 'P2P_CHAT_QUIC_PORT', help: `libp2p QUIC UDP port, for Node peers (default ${DEFAULT_QUIC_PORT}; 0 = any free port)` },
  'data-dir': { env: 'P2P_CHAT_DATA_DIR', help: `directory for the relay's identity and peer store (default ${DEFAULT_DATA_DIR})` },
  'web-root': { env: 'P2P_CHAT_WEB_ROOT', help: 'directory of the built web app (default apps/web/dist)' },
  'ice-server': { env: 'P2P_CHAT_ICE_SERVERS', help: 'another STUN or TURN URL for browsers, after the relay\'s own STUN, e.g. turn:turn.example.org:3478?transport=udp; repeatable; env: comma-separated (default none)', multiple: true },
  'stun-port': { env: 'P2P_CHAT_STUN_PORT', help: `UDP port of the relay's own STUN responder, which /api/relay hands browsers for NAT traversal (default ${DEFAULT_STUN_PORT}; 0 = off)` },
  'turn-secret-file': { env: 'P2P_CHAT_TURN_SECRET_FILE', help: `file holding the TURN server's shared secret (coturn's static-auth-secret): each turn:/turns: --ice-server is then handed out with a time-limited credential; without a file, env ${TURN_SECRET_ENV} may hold the secret itself (default none)` },
  'turn-ttl': { env: 'P2P_CHAT_TURN_TTL', help: `seconds a TURN credential minted for a browser stays valid (default ${DEFAULT_TURN_TTL_S})` },
  announce: { env: 'P2P_CHAT_ANNOUNCE', help: 'multiaddr to tell peers instead of the listen addresses (behind NAT or a proxy), e.g. /dns4/chat.example.org/tcp/443/tls/ws; repeatable; env: comma-separated (default: the listen addresses)', multiple: true },
  'tls-cert': { env: 'P2P_CHAT_TLS_CERT', help: 'PEM certificate file: WebSocket on --ws-port becomes wss, HTTP becomes HTTPS (with --tls-key; default none)' },
  'tls-key': { env: 'P2P_CHAT_TLS_KEY', help: 'PEM private key file of --tls-cert (default none)' },
  'log-format': { env: 'P2P_CHAT_LOG_FORMAT', help: `${LOG_FORMATS.join(' or ')}: lines for people, or JSON lines (default text)` },
  'log-level': { env: 'P2P_CHAT_LOG_LEVEL', help: `${LOG_LEVELS.join(', ')} (default info; DEBUG=libp2p:* for libp2p's own logs)` },
  config: { env: 'P2P_CHAT_CONFIG', help: 'JSON file of options, keys named like the flags: {"http-port": 8080, "peer": ["/ip4/…"]}; flags, then environment variables, win over it (default none)' },
  'max-connections': { env: 'P2P_CHAT_MAX_CONNECTIONS', help: `most inbound connections held at once, open or in their handshake (default ${DEFAULT_MAX_CONNECTIONS})` },
  'max-reservations': { env: 'P2P_CHAT_MAX_RESERVATIONS', help: `most circuit-relay reservations held at once; more are answered RESERVATION_REFUSED (default ${DEFAULT_MAX_RESERVATIONS})` },
  'max-connections-per-ip': { env: 'P2P_CHAT_MAX_CONNECTIONS_PER_IP', help: `most inbound connections from one IP address (IPv6: one /64), open or in their handshake; everyone behind one NAT shares it (default ${DEFAULT_MAX_CONNECTIONS_PER_IP})` },
  'max-pending-connections': { env: 'P2P_CHAT_MAX_PENDING_CONNECTIONS', help: `most inbound handshakes under way at once; more wait their turn (default ${DEFAULT_MAX_PENDING_CONNECTIONS})` },
  'max-queued-connections': { env: 'P2P_CHAT_MAX_QUEUED_CONNECTIONS', help: `inbound connections that may wait for a handshake slot, first come first served, each up to ${DEFAULT_ADMISSION_WAIT_MS / 1000} s; more are refused (default ${DEFAULT_MAX_QUEUED_CONNECTIONS})` },
  'max-pending-per-ip': { env: 'P2P_CHAT_MAX_PENDING_PER_IP', help: `most inbound handshakes under way or waiting for a slot from one IP address (default ${DEFAULT_MAX_PENDING_PER_IP})` },
  'connection-rate-per-ip': { env: 'P2P_CHAT_CONNECTION_RATE_PER_IP', help: `new inbound connections a second from one IP address, and the burst allowed (default ${DEFAULT_CONNECTION_RATE_PER_IP})` },
  'handshake-timeout': { env: 'P2P_CHAT_HANDSHAKE_TIMEOUT', help: `seconds an inbound connection may take to finish its handshake, from the moment it gets a slot, before it is closed (default ${DEFAULT_HANDSHAKE_TIMEOUT_S})` },
  'max-reservations-per-ip': { env: 'P2P_CHAT_MAX_RESERVATIONS_PER_IP', help: `most circuit-relay reservations held by peers connected from one IP address; more are answered RESERVATION_REFUSED (default ${DEFAULT_MAX_RESERVATIONS_PER_IP})` },
  'circuit-duration': { env: 'P2P_CHAT_CIRCUIT_DURATION', help: `seconds one relayed connection may stay open (default ${DEFAULT_CIRCUIT_DURATION_MS / 1000})` },
  'circuit-data': { env: 'P2P_CHAT_CIRCUIT_DATA', help: `bytes one relayed connection may carry in each direction before it is reset (default ${DEFAULT_CIRCUIT_DATA_BYTES})` },
  'max-rooms': { env: 'P2P_CHAT_MAX_ROOMS', help: `most rooms the relay follows (default ${DEFAULT_MAX_ROOMS})` },
  'max-rooms-per-peer': { env: 'P2P_CHAT_MAX_ROOMS_PER_PEER', help: `most rooms one peer's subscriptions make the relay follow (default ${DEFAULT_MAX_ROOMS_PER_PEER})` },
  'publish-rate': { env: 'P2P_CHAT_PUBLISH_RATE', help: `room messages one peer may publish (or be first to deliver) a second; more are ignored, not forwarded; what a --peer relay forwards counts for its authors only (default ${DEFAULT_PUBLISH_RATE})` },
  'publish-burst': { env: 'P2P_CHAT_PUBLISH_BURST', help: `room messages one peer may publish in a burst (default ${DEFAULT_PUBLISH_BURST})` },
  'dht-max-providers': { env: 'P2P_CHAT_DHT_MAX_PROVIDERS', help: `most DHT provider records (room announcements) kept (default ${DEFAULT_DHT_MAX_PROVIDERS})` },
  'dht-max-providers-per-key': { env: 'P2P_CHAT_DHT_MAX_PROVIDERS_PER_KEY', help: `most DHT provider records kept for one key, i.e. one room (default ${DEFAULT_DHT_MAX_PROVIDERS_PER_KEY})` },
  'dht-provider-ttl': { env: 'P2P_CHAT_DHT_PROVIDER_TTL', help: `seconds a DHT provider record is kept after its last announcement; members announce every 600 (default ${DEFAULT_DHT_PROVIDER_TTL_S})` },
  peer: { env: 'P2P_CHAT_PEERS', help: 'another relay to stay connected to, a multiaddr ending in /p2p/<id>; repeatable; env: comma-separated', multiple: true },
  'follow-rooms': { env: 'P2P_CHAT_FOLLOW_ROOMS', help: 'on: carry the gossip of every room a peer joins; off: only circuits, DHT, signalling (default on)' },
  history: { env: 'P2P_CHAT_HISTORY', help: 'on: keep the lines of the rooms followed and serve them to late joiners (private rooms: ciphertext only); off: keep nothing (default on)' },
  'history-max-messages': { env: 'P2P_CHAT_HISTORY_MAX_MESSAGES', help: `lines kept per room (default ${DEFAULT_HISTORY_MAX_MESSAGES})` },
  'history-max-days': { env: 'P2P_CHAT_HISTORY_MAX_DAYS', help: `days lines are kept (default ${DEFAULT_HISTORY_MAX_DAYS})` }
}

export const USAGE = `Usage: pnpm relay [options]

Starts the P2P Chat relay: a libp2p node (TCP, QUIC, WebSocket, WebRTC-direct; circuit relay, AutoNAT, DHT,
gossipsub) and an HTTP server for the web app. Every option also reads an environment variable and a key
of the --config file: a flag wins over the environment, which wins over the file, which wins over the default.

Options:
${Object.entries(FLAGS).map(([name, f]) => `  --${name.padEnd(16)} ${f.help}\n  ${''.padEnd(19)} env ${f.env}`).join('\n')}
  --help             show this text
`

function parsePort (name: string, value: string | undefined, fallback: number): number {
  if (value == null || value === '') {
    return fallback
  }
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new ConfigError(`--${name} must be a port number from 0 to 65535, got "${value}"`)
  }
  return Number(value)
}

function parseCount (name: string, value: string | undefined, fallback: number): number {
  if (value == null || value === '') {
    return fallback
  }
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < 1) {
    throw new ConfigError(`--${name} must be a positive whole number, got "${value}"`)
  }
  return Number(value)
}

/** Describes a JSON value for an error message. */
function jsonType (value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`
}

/**
 * Reads a JSON config file: an object whose keys are flag names (`"http-port"`, `"peer"`) and whose values
 * are strings, numbers or true/false (`"on"`/`"off"` flags), or lists of strings for repeatable flags.
 * Returns each value as the string a flag would have given (`values`), and as written (`written`). Throws
 * {@link ConfigError} for anything else.
 */
export function readConfigFile (path: string): { values: Record<string, string | string[]>, written: Record<string, unknown> } {
  const where = `--config ${path}`
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ConfigError(`${where}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    throw new ConfigError(`${where}: not valid JSON: ${(err as Error).message}`)
  }
  if (data == null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(`${where}: must hold a JSON object whose keys are flag names, such as {"http-port": 8080}`)
  }
  const keys = Object.keys(FLAGS).filter(name => name !== 'config')
  const values: Record<string, string | string[]> = {}
  for (const [key, value] of Object.entries(data)) {
    if (!keys.includes(key)) {
      throw new ConfigError(`${where}: unknown key "${key}"; the keys are the flags' names: ${keys.join(', ')}`)
    }
    if (FLAGS[key]!.multiple === true) {
      if (!Array.isArray(value) || !value.every(item => typeof item === 'string')) {
        throw new ConfigError(`${where}: "${key}" must be a list of strings, not ${jsonType(value)}`)
      }
      values[key] = value
    } else if (typeof value === 'string') {
      values[key] = value
    } else if (typeof value === 'number' && Number.isFinite(value)) {
      values[key] = String(value)
    } else if (typeof value === 'boolean') {
      values[key] = value ? 'on' : 'off'
    } else {
      throw new ConfigError(`${where}: "${key}" must be a string, a number or true/false, not ${jsonType(value)}`)
    }
  }
  return { values, written: data as Record<string, unknown> }
}

/** Checks that the TLS files can be read and that the key is the certificate's. */
function checkTls (cert: string, key: string): void {
  const read = (flag: string, path: string): string => {
    try {
      return readFileSync(path, 'utf8')
    } catch (err) {
      throw new ConfigError(`--${flag} ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
    }
  }
  const pem = { cert: read('tls-cert', cert), key: read('tls-key', key) }
  try {
    createSecureContext(pem)
  } catch (err) {
    throw new ConfigError(`--tls-cert and --tls-key must be a PEM certificate and its PEM private key (${(err as Error).message})`)
  }
}

/** Reads the TURN shared secret from its file: the whole file, without surrounding white space. */
function readTurnSecret (path: string): string {
  let secret: string
  try {
    secret = readFileSync(path, 'utf8').trim()
  } catch (err) {
    throw new ConfigError(`--turn-secret-file ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
  if (secret === '') {
    throw new ConfigError(`--turn-secret-file ${path} is empty: it must hold the TURN server's static-auth-secret`)
  }
  return secret
}

/** Checks that the STUN responder's UDP port is not one that a libp2p UDP listener binds too. */
function checkUdpPorts (ports: { stun: number, webrtc: number, quic: number }): void {
  for (const [flag, port] of [['webrtc-port', ports.webrtc], ['quic-port', ports.quic]] as const) {
    if (ports.stun !== 0 && ports.stun === port) {
      throw new ConfigError(`--stun-port ${port} is --${flag} too: the STUN responder needs a UDP port of its own`)
    }
  }
}

function defaultWebRoot (): string {
  return fileURLToPath(new URL('../../web/dist', import.meta.url))
}

/**
 * Reads the relay's options from command-line arguments, falling back to environment variables, then to the
 * `--config` file (`P2P_CHAT_CONFIG`), then to the defaults. Throws {@link ConfigError} for anything it does
 * not understand, saying where a bad value came from. Returns `undefined` for `--help`.
 */
export function parseConfig (argv: string[], env: Record<string, string | undefined> = {}): RelayOptions | undefined {
  const sources = new Map<string, string>()
  try {
    return readOptions(argv, env, sources)
  } catch (err) {
    const flag = err instanceof ConfigError ? /^--([a-z0-9-]+)/.exec(err.message)?.[1] : undefined
    const source = flag == null ? undefined : sources.get(flag)
    throw source == null ? err : new ConfigError(`${(err as Error).message} (from ${source})`)
  }
}

/** {@link parseConfig}, noting in `sources` where each value not given as a flag came from. */
function readOptions (argv: string[], env: Record<string, string | undefined>, sources: Map<string, string>): RelayOptions | undefined {
  let values: Record<string, string | string[] | boolean | undefined>
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.entries(FLAGS).map(([name, f]) => [name, { type: 'string' as const, multiple: f.multiple ?? false }])),
        help: { type: 'boolean' }
      }
    }))
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}. Run with --help to list the options.`)
  }
  if (values.help === true) {
    return undefined
  }
  // a flag, else its environment variable (unless empty), else the config file's key, else undefined
  const fromEnv = (name: string): string | undefined => {
    const variable = FLAGS[name]!.env
    const value = env[variable]?.trim()
    if (value == null || value === '') {
      return undefined
    }
    sources.set(name, `environment variable ${variable}`)
    return value
  }
  const configPath = typeof values.config === 'string' ? values.config : fromEnv('config')
  const file = configPath == null ? { values: {}, written: {} } : readConfigFile(configPath)
  const fromFile = (name: string): string | string[] | undefined => {
    const value = file.values[name]
    if (value != null) {
      sources.set(name, `config file ${configPath}: "${name}": ${JSON.stringify(file.written[name])}`)
    }
    return value
  }
  const get = (name: string): string | undefined => {
    const value = values[name]
    if (typeof value === 'string') {
      return value
    }
    const fileValue = fromEnv(name) ?? fromFile(name)
    return typeof fileValue === 'string' ? fileValue : undefined
  }
  const ipAddress = (name: string, fallback: string): string => {
    const value = get(name) ?? fallback
    if (isIP(value) === 0) {
      throw new ConfigError(`--${name} must be an IPv4 or IPv6 address such as 127.0.0.1, 0.0.0.0, ::1 or ::, got "${value}"`)
    }
    return value
  }
  const host = ipAddress('host', DEFAULT_HOST)
  const list = (name: string): string[] => {
    const value = values[name]
    if (Array.isArray(value)) {
      return value
    }
    const envValue = fromEnv(name)
    if (envValue != null) {
      return envValue.split(',').map(s => s.trim()).filter(s => s !== '')
    }
    const fileValue = fromFile(name)
    return Array.isArray(fileValue) ? fileValue : []
  }
  const iceServers = list('ice-server')
  for (const url of iceServers) {
    if (!/^(stun|stuns|turn|turns):/.test(url)) {
      throw new ConfigError(`--ice-server must be a STUN or TURN URL (scheme stun, stuns, turn or turns), got "${url}"`)
    }
  }
  const peers = list('peer').map(addr => {
    let ma: Multiaddr
    try {
      ma = multiaddr(addr)
    } catch (err) {
      throw new ConfigError(`--peer "${addr}" is not a multiaddr: ${(err as Error).message}`)
    }
    if (targetPeerId(ma) == null) {
      throw new ConfigError(`--peer "${addr}" must end with the relay's peer id (/p2p/<id>)`)
    }
    return ma
  })
  const announce = list('announce').map(addr => {
    try {
      return multiaddr(addr)
    } catch (err) {
      throw new ConfigError(`--announce "${addr}" is not a multiaddr: ${(err as Error).message}`)
    }
  })
  const secretFile = get('turn-secret-file')
  const secretEnv = env[TURN_SECRET_ENV]?.trim()
  const turnSecret = secretFile != null ? readTurnSecret(resolve(secretFile)) : secretEnv === '' ? undefined : secretEnv
  const ports = {
    stun: parsePort('stun-port', get('stun-port'), DEFAULT_STUN_PORT),
    webrtc: parsePort('webrtc-port', get('webrtc-port'), DEFAULT_WEBRTC_DIRECT_PORT),
    quic: parsePort('quic-port', get('quic-port'), DEFAULT_QUIC_PORT)
  }
  checkUdpPorts(ports)
  const tlsCert = get('tls-cert')
  const tlsKey = get('tls-key')
  if ((tlsCert == null) !== (tlsKey == null)) {
    throw new ConfigError(`--${tlsCert == null ? 'tls-key' : 'tls-cert'} needs --${tlsCert == null ? 'tls-cert' : 'tls-key'} too: give both or neither`)
  }
  if (tlsCert != null && tlsKey != null) {
    checkTls(resolve(tlsCert), resolve(tlsKey))
  }
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = get(name) ?? fallback
    if (!(allowed as readonly string[]).includes(value)) {
      throw new ConfigError(`--${name} must be ${allowed.join(', ')}, got "${value}"`)
    }
    return value as T
  }
  const onOff = (name: string): boolean => {
    const value = get(name) ?? 'on'
    if (value !== 'on' && value !== 'off') {
      throw new ConfigError(`--${name} must be on or off, got "${value}"`)
    }
    return value === 'on'
  }
  return {
    host,
    httpPort: parsePort('http-port', get('http-port'), DEFAULT_HTTP_PORT),
    metricsPort: parsePort('metrics-port', get('metrics-port'), DEFAULT_METRICS_PORT),
    metricsHost: ipAddress('metrics-host', DEFAULT_METRICS_HOST),
    tcpPort: parsePort('tcp-port', get('tcp-port'), DEFAULT_TCP_PORT),
    wsPort: parsePort('ws-port', get('ws-port'), DEFAULT_WS_PORT),
    webrtcDirectPort: ports.webrtc,
    quicPort: ports.quic,
    dataDir: resolve(get('data-dir') ?? DEFAULT_DATA_DIR),
    webRoot: resolve(get('web-root') ?? defaultWebRoot()),
    iceServers,
    stunPort: ports.stun === 0 ? undefined : ports.stun,
    turnSecret,
    turnTtlSeconds: parseCount('turn-ttl', get('turn-ttl'), DEFAULT_TURN_TTL_S),
    maxConnections: parseCount('max-connections', get('max-connections'), DEFAULT_MAX_CONNECTIONS),
    maxReservations: parseCount('max-reservations', get('max-reservations'), DEFAULT_MAX_RESERVATIONS),
    maxConnectionsPerIp: parseCount('max-connections-per-ip', get('max-connections-per-ip'), DEFAULT_MAX_CONNECTIONS_PER_IP),
    maxPendingConnections: parseCount('max-pending-connections', get('max-pending-connections'), DEFAULT_MAX_PENDING_CONNECTIONS),
    maxQueuedConnections: parseCount('max-queued-connections', get('max-queued-connections'), DEFAULT_MAX_QUEUED_CONNECTIONS),
    maxPendingPerIp: parseCount('max-pending-per-ip', get('max-pending-per-ip'), DEFAULT_MAX_PENDING_PER_IP),
    connectionRatePerIp: parseCount('connection-rate-per-ip', get('connection-rate-per-ip'), DEFAULT_CONNECTION_RATE_PER_IP),
    handshakeTimeoutSeconds: parseCount('handshake-timeout', get('handshake-timeout'), DEFAULT_HANDSHAKE_TIMEOUT_S),
    maxReservationsPerIp: parseCount('max-reservations-per-ip', get('max-reservations-per-ip'), DEFAULT_MAX_RESERVATIONS_PER_IP),
    circuitDurationSeconds: parseCount('circuit-duration', get('circuit-duration'), DEFAULT_CIRCUIT_DURATION_MS / 1000),
    circuitDataBytes: parseCount('circuit-data', get('circuit-data'), Number(DEFAULT_CIRCUIT_DATA_BYTES)),
    maxRooms: parseCount('max-rooms', get('max-rooms'), DEFAULT_MAX_ROOMS),
    maxRoomsPerPeer: parseCount('max-rooms-per-peer', get('max-rooms-per-peer'), DEFAULT_MAX_ROOMS_PER_PEER),
    publishRate: parseCount('publish-rate', get('publish-rate'), DEFAULT_PUBLISH_RATE),
    publishBurst: parseCount('publish-burst', get('publish-burst'), DEFAULT_PUBLISH_BURST),
    dhtMaxProviders: parseCount('dht-max-providers', get('dht-max-providers'), DEFAULT_DHT_MAX_PROVIDERS),
    dhtMaxProvidersPerKey: parseCount('dht-max-providers-per-key', get('dht-max-providers-per-key'), DEFAULT_DHT_MAX_PROVIDERS_PER_KEY),
    dhtProviderTtlSeconds: parseCount('dht-provider-ttl', get('dht-provider-ttl'), DEFAULT_DHT_PROVIDER_TTL_S),
    peers,
    followRooms: onOff('follow-rooms'),
    history: onOff('history'),
    historyMaxMessages: parseCount('history-max-messages', get('history-max-messages'), DEFAULT_HISTORY_MAX_MESSAGES),
    historyMaxDays: parseCount('history-max-days', get('history-max-days'), DEFAULT_HISTORY_MAX_DAYS),
    announce,
    tlsCert: tlsCert == null ? undefined : resolve(tlsCert),
    tlsKey: tlsKey == null ? undefined : resolve(tlsKey),
    logFormat: oneOf('log-format', LOG_FORMATS, 'text'),
    logLevel: oneOf('log-level', LOG_LEVELS, 'info')
  }
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
