/**
 * The ICE servers `/api/relay` hands browsers for WebRTC: the relay's own STUN responder (`stun.ts`) first,
 * then the operator's `--ice-server` URLs. Given the TURN server's shared secret, each TURN URL comes with a
 * fresh time-limited credential, in coturn's REST-API scheme (`use-auth-secret` + `static-auth-secret`): the
 * username is `<unix expiry seconds>:p2p-chat` and the credential is base64(HMAC-SHA1(secret, username)), which
 * the TURN server checks with the same secret, and refuses once the expiry has passed.
 */

import { createHmac } from 'node:crypto'
import { DEFAULT_TURN_TTL_S, TURN_USER } from './constants.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { IceServer } from '@p2p-chat/shared'

export interface IceServersInit {
  /** the port the relay's STUN responder answers on; absent: the relay runs none, and lists none */
  stunPort?: number
  /** the address the relay binds to (`--host`): names the STUN server when nothing better does */
  host: string
  /** the relay's announced addresses (`--announce`): the first with a host names the STUN server @default [] */
  announce?: Multiaddr[]
  /** the operator's STUN and TURN URLs (`--ice-server`) @default [] */
  urls?: string[]
  /** the TURN server's shared secret: TURN URLs get time-limited credentials @default none (bare TURN URLs) */
  turnSecret?: string
  /** seconds a minted credential is valid @default 43200 */
  turnTtlSeconds?: number
  /** the clock, in milliseconds @default Date.now */
  now?: () => number
}

/** A TURN username and credential in coturn's REST-API scheme, valid until `expiresAt` (unix seconds). */
export function turnCredential (secret: string, expiresAt: number): { username: string, credential: string } {
  const username = `${expiresAt}:${TURN_USER}`
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') }
}

/** Whether an ICE URL names a TURN server (`turn:` or `turns:`). */
export function isTurnUrl (url: string): boolean {
  return /^turns?:/i.test(url)
}

/** The host of the first announced address that names one, as a URL writes it (an IPv6 address in brackets). */
function announcedHost (announce: Multiaddr[]): string | undefined {
  for (const addr of announce) {
    const first = addr.getComponents()[0]
    if (first?.value == null) continue
    if (first.name === 'ip6') return `[${first.value}]`
    if (first.name === 'ip4' || first.name === 'dns' || first.name === 'dns4' || first.name === 'dns6') return first.value
  }
  return undefined
}

/**
 * The host browsers are told to send STUN requests to: the first `--announce` address's host, else the host
 * the browser reached the relay's HTTP server by (`requestHost`, already validated, in URL form), else
 * `--host` unless it is a wildcard (which no browser can send to).
 */
export function stunHost (init: Pick<IceServersInit, 'announce' | 'host'>, requestHost?: string): string | undefined {
  const wildcard = init.host === '0.0.0.0' || init.host === '::'
  return announcedHost(init.announce ?? []) ?? requestHost ?? (wildcard ? undefined : init.host.includes(':') ? `[${init.host}]` : init.host)
}

/** The ICE servers for one `/api/relay` answer (`requestHost`: see {@link stunHost}). */
export function iceServersFor (init: IceServersInit, requestHost?: string): IceServer[] {
  const servers: IceServer[] = []
  const host = init.stunPort == null ? undefined : stunHost(init, requestHost)
  if (host != null) {
    servers.push({ urls: [`stun:${host}:${init.stunPort}`] })
  }
  const expiresAt = Math.floor((init.now ?? Date.now)() / 1000) + (init.turnTtlSeconds ?? DEFAULT_TURN_TTL_S)
  for (const url of init.urls ?? []) {
    servers.push(init.turnSecret != null && isTurnUrl(url)
      ? { urls: [url], ...turnCredential(init.turnSecret, expiresAt) }
      : { urls: [url] })
  }
  return servers
}
