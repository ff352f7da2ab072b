import { createHook } from 'node:async_hooks'
import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { constants as STUN, createMessage, decode, request } from '@msimerson/stun'
import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../src/config.js'
import { createStunResponder } from '../src/stun.js'
import { sample, useTestResources } from './helpers.js'
import type { StunResponder, StunResult } from '../src/stun.js'
import type { TestRelay } from './helpers.js'
import type { Socket } from 'node:dgram'

const { relay } = useTestResources()

const sockets: Socket[] = []
const responders: StunResponder[] = []
afterEach(async () => {
  await Promise.all(sockets.splice(0).map(async s => new Promise<void>(resolve => { s.close(resolve) })))
  await Promise.all(responders.splice(0).map(async r => r.stop()))
})

/** A client UDP socket bound to `address` on a free port. */
async function client (address = '127.0.0.1'): Promise<Socket> {
  const socket = createSocket('udp4')
  sockets.push(socket)
  socket.bind(0, address)
  await once(socket, 'listening')
  return socket
}

/** A responder on a free loopback port, and what it counted. */
async function responder (init: { ratePerIp?: number, burstPerIp?: number } = {}): Promise<{ port: number, counts: Record<StunResult, number> }> {
  const counts: Record<StunResult, number> = { answered: 0, ignored: 0, 'rate-limited': 0 }
  const r = createStunResponder({ port: 0, host: '127.0.0.1', counter: { stunRequest: result => { counts[result]++ } }, ...init })
  responders.push(r)
  await r.start()
  return { port: r.port!, counts }
}

/** The datagrams `socket` receives, in order. */
function inbox (socket: Socket): Buffer[] {
  const received: Buffer[] = []
  socket.on('message', (datagram: Buffer) => { received.push(datagram) })
  return received
}

async function send (socket: Socket, datagram: Buffer, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    socket.send(datagram, port, '127.0.0.1', err => {
      if (err == null) resolve()
      else reject(err)
    })
  })
}

/** Resolves once `check` holds, checking after each datagram `socket` receives. */
async function received (socket: Socket, check: () => boolean): Promise<void> {
  while (!check()) await once(socket, 'message', { signal: AbortSignal.timeout(5000) })
}

function bindingRequest (): Buffer {
  return createMessage(STUN.STUN_BINDING_REQUEST).toBuffer()
}

/** A STUN header of `type` whose length field says `length`, followed by `body`. */
function header (type: number, length: number, body = Buffer.alloc(0), cookie = 0x2112a442): Buffer {
  const head = Buffer.alloc(20)
  head.writeUInt16BE(type, 0)
  head.writeUInt16BE(length, 2)
  head.writeUInt32BE(cookie, 4)
  randomBytes(12).copy(head, 8)
  return Buffer.concat([head, body])
}

