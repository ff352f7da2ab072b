/**
 * @packageDocumentation
 *
 * Ports a test server can be stopped and started on again (`@p2p-chat/shared/testing/ports`), for Node only.
 */

import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

/** Where the kernel's ephemeral ports start when /proc does not say (Linux's default). */
const DEFAULT_EPHEMERAL_LOW = 32768
/** How many ports each test worker (or other process) has to itself, below the ephemeral range. */
const BLOCK_SIZE = 2000

/**
 * The first port the kernel hands out for port 0 (`net.ipv4.ip_local_port_range`). Every socket bound to port 0
 * gets one at or above it: the relay's own listeners when asked for `0`, and Chromium's ICE sockets.
 */
function ephemeralLow (): number {
  try {
    const low = Number.parseInt(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'), 10)
    return Number.isInteger(low) && low > 1024 + BLOCK_SIZE ? low : DEFAULT_EPHEMERAL_LOW
  } catch {
    return DEFAULT_EPHEMERAL_LOW
  }
}

/**
 * This process's block, under the ephemeral range: Playwright workers (`TEST_PARALLEL_INDEX`, from 0) and vitest
 * workers (`VITEST_POOL_ID`, from 1) each get their own.
 */
function block (): { first: number, size: number } {
  const index = Number.parseInt(process.env.TEST_PARALLEL_INDEX ?? process.env.VITEST_POOL_ID ?? '0', 10) || 0
  const end = ephemeralLow() - BLOCK_SIZE * index
  const first = Math.max(1025, end - BLOCK_SIZE)
  return { first, size: end - first }
}

const { first, size } = block()
/** the next port to try; starts anywhere in the block, so a process after a killed one does not retry its ports first */
let cursor = Math.floor(Math.random() * size)

/** Whether `port` can be bound on 127.0.0.1 now, for TCP and for UDP. */
async function bindable (port: number): Promise<boolean> {
  const server = createServer()
  const socket = createSocket('udp4')
  try {
    server.listen(port, '127.0.0.1')
    await once(server, 'listening')
    socket.bind(port, '127.0.0.1')
    await once(socket, 'listening')
    return true
  } catch {
    return false
  } finally {
    if (server.listening) await new Promise(resolve => server.close(resolve))
    await new Promise<void>(resolve => { socket.close(() => { resolve() }) }).catch(() => {})
  }
}

/**
 * `count` distinct ports, each free on 127.0.0.1 for both TCP and UDP, from below the kernel's ephemeral range.
 *
 * A server that must come back on the ports it had (a relay restarted while browsers keep dialing it) cannot
 * take them from port 0: the kernel picks those from the ephemeral range, and between the stop and the start
 * another socket of the machine bound to port 0 (a Chromium page gathering ICE candidates, a peer's outgoing
 * connection) can be given the freed one. Nothing is given a port below that range unless it asks for it.
 */
export async function freePorts (count: number): Promise<number[]> {
  const ports: number[] = []
  for (let tried = 0; ports.length < count; tried++) {
    if (tried >= size) throw new Error(`no ${count} free ports in ${first}–${first + size - 1}`)
    const port = first + cursor
    cursor = (cursor + 1) % size
    if (await bindable(port)) ports.push(port)
  }
  return ports
}
