// @peculiar/x509 (which makes the test certificate) needs this polyfill loaded first, as @libp2p/webrtc does
import 'reflect-metadata'
import { execFile } from 'node:child_process'
import { webcrypto } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getCACertificates, setDefaultCACertificates } from 'node:tls'
import { fileURLToPath } from 'node:url'
import { identify } from '@libp2p/identify'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import * as x509 from '@peculiar/x509'
import { createLibp2p } from 'libp2p'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../src/config.js'
import { startTestRelay } from './helpers.js'
import type { TestRelay } from './helpers.js'
import type { Libp2p } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'

/** A self-signed certificate for 127.0.0.1, made here (no openssl, no network), as PEM files in `dir`. */
async function selfSignedCert (dir: string): Promise<{ cert: string, key: string, certPem: string, keyPem: string }> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=p2p-chat relay test',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 24 * 60 * 60 * 1000),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }, { type: 'dns', value: 'localhost' }])
    ]
  }, webcrypto as unknown as typeof globalThis.crypto)
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64')
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`
  const certPem = certificate.toString('pem')
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  await writeFile(cert, certPem)
  await writeFile(key, keyPem, { mode: 0o600 })
  return { cert, key, certPem, keyPem }
}

let dir: string
let tls: Awaited<ReturnType<typeof selfSignedCert>>
const systemCAs = getCACertificates('default')
let relays: TestRelay[] = []
let clients: Libp2p[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p2p-chat-tls-'))
  tls = await selfSignedCert(dir)
  // this process (its fetch and WebSocket, so the libp2p client too) trusts the test certificate, as a browser
  // trusts a real one
  setDefaultCACertificates([...systemCAs, tls.certPem])
})

afterAll(async () => {
  setDefaultCACertificates(systemCAs)
  await rm(dir, { recursive: true, force: true })
})

afterEach(async () => {
  await Promise.all(clients.map(async c => c.stop()))
  await Promise.all(relays.map(async r => r.cleanup()))
  relays = []
  clients = []
})

describe('a relay with a TLS certificate', () => {
  it('serves HTTPS and wss, lists the wss address at /api/relay, and a client dials it', async () => {
    const r = await startTestRelay({ tlsCert: tls.cert, tlsKey: tls.key })
    relays.push(r)
    expect(r.relay.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/)
    const body = await (await fetch(new URL('/api/relay', r.relay.url))).json() as { multiaddrs: string[] }
    const wss = body.multiaddrs.find(a => a.includes('/tls/ws/p2p/'))
    expect(wss).toBeDefined()
    expect(body.multiaddrs.some(a => /\/tcp\/\d+\/ws\//.test(a))).toBe(false)

    const client = await createLibp2p({
      transports: [webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: { denyDialMultiaddr: () => false },
      services: { identify: identify(), ping: ping() }
    })
    clients.push(client)
    const connection = await client.dial(multiaddr(wss!))
    expect(connection.remoteAddr.toString()).toContain('/tls/ws')
    expect(await (client.services.ping as Ping).ping(r.relay.node.peerId)).toBeGreaterThanOrEqual(0)
    // no key material in what the relay logs
    expect(JSON.stringify(r.logs)).not.toContain('PRIVATE KEY')
    // the container's health check speaks HTTPS when the relay does (run apart: this process hosts the relay)
    const healthcheck = fileURLToPath(new URL('../../../deploy/healthcheck.js', import.meta.url))
    const env = { ...process.env, P2P_CHAT_HTTP_PORT: new URL(r.relay.url).port, P2P_CHAT_TLS_CERT: tls.cert }
    await new Promise<void>((resolve, reject) => execFile(process.execPath, [healthcheck], { env }, err => { if (err == null) resolve(); else reject(err) }))
  })

  it('refuses at start a certificate without its key, a key that is not its own, or a missing file', async () => {
    const other = await selfSignedCert(await mkdtemp(join(dir, 'other-')))
    for (const argv of [
      ['--tls-cert', tls.cert],
      ['--tls-key', tls.key],
      ['--tls-cert', tls.cert, '--tls-key', other.key],
      ['--tls-cert', join(dir, 'missing.pem'), '--tls-key', tls.key],
      ['--tls-cert', tls.key, '--tls-key', tls.key]
    ]) {
      expect(() => parseConfig(argv), argv.join(' ')).toThrow(expect.objectContaining({ name: 'ConfigError', message: expect.stringMatching(/--tls-(cert|key)/) }))
    }
    expect(parseConfig(['--tls-cert', tls.cert, '--tls-key', tls.key])).toMatchObject({ tlsCert: tls.cert, tlsKey: tls.key })
  })
})
