import { once } from 'node:events'
import { createServer } from 'node:http'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fetchRelayInfo, parseRelayInfo, relayMultiaddrs } from '../../src/relay-info.js'
import { fuzz, fuzzTestTimeout, LIVE_MAX_RUNS, outcomeOf, settle } from '../../src/testing/index.js'
import type { RelayInfo } from '../../src/relay-info.js'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

const PEER = '12D3KooWLRPJAA5o6Z6gmhPnDNQUk7xGURWfQaaZCwxL9BpsRH9s'
/** What a relay answers at /api/relay (this version, and an older one with plain ICE URL strings). */
const BODIES: unknown[] = [
  {
    peerId: PEER,
    multiaddrs: [`/ip4/127.0.0.1/tcp/4002/ws/p2p/${PEER}`, `/ip4/127.0.0.1/udp/4003/webrtc-direct/certhash/uEiD/p2p/${PEER}`],
    iceServers: [{ urls: ['stun:127.0.0.1:3478'] }, { urls: 'turn:127.0.0.1:3478', username: '1700000000:peer', credential: 'c2VjcmV0' }]
  },
  { peerId: PEER, multiaddrs: [`/dns4/relay.example/tcp/443/tls/ws/p2p/${PEER}`], iceServers: ['stun:relay.example:3478'] },
  { peerId: PEER, multiaddrs: ['not a multiaddr'] }
]

/** JSON values in place of any part of a real body: fields dropped, replaced, or of the wrong type. */
function bodies (): fc.Arbitrary<unknown> {
  const anything = fc.jsonValue({ maxDepth: 3 })
  const replaceAt = (value: unknown, path: number[], replacement: unknown): unknown => {
    if (path.length === 0 || value == null || typeof value !== 'object') {
      return replacement
    }
    const entries = Object.entries(value)
    if (entries.length === 0) {
      return replacement
    }
    const [key, inner] = entries[path[0]! % entries.length]!
    const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...value }
    ;(copy as Record<string, unknown>)[key] = replaceAt(inner, path.slice(1), replacement)
    return copy
  }
  return fc.oneof(
    anything,
    fc.constantFrom(...BODIES),
    fc.tuple(fc.constantFrom(...BODIES), fc.array(fc.nat(), { maxLength: 4 }), fc.oneof(anything, fc.constantFrom(undefined, '', [], {}, 'stun:', 'http://x', ['turn:x'], 42))).map(([body, path, value]) => replaceAt(body, path, value))
  )
}

function checkInfo (info: RelayInfo): void {
  expect(typeof info.peerId).toBe('string')
  expect(info.multiaddrs.length).toBeGreaterThan(0)
  expect(info.multiaddrs.every(a => typeof a === 'string')).toBe(true)
  for (const server of info.iceServers) {
    expect(server.urls.length).toBeGreaterThan(0)
    expect(server.urls.every(u => /^(stun|stuns|turn|turns):\S+$/.test(u))).toBe(true)
    expect(server.username == null || typeof server.username === 'string').toBe(true)
    expect(server.credential == null || typeof server.credential === 'string').toBe(true)
  }
  // the addresses a page can dial: never throws, whatever the strings
  relayMultiaddrs(info)
}

describe('fuzz: /api/relay bodies', () => {
  it('parseRelayInfo refuses with InvalidRelayInfoError only, and what it accepts a page can use', async () => {
    await fuzz('relay-info', bodies(), async (body) => {
      const settled = await settle(() => parseRelayInfo(body), ['InvalidRelayInfoError'])
      if (settled.ok) {
        checkInfo(settled.value)
      }
      return outcomeOf(settled)
    }, { runs: 10_000 })
  }, fuzzTestTimeout())

  describe('from a real HTTP server', () => {
    let server: Server
    let origin: string
    let answer: { status: number, body: string } = { status: 200, body: '' }

    beforeAll(async () => {
      server = createServer((_req, res) => {
        res.writeHead(answer.status, { 'content-type': 'application/json' })
        res.end(answer.body)
      })
      server.listen(0, '127.0.0.1')
      await once(server, 'listening')
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    })

    afterAll(async () => {
      server?.closeAllConnections()
      await new Promise(resolve => server?.close(resolve))
    })

    it('fetchRelayInfo refuses any body or status with RelayUnreachableError or InvalidRelayInfoError', async () => {
      // JSON text of a body, cut short or with a character changed, now and then
      const text = fc.tuple(bodies(), fc.option(fc.tuple(fc.nat(), fc.constantFrom('', '{', '"', ']', '\u0000', 'x')), { nil: undefined })).map(([body, cut]) => {
        const json = JSON.stringify(body) ?? ''
        if (cut == null) return json
        const at = cut[0] % (json.length + 1)
        return json.slice(0, at) + cut[1] + json.slice(at + 1)
      })
      const answers = fc.record({ status: fc.oneof({ weight: 4, arbitrary: fc.constant(200) }, { weight: 1, arbitrary: fc.constantFrom(204, 301, 404, 500, 503) }), body: text })
      await fuzz('relay-info-fetch', answers, async (a) => {
        answer = a
        const settled = await settle(async () => fetchRelayInfo(origin), ['RelayUnreachableError', 'InvalidRelayInfoError'])
        if (settled.ok) {
          checkInfo(settled.value)
        }
        return outcomeOf(settled)
      }, { runs: 500, maxRuns: LIVE_MAX_RUNS })
    }, fuzzTestTimeout())
  })
})
