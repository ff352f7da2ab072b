import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { multiaddr } from '@multiformats/multiaddr'
import { generateDisplayName, isRoomId, parseRoute, validateName } from '@p2p-chat/shared'
import { CliConfigError } from './errors.js'
import type { Multiaddr } from '@multiformats/multiaddr'

export const DEFAULT_CLI_DATA_DIR = './.p2p-chat-cli'

/** What `pnpm cli` is told. */
export interface CliOptions {
  roomId: string
  /** origin of the relay's web server, when the room was given as a link: `/api/relay` tells how to reach it */
  origin?: string
  /** relay multiaddrs given with --relay */
  relays: Multiaddr[]
  name: string
  /** identity (LevelDB keychain) @default './.p2p-chat-cli' */
  dataDir: string
}

export const CLI_USAGE = `Usage: pnpm cli --room <room link or id> [--name <display name>] [--relay <multiaddr>] [--data-dir <dir>]

Joins a P2P Chat room from the terminal. With a room link (http://host/r/<id>) the relay that serves it is
found through its /api/relay; with a bare room id, name a relay with --relay (repeatable).
Type to chat; /peers lists the room; /dm <name> <text> sends a private message; /quit leaves.
`

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
  }
  let relays: Multiaddr[]
  try {
    relays = (values.relay ?? []).map(addr => multiaddr(addr))
  } catch (err) {
    throw new CliConfigError(`--relay is not a multiaddr: ${(err as Error).message}`)
  }
  if (origin == null && relays.length === 0) {
    throw new CliConfigError('with a bare room id, name a relay with --relay <multiaddr>')
  }
  let name: string
  try {
    name = validateName(values.name ?? generateDisplayName())
  } catch (err) {
    throw new CliConfigError(`--name: ${(err as Error).message}`)
  }
  return { roomId, origin, relays, name, dataDir: resolve(values['data-dir'] ?? DEFAULT_CLI_DATA_DIR) }
}
