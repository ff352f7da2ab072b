import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { configWarnings, parseConfig } from '../src/config.js'
import {
  DEFAULT_HTTP_PORT, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_RESERVATIONS, DEFAULT_METRICS_HOST, DEFAULT_METRICS_PORT, DEFAULT_STUN_PORT, DEFAULT_TCP_PORT,
  DEFAULT_TURN_TTL_S, DEFAULT_WS_PORT
} from '../src/constants.js'

describe('relay configuration', () => {
  it('has a default for every option', () => {
    const options = parseConfig([])!
    expect(options).toMatchObject({ host: '127.0.0.1', httpPort: DEFAULT_HTTP_PORT, tcpPort: DEFAULT_TCP_PORT, wsPort: DEFAULT_WS_PORT, iceServers: [] })
    expect(options.dataDir).toBe(resolve('.relay-data'))
    expect(options.webRoot).toMatch(/apps\/web\/dist$/)
    expect(options).toMatchObject({ maxConnections: DEFAULT_MAX_CONNECTIONS, maxReservations: DEFAULT_MAX_RESERVATIONS })
    expect(options).toMatchObject({ metricsPort: DEFAULT_METRICS_PORT, metricsHost: DEFAULT_METRICS_HOST })
    expect(DEFAULT_METRICS_HOST).toBe('127.0.0.1')
  })

  it('reads the admin listener\'s port and address, and IPv4 or IPv6 addresses to bind', () => {
    expect(parseConfig(['--metrics-port', '0', '--metrics-host', '10.0.0.5'])).toMatchObject({ metricsPort: 0, metricsHost: '10.0.0.5' })
    expect(parseConfig([], { P2P_CHAT_METRICS_PORT: '9100', P2P_CHAT_METRICS_HOST: '::1' })).toMatchObject({ metricsPort: 9100, metricsHost: '::1' })
    for (const host of ['0.0.0.0', '::', '::1', '2001:db8::7', '192.168.1.2']) {
      expect(parseConfig(['--host', host])).toMatchObject({ host })
    }
  })

  it('reads flags, and environment variables where no flag is given', () => {
    const options = parseConfig(['--http-port', '0', '--data-dir', '/tmp/x'], { P2P_CHAT_HTTP_PORT: '9', P2P_CHAT_WS_PORT: '5555', P2P_CHAT_ICE_SERVERS: 'stun:a:3478, turn:b' })!
    expect(options).toMatchObject({ httpPort: 0, wsPort: 5555, dataDir: '/tmp/x', iceServers: ['stun:a:3478', 'turn:b'] })
  })

  it('reads the connection and reservation caps from flags or the environment', () => {
    expect(parseConfig([])).toMatchObject({ maxConnections: 8192, maxReservations: 8192 })
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

  it('reads every limit from a flag or its environment variable, with its default otherwise, and refuses bad ones', () => {
    const limits = {
      'max-connections-per-ip': ['maxConnectionsPerIp', 'P2P_CHAT_MAX_CONNECTIONS_PER_IP', 32],
      'max-pending-connections': ['maxPendingConnections', 'P2P_CHAT_MAX_PENDING_CONNECTIONS', 16],
      'max-queued-connections': ['maxQueuedConnections', 'P2P_CHAT_MAX_QUEUED_CONNECTIONS', 2048],
      'max-pending-per-ip': ['maxPendingPerIp', 'P2P_CHAT_MAX_PENDING_PER_IP', 8],
      'connection-rate-per-ip': ['connectionRatePerIp', 'P2P_CHAT_CONNECTION_RATE_PER_IP', 10],
      'handshake-timeout': ['handshakeTimeoutSeconds', 'P2P_CHAT_HANDSHAKE_TIMEOUT', 5],
      'max-reservations-per-ip': ['maxReservationsPerIp', 'P2P_CHAT_MAX_RESERVATIONS_PER_IP', 8],
      'circuit-duration': ['circuitDurationSeconds', 'P2P_CHAT_CIRCUIT_DURATION', 600],
      'circuit-data': ['circuitDataBytes', 'P2P_CHAT_CIRCUIT_DATA', 1_048_576],
      'max-rooms': ['maxRooms', 'P2P_CHAT_MAX_ROOMS', 4096],
      'max-rooms-per-peer': ['maxRoomsPerPeer', 'P2P_CHAT_MAX_ROOMS_PER_PEER', 32],
      'publish-rate': ['publishRate', 'P2P_CHAT_PUBLISH_RATE', 20],
      'publish-burst': ['publishBurst', 'P2P_CHAT_PUBLISH_BURST', 50],
      'dht-max-providers': ['dhtMaxProviders', 'P2P_CHAT_DHT_MAX_PROVIDERS', 16_384],
      'dht-max-providers-per-key': ['dhtMaxProvidersPerKey', 'P2P_CHAT_DHT_MAX_PROVIDERS_PER_KEY', 256],
      'dht-provider-ttl': ['dhtProviderTtlSeconds', 'P2P_CHAT_DHT_PROVIDER_TTL', 1800]
    } as const
    const defaults = parseConfig([])!
    for (const [flag, [field, env, fallback]] of Object.entries(limits)) {
      expect(defaults[field], flag).toBe(fallback)
      expect(parseConfig([`--${flag}`, '7'])![field], flag).toBe(7)
      expect(parseConfig([], { [env]: '9' })![field], env).toBe(9)
      expect(parseConfig([`--${flag}`, '7'], { [env]: '9' })![field], flag).toBe(7)
      for (const bad of ['0', '-1', '2.5', 'lots']) {
        expect(() => parseConfig([`--${flag}`, bad]), `${flag} ${bad}`).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(`--${flag}`) }))
      }
    }
  })

  it('paces handshakes by an event-loop delay of 25 ms unless told another, or 0 (off)', () => {
    expect(parseConfig([])!.admissionDelayMs).toBe(25)
    expect(parseConfig(['--admission-delay', '0'])!.admissionDelayMs).toBe(0)
    expect(parseConfig([], { P2P_CHAT_ADMISSION_DELAY: '40' })!.admissionDelayMs).toBe(40)
    for (const bad of ['-1', '2.5', 'soon']) {
      expect(() => parseConfig(['--admission-delay', bad]), bad).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining('--admission-delay') }))
    }
  })

  it('returns nothing for --help', () => {
    expect(parseConfig(['--help'])).toBeUndefined()
  })

  it('refuses bad values with ConfigError', () => {
    for (const argv of [['--http-port', '70000'], ['--tcp-port', 'abc'], ['--bogus'], ['--host', 'example.com'], ['--host', '::g'], ['--host', '1.2.3.4.5'], ['--metrics-host', 'localhost'], ['--metrics-port', '-1'], ['--ice-server', 'http://x'], ['positional']]) {
      expect(() => parseConfig(argv), argv.join(' ')).toThrow(expect.objectContaining({ name: 'ConfigError' }))
    }
    expect(() => parseConfig([], { P2P_CHAT_WS_PORT: '-1' })).toThrow(expect.objectContaining({ name: 'ConfigError' }))
  })
})

