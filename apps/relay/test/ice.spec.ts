import { createHmac } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { DEFAULT_TURN_TTL_S } from '../src/constants.js'
import { requestHost } from '../src/http.js'
import { iceServersFor, stunHost, turnCredential } from '../src/ice.js'
import { useTestResources } from './helpers.js'
import type { IceServer } from '@p2p-chat/shared'

const { relay } = useTestResources()

const NOW_MS = Date.UTC(2026, 11, 1, 12, 0, 0)
const SECRET = 'north-west-passage'

/** coturn's `use-auth-secret` check, computed here on its own. */
function coturnPassword (secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64')
}

/** `GET /api/relay` with the given Host header (fetch would not send a made-up one). */
async function iceServersAt (url: string, host: string): Promise<IceServer[]> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL('/api/relay', url), { headers: { host } }, res => {
      let body = ''
      res.on('data', (chunk: Buffer) => { body += chunk.toString() })
      res.on('end', () => { resolve((JSON.parse(body) as { iceServers: IceServer[] }).iceServers) })
    })
    req.on('error', reject)
    req.end()
  })
}

describe('TURN credentials (coturn REST-API scheme)', () => {
  it('are `<expiry>:p2p-chat` and base64(HMAC-SHA1(secret, username))', () => {
    const expiresAt = NOW_MS / 1000 + 600
    expect(turnCredential(SECRET, expiresAt)).toEqual({ username: `${expiresAt}:p2p-chat`, credential: coturnPassword(SECRET, `${expiresAt}:p2p-chat`) })
    // a known answer, from `printf 1796126400:p2p-chat | openssl dgst -sha1 -hmac north-west-passage -binary | base64`
    expect(turnCredential(SECRET, 1796126400)).toEqual({ username: '1796126400:p2p-chat', credential: '7+jDcamymMcbR019HyBtnSDDuw8=' })
  })

  it('are minted for each TURN URL, expiring TTL seconds from now; STUN URLs stay bare', () => {
    const urls = ['stun:stun.example.org:3478', 'turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349?transport=tcp']
    const servers = iceServersFor({ host: '127.0.0.1', urls, turnSecret: SECRET, turnTtlSeconds: 3600, now: () => NOW_MS })
    const username = `${NOW_MS / 1000 + 3600}:p2p-chat`
    expect(servers).toEqual([
      { urls: [urls[0]] },
      { urls: [urls[1]], username, credential: coturnPassword(SECRET, username) },
      { urls: [urls[2]], username, credential: coturnPassword(SECRET, username) }
    ])
    // 12 hours by default
    expect(iceServersFor({ host: '127.0.0.1', urls, turnSecret: SECRET, now: () => NOW_MS })[1]!.username).toBe(`${NOW_MS / 1000 + DEFAULT_TURN_TTL_S}:p2p-chat`)
    // without a secret, handed out as given
    expect(iceServersFor({ host: '127.0.0.1', urls })).toEqual(urls.map(url => ({ urls: [url] })))
  })
})

