import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRoomId, createRoomSecret } from '@p2p-chat/shared'
import { describe, expect, it } from 'vitest'
import { parseCliConfig, readsRoomFromStdin } from '../src/config.js'

describe('cli configuration', () => {
  const id = createRoomId()

  it('takes a room link: the room id and the relay origin come from it', () => {
    const options = parseCliConfig(['--room', `http://127.0.0.1:8080/r/${id}`, '--name', 'Carol'])!
    expect(options).toMatchObject({ roomId: id, origin: 'http://127.0.0.1:8080', name: 'Carol', relays: [] })
    expect(options.secret).toBeUndefined()
  })

  it('takes a private room link: the secret comes from its fragment', () => {
    const secret = createRoomSecret()
    expect(parseCliConfig(['--room', `http://127.0.0.1:8080/r/${id}#${secret}`])).toMatchObject({ roomId: id, secret })
    expect(() => parseCliConfig(['--room', `http://127.0.0.1:8080/r/${id}#damaged`])).toThrow(expect.objectContaining({ name: 'CliConfigError', message: expect.stringContaining('secret') }))
  })

  it('reads the room link from standard input (--room -) or a file (--room-file), keeping the secret out of argv', () => {
    const secret = createRoomSecret()
    const link = `http://127.0.0.1:8080/r/${id}#${secret}`
    expect(readsRoomFromStdin(['--room', '-', '--name', 'Carol'])).toBe(true)
    expect(readsRoomFromStdin(['--room', link])).toBe(false)
    expect(parseCliConfig(['--room', '-'], { stdinLine: `  ${link}\r` })).toMatchObject({ roomId: id, secret, origin: 'http://127.0.0.1:8080' })
    expect(() => parseCliConfig(['--room', '-'], { stdinLine: '' })).toThrow(expect.objectContaining({ name: 'CliConfigError', message: expect.stringContaining('standard input') }))
    expect(() => parseCliConfig(['--room', '-'])).toThrow(expect.objectContaining({ name: 'CliConfigError' }))

    const dir = mkdtempSync(join(tmpdir(), 'p2p-chat-room-file-'))
    try {
      const file = join(dir, 'room.txt')
      writeFileSync(file, `\n${link}\nignored\n`, { mode: 0o600 })
      expect(parseCliConfig(['--room-file', file])).toMatchObject({ roomId: id, secret })
      writeFileSync(join(dir, 'empty.txt'), ' \n')
      for (const argv of [['--room-file', join(dir, 'empty.txt')], ['--room-file', join(dir, 'missing.txt')], ['--room-file', file, '--room', id]]) {
        expect(() => parseCliConfig(argv), argv.join(' ')).toThrow(expect.objectContaining({ name: 'CliConfigError' }))
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('never repeats a private room\'s secret in an error message', () => {
    const secret = createRoomSecret()
    for (const room of [`http://127.0.0.1:8080/x/${id}#${secret}`, `notalink#${secret}`]) {
      let message = ''
      try {
        parseCliConfig(['--room', room])
      } catch (err) {
        message = (err as Error).message
      }
      expect(message).toMatch(/^--room "/)
      expect(message).not.toContain(secret)
    }
  })

  it('takes a bare room id with a relay multiaddr, and generates a name', () => {
    const options = parseCliConfig(['--room', id, '--relay', '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf'])!
    expect(options.roomId).toBe(id)
    expect(options.relays.map(String)).toHaveLength(1)
    expect(options.name).toMatch(/^[a-z]+-[a-z]+-\d+$/)
  })

  it('listens on TCP and QUIC everywhere by default, with mDNS on and no relay server', () => {
    const options = parseCliConfig(['--room', id])!
    expect(options.listen.map(String)).toEqual(['/ip4/0.0.0.0/tcp/0', '/ip4/0.0.0.0/udp/0/quic-v1'])
    expect(options).toMatchObject({ relays: [], announce: [], mdns: true, relayServer: false })
  })

  it('takes a bare room id with no relay when mDNS is on (LAN only), not with --no-mdns', () => {
    expect(parseCliConfig(['--room', id])!.roomId).toBe(id)
    expect(() => parseCliConfig(['--room', id, '--no-mdns'])).toThrow(expect.objectContaining({ name: 'CliConfigError' }))
  })

  it('takes repeatable --listen and --announce, --no-mdns and --relay-server', () => {
    const options = parseCliConfig([
      '--room', id, '--relay', '/ip4/127.0.0.1/tcp/4001', '--listen', '/ip4/0.0.0.0/tcp/4011', '--listen', '/ip4/0.0.0.0/udp/4011/quic-v1',
      '--announce', '/ip4/11.0.0.2/tcp/4011', '--no-mdns', '--relay-server'
    ])!
    expect(options.listen.map(String)).toEqual(['/ip4/0.0.0.0/tcp/4011', '/ip4/0.0.0.0/udp/4011/quic-v1'])
    expect(options.announce.map(String)).toEqual(['/ip4/11.0.0.2/tcp/4011'])
    expect(options).toMatchObject({ mdns: false, relayServer: true })
  })

  it('refuses what it cannot use with CliConfigError', () => {
    for (const argv of [[], ['--room', 'nonsense'], ['--room', 'http://x/r/short'], ['--room', id, '--no-mdns'], ['--room', id, '--relay', 'not-an-addr'],
      ['--room', id, '--listen', 'nope'], ['--room', id, '--announce', 'nope'], ['--room', id, '--bogus']]) {
      expect(() => parseCliConfig(argv), argv.join(' ')).toThrow(expect.objectContaining({ name: 'CliConfigError' }))
    }
    expect(parseCliConfig(['--help'])).toBeUndefined()
  })
})
