import { createSocket } from 'node:dgram'
import { once } from 'node:events'

/**
 * A free UDP port on 127.0.0.1, for a server that cannot pick one itself: coturn, or the relay's STUN responder
 * from the command line (`--stun-port 0` turns it off).
 */
export async function freeUdpPort (): Promise<number> {
  const socket = createSocket('udp4')
  socket.bind(0, '127.0.0.1')
  await once(socket, 'listening')
  const { port } = socket.address()
  await new Promise<void>(resolve => { socket.close(resolve) })
  return port
}
