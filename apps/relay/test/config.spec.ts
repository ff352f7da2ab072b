import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../src/config.js'
import {
  DEFAULT_HTTP_PORT, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_RESERVATIONS, DEFAULT_TCP_PORT, DEFAULT_WS_PORT
} from '../src/constants.js'

describe('relay configuration', () => {
  it('has a default for every option', () => {
    const options = parseConfig([])!
    expect(options).toMatchObject({ host: '127.0.0.1', httpPort: DEFAULT_HTTP_PORT, tcpPort: DEFAULT_TCP_PORT, wsPort: DEFAULT_WS_PORT, iceServers: [] })
    expect(options.dataDir).toBe(resolve('.relay-data'))
    expect(options.webRoot).toMatch(/apps\/web\/dist$/)
    expect(options).toMatchObject({ maxConnections: DEFAULT_MAX_CONNECTIONS, maxReservations: DEFAULT_MAX_RESERVATIONS })
  })

  it('reads flags, and environment variables where no flag is given', () => {
    const options = parseConfig(['--http-port', '0', '--data-dir', '/tmp/x'], { P2P_CHAT_HTTP_PORT: '9', P2P_CHAT_WS_PORT: '5555', P2P_CHAT_ICE_SERVERS: 'stun:a:3478, turn:b' })!
    expect(options).toMatchObject({ httpPort: 0, wsPort: 5555, dataDir: '/tmp/x', iceServers: ['stun:a:3478', 'turn:b'] })
  })

  it('reads the connection and reservation caps from flags or the environment', () => {
    expect(parseConfig(['--max-connections', '5000', '--max-reservations', '2500'])).toMatchObject({ maxConnections: 5000, maxReservations: 2500 })
    expect(parseConfig(['--max-reservations', '7'], { P2P_CHAT_MAX_CONNECTIONS: '64', P2P_CHAT_MAX_RESERVATIONS: '9' })).toMatchObject({ maxConnections: 64, maxReservations: 7 })
  })

  it('refuses caps that are not positive whole numbers', () => {
    for (const value of ['0', '-1', '1.5', 'many', '1e3', '99999999999999999999']) {
      expect(() => parseConfig(['--max-connections', value]), value).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining('--max-connections') }))
      expect(() => parseConfig([], { P2P_CHAT_MAX_RESERVATIONS: value }), value).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining('--max-reservations') }))
    }
  })

  it('reads peer relays and room following', () => {
    const peer = '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
    const options = parseConfig(['--peer', peer, '--follow-rooms', 'off'])!
    expect(options.peers?.map(String)).toEqual([peer])
    expect(options.followRooms).toBe(false)
    expect(parseConfig([], { P2P_CHAT_PEERS: `${peer}, ${peer}` })?.peers).toHaveLength(2)
    expect(parseConfig([])).toMatchObject({ peers: [], followRooms: true })
    for (const argv of [['--peer', '/ip4/127.0.0.1/tcp/4001'], ['--peer', 'relay.example'], ['--follow-rooms', 'yes']]) {
      expect(() => parseConfig(argv), argv.join(' ')).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(argv[0]!) }))
    }
  })

  it('keeps history unless told not to, within bounds it is given', () => {
    expect(parseConfig([])).toMatchObject({ history: true, historyMaxMessages: 1000, historyMaxDays: 30 })
    expect(parseConfig(['--history', 'off', '--history-max-messages', '50'], { P2P_CHAT_HISTORY_MAX_DAYS: '7' }))
      .toMatchObject({ history: false, historyMaxMessages: 50, historyMaxDays: 7 })
    for (const argv of [['--history', 'maybe'], ['--history-max-messages', '0'], ['--history-max-days', 'forever']]) {
      expect(() => parseConfig(argv), argv.join(' ')).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(argv[0]!) }))
    }
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
