import { createLibp2p } from 'libp2p'
import { afterEach, describe, expect, it } from 'vitest'
import { waitFor } from '../src/testing/index.js'
import { loopbackOptions } from './helpers.js'
import type { Connection, Libp2p } from '@libp2p/interface'

const PING = '/ipfs/ping/1.0.0'
const CHATTER = '/p2p-chat-test/chatter/1.0.0'

/**
 * libp2p's connection monitor as the pages run it (the libp2p and @libp2p/utils patches): a ping that fails on a
 * connection that carried data while the ping waited does not abort it, nor one that the monitor's
 * `abortConnectionOnPingFailure` function spares (a page's WebRTC connections). In a room of 16 pages on two cores, a
 * page's answers to pings took longer than the monitor's 5 s timeout while lines kept arriving on the same
 * connections, and the monitor aborted 32 live direct connections in 15 s (bench `latency`, bench/RESULTS.md).
 */
describe('the connection monitor (libp2p patch)', () => {
  const nodes: Libp2p[] = []
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async node => node.stop()))
  })

  /** A node whose monitor pings every 500 ms and gives a ping 400 ms. */
  async function monitoring (abortConnectionOnPingFailure?: (connection: Connection) => boolean): Promise<Libp2p> {
    const node = await createLibp2p({
      ...loopbackOptions(),
      connectionMonitor: { pingInterval: 500, pingTimeout: { minTimeout: 400, maxTimeout: 400 }, abortConnectionOnPingFailure }
    })
    nodes.push(node)
    return node
  }

  /** A node that takes every ping stream and never answers it; counts them. */
  async function unanswering (): Promise<{ node: Libp2p, pings: () => number }> {
    const node = await createLibp2p({ ...loopbackOptions(), connectionMonitor: { enabled: false } })
    nodes.push(node)
    let pings = 0
    await node.handle(PING, () => { pings++ })
    return { node, pings: () => pings }
  }

  it('keeps a connection whose pings time out while data keeps arriving on it', async () => {
    const monitor = await monitoring()
    const busy = await unanswering()
    await monitor.handle(CHATTER, stream => { stream.addEventListener('message', () => {}) })
    const connection = await monitor.dial(busy.node.getMultiaddrs())
    const theirs = await farEnd(busy.node, monitor)
    const chatter = await theirs.newStream(CHATTER)
    const sending = setInterval(() => { chatter.send(new Uint8Array([1])) }, 20)
    try {
      await waitFor(() => busy.pings() >= 4, 10_000, 'a fourth ping, three left unanswered before it')
      expect(connection.status).toBe('open')
      expect(monitor.getConnections(busy.node.peerId)).toEqual([connection])
    } finally {
      clearInterval(sending)
    }
  })

  it('aborts a connection on which nothing arrived while its ping waited', async () => {
    const monitor = await monitoring()
    const silent = await unanswering()
    const connection = await monitor.dial(silent.node.getMultiaddrs())
    // the peer hangs: what reaches its end of the connection goes no further, so it answers nothing
    transportOf(await farEnd(silent.node, monitor)).onData = () => {}
    await waitFor(() => monitor.getConnections(silent.node.peerId).length === 0, 10_000, 'the connection aborted')
    expect(connection.status).not.toBe('open')
  })

  it('leaves alone a connection its abortConnectionOnPingFailure function spares (as the pages spare WebRTC ones), silent or not', async () => {
    const spared = await unanswering()
    const other = await unanswering()
    const monitor = await monitoring(connection => !connection.remotePeer.equals(spared.node.peerId))
    const kept = await monitor.dial(spared.node.getMultiaddrs())
    const aborted = await monitor.dial(other.node.getMultiaddrs())
    for (const { node } of [spared, other]) {
      transportOf(await farEnd(node, monitor)).onData = () => {}
    }
    let pings = 0
    const newStream = kept.newStream.bind(kept)
    kept.newStream = async (protocols, options) => {
      pings += [protocols].flat().includes(PING) ? 1 : 0
      return newStream(protocols, options)
    }
    await waitFor(() => aborted.status !== 'open', 10_000, 'the other connection aborted')
    // a ping gets 400 ms and the next starts 500 ms after the one before: two have failed when the third starts
    await waitFor(() => pings >= 3, 10_000, 'a third ping on the spared connection')
    expect(kept.status).toBe('open')
    expect(monitor.getConnections(spared.node.peerId)).toEqual([kept])
  })
})

/** `node`'s end of its connection from `monitor`, once it is there. */
async function farEnd (node: Libp2p, monitor: Libp2p): Promise<Connection> {
  return waitFor(() => node.getConnections(monitor.peerId)[0], 5_000, 'the connection at the other end')
}

/** The transport's connection under a libp2p connection: what the transport hands each chunk it reads. */
function transportOf (connection: Connection): { onData: (data: unknown) => void } {
  return (connection as unknown as { maConn: { onData: (data: unknown) => void } }).maConn
}
