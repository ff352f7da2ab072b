// vitest runs in Node: an in-memory IndexedDB stands in for the browser's, and the few page globals the session
// reads (location, document, requestAnimationFrame) are stood in below; the libp2p node is the page's own
// (createBrowserNode: WebSockets to its relay), and the relay a Node peer of the room.
import 'fake-indexeddb/auto'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { noise } from '@libp2p/noise'
import { webSockets } from '@libp2p/websockets'
import { yamux } from '@libp2p/yamux'
import {
  chatPeerServices, createMemoryHistoryStore, createMessageId, createRoomId, createRoomSecret, encodeChat, formatRoomPreview, Room, ROOM_PREVIEW_ELEMENT_ID, roomTopic
} from '@p2p-chat/shared'
import { waitFor } from '@p2p-chat/shared/testing'
import { createLibp2p } from 'libp2p'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { PREVIEW_HINT_KEY } from '../storage/preview-hint.js'
import { ChatSession } from './chat-session.svelte.js'
import type { PrivateKey } from '@libp2p/interface'
import type { RelayInfo } from '@p2p-chat/shared'
import type { AddressInfo } from 'node:net'

/** The relay and a member of the rooms, in one Node peer: the session's node dials it over WebSockets. */
async function relayAndMember (privateKey: PrivateKey) {
  return createLibp2p({
    privateKey,
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { ...chatPeerServices(), relay: circuitRelayServer() }
  })
}

/** The page's globals the session reads. */
function standInPage (origin: string): void {
  const events = new EventTarget()
  vi.stubGlobal('isSecureContext', true)
  vi.stubGlobal('location', new URL(origin))
  vi.stubGlobal('addEventListener', events.addEventListener.bind(events))
  vi.stubGlobal('removeEventListener', events.removeEventListener.bind(events))
  vi.stubGlobal('requestAnimationFrame', (fn: () => void) => setTimeout(fn, 0))
  vi.stubGlobal('document', { visibilityState: 'visible', getElementById: () => null, addEventListener: () => {}, removeEventListener: () => {} })
  const stored = new Map<string, string>()
  vi.stubGlobal('localStorage', { getItem: (key: string) => stored.get(key) ?? null, setItem: (key: string, value: string) => { stored.set(key, value) } })
}

