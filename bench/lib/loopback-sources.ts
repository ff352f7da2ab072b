import { connect } from 'node:net'
import type { Socket } from 'node:net'

/** The key under which Node's bundled undici (fetch, WebSocket) keeps its global dispatcher. */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1')

interface ConnectOptions {
  hostname: string
  port: string
}

type Connector = (options: ConnectOptions, callback: (err: Error | null, socket: Socket | null) => void) => void

type AgentClass = new (options: { connect: Connector }) => object

/**
 * Makes every WebSocket this process opens (Node's built-in one, which `@libp2p/websockets` uses) come from
 * its own loopback source address, `127.<subnet>.x.y`, so that a server on 127.0.0.1 sees many hosts.
 *
 * A libp2p node accepts at most 5 inbound connections per second from one host (its connection manager's
 * `inboundConnectionThreshold`): thousands of clients from 127.0.0.1 alone would need minutes just to get in.
 * Real clients come from many addresses, and every 127.0.0.0/8 address is loopback on Linux.
 *
 * Node exposes no API for this: the global dispatcher is replaced by another instance of its own undici
 * `Agent` class with a connector that binds a fresh local address per connection.
 */
export function spreadLoopbackSources (subnet: number): void {
  void globalThis.WebSocket // loads Node's undici, which installs its global dispatcher
  const current = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER]
  if (current == null || typeof current !== 'object') {
    throw new Error("Node's undici global dispatcher is not where it used to be")
  }
  let next = 0
  const connector: Connector = (options, callback) => {
    next = next % 65_000 + 1
    const socket = connect({ host: options.hostname, port: Number(options.port), localAddress: `127.${subnet}.${next >> 8}.${next & 255}` })
    const onError = (err: Error): void => { callback(err, null) }
    socket.once('error', onError)
    socket.once('connect', () => {
      socket.off('error', onError)
      socket.setNoDelay(true)
      callback(null, socket)
    })
  }
  const Agent = current.constructor as AgentClass
  ;(globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER] = new Agent({ connect: connector })
}
