import { multiaddr } from '@multiformats/multiaddr'
import { RELAY_INFO_PATH } from './constants.js'
import { InvalidRelayInfoError, RelayUnreachableError } from './errors.js'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * A STUN or TURN server for WebRTC's ICE, as `RTCIceServer` has it: TURN servers come with a username and a
 * credential (time-limited ones minted by the relay, in the coturn REST-API scheme).
 */
export interface IceServer {
  /** `stun:`, `stuns:`, `turn:` or `turns:` URLs */
  urls: string[]
  username?: string
  credential?: string
}

/**
 * The body of the relay's `GET /api/relay`: who the relay is and where a browser can reach it.
 */
export interface RelayInfo {
  /** the relay's peer id */
  peerId: string
  /** every address the relay listens on, each ending in `/p2p/<peerId>` */
  multiaddrs: string[]
  /**
   * STUN/TURN servers for WebRTC: the relay's own STUN responder, and whatever its operator adds. A relay of
   * an older version sends plain URL strings, read here as servers without credentials.
   */
  iceServers: IceServer[]
}

const ICE_URL = /^(stun|stuns|turn|turns):[^\s]+$/

/** Reads one entry of `iceServers`: a URL string, or an object with `urls` and optional credentials. */
function parseIceServer (value: unknown): IceServer {
  if (typeof value === 'string') {
    value = { urls: [value] }
  }
  if (typeof value !== 'object' || value == null) {
    throw new InvalidRelayInfoError('Relay info iceServers holds something that is not an ICE server')
  }
  const { urls, username, credential } = value as Record<string, unknown>
  const list = typeof urls === 'string' ? [urls] : urls
  if (!Array.isArray(list) || list.length === 0 || !list.every(u => typeof u === 'string' && ICE_URL.test(u))) {
    throw new InvalidRelayInfoError('Relay info has an ICE server whose urls are not STUN or TURN URLs')
  }
  if ((username != null && typeof username !== 'string') || (credential != null && typeof credential !== 'string')) {
    throw new InvalidRelayInfoError('Relay info has an ICE server whose username or credential is not a string')
  }
  return {
    urls: list as string[],
    ...(username == null ? {} : { username }),
    ...(credential == null ? {} : { credential })
  }
}

/** Validates an untrusted `/api/relay` body; throws {@link InvalidRelayInfoError}. */
export function parseRelayInfo (body: unknown): RelayInfo {
  if (typeof body !== 'object' || body == null) {
    throw new InvalidRelayInfoError('Relay info is not a JSON object')
  }
  const { peerId, multiaddrs, iceServers } = body as Record<string, unknown>
  if (typeof peerId !== 'string' || peerId === '') {
    throw new InvalidRelayInfoError('Relay info has no peerId')
  }
  if (!Array.isArray(multiaddrs) || multiaddrs.length === 0 || !multiaddrs.every(a => typeof a === 'string')) {
    throw new InvalidRelayInfoError('Relay info has no multiaddrs')
  }
  const servers = iceServers ?? []
  if (!Array.isArray(servers)) {
    throw new InvalidRelayInfoError('Relay info iceServers is not a list')
  }
  return { peerId, multiaddrs: multiaddrs as string[], iceServers: servers.map(parseIceServer) }
}

/** The relay's addresses as multiaddrs, skipping any that do not parse. */
export function relayMultiaddrs (info: RelayInfo): Multiaddr[] {
  return info.multiaddrs.flatMap(addr => {
    try {
      return [multiaddr(addr)]
    } catch {
      return []
    }
  })
}

/**
 * Asks a relay's web server how to reach the relay (`GET /api/relay`). Throws {@link RelayUnreachableError}
 * when it cannot be reached or answers with an error, {@link InvalidRelayInfoError} for a body it cannot use.
 */
export async function fetchRelayInfo (origin: string, signal?: AbortSignal): Promise<RelayInfo> {
  let response: Response
  try {
    response = await fetch(new URL(RELAY_INFO_PATH, origin), { signal, cache: 'no-store' })
  } catch (err) {
    throw new RelayUnreachableError(`cannot reach relay at ${origin}: ${(err as Error).message}`)
  }
  if (!response.ok) {
    throw new RelayUnreachableError(`relay at ${origin} answered ${response.status} ${response.statusText}`)
  }
  let body: unknown
  try {
    body = await response.json()
  } catch (err) {
    // a body that is not JSON (an empty one, a proxy's HTML page), or one cut off on the way
    throw (err as Error).name === 'SyntaxError'
      ? new InvalidRelayInfoError(`relay at ${origin} answered with a body that is not JSON: ${(err as Error).message}`)
      : new RelayUnreachableError(`cannot read the answer of the relay at ${origin}: ${(err as Error).message}`)
  }
  return parseRelayInfo(body)
}
