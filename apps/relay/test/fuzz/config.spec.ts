import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fuzz, fuzzTestTimeout, outcomeOf, settle } from '@p2p-chat/shared/testing'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { OPTIONS, parseConfig, readConfigFile } from '../../src/config.js'
import type { RelayOptions } from '../../src/config.js'

const PEER = '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
const FILE_KEYS = Object.keys(OPTIONS).filter(name => name !== 'config')
/** A config file as an operator writes one (README, deploy/). */
const REAL_CONFIG = {
  host: '0.0.0.0',
  'http-port': 8080,
  'ice-server': ['stun:relay.example:3478'],
  announce: ['/dns4/relay.example/tcp/443/tls/ws'],
  peer: [PEER],
  'max-connections': 2048,
  'follow-rooms': true,
  history: 'off',
  'log-format': 'json'
}

/** Values a flag, an environment variable or a config key may be given: good ones, edge cases, garbage. */
const value = fc.oneof(
  fc.constantFrom('0', '1', '8080', '65535', '65536', '-1', '1.5', '1e3', '0x10', ' 7', '99999999999999999999', '', 'on', 'off', 'yes',
    'json', 'text', 'debug', '127.0.0.1', '0.0.0.0', '999.1.1.1', '::1', 'stun:x', 'turns:x:5349', 'http://x', PEER, '/ip4/1.2.3.4',
    '/p2p/x', '/dns4/a/tcp/1/tls/ws', 'not a multiaddr', '--help', '--', '-x', '\u0000', 'é'),
  fc.string({ maxLength: 24 })
)

/** A value each flag accepts, so that whole command lines get through now and then. */
function goodValue (name: string): fc.Arbitrary<string> {
  if (name.endsWith('-port')) return fc.integer({ min: 0, max: 65535 }).map(String)
  const choices: Record<string, string[]> = {
    host: ['127.0.0.1', '0.0.0.0'], 'ice-server': ['stun:relay.example:3478', 'turn:relay.example'], peer: [PEER], announce: ['/dns4/relay.example/tcp/443/tls/ws'],
    'follow-rooms': ['on', 'off'], history: ['on', 'off'], 'log-format': ['text', 'json'], 'log-level': ['error', 'warn', 'info', 'debug']
  }
  const known = choices[name]
  if (known != null) return fc.constantFrom(...known)
  if (name === 'data-dir' || name === 'web-root') return fc.string({ minLength: 1, maxLength: 12 })
  return fc.integer({ min: 1, max: 1_000_000 }).map(String)
}

/** JSON values of config keys: the types a file may hold and those it may not. */
const jsonValue = fc.oneof(value, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(value, { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 }))