describe('relay configuration file (--config)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p2p-chat-config-'))
  let n = 0
  const file = (content: unknown): string => {
    const path = join(dir, `relay-${n++}.json`)
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
    return path
  }
  const peer = '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
  afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

  it('reads options from a JSON file whose keys are the flags\' names', () => {
    const config = file({ 'http-port': 8081, 'data-dir': '/var/lib/p2p-chat', peer: [peer], 'follow-rooms': false, history: 'on', 'log-format': 'json', announce: ['/dns4/chat.example.org/tcp/443/tls/ws'] })
    const options = parseConfig(['--config', config])!
    expect(options).toMatchObject({ httpPort: 8081, dataDir: '/var/lib/p2p-chat', followRooms: false, history: true, logFormat: 'json' })
    expect(options.peers?.map(String)).toEqual([peer])
    expect(options.announce?.map(String)).toEqual(['/dns4/chat.example.org/tcp/443/tls/ws'])
    // everything it does not name keeps its default
    expect(options).toMatchObject({ tcpPort: DEFAULT_TCP_PORT, wsPort: DEFAULT_WS_PORT, logLevel: 'info' })
  })

  it('ranks a flag over an environment variable over the file over the default', () => {
    const config = file({ 'http-port': 1, 'tcp-port': 2, 'ws-port': 3, 'ice-server': ['stun:file'] })
    const options = parseConfig(['--config', config, '--http-port', '10'], { P2P_CHAT_HTTP_PORT: '20', P2P_CHAT_TCP_PORT: '21', P2P_CHAT_ICE_SERVERS: 'stun:env' })!
    expect(options).toMatchObject({ httpPort: 10, tcpPort: 21, wsPort: 3, webrtcDirectPort: 4003, iceServers: ['stun:env'] })
    // the file's path may come from the environment too
    expect(parseConfig([], { P2P_CHAT_CONFIG: config })).toMatchObject({ httpPort: 1, iceServers: ['stun:file'] })
    // an empty variable is no value
    expect(parseConfig(['--config', config], { P2P_CHAT_HTTP_PORT: '' })).toMatchObject({ httpPort: 1 })
  })

  it('refuses a file it cannot use with ConfigError, naming the file and the key', () => {
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'missing.json'), /cannot read it \(ENOENT\)/],
      [file('{ "http-port": 80,'), /not valid JSON/],
      [file([1, 2]), /must hold a JSON object/],
      [file({ 'htp-port': 80 }), /unknown key "htp-port"; the keys are the flags' names: host, http-port/],
      [file({ config: 'other.json' }), /unknown key "config"/],
      [file({ help: true }), /unknown key "help"/],
      [file({ peer: peer }), /"peer" must be a list of strings, not string/],
      [file({ 'ice-server': [1] }), /"ice-server" must be a list of strings/],
      [file({ host: ['127.0.0.1'] }), /"host" must be a string, a number or true\/false, not a list/],
      [file({ 'http-port': { port: 1 } }), /"http-port" must be a string, a number or true\/false, not an object/],
      [file({ 'http-port': null }), /not null/]
    ]
    for (const [path, message] of cases) {
      expect(() => parseConfig(['--config', path]), path).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringMatching(message) }))
      expect(() => parseConfig(['--config', path]), path).toThrow(expect.objectContaining({ message: expect.stringContaining(`--config ${path}`) }))
    }
  })

  it('says which option is at fault and where its value came from: the file, the environment or the command line', () => {
    const config = file({ 'http-port': true, 'follow-rooms': 'maybe' })
    expect(() => parseConfig(['--config', config, '--follow-rooms', 'on'])).toThrow(expect.objectContaining({
      name: 'ConfigError', flag: 'http-port', source: `config file ${config}: "http-port": true`
    }))
    expect(() => parseConfig(['--config', config, '--http-port', '1'])).toThrow(expect.objectContaining({ flag: 'follow-rooms', source: expect.stringMatching(/^config file /) }))
    expect(() => parseConfig([], { P2P_CHAT_LOG_LEVEL: 'loud' })).toThrow(expect.objectContaining({ flag: 'log-level', source: 'environment variable P2P_CHAT_LOG_LEVEL' }))
    expect(() => parseConfig(['--log-format', 'xml'])).toThrow(expect.objectContaining({ flag: 'log-format', source: 'command line' }))
    expect(() => parseConfig(['--peer', '/ip4/1.2.3.4/tcp/1'])).toThrow(expect.objectContaining({ flag: 'peer', source: 'command line' }))
    expect(() => parseConfig([], { P2P_CHAT_STUN_PORT: '4003', P2P_CHAT_WEBRTC_PORT: '4003' })).toThrow(expect.objectContaining({ flag: 'stun-port', source: 'environment variable P2P_CHAT_STUN_PORT' }))
    expect(() => parseConfig(['--config', join(dir, 'missing.json')])).toThrow(expect.objectContaining({ flag: 'config' }))
    // the message says the same for a person: a flag's own error needs no source
    expect(() => parseConfig(['--config', config, '--follow-rooms', 'on'])).toThrow(
      `--http-port must be a port number from 0 to 65535, got "on" (from config file ${config}: "http-port": true)`)
    expect(() => parseConfig(['--log-format', 'xml'])).toThrow(expect.objectContaining({ message: '--log-format must be text, json, got "xml"' }))
  })

  it('reads --announce, repeatable or comma-separated, and refuses what is not a multiaddr', () => {
    expect(parseConfig(['--announce', '/dns4/a.example/tcp/443/wss', '--announce', '/ip4/198.51.100.1/tcp/4001'])?.announce?.map(String))
      .toEqual(['/dns4/a.example/tcp/443/wss', '/ip4/198.51.100.1/tcp/4001'])
    expect(parseConfig([], { P2P_CHAT_ANNOUNCE: '/dns4/a.example/tcp/443/wss, /ip4/198.51.100.1/tcp/4001' })?.announce).toHaveLength(2)
    expect(parseConfig([])?.announce).toEqual([])
    expect(() => parseConfig(['--announce', 'chat.example.org'])).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining('--announce') }))
  })
})

