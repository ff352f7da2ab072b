import { createRoomId } from '@p2p-chat/shared'
import { describe, expect, it } from 'vitest'
import { parseCliConfig } from '../src/config.js'

describe('cli configuration', () => {
  const id = createRoomId()

  it('takes a room link: the room id and the relay origin come from it', () => {
    const options = parseCliConfig(['--room', `http://127.0.0.1:8080/r/${id}`, '--name', 'Carol'])!
    expect(options).toMatchObject({ roomId: id, origin: 'http://127.0.0.1:8080', name: 'Carol', relays: [] })
  })

  it('takes a bare room id with a relay multiaddr, and generates a name', () => {
    const options = parseCliConfig(['--room', id, '--relay', '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf'])!
    expect(options.roomId).toBe(id)
    expect(options.relays.map(String)).toHaveLength(1)
    expect(options.name).toMatch(/^[a-z]+-[a-z]+-\d+$/)
  })

  it('refuses what it cannot use with CliConfigError', () => {
    for (const argv of [[], ['--room', 'nonsense'], ['--room', 'http://x/r/short'], ['--room', id], ['--room', id, '--relay', 'not-an-addr'], ['--room', id, '--bogus']]) {
      expect(() => parseCliConfig(argv), argv.join(' ')).toThrow(expect.objectContaining({ name: 'CliConfigError' }))
    }
    expect(parseCliConfig(['--help'])).toBeUndefined()
  })
})
