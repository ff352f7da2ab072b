import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../src/config.js'
import { DEFAULT_HTTP_PORT, DEFAULT_TCP_PORT, DEFAULT_WS_PORT } from '../src/constants.js'

describe('relay configuration', () => {
  it('has a default for every option', () => {
    const options = parseConfig([])!
    expect(options).toMatchObject({ host: '127.0.0.1', httpPort: DEFAULT_HTTP_PORT, tcpPort: DEFAULT_TCP_PORT, wsPort: DEFAULT_WS_PORT, iceServers: [] })
    expect(options.dataDir).toBe(resolve('.relay-data'))
    expect(options.webRoot).toMatch(/apps\/web\/dist$/)
  })

  it('reads flags, and environment variables where no flag is given', () => {
    const options = parseConfig(['--http-port', '0', '--data-dir', '/tmp/x'], { P2P_CHAT_HTTP_PORT: '9', P2P_CHAT_WS_PORT: '5555', P2P_CHAT_ICE_SERVERS: 'stun:a:3478, turn:b' })!
    expect(options).toMatchObject({ httpPort: 0, wsPort: 5555, dataDir: '/tmp/x', iceServers: ['stun:a:3478', 'turn:b'] })
  })

  it('returns nothing for --help', () => {
    expect(parseConfig(['--help'])).toBeUndefined()
  })

  it('refuses bad values with ConfigError', () => {
    for (const argv of [['--http-port', '70000'], ['--tcp-port', 'abc'], ['--bogus'], ['--host', 'example.com'], ['--ice-server', 'http://x'], ['positional']]) {
      expect(() => parseConfig(argv), argv.join(' ')).toThrow(expect.objectContaining({ name: 'ConfigError' }))
    }
    expect(() => parseConfig([], { P2P_CHAT_WS_PORT: '-1' })).toThrow(expect.objectContaining({ name: 'ConfigError' }))
  })
})
