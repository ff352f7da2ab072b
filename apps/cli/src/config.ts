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

Joins a P2P Chat room from the terminal. With a room link (http://host/r/<id>) the relay that serves it is
found through its /api/relay; with a bare room id, name a relay with --relay, or leave it out to chat on the
local network only (peers found with mDNS).

Options:
  --room <link|id>      the room (required)
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

/** Reads the CLI's options; throws {@link CliConfigError}; `undefined` for --help. */
export function parseCliConfig (argv: string[]): CliOptions | undefined {
  let values
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        room: { type: 'string' },
        name: { type: 'string' },
        relay: { type: 'string', multiple: true },
        listen: { type: 'string', multiple: true },
        announce: { type: 'string', multiple: true },
        'no-mdns': { type: 'boolean' },
        'relay-server': { type: 'boolean' },
        'ice-server': { type: 'string', multiple: true },
        'data-dir': { type: 'string' },
        help: { type: 'boolean' }
      }
    }))
  } catch (err) {
    throw new CliConfigError(`${(err as Error).message}. Run with --help to list the options.`)
  }
  if (values.help === true) {
    return undefined
  }
  const room = values.room
  if (room == null) {
    throw new CliConfigError('--room is required: a room link such as http://127.0.0.1:8080/r/<id>, or a room id')
  }
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
      throw new CliConfigError(`--room "${room}" is neither a room link nor a room id`)
    }
    const route = parseRoute(url.pathname)
    if (route.page !== 'room') {
      throw new CliConfigError(`--room "${room}" is not a room link: ${route.page === 'invalid' ? route.reason : 'it names no room'}`)
    }
    roomId = route.roomId
    origin = url.origin
    if (url.hash.length > 1) {
      secret = url.hash.slice(1)
      if (!isRoomSecret(secret)) {
        throw new CliConfigError(`--room "${room}": the private room's secret after # is damaged`)
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