/** Config file text: a real file with keys changed, added and dropped, sometimes cut short or not JSON at all. */
const fileText = fc.oneof(
  { weight: 6, arbitrary: fc.record({
    drop: fc.array(fc.constantFrom(...Object.keys(REAL_CONFIG)), { maxLength: 3 }),
    set: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...FILE_KEYS), fc.constantFrom('config', '__proto__', 'constructor', 'help', 'HTTP-PORT', '')), jsonValue), { maxLength: 4 })
  }).map(({ drop, set }) => {
    const config: Record<string, unknown> = { ...REAL_CONFIG }
    drop.forEach(key => { Reflect.deleteProperty(config, key) })
    // defineProperty: "__proto__" as a real key, as JSON.parse makes it
    set.forEach(([key, v]) => { Object.defineProperty(config, key, { value: v, enumerable: true, configurable: true, writable: true }) })
    return JSON.stringify(config)
  }) },
  { weight: 2, arbitrary: fc.tuple(fc.constant(JSON.stringify(REAL_CONFIG)), fc.nat(), fc.constantFrom('', '{', '}', '"', ',', '\uFEFF', 'x')).map(([text, at, s]) => text.slice(0, at % (text.length + 1)) + s + text.slice(at % (text.length + 1) + 1)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map(v => JSON.stringify(v) ?? '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) }
)

/** Every promise a parsed configuration makes to the code that starts the relay. */
function checkOptions (options: RelayOptions): void {
  expect(options.host).toMatch(/^(\d{1,3}\.){3}\d{1,3}$/)
  for (const port of [options.httpPort, options.tcpPort, options.wsPort, options.webrtcDirectPort, options.quicPort]) {
    expect(Number.isInteger(port) && port >= 0 && port <= 65535).toBe(true)
  }
  const counts = [options.maxConnections, options.maxReservations, options.maxConnectionsPerIp, options.maxPendingConnections, options.maxQueuedConnections, options.maxPendingPerIp,
    options.connectionRatePerIp, options.handshakeTimeoutSeconds, options.maxReservationsPerIp, options.circuitDurationSeconds, options.circuitDataBytes,
    options.maxRooms, options.maxRoomsPerPeer, options.publishRate, options.publishBurst, options.dhtMaxProviders, options.dhtMaxProvidersPerKey,
    options.dhtProviderTtlSeconds, options.historyMaxMessages, options.historyMaxDays]
  expect(counts.every(count => Number.isSafeInteger(count) && count! >= 1)).toBe(true)
  expect(options.iceServers.every(url => /^(stun|stuns|turn|turns):/.test(url))).toBe(true)
  expect(['text', 'json']).toContain(options.logFormat)
  expect(['error', 'warn', 'info', 'debug']).toContain(options.logLevel)
}

describe('fuzz: relay configuration', () => {
  // a file is written per case: in memory where the machine has a tmpfs (twenty times faster than disk here)
  const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'p2p-chat-fuzz-config-'))
  const file = join(dir, 'relay.json')

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it('readConfigFile refuses any file it cannot use with ConfigError, and hands on only strings and lists of strings', async () => {
    await fuzz('config-file', fileText, async (text) => {
      writeFileSync(file, text)
      const settled = await settle(() => readConfigFile(file), ['ConfigError'])
      if (settled.ok) {
        for (const [key, v] of Object.entries(settled.value.values)) {
          expect(FILE_KEYS).toContain(key)
          expect(typeof v === 'string' || (Array.isArray(v) && v.every(item => typeof item === 'string'))).toBe(true)
        }
      }
      return outcomeOf(settled)
    }, { runs: 3000 })
  }, fuzzTestTimeout())

  it('parseConfig refuses any flags, environment and file it cannot use with ConfigError; what it accepts is usable', async () => {
    const flag = fc.oneof(fc.constantFrom(...Object.keys(OPTIONS).filter(name => name !== 'config' && name !== 'tls-cert' && name !== 'tls-key')), fc.constantFrom('nope', 'h', ''))
    const argv = fc.array(fc.oneof(
      { weight: 6, arbitrary: flag.chain(name => goodValue(name).map(v => [`--${name}`, v])) },
      { weight: 2, arbitrary: fc.tuple(flag, value).map(([name, v]) => [`--${name}`, v]) },
      { weight: 1, arbitrary: fc.tuple(flag, value).map(([name, v]) => [`--${name}=${v}`]) },
      { weight: 1, arbitrary: value.map(v => [v]) }
    ), { maxLength: 5 }).map(pairs => pairs.flat())
    const envFlag = fc.constantFrom(...Object.keys(OPTIONS).filter(name => !['config', 'tls-cert', 'tls-key'].includes(name)))
    const env = fc.array(envFlag.chain(name => fc.tuple(fc.constant(OPTIONS[name]!.env), fc.oneof({ weight: 3, arbitrary: goodValue(name) }, { weight: 1, arbitrary: value }))), { maxLength: 4 })
      .map(entries => Object.fromEntries(entries))
    const inputs = fc.record({ argv, env, file: fc.option(fileText, { nil: undefined, freq: 2 }) })
    await fuzz('config-parse', inputs, async ({ argv, env, file: text }) => {
      if (text != null) {
        writeFileSync(file, text)
      }
      const settled = await settle(() => parseConfig(text == null ? argv : [...argv, '--config', file], env), ['ConfigError'])
      if (settled.ok && settled.value != null) {
        checkOptions(settled.value)
      }
      return settled.ok ? (settled.value == null ? 'help' : 'accepted') : outcomeOf(settled)
    }, { runs: 3000 })
  }, fuzzTestTimeout())
})
