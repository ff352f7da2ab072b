import { describe, expect, it } from 'vitest'
import { fetchRelayInfo, parseRelayInfo, relayMultiaddrs } from '../src/relay-info.js'

describe('relay info', () => {
  const good = { peerId: '12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf', multiaddrs: ['/ip4/127.0.0.1/tcp/4002/ws', 'garbage'] }

  it('accepts a well-formed body and defaults iceServers to none', () => {
    expect(parseRelayInfo(good)).toEqual({ ...good, iceServers: [] })
  })

  it('skips addresses that do not parse', () => {
    expect(relayMultiaddrs(parseRelayInfo(good)).map(String)).toEqual(['/ip4/127.0.0.1/tcp/4002/ws'])
  })

  it('refuses malformed bodies with InvalidRelayInfoError', () => {
    for (const body of [null, 'x', {}, { peerId: 'x' }, { peerId: 'x', multiaddrs: [] }, { peerId: 'x', multiaddrs: [1] }, { ...good, iceServers: 'stun:x' }]) {
      expect(() => parseRelayInfo(body)).toThrow(expect.objectContaining({ name: 'InvalidRelayInfoError' }))
    }
  })

  it('says the relay is unreachable with RelayUnreachableError', async () => {
    // port 1 on loopback: nothing listens there
    await expect(fetchRelayInfo('http://127.0.0.1:1')).rejects.toMatchObject({ name: 'RelayUnreachableError' })
  })
})
