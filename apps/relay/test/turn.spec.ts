import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { constants as STUN, createMessage, request, StunResponseError } from '@msimerson/stun'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { turnCredential } from '../src/ice.js'
import { useTestResources } from './helpers.js'
import { freeUdpPort } from './ports.js'
import type { StunMessage } from '@msimerson/stun'
import type { IceServer } from '@p2p-chat/shared'
import type { ChildProcess } from 'node:child_process'
import type { Socket } from 'node:dgram'

/** coturn's server, if installed (`apt-get install coturn`; scripts/test installs it on CI). */
const TURNSERVER = (process.env.PATH ?? '').split(delimiter).map(dir => join(dir, 'turnserver')).find(path => existsSync(path))
const SECRET = 'a-shared-secret-for-this-test'
const REALM = 'p2p-chat.test'
/** REQUESTED-TRANSPORT's value for UDP: protocol 17 in the first byte (RFC 8656 §18.7). */
const UDP_TRANSPORT = 17 << 24

const { relay } = useTestResources()

if (TURNSERVER == null) {
  console.warn('turn.spec.ts: skipping the coturn tests: no turnserver on PATH (apt-get install coturn; scripts/test installs it as root)')
}

/** An Allocate request (UDP relay), with the long-term credential's attributes when given them. */
function allocateRequest (auth?: { username: string, credential: string, realm: string, nonce: string }): ReturnType<typeof createMessage> {
  const message = createMessage(STUN.STUN_ALLOCATE_REQUEST)
  message.addAttribute(STUN.STUN_ATTR_REQUESTED_TRANSPORT, UDP_TRANSPORT)
  if (auth != null) {
    message.addUsername(auth.username)
    message.addRealm(auth.realm)
    message.addNonce(auth.nonce)
    // RFC 8489 §9.2.2: key = MD5(username ":" realm ":" password)
    message.addMessageIntegrity(createHash('md5').update(`${auth.username}:${auth.realm}:${auth.credential}`).digest())
  }
  return message
}

/** The response to `message` from the TURN server: a success response, or the error response it rejected with. */
async function exchange (socket: Socket, port: number, message: ReturnType<typeof createMessage>): Promise<StunMessage> {
  try {
    return await request(`127.0.0.1:${port}`, { socket, message, timeout: 200, retries: 4 })
  } catch (err) {
    if (err instanceof StunResponseError) return err.packet
    throw err
  }
}

/**
 * Allocates a relayed address on the TURN server as a browser does with an ICE server's username and credential:
 * an unauthenticated Allocate, answered 401 with a realm and nonce, then the same with MESSAGE-INTEGRITY.
 * Resolves to the second answer.
 */
async function allocate (port: number, server: { username: string, credential: string }): Promise<StunMessage> {
  const socket = createSocket('udp4')
  socket.bind(0, '127.0.0.1')
  await once(socket, 'listening')
  try {
    const challenge = await exchange(socket, port, allocateRequest())
    expect(challenge.type).toBe(STUN.STUN_ALLOCATE_ERROR_RESPONSE)
    expect((challenge.getAttribute(STUN.STUN_ATTR_ERROR_CODE)?.value as { code: number }).code).toBe(401)
    const realm = String(challenge.getAttribute(STUN.STUN_ATTR_REALM)!.value)
    const nonce = String(challenge.getAttribute(STUN.STUN_ATTR_NONCE)!.value)
    return await exchange(socket, port, allocateRequest({ ...server, realm, nonce }))
  } finally {
    await new Promise<void>(resolve => { socket.close(resolve) })
  }
}

const errorCode = (message: StunMessage): number | undefined => (message.getAttribute(STUN.STUN_ATTR_ERROR_CODE)?.value as { code: number } | undefined)?.code

describe.skipIf(TURNSERVER == null)(`the relay's TURN credentials at a real coturn${TURNSERVER == null ? ' (skipped: no turnserver on PATH; apt-get install coturn)' : ''}`, () => {
  let dir: string
  let port: number
  let coturn: ChildProcess
  let exited: Promise<unknown>

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'p2p-chat-coturn-'))
    port = await freeUdpPort()
    // loopback only, UDP only, no TLS, no CLI, no RFC 5780 second port; its database, pid and log in the temp dir
    coturn = spawn(TURNSERVER!, [
      '-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`, '--no-tcp', '--no-tls', '--no-dtls',
      '--no-cli', '--no-rfc5780', '--no-multicast-peers', '--use-auth-secret', `--static-auth-secret=${SECRET}`, `--realm=${REALM}`,
      `--userdb=${join(dir, 'turndb')}`, `--pidfile=${join(dir, 'turnserver.pid')}`, `--log-file=${join(dir, 'turnserver.log')}`,
      '--simple-log', '--no-stdout-log'
    ], { stdio: 'ignore' })
    exited = once(coturn, 'exit')
    // ready once it answers a Binding request (the client retransmits until it does)
    const socket = createSocket('udp4')
    try {
      await Promise.race([
        request(`127.0.0.1:${port}`, { socket, timeout: 100, retries: 7 }),
        exited.then(async () => { throw new Error(`turnserver exited: ${await readFile(join(dir, 'turnserver.log'), 'utf8').catch(() => '')}`) })
      ])
    } finally {
      socket.close()
    }
  })

  afterAll(async () => {
    if (coturn?.exitCode == null && coturn?.signalCode == null) {
      coturn?.kill('SIGTERM')
      await exited
    }
    await rm(dir, { recursive: true, force: true })
  })

  /** The TURN server `/api/relay` hands browsers, with its minted credential. */
  async function mintedTurnServer (): Promise<IceServer & { username: string, credential: string }> {
    const turnUrl = `turn:127.0.0.1:${port}?transport=udp`
    const { relay: r } = await relay({ iceServers: [turnUrl], turnSecret: SECRET })
    const { iceServers } = await (await fetch(new URL('/api/relay', r.url))).json() as { iceServers: IceServer[] }
    const server = iceServers.find(s => s.urls.includes(turnUrl))
    expect(server?.username).toMatch(/^\d+:p2p-chat$/)
    return server as IceServer & { username: string, credential: string }
  }

  it('lets a browser allocate a relayed address with the credential /api/relay hands out', async () => {
    const server = await mintedTurnServer()
    const response = await allocate(port, server)
    expect(errorCode(response)).toBeUndefined()
    expect(response.type).toBe(STUN.STUN_ALLOCATE_RESPONSE)
    expect(response.getAttribute(STUN.STUN_ATTR_XOR_RELAYED_ADDRESS)?.value).toMatchObject({ address: '127.0.0.1', port: expect.any(Number) })
  })

  it('refuses a wrong credential, and one that has expired', async () => {
    const server = await mintedTurnServer()
    const wrong = await allocate(port, { username: server.username, credential: turnCredential('another secret', 0).credential })
    expect(wrong.type).toBe(STUN.STUN_ALLOCATE_ERROR_RESPONSE)
    expect(errorCode(wrong)).toBe(401)
    const expired = await allocate(port, turnCredential(SECRET, Math.floor(Date.now() / 1000) - 60))
    expect(errorCode(expired)).toBe(401)
  })
})
