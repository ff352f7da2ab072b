import { once } from 'node:events'
import { createServer } from 'node:http'
import { describe, expect, it } from 'vitest'
import { fetchRelayInfo, parseRelayInfo, relayMultiaddrs } from '../src/relay-info.js'
import type { AddressInfo } from 'node:net'

describe('relay info', () => {
  const good = { peerId: '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf', multiaddrs: ['/ip4/127.0.0.1/tcp/4002/ws', 'garbage'] }

  it('accepts a well-formed body and defaults iceServers to none', () => {
    expect(parseRelayInfo(good)).toEqual({ ...good, iceServers: [] })
  })

  it('reads ICE servers as objects, and the plain URL strings of older relays', () => {
    const turn = { urls: ['turn:t.example.org:3478?transport=udp'], username: '1700000000:p2p-chat', credential: 'c2VjcmV0' }
    expect(parseRelayInfo({ ...good, iceServers: ['stun:relay.example.org:3478', turn] }).iceServers).toEqual([
      { urls: ['stun:relay.example.org:3478'] },
      turn
    ])
    expect(parseRelayInfo({ ...good, iceServers: [{ urls: 'stun:a:3478' }] }).iceServers).toEqual([{ urls: ['stun:a:3478'] }])
  })

  it('skips addresses that do not parse', () => {
    expect(relayMultiaddrs(parseRelayInfo(good)).map(String)).toEqual(['/ip4/127.0.0.1/tcp/4002/ws'])
  })

  it('refuses malformed bodies with InvalidRelayInfoError', () => {
    for (const body of [null, 'x', {}, { peerId: 'x' }, { peerId: 'x', multiaddrs: [] }, { peerId: 'x', multiaddrs: [1] }, { ...good, iceServers: 'stun:x' },
      { ...good, iceServers: ['http://x'] }, { ...good, iceServers: [{ urls: [] }] }, { ...good, iceServers: [{ urls: ['stun:x'], username: 1 }] },
      { ...good, iceServers: [null] }]) {
      expect(() => parseRelayInfo(body)).toThrow(expect.objectContaining({ name: 'InvalidRelayInfoError' }))
    }
  })

  it('refuses a body that is not JSON with InvalidRelayInfoError', async () => {
    // found by the relay-info fuzzer (FUZZ_SEED=20261201): an empty 200 body made fetchRelayInfo throw a SyntaxError
    for (const body of ['', '<!doctype html><title>Bad gateway</title>', '{"peerId":']) {
      const server = createServer((_req, res) => { res.end(body) })
      server.listen(0, '127.0.0.1')
      await once(server, 'listening')
      try {
        const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
        await expect(fetchRelayInfo(origin)).rejects.toMatchObject({ name: 'InvalidRelayInfoError' })
      } finally {
        server.closeAllConnections()
        server.close()
      }
    }
  })

  it('says the relay is unreachable with RelayUnreachableError', async () => {
    // port 1 on loopback: nothing listens there
    await expect(fetchRelayInfo('http://127.0.0.1:1')).rejects.toMatchObject({ name: 'RelayUnreachableError' })
  })
})
