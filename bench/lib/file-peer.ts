/**
 * A Node peer in a process of its own (forked by `metrics/files.ts`), so that it does not share the fetching
 * peer's event loop: it serves one file of random bytes over loopback TCP, in a public room and in a private
 * one, and answers the floor protocol with as many raw bytes on a plain libp2p stream. Tells its parent its
 * address and the file's id over IPC; stops when told to. A script: never import it.
 */
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { bytesSource, derivePrivateRoom, fileTransfer } from '@p2p-chat/shared'
import { createLibp2p } from 'libp2p'
import { FLOOR_PROTOCOL } from './file-floor.ts'
import type { FilePeerReady } from './file-floor.ts'

const [size, publicTopic, roomId, secret] = [Number(process.argv[2]), process.argv[3]!, process.argv[4]!, process.argv[5]!]
const node = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: { files: fileTransfer() }
})
const bytes = new Uint8Array(size)
for (let at = 0; at < size; at += 65_536) {
  crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65_536)))
}
const keys = await derivePrivateRoom(roomId, secret)
const id = await node.services.files.serve(bytesSource(bytes), { topic: publicTopic })
await node.services.files.serve(bytesSource(bytes), { topic: keys.topic, keys, id })
await node.handle(FLOOR_PROTOCOL, async (stream) => {
  for (let at = 0; at < size; at += 65_536) {
    if (!stream.send(bytes.subarray(at, at + 65_536))) {
      await stream.onDrain()
    }
  }
  await stream.close()
})
process.on('message', () => {
  void (async () => {
    await node.stop()
    process.exit(0)
  })()
})
process.send!({ multiaddrs: node.getMultiaddrs().map(String), id } satisfies FilePeerReady)
