import { moduleRewrite } from './module-rewrite.js'
import type { Plugin } from 'vite'

/** @multiformats/dns's resolvers for the browser, when none is given: public DNS-over-HTTPS services. */
const DEFAULT_RESOLVER_MODULE = /[\\/]@multiformats[\\/]dns[\\/]dist[\\/]src[\\/]resolvers[\\/]default\.browser\.js$/

/** What that module holds, as this build expects it: the two public services. */
const PUBLIC_RESOLVERS = ["dnsJsonOverHttps('https://cloudflare-dns.com/dns-query')", "dnsJsonOverHttps('https://dns.google/resolve')"]

/** Why a page refuses to look a name up, in the error its dial fails with. */
export const NO_PUBLIC_DNS_MESSAGE = 'the P2P Chat page asks no DNS-over-HTTPS service (Cloudflare, Google) for names: its relay and peers are dialled by address, or by a name the browser itself resolves (a WebSocket URL)'

/** @multiformats/dns no longer has the resolvers this build takes out: an update moved them; look again. */
export class PublicResolversNotFoundError extends Error {
  static override name = 'PublicResolversNotFoundError'
  override name = 'PublicResolversNotFoundError'
}

/**
 * The page's libp2p sends no DNS query to a third party. libp2p resolves `/dnsaddr` addresses itself, and in a
 * browser @multiformats/dns asks Cloudflare's and Google's DNS-over-HTTPS services for them: whoever put such an
 * address in a presence would have every page of the room tell those services what it looks up (P2P Chat gives
 * out none: its relay and peers are dialled by IP address, or by a `/dns4`/`/dns6` name inside a WebSocket URL,
 * which the browser resolves). The default resolver fails every query with {@link NO_PUBLIC_DNS_MESSAGE} instead,
 * and the DNS-over-HTTPS client and its queue (p-queue, ~3 KB gzip) leave the page's first script. The build
 * fails if the module is not as expected.
 */
export function withoutPublicDns (code: string, id: string): string {
  if (!PUBLIC_RESOLVERS.every(resolver => code.includes(resolver))) {
    throw new PublicResolversNotFoundError(`${id} does not hold ${PUBLIC_RESOLVERS.join(' and ')}: @multiformats/dns changed, look again`)
  }
  return `export function defaultResolver () {
  return [async domain => { throw new Error(${JSON.stringify(`${NO_PUBLIC_DNS_MESSAGE}; not looked up: `)} + domain) }]
}
`
}

/** The Vite plugin applying {@link withoutPublicDns} to @multiformats/dns's browser resolvers. */
export function noPublicDns (): Plugin {
  return moduleRewrite('p2p-chat-no-public-dns', DEFAULT_RESOLVER_MODULE, withoutPublicDns)
}