describe('ChatSession', { timeout: 30_000 }, () => {
  let peer: Awaited<ReturnType<typeof relayAndMember>>
  /** the peer's key: it signs Ana's lines, as each node signs its own */
  let peerKey: PrivateKey
  let origin: string
  let closeHttp: () => void
  const sessions: ChatSession[] = []
  const rooms: Room[] = []

  beforeAll(async () => {
    peerKey = await generateKeyPair('Ed25519')
    peer = await relayAndMember(peerKey)
    const info: RelayInfo = { peerId: peer.peerId.toString(), multiaddrs: peer.getMultiaddrs().map(String), iceServers: [] }
    const http = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(info))
    })
    http.listen(0, '127.0.0.1')
    await once(http, 'listening')
    closeHttp = () => { http.closeAllConnections(); http.close() }
    origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
    standInPage(origin)
  })

  afterEach(async () => {
    rooms.splice(0).forEach(room => { room.leave() })
    await Promise.all(sessions.splice(0).map(async session => session.stop()))
  })

  afterAll(async () => {
    closeHttp?.()
    await peer?.stop()
    vi.unstubAllGlobals()
  })

  async function startSession (): Promise<ChatSession> {
    const session = new ChatSession({ origin })
    sessions.push(session)
    await session.start()
    expect(session.error).toBeUndefined()
    expect(session.status).toBe('ready')
    return session
  }

  /** The peer joins `roomId` as a member named Ana. */
  async function ana (roomId: string): Promise<Room> {
    const room = new Room(peer, { roomId, name: () => 'Ana', privateKey: peerKey, history: { store: createMemoryHistoryStore(), sync: peer.services.history } })
    rooms.push(room)
    room.join()
    return room
  }

  it('starts: ready, with a peer id and a name, both kept across a reload', async () => {
    const first = await startSession()
    expect(first.peerId).toMatch(/^12D3KooW/)
    await first.setName('Bea')
    await waitFor(() => first.relay?.status === 'connected' || first.relay?.status === 'reserved')
    const { peerId } = first
    await first.stop()
    sessions.splice(0)
    const again = await startSession()
    expect(again.peerId).toBe(peerId)
    expect(again.name).toBe('Bea')
  })

  it('shows the room\'s lines as they come, and sends mine to the room', async () => {
    const session = await startSession()
    const roomId = createRoomId()
    const member = await ana(roomId)
    const heard: string[] = []
    member.addEventListener('chat', evt => { heard.push(evt.detail.text) })
    session.joinRoom({ roomId })
    expect(session.roomId).toBe(roomId)
    await waitFor(() => session.members.some(m => m.name === 'Ana'), 10_000, 'Ana among the members')
    await member.send('hello from Ana')
    await waitFor(() => session.lines.some(l => l.text === 'hello from Ana' && !l.mine), 10_000, 'Ana\'s line')
    await session.send('<b>hi</b> Ana')
    expect(session.lines.at(-1)).toMatchObject({ text: '<b>hi</b> Ana', mine: true })
    await waitFor(() => heard.includes('<b>hi</b> Ana'), 10_000, 'my line at Ana\'s')
  })

  it('shows nothing more of a room it left: the next room starts empty and hears only its own lines', async () => {
    const session = await startSession()
    const [first, second] = [createRoomId(), createRoomId()]
    const inFirst = await ana(first)
    session.joinRoom({ roomId: first })
    await waitFor(() => session.members.some(m => m.name === 'Ana'), 10_000, 'Ana in the first room')
    await inFirst.send('first room line')
    await waitFor(() => session.lines.some(l => l.text === 'first room line'))
    session.leaveRoom()
    expect(session.lines).toEqual([])
    expect(session.members).toEqual([])
    const inSecond = await ana(second)
    session.joinRoom({ roomId: second })
    await waitFor(() => session.members.some(m => m.name === 'Ana'), 10_000, 'Ana in the second room')
    await inFirst.send('late line of the first room')
    await inSecond.send('second room line')
    await waitFor(() => session.lines.some(l => l.text === 'second room line'))
    expect(session.lines.map(l => l.text)).toEqual(['second room line'])
  })

  it('shows a public room\'s preview from the page the relay served, then lets the relay\'s drawing of it go', async () => {
    const session = await startSession()
    const roomId = createRoomId()
    const said = await encodeChat({ id: createMessageId(), name: 'Ana', text: 'said before you came', timestamp: Date.now() }, roomTopic(roomId), peerKey)
    const page = document
    vi.stubGlobal('document', { ...page, getElementById: (id: string) => id === ROOM_PREVIEW_ELEMENT_ID ? { textContent: formatRoomPreview(roomId, [said]) } : null })
    try {
      session.joinRoom({ roomId })
      expect(session.previewDone).toBe(false)
      await waitFor(() => session.previewDone, 10_000, 'the preview shown')
      expect(session.shownLines.map(l => l.text)).toEqual(['said before you came'])
      // a private room has no preview this page can show: nothing to wait for
      session.joinRoom({ roomId: createRoomId(), secret: createRoomSecret() })
      expect(session.previewDone).toBe(true)
    } finally {
      vi.stubGlobal('document', page)
    }
  })

  it('hides a blocked peer\'s lines, and still does after a reload', async () => {
    const session = await startSession()
    const roomId = createRoomId()
    const member = await ana(roomId)
    session.joinRoom({ roomId })
    await member.send('before the block')
    await waitFor(() => session.shownLines.some(l => l.text === 'before the block'), 10_000, 'Ana\'s line')
    await session.block(peer.peerId.toString())
    expect(session.isBlocked(peer.peerId.toString())).toBe(true)
    expect(session.shownLines.some(l => l.text === 'before the block')).toBe(false)
    // what the page needs to hide the peer's lines in a room's preview before any script runs
    const hint = (): unknown => JSON.parse(localStorage.getItem(PREVIEW_HINT_KEY) ?? 'null')
    expect(hint()).toEqual({ me: session.peerId, blocked: [peer.peerId.toString()] })
    await session.stop()
    sessions.splice(0)
    const again = await startSession()
    expect(again.isBlocked(peer.peerId.toString())).toBe(true)
    await again.unblock(peer.peerId.toString())
    expect(hint()).toEqual({ me: again.peerId, blocked: [] })
  })

  it('shows a muted peer\'s lines, but counts none unread while the page is hidden; kept across a reload', async () => {
    const page = document as { visibilityState: string }
    page.visibilityState = 'hidden'
    try {
      const session = await startSession()
      const roomId = createRoomId()
      const member = await ana(roomId)
      session.joinRoom({ roomId })
      await waitFor(() => session.members.some(m => m.name === 'Ana'), 10_000, 'Ana among the members')
      await member.send('heard while away')
      await waitFor(() => session.lines.some(l => l.text === 'heard while away'), 10_000, 'Ana\'s first line')
      expect(session.unread).toBe(1)
      await session.mute(peer.peerId.toString())
      await member.send('said while muted')
      await waitFor(() => session.shownLines.some(l => l.text === 'said while muted'), 10_000, 'Ana\'s muted line, shown')
      expect(session.unread).toBe(1)
      expect(session.isBlocked(peer.peerId.toString())).toBe(false)
      await session.stop()
      sessions.splice(0)
      const again = await startSession()
      expect(again.isMuted(peer.peerId.toString())).toBe(true)
      await again.unmute(peer.peerId.toString())
      expect(again.isMuted(peer.peerId.toString())).toBe(false)
    } finally {
      page.visibilityState = 'visible'
    }
  })
})
