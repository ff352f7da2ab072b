import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { multiaddr } from '@multiformats/multiaddr'
import { generateDisplayName, isRoomId, isRoomSecret, parseRoute, validateName } from '@p2p-chat/shared'
import { DEFAULT_CLI_DATA_DIR, DEFAULT_LISTEN_ADDRS } from './constants.js'
import { CliConfigError } from './errors.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { IceServer } from '@p2p-chat/shared'

/** What `pnpm cli` is told. */
export interface CliOptions {
  roomId: string
  /** origin of the relay's web server, when the room was given as a link: `/api/relay` tells how to reach it */
  origin?: string
  /** a private room's secret: the link's fragment (after #) */
  secret?: string
  /** relay multiaddrs given with --relay */
  relays: Multiaddr[]
  name: string
  /** identity (LevelDB keychain) and history (SQLite) @default './.p2p-chat-cli' */
  dataDir: string
  /** where to listen: --listen, repeatable @default DEFAULT_LISTEN_ADDRS (TCP and QUIC on every interface) */
  listen: Multiaddr[]
  /** public addresses to announce besides the ones libp2p finds (a port forwarded on a NAT router): --announce */
  announce: Multiaddr[]
  /** find and dial peers on the local network with mDNS; --no-mdns turns it off @default true */
  mdns: boolean
  /** serve circuit relay v2 (hop) so others can reserve a slot on this peer: --relay-server @default false */
  relayServer: boolean
  /** STUN/TURN servers for WebRTC besides the relay's own: --ice-server, repeatable @default [] */
  iceServers: IceServer[]
}

export const CLI_USAGE = `Usage: pnpm cli --room <room link or id> [options]
       pnpm cli --room - [options] < link.txt     (the link is the first line of standard input)
       pnpm cli --room-file <file> [options]

Joins a P2P Chat room from the terminal. With a room link (http://host/r/<id>) the relay that serves it is
found through its /api/relay; with a bare room id, name a relay with --relay, or leave it out to chat on the
local network only (peers found with mDNS).

A private room's link carries its secret after #: anyone who reads the link can read the room. Given as --room
<link>, it shows in \`ps\` and in your shell history; pass it with --room - or --room-file instead.

Options:
  --room <link|id>      the room (this, or --room-file, is required); - reads it from standard input
  --room-file <file>    read the room link or id from the first line of a file
  --name <name>         display name (default: a generated one)
  --relay <multiaddr>   a relay to use, repeatable
  --listen <multiaddr>  where to listen, repeatable (default: ${DEFAULT_LISTEN_ADDRS.join(' and ')})
  --announce <multiaddr>
                        a public address to tell others, repeatable (e.g. a port forwarded on your router)
  --no-mdns             do not look for peers on the local network
  --relay-server        also be a circuit relay for others (they can reserve a slot on this peer)
  --ice-server <url>    a STUN or TURN server for WebRTC upgrades, repeatable (stun:host:port; a link's
                        relay names its own STUN server already)
  --data-dir <dir>      where the identity is kept (default ${DEFAULT_CLI_DATA_DIR})
  --help                show this text

The peer speaks TCP, QUIC, WebSockets and WebRTC, dials peers it finds on the LAN, asks relays (AutoNAT)
whether it is reachable, and upgrades relayed connections to direct ones: with DCUtR when one side is
reachable, with WebRTC (ICE through the relay's STUN server) when both are behind NATs.
Type to chat. Commands: /peers lists the room, /dm <name> <text> sends a private message, /status shows
reachability, addresses, relays and connections, /quit leaves.
`

function parseAddrs (flag: string, values: string[] | undefined): Multiaddr[] {
  try {
    return (values ?? []).map(addr => multiaddr(addr))
  } catch (err) {
    throw new CliConfigError(`--${flag} is not a multiaddr: ${(err as Error).message}`)
  }
}

/** `--room -`: the room link is read from standard input. */
export const ROOM_FROM_STDIN = '-'

const CLI_OPTIONS = {
  room: { type: 'string' },
  'room-file': { type: 'string' },
  name: { type: 'string' },
  relay: { type: 'string', multiple: true },
  listen: { type: 'string', multiple: true },
  announce: { type: 'string', multiple: true },
  'no-mdns': { type: 'boolean' },
  'relay-server': { type: 'boolean' },
  'ice-server': { type: 'string', multiple: true },
  'data-dir': { type: 'string' },
  help: { type: 'boolean' }
} as const

