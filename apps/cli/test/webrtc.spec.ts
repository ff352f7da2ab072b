import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { defaultLogger } from '@libp2p/logger'
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { webRTC } from '@libp2p/webrtc'
import { yamux } from '@libp2p/yamux'
import { connectionKind, isWebRTCAddr } from '@p2p-chat/shared'
import { waitFor } from '@p2p-chat/shared/testing'
import { createLibp2p } from 'libp2p'
import { RTCPeerConnection } from 'node-datachannel/polyfill'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { startBareRelay, startCliNode } from './helpers.js'
import type { TestNode } from './helpers.js'
import type { ComponentLogger, Connection, Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** The default logger, also telling `onError` about every error logged by a component. */
function watchedLogger (onError: (component: string, message: string) => void): ComponentLogger {
  const base = defaultLogger()
  return {
    forComponent (name) {
      const log = base.forComponent(name)
      const error = log.error
      return Object.assign(log, {
        error: (formatter: unknown, ...args: unknown[]) => {
          onError(name, String(formatter))
          error(formatter, ...args)
        }
      })
    }
  }
}

describe('WebRTC between Node peers, signalled through a relay', () => {
  const started: Array<{ stop: () => unknown }> = []
  afterEach(async () => {
    await Promise.all(started.splice(0).map(async n => { await n.stop() }))
  })

  async function startCli (...args: Parameters<typeof startCliNode>): Promise<TestNode> {
    const node = await startCliNode(...args)
    started.push({ stop: node.cleanup })
    return node
  }

  /** Two terminal peers, the one with the smaller peer id first. */
  async function twoPeers (): Promise<[TestNode, TestNode]> {
    const [a, b] = [await startCli(), await startCli()]
    return a.node.peerId.toString() < b.node.peerId.toString() ? [a, b] : [b, a]
  }

  /** The node's `/p2p-circuit/webrtc` address once its reservation on the relay is up. */
  async function webrtcAddr (node: Libp2p): Promise<Multiaddr> {
    return waitFor(() => node.getMultiaddrs().find(ma => isWebRTCAddr(ma)), 10_000, 'a reservation on the relay')
  }

  it('a peer whose ICE never connects does not report a connection (the @libp2p/webrtc patch)', async () => {
    const relay = await startBareRelay()
    started.push(relay)
    const signalling: string[] = []
    const peer = async (rtc: Record<string, unknown>, logger?: ComponentLogger): Promise<Libp2p> => {
      const node = await createLibp2p({
        addresses: { listen: ['/ip4/127.0.0.1/tcp/0', '/p2p-circuit', '/webrtc'] },
        transports: [tcp(), webRTC({ rtcConfiguration: { iceServers: [], bindAddress: '127.0.0.1', ...rtc } }), circuitRelayTransport()],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        // the answering side gives a signalling exchange this long to end in a connection
        connectionManager: { inboundUpgradeTimeout: 3_000 },
        services: { identify: identify() },
        ...(logger == null ? {} : { logger })
      })
      started.push(node)
      await node.dial(relay.getMultiaddrs()[0]!)
      return node
    }
    // the answering side gathers its candidates on IPv6 loopback only, the dialling side on IPv4 only: ICE pairs
    // candidates of one address family, so the two can never connect
    const answerer = await peer({ bindAddress: '::1' }, watchedLogger((component, message) => {
      if (component === 'libp2p:webrtc' && message.startsWith('incoming signaling error')) {
        signalling.push(message)
      }
    }))
    const dialler = await peer({})
    const opened: Connection[] = []
    answerer.addEventListener('connection:open', evt => {
      if (evt.detail.remotePeer.equals(dialler.peerId) && isWebRTCAddr(evt.detail.remoteAddr)) {
        opened.push(evt.detail)
      }
    })

    const dialled = await dialler.dial(await webrtcAddr(answerer), { signal: AbortSignal.timeout(1_500) })
      .then(c => `a connection to ${c.remoteAddr.toString()}`, (err: Error) => err.name)
    expect(dialled).not.toMatch(/^a connection/)
    // the answering side ends its signalling with an error (the patched transport waits for ICE, which never
    // connects, until the upgrade deadline), or - unpatched - reports a WebRTC connection that carries nothing
    await waitFor(() => signalling.length > 0 || opened.length > 0, 10_000, 'the answering side to finish the signalling')
    expect(opened.map(c => c.remoteAddr.toString())).toEqual([])
    expect(answerer.getConnections(dialler.peerId).filter(c => isWebRTCAddr(c.remoteAddr)).map(c => c.remoteAddr.toString())).toEqual([])
  })

  /**
   * A relay and two terminal peers that reach each other only through it, gone direct over WebRTC: Alice, the one
   * with the smaller peer id (of a pair only that one dials WebRTC: webrtcPairGater), dialled Bob's
   * `/p2p-circuit/webrtc` address.
   */
  async function directPair (): Promise<{ relay: TestNode, alice: TestNode, bob: TestNode, connection: Connection }> {
    const relay = await startCli({ relayServer: true })
    const [alice, bob] = await twoPeers()
    for (const peer of [alice, bob]) {
      await peer.node.dial(relay.node.getMultiaddrs()[0]!)
    }
    const connection = await alice.node.dial(await webrtcAddr(bob.node))
    expect(isWebRTCAddr(connection.remoteAddr)).toBe(true)
    expect(connection.direct).toBe(true)
    // proven by a round trip on that very connection (directPaths), on both sides
    await waitFor(() => connectionKind(alice.node, bob.node.peerId) === 'direct', 5_000, 'Alice to see Bob direct')
    await waitFor(() => connectionKind(bob.node, alice.node.peerId) === 'direct', 5_000, 'Bob to see Alice direct')
    return { relay, alice, bob, connection }
  }

  /** A direct message Bob sends reaches Alice, once. */
  async function expectMessageFromBob (alice: TestNode, bob: TestNode, text: string): Promise<void> {
    const received: string[] = []
    alice.node.services.dm.addEventListener('message', evt => received.push(evt.detail.text))
    await bob.node.services.dm.send(alice.node.peerId, { name: 'bob', text })
    expect(received).toEqual([text])
  }

  it('two terminal peers that reach each other only through a relay go direct over WebRTC, and stay connected without it', async () => {
    const { relay, alice, bob } = await directPair()
    await relay.cleanup()
    started.splice(started.findIndex(s => s.stop === relay.cleanup), 1)
    await waitFor(() => alice.node.getConnections(relay.node.peerId).length === 0, 5_000, 'the relay to be gone')
    await expectMessageFromBob(alice, bob, 'still here')
    expect(connectionKind(alice.node, bob.node.peerId)).toBe('direct')
  })

  it('connects when the answer reaches the dialler late: the answering peer cannot reach the dialler before it (the @libp2p/webrtc patch)', async () => {
    // the answer comes back through the relay, while the answering peer's ICE checks and DTLS hello go straight
    // to the dialler. libdatachannel checks the hello's certificate against the answer's fingerprint and, before
    // the answer is applied, failed the handshake and the dial ("unknown CA": "connection state became closed",
    // in CI under load). The answering peer can reach the dialler only at the dialler's candidates, so those must
    // wait for the answer. Here the dialler applies the answer 500 ms late, a far relay or a busy event loop.
    const apply = RTCPeerConnection.prototype.setRemoteDescription
    const answeringIceWhenAnswered: string[] = []
    const applyLate = vi.spyOn(RTCPeerConnection.prototype, 'setRemoteDescription').mockImplementation(async function (this: RTCPeerConnection, description) {
      if (description?.type === 'answer') {
        await new Promise(resolve => setTimeout(resolve, 500))
        // the answering peer's connection: the one the offer was applied to
        const answering = applyLate.mock.contexts[applyLate.mock.calls.findIndex(([d]) => d?.type === 'offer')] as RTCPeerConnection | undefined
        answeringIceWhenAnswered.push(answering?.iceConnectionState ?? 'no answering peer')
      }
      await apply.call(this, description)
    })
    try {
      const { alice, bob } = await directPair()
      // unpatched, the answering peer's ICE had connected to the dialler long before: 'connected'
      expect(answeringIceWhenAnswered).toEqual(['checking'])
      await expectMessageFromBob(alice, bob, 'late but direct')
    } finally {
      applyLate.mockRestore()
    }
  })

  it('connects when the answering peer has closed the dialler\'s init channel before the dialler sees ICE connected (the @libp2p/webrtc patch)', async () => {
    // the answering peer's muxer closes the dialler's "init" channel as soon as it sees it. In a busy page the
    // channel's open and close events came before the peer connection's "connected" one, and the dialler then
    // waited for the channel to open (it never would again) until the dial's timeout: a WebRTC upgrade failed
    // in 3 of 8 two-page rooms (e2e/screenshots), and the pair went direct only with the retry, seconds later.
    // Here the dialler hears "connected" only once its init channel is closed.
    const dispatch = EventTarget.prototype.dispatchEvent
    const inits = new WeakMap<RTCPeerConnection, ReturnType<RTCPeerConnection['createDataChannel']>>()
    const create = RTCPeerConnection.prototype.createDataChannel
    const initChannels = vi.spyOn(RTCPeerConnection.prototype, 'createDataChannel').mockImplementation(function (this: RTCPeerConnection, label, options) {
      const channel = create.call(this, label, options)
      if (label === 'init') inits.set(this, channel)
      return channel
    })
    const initWhenConnected: string[] = []
    const connectedLate = vi.spyOn(RTCPeerConnection.prototype, 'dispatchEvent').mockImplementation(function (this: RTCPeerConnection, event) {
      const init = inits.get(this)
      if (event.type !== 'connectionstatechange' || this.connectionState !== 'connected' || init == null) {
        return dispatch.call(this, event)
      }
      void waitFor(() => init.readyState === 'closed', 5_000, 'the answering peer to close the init channel')
        .catch(() => {})
        .finally(() => {
          initWhenConnected.push(init.readyState)
          dispatch.call(this, event)
        })
      return true
    })
    try {
      const { alice, bob } = await directPair()
      expect(initWhenConnected).toEqual(['closed'])
      await expectMessageFromBob(alice, bob, 'direct at the first dial')
    } finally {
      connectedLate.mockRestore()
      initChannels.mockRestore()
    }
  })

  it('a frame written on a WebRTC stream goes as one datachannel message, its length prefix included (the @libp2p/webrtc patch)', async () => {
    const { bob, connection } = await directPair()
    const protocol = '/p2p-chat-test/frame/1.0.0'
    let onReceived: (bytes: number) => void = () => {}
    const received = new Promise<number>(resolve => { onReceived = resolve })
    await bob.node.handle(protocol, async stream => {
      for await (const chunk of stream) {
        onReceived(chunk.byteLength)
        break
      }
    })
    const stream = await connection.newStream(protocol)
    // the stream's RTCDataChannel (node-datachannel's, in Node): every message it is given to send
    const channel = (stream as unknown as { channel: { send: (data: Uint8Array) => void } }).channel
    const messages: number[] = []
    const send = channel.send.bind(channel)
    channel.send = data => {
      messages.push(data.byteLength)
      send(data)
    }
    stream.send(new Uint8Array(1000).fill(7))
    expect(await received).toBe(1000)
    // unpatched, the 2-byte length prefix went as a message of its own before the frame: [2, 1003]
    expect(messages).toHaveLength(1)
    expect(messages[0]).toBeGreaterThan(1000)
  })

  it('the peer with the larger id does not dial WebRTC: the other one is the pair\'s dialler', async () => {
    const relay = await startCli({ relayServer: true })
    const [smaller, larger] = await twoPeers()
    for (const peer of [smaller, larger]) {
      await peer.node.dial(relay.node.getMultiaddrs()[0]!)
    }
    await expect(larger.node.dial(await webrtcAddr(smaller.node))).rejects.toThrow()
    expect(larger.node.getConnections(smaller.node.peerId)).toEqual([])
  })
})
