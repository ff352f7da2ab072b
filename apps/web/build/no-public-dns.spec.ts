import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { NO_PUBLIC_DNS_MESSAGE, PublicResolversNotFoundError, withoutPublicDns } from './no-public-dns.js'
import { withRewrittenModule } from './rewritten-module.js'

/** @multiformats/dns's browser resolvers, the copy libp2p (which the web app bundles) resolves. */
function installedResolverModule (): string {
  const libp2p = createRequire(import.meta.url).resolve('libp2p')
  const dns = createRequire(libp2p).resolve('@multiformats/dns')
  return join(dirname(dns), 'resolvers', 'default.browser.js')
}

describe('no public DNS in the page', () => {
  it('replaces the browser\'s default resolvers (Cloudflare\'s and Google\'s DNS-over-HTTPS) with one that asks nobody', async () => {
    const path = installedResolverModule()
    const code = await readFile(path, 'utf8')
    expect(code).toContain('https://cloudflare-dns.com/dns-query')
    const out = withoutPublicDns(code, path)
    expect(out).not.toMatch(/https:|import /)

    // run as the page runs it: a lookup fails at once with the reason, and nothing is fetched
    await withRewrittenModule<{ defaultResolver: () => Array<(domain: string) => Promise<unknown>> }, void>(path, withoutPublicDns, async ({ defaultResolver }) => {
      const resolvers = defaultResolver()
      expect(resolvers).toHaveLength(1)
      await expect(resolvers[0]!('_dnsaddr.relay.example')).rejects.toThrow(`${NO_PUBLIC_DNS_MESSAGE}; not looked up: _dnsaddr.relay.example`)
    })
  })

  it('fails the build when @multiformats/dns no longer holds those resolvers', () => {
    expect(() => withoutPublicDns('export function defaultResolver () { return [] }', 'default.browser.js')).toThrow(PublicResolversNotFoundError)
  })
})
