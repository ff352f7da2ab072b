/**
 * Where a relay's memory per client goes, from two V8 heap snapshots of its process: one taken before the
 * clients came, one with them connected. Every object in the second that was not in the first (V8 keeps an
 * object's snapshot id across snapshots of one process) is charged to its nearest "owner": the objects of
 * known classes below (a yamux stream, a Noise connection, the peer store...) own themselves, and every other
 * new object belongs to the first owner a breadth-first walk over the new objects reaches it from. Closures,
 * promises and buffers thus go to the stream, connection or service that holds them; what no owner reaches
 * (pending work in the event loop, caches of libp2p's own) is reported as unattributed. Compiled code is
 * reported apart: it is compiled once, not per client. An approximation (an object two owners hold goes to the
 * nearer one), but one that adds up to the heap's growth.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/** Owner categories and the classes (constructor names in the snapshot) that own what they reach. */
export const HEAP_OWNERS: Record<string, string[]> = {
  'WebSocket transport (socket, ws)': ['Socket', 'TCP', 'Node / TCPSocketWrap', 'WebSocket', 'Receiver', 'Sender', 'WebSocketMultiaddrConnection', 'TCPSocketMultiaddrConnection'],
  'Noise (cipher states, buffers)': ['EncryptedMessageStream', 'CipherState', 'Nonce'],
  'yamux muxer (frame decoder, keep-alive)': ['YamuxMuxer'],
  'yamux streams (buffers, listeners)': ['YamuxStream'],
  'libp2p connection': ['Connection'],
  'gossipsub (streams, peer score)': ['GossipSub', 'InboundStream', 'OutboundStream', 'PeerScore'],
  'peer store': ['PeerRecords', 'PersistentStore', 'MemoryDatastore'],
  'circuit-relay reservation': ['ReservationStore', 'CircuitRelayServer'],
  'DHT (routing table)': ['KadDHT', 'RoutingTable'],
  identify: ['Identify', 'IdentifyPush'],
  'connection monitor': ['ConnectionMonitor'],
  'relay limits and rooms': ['ConnectionLimiter', 'ReservationLimiter', 'RoomFollower', 'PeerForgetter']
}

/** The walk does not go through these edges: they lead from a service to the whole node. */
const HUB_EDGES = new Set(['components', 'libp2p', 'node'])

const CODE = 'V8 compiled code (once, not per client)'
const UNATTRIBUTED = 'unattributed (pending work, libp2p caches)'

interface Snapshot {
  snapshot: { meta: { node_fields: string[], node_types: [string[]], edge_fields: string[], edge_types: [string[]] } }
  nodes: number[]
  edges: number[]
  strings: string[]
}

async function readSnapshot (path: string): Promise<Snapshot> {
  return JSON.parse(await readFile(path, 'utf8')) as Snapshot
}

/** The ids of every object in a snapshot. */
async function objectIds (path: string): Promise<Set<number>> {
  const snap = await readSnapshot(path)
  const { node_fields: fields } = snap.snapshot.meta
  const width = fields.length
  const id = fields.indexOf('id')
  const ids = new Set<number>()
  for (let i = 0; i < snap.nodes.length; i += width) {
    ids.add(snap.nodes[i + id]!)
  }
  return ids
}

/** Bytes of the objects new in `after` since `before`, by owner category (see the file's comment). */
export async function heapGrowthByOwner (before: string, after: string): Promise<Map<string, number>> {
  const old = await objectIds(before)
  const snap = await readSnapshot(after)
  const { node_fields: fields, node_types: [nodeTypes], edge_fields: edgeFields, edge_types: [edgeTypes] } = snap.snapshot.meta
  const { nodes, edges, strings } = snap
  const width = fields.length
  const edgeWidth = edgeFields.length
  const [fType, fName, fId, fSize, fEdges] = ['type', 'name', 'id', 'self_size', 'edge_count'].map(f => fields.indexOf(f)) as [number, number, number, number, number]
  const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map(f => edgeFields.indexOf(f)) as [number, number, number]
  const weak = edgeTypes.indexOf('weak')
  const named = new Set(['property', 'internal', 'context', 'shortcut'].map(t => edgeTypes.indexOf(t)))
  const count = nodes.length / width
  const firstEdge = new Uint32Array(count + 1)
  for (let i = 0, e = 0; i < count; i++) {
    firstEdge[i] = e
    e += nodes[i * width + fEdges]! * edgeWidth
  }
  firstEdge[count] = edges.length

  const categories = Object.keys(HEAP_OWNERS)
  const ownerOf = new Map<string, number>()
  categories.forEach((category, index) => { for (const name of HEAP_OWNERS[category]!) ownerOf.set(name, index) })
  const isNew = new Uint8Array(count)
  const label = new Int16Array(count).fill(-1)
  let frontier: number[] = []
  for (let i = 0; i < count; i++) {
    if (old.has(nodes[i * width + fId]!)) continue
    isNew[i] = 1
    const type = nodeTypes[nodes[i * width + fType]!]
    const owner = type === 'object' || type === 'native' ? ownerOf.get(strings[nodes[i * width + fName]!]!) : undefined
    if (owner != null) {
      label[i] = owner
      frontier.push(i)
    }
  }
  while (frontier.length > 0) {
    const next: number[] = []
    for (const from of frontier) {
      for (let e = firstEdge[from]!; e < firstEdge[from + 1]!; e += edgeWidth) {
        const type = edges[e + eType]!
        if (type === weak || (named.has(type) && HUB_EDGES.has(strings[edges[e + eName]!]!))) continue
        const to = edges[e + eTo]! / width
        if (isNew[to] === 1 && label[to] === -1) {
          label[to] = label[from]!
          next.push(to)
        }
      }
    }
    frontier = next
  }
  const bytes = new Map<string, number>()
  for (let i = 0; i < count; i++) {
    if (isNew[i] !== 1) continue
    const category = label[i]! >= 0 ? categories[label[i]!]! : nodeTypes[nodes[i * width + fType]!] === 'code' ? CODE : UNATTRIBUTED
    bytes.set(category, (bytes.get(category) ?? 0) + nodes[i * width + fSize]!)
  }
  return bytes
}

/** Node options that let {@link takeHeapSnapshot} ask a process for a snapshot, written into `dir`. */
export function heapSnapshotNodeOptions (dir: string): string[] {
  return ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`]
}

/** How long a snapshot file's size must stay the same before it counts as written. */
const WRITTEN_AFTER_MS = 2000
const POLL_MS = 250

/**
 * Has process `pid` (started with {@link heapSnapshotNodeOptions} for `dir`) write a heap snapshot, and resolves
 * to its path once it is written. The process does nothing else meanwhile (seconds for a large heap).
 */
export async function takeHeapSnapshot (pid: number, dir: string, timeoutMs = 120_000): Promise<string> {
  const before = new Set(await readdir(dir))
  process.kill(pid, 'SIGUSR2')
  const deadline = Date.now() + timeoutMs
  let path: string | undefined
  let size = -1
  let stableSince = Date.now()
  while (Date.now() < deadline) {
    await sleep(POLL_MS)
    path ??= (await readdir(dir)).filter(f => f.endsWith('.heapsnapshot') && !before.has(f)).map(f => join(dir, f))[0]
    if (path == null) continue
    const now = (await stat(path)).size
    if (now !== size) {
      size = now
      stableSince = Date.now()
    } else if (size > 0 && Date.now() - stableSince >= WRITTEN_AFTER_MS) {
      return path
    }
  }
  throw new Error(`no heap snapshot of process ${pid} within ${timeoutMs} ms`)
}
