import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { multiaddr } from '@multiformats/multiaddr'
import {
  DEFAULT_DATA_DIR, DEFAULT_HISTORY_MAX_DAYS, DEFAULT_HISTORY_MAX_MESSAGES, DEFAULT_HOST, DEFAULT_HTTP_PORT, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_RESERVATIONS, DEFAULT_TCP_PORT,
  DEFAULT_WEBRTC_DIRECT_PORT, DEFAULT_WS_PORT
} from './constants.js'
import { ConfigError } from './errors.js'
import { targetPeerId } from './peers.js'
import type { Multiaddr } from '@multiformats/multiaddr'

/** What a relay is told at start. Every field has a default in `constants.ts`. */
export interface RelayOptions {
  /** address every listener binds to @default '127.0.0.1' */
  host: string
  /** HTTP port: the web app and `/api/relay` (0 picks a free port) @default 8080 */
  httpPort: number
  /** libp2p TCP port, for Node peers @default 4001 */
  tcpPort: number
  /** libp2p WebSocket port, for browsers @default 4002 */
  wsPort: number
  /** libp2p WebRTC-direct UDP port, for browsers that cannot use plain ws @default 4003 */
  webrtcDirectPort: number
  /** where the relay keeps its identity and peer store @default './.relay-data' */
  dataDir: string
  /** the built web app to serve @default apps/web/dist */
  webRoot: string
  /** STUN/TURN URLs handed to browsers for WebRTC @default [] */
  iceServers: string[]
  /** most connections the relay holds at once @default 1024 */
  maxConnections?: number
  /** most circuit-relay reservations the relay holds at once @default 512 */
  maxReservations?: number
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
}

interface Flag {
  env: string
  help: string
  multiple?: boolean
}

const FLAGS: Record<string, Flag> = {
  host: { env: 'P2P_CHAT_HOST', help: `address to bind every listener to (default ${DEFAULT_HOST})` },
  'http-port': { env: 'P2P_CHAT_HTTP_PORT', help: `HTTP port for the web app and /api/relay (default ${DEFAULT_HTTP_PORT}; 0 = any free port)` },
  'tcp-port': { env: 'P2P_CHAT_TCP_PORT', help: `libp2p TCP port (default ${DEFAULT_TCP_PORT}; 0 = any free port)` },
  'ws-port': { env: 'P2P_CHAT_WS_PORT', help: `libp2p WebSocket port (default ${DEFAULT_WS_PORT}; 0 = any free port)` },
  'webrtc-port': { env: 'P2P_CHAT_WEBRTC_PORT', help: `libp2p WebRTC-direct UDP port (default ${DEFAULT_WEBRTC_DIRECT_PORT}; 0 = any free port)` },
  'data-dir': { env: 'P2P_CHAT_DATA_DIR', help: `directory for the relay's identity and peer store (default ${DEFAULT_DATA_DIR})` },
  'web-root': { env: 'P2P_CHAT_WEB_ROOT', help: 'directory of the built web app (default apps/web/dist)' },
  'ice-server': { env: 'P2P_CHAT_ICE_SERVERS', help: 'STUN/TURN URL for browsers, repeatable; env: comma-separated (default none)', multiple: true },
  'max-connections': { env: 'P2P_CHAT_MAX_CONNECTIONS', help: `most connections held at once (default ${DEFAULT_MAX_CONNECTIONS})` },
  'max-reservations': { env: 'P2P_CHAT_MAX_RESERVATIONS', help: `most circuit-relay reservations held at once (default ${DEFAULT_MAX_RESERVATIONS})` },
  peer: { env: 'P2P_CHAT_PEERS', help: 'another relay to stay connected to, a multiaddr ending in /p2p/<id>; repeatable; env: comma-separated', multiple: true },
  'follow-rooms': { env: 'P2P_CHAT_FOLLOW_ROOMS', help: 'on: carry the gossip of every room a peer joins; off: only circuits, DHT, signalling (default on)' },
  history: { env: 'P2P_CHAT_HISTORY', help: 'on: keep the lines of the rooms followed and serve them to late joiners (private rooms: ciphertext only); off: keep nothing (default on)' },
  'history-max-messages': { env: 'P2P_CHAT_HISTORY_MAX_MESSAGES', help: `lines kept per room (default ${DEFAULT_HISTORY_MAX_MESSAGES})` },
  'history-max-days': { env: 'P2P_CHAT_HISTORY_MAX_DAYS', help: `days lines are kept (default ${DEFAULT_HISTORY_MAX_DAYS})` }
}

export const USAGE = `Usage: pnpm relay [options]

Starts the P2P Chat relay: a libp2p node (TCP, WebSocket, WebRTC-direct; circuit relay, AutoNAT, DHT,
gossipsub) and an HTTP server for the web app. Every option also reads an environment variable.

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

function defaultWebRoot (): string {
  return fileURLToPath(new URL('../../web/dist', import.meta.url))
}

/**
 * Reads the relay's options from command-line arguments, falling back to environment variables and then to
 * the defaults. Throws {@link ConfigError} for anything it does not understand. Returns `undefined` for
 * `--help`.
 */
export function parseConfig (argv: string[], env: Record<string, string | undefined> = {}): RelayOptions | undefined {
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
  const get = (name: string): string | undefined => {
    const value = values[name]
    return typeof value === 'string' ? value : env[FLAGS[name]!.env]
  }
  const host = get('host') ?? DEFAULT_HOST
  if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(host)) {
    throw new ConfigError(`--host must be an IPv4 address such as 127.0.0.1 or 0.0.0.0, got "${host}"`)
  }
  const list = (name: string): string[] => {
    const value = values[name]
    return Array.isArray(value) ? value : (env[FLAGS[name]!.env] ?? '').split(',').map(s => s.trim()).filter(s => s !== '')
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
    tcpPort: parsePort('tcp-port', get('tcp-port'), DEFAULT_TCP_PORT),
    wsPort: parsePort('ws-port', get('ws-port'), DEFAULT_WS_PORT),
    webrtcDirectPort: parsePort('webrtc-port', get('webrtc-port'), DEFAULT_WEBRTC_DIRECT_PORT),
    dataDir: resolve(get('data-dir') ?? DEFAULT_DATA_DIR),
    webRoot: resolve(get('web-root') ?? defaultWebRoot()),
    iceServers,
    maxConnections: parseCount('max-connections', get('max-connections'), DEFAULT_MAX_CONNECTIONS),
    maxReservations: parseCount('max-reservations', get('max-reservations'), DEFAULT_MAX_RESERVATIONS),
    peers,
    followRooms: onOff('follow-rooms'),
    history: onOff('history'),
    historyMaxMessages: parseCount('history-max-messages', get('history-max-messages'), DEFAULT_HISTORY_MAX_MESSAGES),
    historyMaxDays: parseCount('history-max-days', get('history-max-days'), DEFAULT_HISTORY_MAX_DAYS)
  }
}