describe('relay configuration: STUN and TURN', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p2p-chat-turn-'))
  afterAll(() => { rmSync(dir, { recursive: true, force: true }) })
  const secretFile = (content: string): string => {
    const path = join(dir, `secret-${Math.random().toString(36).slice(2)}`)
    writeFileSync(path, content)
    return path
  }

  it('answers STUN on 3478 unless told another port, or 0 for none', () => {
    expect(parseConfig([])).toMatchObject({ stunPort: DEFAULT_STUN_PORT, turnTtlSeconds: DEFAULT_TURN_TTL_S })
    expect(parseConfig(['--stun-port', '3479'])?.stunPort).toBe(3479)
    expect(parseConfig([], { P2P_CHAT_STUN_PORT: '3480' })?.stunPort).toBe(3480)
    expect(parseConfig(['--stun-port', '0'])?.stunPort).toBeUndefined()
    for (const argv of [['--stun-port', '65536'], ['--stun-port', 'stun'], ['--stun-port', '4003'], ['--stun-port', '5000', '--quic-port', '5000']]) {
      expect(() => parseConfig(argv), argv.join(' ')).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining('--stun-port') }))
    }
  })

  it('reads the TURN secret from its file (trimmed), or else from P2P_CHAT_TURN_SECRET', () => {
    const file = secretFile('s3cret-from-file\n')
    expect(parseConfig(['--turn-secret-file', file])?.turnSecret).toBe('s3cret-from-file')
    expect(parseConfig([], { P2P_CHAT_TURN_SECRET_FILE: file })?.turnSecret).toBe('s3cret-from-file')
    expect(parseConfig([], { P2P_CHAT_TURN_SECRET: ' s3cret-from-env ' })?.turnSecret).toBe('s3cret-from-env')
    expect(parseConfig(['--turn-secret-file', file], { P2P_CHAT_TURN_SECRET: 'other' })?.turnSecret).toBe('s3cret-from-file')
    expect(parseConfig([])?.turnSecret).toBeUndefined()
  })

  it('refuses an unreadable or empty secret file, and a TTL that is not a positive number, with ConfigError', () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['--turn-secret-file', join(dir, 'missing')], {}, /--turn-secret-file .*missing: cannot read it \(ENOENT\)/],
      [['--turn-secret-file', dir], {}, /--turn-secret-file .*: cannot read it \(EISDIR\)/],
      [['--turn-secret-file', secretFile(' \n')], {}, /--turn-secret-file .* is empty/],
      [[], { P2P_CHAT_TURN_SECRET_FILE: join(dir, 'missing') }, /cannot read it \(ENOENT\) \(from environment variable P2P_CHAT_TURN_SECRET_FILE\)/],
      [['--turn-ttl', '0'], {}, /--turn-ttl must be a positive whole number/],
      [['--turn-ttl', '-5'], {}, /--turn-ttl/],
      [['--turn-ttl', 'a day'], {}, /--turn-ttl/]
    ]
    for (const [argv, env, message] of cases) {
      expect(() => parseConfig(argv, env), argv.join(' ')).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringMatching(message) }))
    }
    expect(parseConfig(['--turn-ttl', '600'])?.turnTtlSeconds).toBe(600)
  })

  it('warns about TURN servers without a secret, a secret without TURN servers, and plain HTTP beyond loopback', () => {
    const events = (argv: string[], env: Record<string, string> = {}): string[] => configWarnings(parseConfig(argv, env)!).map(w => w.event)
    expect(events([])).toEqual([])
    expect(events(['--ice-server', 'stun:stun.example.org:3478'])).toEqual([])
    expect(events(['--ice-server', 'turn:turn.example.org:3478?transport=udp'])).toEqual(['turn without credentials'])
    expect(events(['--ice-server', 'turns:turn.example.org:5349'], { P2P_CHAT_TURN_SECRET: 'x' })).toEqual([])
    expect(events(['--ice-server', 'stun:stun.example.org:3478'], { P2P_CHAT_TURN_SECRET: 'x' })).toEqual(['turn secret unused'])
    expect(events(['--host', '0.0.0.0'])).toEqual(['insecure origin'])
    expect(events(['--host', '198.51.100.10'])).toEqual(['insecure origin'])
    expect(events(['--host', '127.0.0.2'])).toEqual([])
    const [warning] = configWarnings(parseConfig(['--host', '0.0.0.0'])!)
    expect(warning!.message).toMatch(/plain HTTP on 0\.0\.0\.0.*secure context.*--tls-cert.*SELF-HOSTING/)
  })
})