function parseCliArgs (argv: string[]) {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options: CLI_OPTIONS }).values
  } catch (err) {
    throw new CliConfigError(`${(err as Error).message}. Run with --help to list the options.`)
  }
}

/** Whether `argv` asks for the room link on standard input (`--room -`); false when it cannot be parsed. */
export function readsRoomFromStdin (argv: string[]): boolean {
  try {
    const values = parseCliArgs(argv)
    return values.room === ROOM_FROM_STDIN && values.help !== true
  } catch {
    return false
  }
}

/** The room link or id in a --room-file: its first line that is not blank. */
function readRoomFile (path: string): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new CliConfigError(`--room-file ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
  const line = text.split(/\r?\n/).map(l => l.trim()).find(l => l !== '')
  if (line == null) {
    throw new CliConfigError(`--room-file ${path}: it is empty; put the room link on its first line`)
  }
  return line
}

export interface CliConfigInit {
  /** for `--room -`: the first line of standard input (the caller reads it: see readsRoomFromStdin) */
  stdinLine?: string
}

/** Reads the CLI's options; throws {@link CliConfigError}; `undefined` for --help. */
export function parseCliConfig (argv: string[], init: CliConfigInit = {}): CliOptions | undefined {
  const values = parseCliArgs(argv)
  if (values.help === true) {
    return undefined
  }
  if (values.room != null && values['room-file'] != null) {
    throw new CliConfigError('give the room once: --room or --room-file, not both')
  }
  let room = values['room-file'] == null ? values.room : readRoomFile(values['room-file'])
  if (room === ROOM_FROM_STDIN) {
    room = init.stdinLine?.trim()
    if (room == null || room === '') {
      throw new CliConfigError('--room - reads the room link from the first line of standard input, which was empty')
    }
  }
  if (room == null) {
    throw new CliConfigError('--room is required: a room link such as http://127.0.0.1:8080/r/<id>, or a room id (or --room - to read it from standard input, or --room-file <file>)')
  }
  // a private room's link holds its secret: error messages name the room by its id, never by the link
  const shown = room.replace(/#.*$/, '#…')
  let roomId: string
  let origin: string | undefined
  let secret: string | undefined
  if (isRoomId(room)) {
    roomId = room
  } else {
    let url: URL
    try {
      url = new URL(room)
    } catch {
      throw new CliConfigError(`--room "${shown}" is neither a room link nor a room id`)
    }
    const route = parseRoute(url.pathname)
    if (route.page !== 'room') {
      throw new CliConfigError(`--room "${shown}" is not a room link: ${route.page === 'invalid' ? route.reason : 'it names no room'}`)
    }
    roomId = route.roomId
    origin = url.origin
    if (url.hash.length > 1) {
      secret = url.hash.slice(1)
      if (!isRoomSecret(secret)) {
        throw new CliConfigError(`--room "${shown}": the private room's secret after # is damaged`)
      }
    }
  }
  const relays = parseAddrs('relay', values.relay)
  const listen = parseAddrs('listen', values.listen ?? DEFAULT_LISTEN_ADDRS)
  const announce = parseAddrs('announce', values.announce)
  const mdns = values['no-mdns'] !== true
  if (origin == null && relays.length === 0 && !mdns) {
    throw new CliConfigError('with a bare room id and --no-mdns, name a relay with --relay <multiaddr> (or drop --no-mdns to chat on the LAN)')
  }
  const iceServers = (values['ice-server'] ?? []).map(url => {
    if (!/^(stun|stuns|turn|turns):\S+$/.test(url)) {
      throw new CliConfigError(`--ice-server must be a STUN or TURN URL (stun:host:port), got "${url}"`)
    }
    return { urls: [url] }
  })
  let name: string
  try {
    name = validateName(values.name ?? generateDisplayName())
  } catch (err) {
    throw new CliConfigError(`--name: ${(err as Error).message}`)
  }
  return {
    roomId,
    origin,
    secret,
    relays,
    name,
    dataDir: resolve(values['data-dir'] ?? DEFAULT_CLI_DATA_DIR),
    listen,
    announce,
    mdns,
    relayServer: values['relay-server'] === true,
    iceServers
  }
}