describe('the STUN server /api/relay names', () => {
  const announce = (...addrs: string[]): ReturnType<typeof multiaddr>[] => addrs.map(a => multiaddr(a))

  it('is the first announced address that names a host, else the request\'s host, else --host unless a wildcard', () => {
    expect(stunHost({ host: '0.0.0.0', announce: announce('/dns4/chat.example.org/tcp/443/tls/ws', '/ip4/198.51.100.7/tcp/4001') }, 'other.example')).toBe('chat.example.org')
    expect(stunHost({ host: '0.0.0.0', announce: announce('/ip6/2001:db8::7/tcp/4001') })).toBe('[2001:db8::7]')
    expect(stunHost({ host: '0.0.0.0', announce: announce('/dns/chat.example.org/tcp/443/tls/ws') })).toBe('chat.example.org')
    expect(stunHost({ host: '0.0.0.0', announce: announce('/dns6/v6.example.org/tcp/443/tls/ws') })).toBe('v6.example.org')
    // an address without a host (a bare circuit) names none
    expect(stunHost({ host: '0.0.0.0', announce: announce('/p2p-circuit', '/ip4/198.51.100.7/udp/4003/webrtc-direct') })).toBe('198.51.100.7')
    expect(stunHost({ host: '0.0.0.0' }, 'chat.example.org')).toBe('chat.example.org')
    expect(stunHost({ host: '198.51.100.7' })).toBe('198.51.100.7')
    expect(stunHost({ host: '0.0.0.0' })).toBeUndefined()
  })

  it('comes first, on the STUN port, before the operator\'s servers; none without a port or a host', () => {
    const urls = ['stun:stun.example.org:3478']
    expect(iceServersFor({ host: '0.0.0.0', stunPort: 3478, urls }, 'chat.example.org')).toEqual([{ urls: ['stun:chat.example.org:3478'] }, { urls }])
    expect(iceServersFor({ host: '0.0.0.0', urls }, 'chat.example.org')).toEqual([{ urls }])
    expect(iceServersFor({ host: '0.0.0.0', stunPort: 3478, urls })).toEqual([{ urls }])
  })

  it('takes the request\'s Host only when it is an IP address or a DNS name', () => {
    const cases: Array<[string | undefined, string | undefined]> = [
      ['chat.example.org', 'chat.example.org'],
      ['Chat.Example.ORG:8443', 'chat.example.org'],
      ['chat.example.org.', 'chat.example.org'],
      ['localhost:8080', 'localhost'],
      ['198.51.100.7:8080', '198.51.100.7'],
      ['[2001:db8::7]:8080', '[2001:db8::7]'],
      ['[::1]', '[::1]'],
      [undefined, undefined],
      ['', undefined],
      [':8080', undefined],
      ['[fe80::1%25eth0]', undefined],
      ['[not-v6]', undefined],
      ['2001:db8::7', undefined],
      ['chat.example.org:8080:1', undefined],
      ['chat example.org', undefined],
      ['-chat.example.org', undefined],
      ['chat..example.org', undefined],
      ['1.2.3', undefined],
      ['999.1.1.1', undefined],
      ['x'.repeat(64) + '.example.org', undefined],
      ['a.'.repeat(127) + 'org', undefined],
      ['chat.example.org/evil', undefined],
      ['"><script>', undefined]
    ]
    for (const [header, host] of cases) {
      expect(requestHost(header), String(header)).toBe(host)
    }
  })

  it('follows the Host a browser used, and falls back to --host for a made-up one', async () => {
    const { relay: r } = await relay({ stunPort: 0 })
    const port = r.stunPort!
    expect(await iceServersAt(r.url, 'chat.example.org:8080')).toEqual([{ urls: [`stun:chat.example.org:${port}`] }])
    expect(await iceServersAt(r.url, '[2001:db8::7]')).toEqual([{ urls: [`stun:[2001:db8::7]:${port}`] }])
    expect(await iceServersAt(r.url, 'evil host')).toEqual([{ urls: [`stun:127.0.0.1:${port}`] }])
  })

  it('is the announced host when the relay announces one, whatever the Host', async () => {
    const { relay: r } = await relay({ stunPort: 0, announce: announce('/dns4/relay.example.net/tcp/443/tls/ws') })
    expect(await iceServersAt(r.url, 'chat.example.org')).toEqual([{ urls: [`stun:relay.example.net:${r.stunPort!}`] }])
  })

  it('comes with the operator\'s TURN servers, each with a fresh credential', async () => {
    const turn = 'turn:turn.example.org:3478?transport=udp'
    const { relay: r } = await relay({ iceServers: [turn], turnSecret: SECRET, turnTtlSeconds: 60 })
    const before = Math.floor(Date.now() / 1000)
    const [server] = await iceServersAt(r.url, 'chat.example.org')
    const expiresAt = Number(server!.username!.split(':')[0])
    expect(server).toEqual({ urls: [turn], username: `${expiresAt}:p2p-chat`, credential: coturnPassword(SECRET, `${expiresAt}:p2p-chat`) })
    expect(expiresAt - before).toBeGreaterThanOrEqual(60)
    expect(expiresAt - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(60)
  })
})

describe('the relay\'s warnings at start', () => {
  it('say, at level warn, that TURN servers without a secret will likely fail; a loopback relay has nothing else to warn about', async () => {
    const plain = await relay()
    expect(plain.logs.filter(l => l.level === 'warn')).toEqual([])
    const bare = await relay({ iceServers: ['turn:turn.example.org:3478?transport=udp'] })
    expect(bare.logs.filter(l => l.level === 'warn').map(l => l.event)).toEqual(['turn without credentials'])
  })
})
