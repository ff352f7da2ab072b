/**
 * The relay's STUN responder (RFC 8489, RFC 5389): on a UDP port of its own it answers each Binding request
 * with the address and port it came from (XOR-MAPPED-ADDRESS), so that a browser behind a NAT learns its
 * public address (a server-reflexive ICE candidate) without asking anyone but the relay.
 *
 * It is deliberately small. It answers Binding requests and nothing else (no TURN, no RFC 5780 NAT
 * discovery, no error responses), and it never sends more than a request's size plus the mapped address, so it
 * cannot amplify a spoofed flood. A datagram is checked before it is parsed: its size, its header (Binding
 * request, magic cookie, a length that matches), then the per-address rate. Only then does
 * `@msimerson/stun` decode it (attributes, FINGERPRINT when present) and build the response.
 *
 * Why not `@msimerson/stun`'s own `createServer()`: it decodes every datagram of the socket before its
 * `bindingRequest` event fires, so nothing can turn away an oversized one first (a 64 KB datagram of empty
 * attributes takes ~9 ms to decode: ~110 of them a second would fill a core that the relay's libp2p node
 * shares); it fires that event for every request method (Allocate too); and it emits `error` for every
 * undecodable datagram, which stops the process unless a listener is attached.
 */

import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { isIPv6 } from 'node:net'
import { logger } from '@libp2p/logger'
import { constants as STUN, createMessage, decode, validateFingerprint } from '@msimerson/stun'
import { DEFAULT_STUN_BURST_PER_IP, DEFAULT_STUN_MAX_REQUEST_BYTES, DEFAULT_STUN_RATE_PER_IP, LIMITS_SWEEP_INTERVAL_MS } from './constants.js'
import { TokenBuckets } from './token-buckets.js'
import type { RemoteInfo, Socket } from 'node:dgram'

const log = logger('p2p-chat:relay:stun')

/** A STUN header's size, and its magic cookie (RFC 8489 §5). */
const STUN_HEADER_BYTES = 20
const STUN_MAGIC_COOKIE = 0x2112a442

/** What became of a datagram: counted in `p2p_chat_relay_stun_requests_total{result}`. */
export const STUN_RESULTS = ['answered', 'ignored', 'rate-limited'] as const
export type StunResult = typeof STUN_RESULTS[number]

/** Where the responder counts what it did with each datagram (the relay's metrics). */
export interface StunCounter {
  stunRequest: (result: StunResult) => void
}

export interface StunResponderInit {
  /** UDP port to answer on (0 picks a free one) */
  port: number
  /** address to bind to */
  host: string
  /** longest datagram read; longer ones are ignored unparsed @default 548 */
  maxRequestBytes?: number
  /** Binding requests answered a second from one IP address; more are ignored @default 50 */
  ratePerIp?: number
  /** ...and in a burst @default 100 */
  burstPerIp?: number
  /** counts each datagram by what became of it @default counts nothing */
  counter?: StunCounter
}

export interface StunResponder {
  /** the UDP port it answers on, while started */
  readonly port: number | undefined
  /** binds the socket; rejects if it cannot (a port in use) */
  start: () => Promise<void>
  /** closes the socket */
  stop: () => Promise<void>
}

/**
 * Whether a datagram looks like a Binding request, from its header alone: a size within bounds, type 0x0001
 * (which also has the two leading zero bits), a length field that covers exactly the rest, in 4-byte words,
 * and the magic cookie (so RFC 3489's classic requests, which have none, are not answered).
 */
function looksLikeBindingRequest (datagram: Buffer, maxBytes: number): boolean {
  return datagram.length >= STUN_HEADER_BYTES &&
    datagram.length <= maxBytes &&
    datagram.readUInt16BE(0) === STUN.STUN_BINDING_REQUEST &&
    datagram.readUInt16BE(2) === datagram.length - STUN_HEADER_BYTES &&
    datagram.length % 4 === 0 &&
    datagram.readUInt32BE(4) === STUN_MAGIC_COOKIE
}

/**
 * The Binding success response to `datagram`, or undefined when it is not a well-formed Binding request:
 * XOR-MAPPED-ADDRESS (the sender's address and port), and FINGERPRINT when the request had one. Its size is
 * at most the request's plus the mapped address attribute (12 bytes for IPv4, 24 for IPv6).
 */
export function bindingResponse (datagram: Buffer, from: { address: string, port: number }): Buffer | undefined {
  let request
  try {
    request = decode(datagram)
  } catch {
    return undefined
  }
  const fingerprinted = request.hasAttribute(STUN.STUN_ATTR_FINGERPRINT)
  if (fingerprinted && !validateFingerprint(request)) {
    return undefined
  }
  const response = createMessage(STUN.STUN_BINDING_RESPONSE, request.transactionId)
  response.addXorAddress(from.address, from.port)
  if (fingerprinted) {
    response.addFingerprint()
  }
  return response.toBuffer()
}

/** Creates the STUN responder; nothing is bound until `start()`. */
export function createStunResponder (init: StunResponderInit): StunResponder {
  const maxBytes = init.maxRequestBytes ?? DEFAULT_STUN_MAX_REQUEST_BYTES
  const counter = init.counter ?? { stunRequest: () => {} }
  const rate = new TokenBuckets({ rate: init.ratePerIp ?? DEFAULT_STUN_RATE_PER_IP, burst: init.burstPerIp ?? DEFAULT_STUN_BURST_PER_IP })
  let socket: Socket | undefined
  let sweep: ReturnType<typeof setInterval> | undefined
  let port: number | undefined

  const answer = (datagram: Buffer, from: RemoteInfo): StunResult => {
    if (!looksLikeBindingRequest(datagram, maxBytes)) {
      return 'ignored'
    }
    if (!rate.take(from.address)) {
      return 'rate-limited'
    }
    const response = bindingResponse(datagram, from)
    if (response == null) {
      return 'ignored'
    }
    socket?.send(response, from.port, from.address, err => {
      if (err != null) log('could not answer %s:%d: %e', from.address, from.port, err)
    })
    return 'answered'
  }
  const onMessage = (datagram: Buffer, from: RemoteInfo): void => {
    const result = answer(datagram, from)
    log.trace('%s a %d-byte datagram from %s:%d', result, datagram.length, from.address, from.port)
    counter.stunRequest(result)
  }

  return {
    get port () { return port },
    async start () {
      if (socket != null) {
        return
      }
      const s = createSocket({ type: isIPv6(init.host) ? 'udp6' : 'udp4' })
      s.on('message', onMessage)
      try {
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject)
          s.bind(init.port, init.host, () => {
            s.off('error', reject)
            resolve()
          })
        })
      } catch (err) {
        s.close()
        throw err
      }
      // after binding, a send that fails reports here too: logged, never fatal
      s.on('error', err => { log.error('socket error: %e', err) })
      socket = s
      port = s.address().port
      sweep = setInterval(() => { rate.prune() }, LIMITS_SWEEP_INTERVAL_MS)
      sweep.unref()
      log('answering STUN on %s:%d/udp', init.host, port)
    },
    async stop () {
      clearInterval(sweep)
      const s = socket
      socket = undefined
      port = undefined
      if (s != null) {
        const closed = once(s, 'close')
        s.close()
        await closed
      }
    }
  }
}
