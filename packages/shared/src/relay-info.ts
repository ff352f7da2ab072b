import { multiaddr } from '@multiformats/multiaddr'
import { RELAY_INFO_PATH } from './constants.js'
import { InvalidRelayInfoError, RelayUnreachableError } from './errors.js'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * The body of the relay's `GET /api/relay`: who the relay is and where a browser can reach it.
 */
export interface RelayInfo {
  /** the relay's peer id */
  peerId: string
  /** every address the relay listens on, each ending in `/p2p/<peerId>` */
  multiaddrs: string[]
  /** STUN/TURN URLs the relay's operator hands to browsers for WebRTC; empty by default */
  iceServers: string[]
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
  if (!Array.isArray(servers) || !servers.every(s => typeof s === 'string')) {
    throw new InvalidRelayInfoError('Relay info iceServers is not a list of URLs')
  }
  return { peerId, multiaddrs: multiaddrs as string[], iceServers: servers as string[] }
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
  return parseRelayInfo(await response.json())
}
