/** Raw bytes on one stream, as fast as the transport takes them: what file transfer adds its work to. */
export const FLOOR_PROTOCOL = '/p2p-chat/bench/floor/1.0.0'

/** What the forked file peer (`file-peer.ts`) tells its parent once it serves the file. */
export interface FilePeerReady {
  multiaddrs: string[]
  id: string
}