describe('the STUN responder', () => {
  it('answers a Binding request (the library\'s own client) with the sender\'s address and port, XOR-mapped', async () => {
    const { port, counts } = await responder()
    const socket = await client()
    const response = await request(`127.0.0.1:${port}`, { socket })
    expect(response.type).toBe(STUN.STUN_BINDING_RESPONSE)
    expect(response.getXorAddress()).toEqual({ address: '127.0.0.1', port: socket.address().port, family: 'IPv4' })
    expect(counts).toEqual({ answered: 1, ignored: 0, 'rate-limited': 0 })
  })

  it('never answers with more than the request plus the mapped address; a FINGERPRINT is answered with one', async () => {
    const { port } = await responder()
    const socket = await client()
    const got = inbox(socket)
    const plain = bindingRequest()
    const withFingerprint = createMessage(STUN.STUN_BINDING_REQUEST)
    withFingerprint.addFingerprint()
    const fingerprinted = withFingerprint.toBuffer()
    await send(socket, plain, port)
    await send(socket, fingerprinted, port)
    await received(socket, () => got.length === 2)
    const [first, second] = got.map(b => decode(b))
    expect(got[0]!.length).toBeLessThanOrEqual(plain.length + 12)
    expect(first!.hasAttribute(STUN.STUN_ATTR_FINGERPRINT)).toBe(false)
    expect(got[1]!.length).toBeLessThanOrEqual(fingerprinted.length + 12)
    expect(second!.transactionId).toEqual(withFingerprint.transactionId)
    expect(second!.hasAttribute(STUN.STUN_ATTR_FINGERPRINT)).toBe(true)
  })

  it('ignores garbage, truncated, oversized and non-Binding datagrams, and still answers the next request', async () => {
    const { port, counts } = await responder()
    const socket = await client()
    const got = inbox(socket)
    const wrongFingerprint = createMessage(STUN.STUN_BINDING_REQUEST)
    wrongFingerprint.addFingerprint()
    const badFingerprint = wrongFingerprint.toBuffer()
    badFingerprint[badFingerprint.length - 1]! ^= 1
    const padding = Buffer.alloc(600)
    padding.writeUInt16BE(0x0026, 0) // PADDING attribute, 596 bytes: a well-formed request, over the size cap
    padding.writeUInt16BE(596, 2)
    const junk = [
      Buffer.from('hello, STUN server'),
      randomBytes(1200),
      Buffer.alloc(0),
      bindingRequest().subarray(0, 19), // shorter than a header
      header(STUN.STUN_BINDING_REQUEST, 100), // the length field promises attributes that are not there
      header(STUN.STUN_BINDING_REQUEST, 8, Buffer.from([0x00, 0x20, 0x00, 0xc8, 1, 2, 3, 4])), // an attribute longer than the message
      header(STUN.STUN_BINDING_REQUEST, 0, Buffer.alloc(0), 0xdeadbeef), // no magic cookie (RFC 3489)
      header(STUN.STUN_BINDING_REQUEST, padding.length, padding), // oversized
      badFingerprint,
      createMessage(STUN.STUN_ALLOCATE_REQUEST).toBuffer(), // a TURN request
      header(0x0011, 0), // a Binding indication
      header(STUN.STUN_BINDING_RESPONSE, 0) // a response nobody asked for
    ]
    for (const datagram of junk) {
      await send(socket, datagram, port)
    }
    const valid = createMessage(STUN.STUN_BINDING_REQUEST)
    await send(socket, valid.toBuffer(), port)
    // the responder reads datagrams in order: had it answered any of the junk, that answer would come first
    await received(socket, () => got.length > 0)
    expect(decode(got[0]!).transactionId).toEqual(valid.transactionId)
    expect(counts).toEqual({ answered: 1, ignored: junk.length, 'rate-limited': 0 })
  })

  it('answers one source address at most at its rate, and others all the same', async () => {
    // one token per 1000 s: no token comes back during the test
    const { port, counts } = await responder({ ratePerIp: 0.001, burstPerIp: 3 })
    const busy = await client('127.0.0.1')
    const busyGot = inbox(busy)
    for (let i = 0; i < 5; i++) {
      await send(busy, bindingRequest(), port)
    }
    const other = await client('127.0.0.2')
    const response = await request(`127.0.0.1:${port}`, { socket: other })
    expect(response.getXorAddress()?.address).toBe('127.0.0.2')
    await received(busy, () => busyGot.length === 3)
    expect(counts).toEqual({ answered: 4, ignored: 0, 'rate-limited': 2 })
  })

  it('closes its socket when stopped: the port is free again', async () => {
    const r = createStunResponder({ port: 0, host: '127.0.0.1' })
    await r.start()
    const port = r.port!
    await r.stop()
    expect(r.port).toBeUndefined()
    const again = createSocket('udp4')
    sockets.push(again)
    again.bind(port, '127.0.0.1')
    await once(again, 'listening')
  })

  it('refuses to start on a port in use', async () => {
    const { port } = await responder()
    const second = createStunResponder({ port, host: '127.0.0.1' })
    await expect(second.start()).rejects.toMatchObject({ code: 'EADDRINUSE' })
    expect(second.port).toBeUndefined()
  })
})

/**
 * Counts the Node UDP sockets created while `run` runs. libp2p's own UDP listeners (QUIC, WebRTC-direct) are
 * native and not counted: a relay without a STUN responder creates none.
 */
async function udpSocketsCreatedBy (run: () => Promise<void>): Promise<number> {
  let created = 0
  const hook = createHook({ init: (_id, type) => { if (type === 'UDPWRAP') created++ } }).enable()
  try {
    await run()
  } finally {
    hook.disable()
  }
  return created
}

describe('the relay\'s STUN responder', () => {
  it('is started and stopped with the relay, hands browsers its URL at /api/relay, and counts what it answered', async () => {
    let started: TestRelay | undefined
    expect(await udpSocketsCreatedBy(async () => { started = await relay({ stunPort: 0 }) })).toBe(1)
    const { relay: r, logs } = started!
    const port = r.stunPort!
    const body = await (await fetch(new URL('/api/relay', r.url))).json() as { iceServers: Array<{ urls: string[] }> }
    expect(body.iceServers).toEqual([{ urls: [`stun:127.0.0.1:${port}`] }])
    expect(logs.find(l => l.event === 'stun listening')?.addr).toBe(`127.0.0.1:${port}/udp`)
    const socket = await client()
    // the URL a browser is given (the library's client wants it without the scheme)
    const response = await request(body.iceServers[0]!.urls[0]!.replace(/^stun:/, ''), { socket })
    expect(response.getXorAddress()).toMatchObject({ address: '127.0.0.1', port: socket.address().port })
    await send(socket, Buffer.from('not STUN'), port)
    const count = async (result: StunResult): Promise<number | undefined> => sample(await r.metrics.text(), 'p2p_chat_relay_stun_requests_total', `result="${result}"`)
    await expect.poll(async () => count('ignored')).toBe(1)
    expect(await count('answered')).toBe(1)
    // stopped, it has let go of the port
    await r.stop()
    const again = createSocket('udp4')
    sockets.push(again)
    again.bind(port, '127.0.0.1')
    await once(again, 'listening')
  })

  it('opens no socket and lists no STUN server with --stun-port 0', async () => {
    const options = parseConfig(['--stun-port', '0'])!
    expect(options.stunPort).toBeUndefined()
    let started: TestRelay | undefined
    expect(await udpSocketsCreatedBy(async () => { started = await relay({ stunPort: options.stunPort }) })).toBe(0)
    const { relay: r, logs } = started!
    expect(r.stunPort).toBeUndefined()
    expect(r.info('chat.example.org').iceServers).toEqual([])
    expect(logs.some(l => l.event === 'stun listening')).toBe(false)
  })
})
