import { PING_PROTOCOL } from '@libp2p/ping'
import { byteStream } from '@libp2p/utils'
import { TypedEventEmitter } from 'main-event'
import { equals } from 'uint8arrays/equals'
import { DEFAULT_DIRECT_PATH_CHECK_TIMEOUT_MS } from '../constants.js'
import { DirectPathCheckError } from '../errors.js'
import { closeOrAbort } from '../util/connections.js'
import type { ComponentLogger, Connection, IdentifyResult, Libp2p, Libp2pEvents, Logger, PeerId, Startable } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'
import type { TypedEventTarget } from 'main-event'

/** Bytes of one ping, as libp2p's ping and connection monitor send. */
const PING_BYTES = 32

export interface DirectPathsInit {
  /**
   * How long, in ms, a new direct connection has to carry identify's exchange (which libp2p runs on every new
   * connection); past it one ping round trip is tried on the connection, with as long again, and a connection
   * on which that fails too is closed.
   *
   * @default 5000 (DEFAULT_DIRECT_PATH_CHECK_TIMEOUT_MS)
   */
  checkTimeout?: number
  /**
   * Close a peer's relayed (limited) connections once a direct one is proven: they only carried the upgrade's
   * signalling, and each one kept costing both ends and the relay (libp2p's connection monitor pings it, over
   * two layers of Noise and Yamux) as long as the relay's limits let it live.
   *
   * @default true
   */
  closeRelayed?: boolean
}

export interface RecheckOptions {
  /**
   * The peer says it holds no direct connection to this node (its hello names its direct peers, and not this node):
   * a proven connection to it opened more than twice the check timeout ago (time enough for the peer to have proven
   * it too) belongs to a node that is gone, its page reloaded, and is closed at once, without a round trip. Younger
   * ones are checked as without it.
   *
   * @default false
   */
  disowned?: boolean
}

export interface DirectPathsComponents {
  events: TypedEventTarget<Libp2pEvents>
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

export interface DirectPathsEvents {
  /** a peer's direct path was proven, or a proven one closed (detail: the peer) */
  change: CustomEvent<PeerId>
  /** a new direct connection to the peer carried nothing and is being closed (detail: the peer) */
  unproven: CustomEvent<PeerId>
}

/**
 * Which peers this node has a working direct path to. libp2p calls a connection `direct` when it does not go
 * through a relay, but a WebRTC connection is opened without any handshake of libp2p's own on it, so nothing
 * has crossed it yet when it is reported. Here a direct connection counts once data has crossed it both ways:
 * at once for one opened by a security handshake (Noise or TLS over TCP or WebSockets, QUIC's own TLS 1.3,
 * see {@link handshaken}); otherwise once identify's exchange on it completed (libp2p runs identify on every
 * new connection, so this costs nothing extra), or, if that does not come, one round trip of libp2p's ping
 * protocol on that very connection. A direct connection on which neither happens is closed, so the upgrade can
 * be tried again; once one is proven, the peer's relayed connections are closed (see
 * {@link DirectPathsInit.closeRelayed}), and so are its other direct connections that nothing has crossed yet.
 * Later, libp2p's connection monitor pings every connection and closes those that stop answering.
 */
export interface DirectPaths extends TypedEventTarget<DirectPathsEvents> {
  /** whether an open, proven direct connection to the peer exists */
  isDirect: (peer: PeerId) => boolean
  /**
   * Tries one ping round trip again on each proven direct connection to the peer, and closes those that do not
   * answer within the check timeout. For a peer that says it has just started (a room's hello): under the same
   * peer id it may be a new node, its page reloaded, while this end still holds the old node's WebRTC connection,
   * which a browser closes only once ICE gives up on it (~15 s), and which counted as direct until then. When the
   * peer says it holds no direct connection to this node, an old one is closed at once ({@link RecheckOptions}).
   */
  recheck: (peer: PeerId, options?: RecheckOptions) => void
}

/** How this node reaches a peer: over a direct connection of its own, or through a relay. */
export type ConnectionKind = 'direct' | 'relayed'

/**
 * 'direct' when an open direct connection to the peer (not through a circuit relay; a WebRTC connection
 * signalled over one is direct) has carried a round trip ({@link DirectPaths}); otherwise its messages go
 * through a relay.
 */
export function connectionKind (node: Libp2p<{ directPaths: DirectPaths }>, peerId: PeerId): ConnectionKind {
  return node.services.directPaths.isDirect(peerId) ? 'direct' : 'relayed'
}

/**
 * Whether data crossed the connection both ways before libp2p reported it open: a security protocol of libp2p's
 * own was negotiated on it (`encryption` names it: Noise, TLS), or it is QUIC, whose TLS 1.3 handshake is the
 * transport's own. WebRTC connections (`encryption` is 'native' and not QUIC) have had neither.
 */
function handshaken (connection: Connection): boolean {
  return (connection.encryption != null && connection.encryption !== 'native') || connection.remoteAddr.getComponents().some(c => c.name === 'quic-v1')
}

/** The {@link DirectPaths} service: `services: { directPaths: directPaths() }` (beside identify). */
export function directPaths (init: DirectPathsInit = {}): (components: DirectPathsComponents) => DirectPaths {
  return components => new DirectPathsService(components, init)
}

class DirectPathsService extends TypedEventEmitter<DirectPathsEvents> implements DirectPaths, Startable {
  private readonly components: DirectPathsComponents
  private readonly checkTimeout: number
  private readonly closeRelayed: boolean
  private readonly log: Logger
  /** connections data has crossed */
  private readonly proven = new WeakSet<Connection>()
  /** direct connections waiting for identify, and the timer that pings them if it does not come */
  private readonly waiting = new Map<Connection, ReturnType<typeof setTimeout>>()
  /** proven connections being checked again ({@link recheck}) */
  private readonly rechecking = new WeakSet<Connection>()
  private shutdown = new AbortController()

  private readonly onOpen = (evt: CustomEvent<Connection>): void => {
    const connection = evt.detail
    if (!connection.direct) {
      return
    }
    if (handshaken(connection)) {
      // proven before anything runs on it: a room's first word about the peer already says direct
      this.prove(connection, 'handshake')
    } else {
      this.waiting.set(connection, setTimeout(() => {
        this.waiting.delete(connection)
        void this.ping(connection)
      }, this.checkTimeout))
    }
  }

  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { connection } = evt.detail
    if (this.waiting.has(connection)) {
      this.prove(connection, 'identify')
    }
  }

  private readonly onClose = (evt: CustomEvent<Connection>): void => {
    const connection = evt.detail
    clearTimeout(this.waiting.get(connection))
    this.waiting.delete(connection)
    if (this.proven.has(connection)) {
      this.safeDispatchEvent('change', { detail: connection.remotePeer })
    }
  }

  constructor (components: DirectPathsComponents, init: DirectPathsInit) {
    super()
    this.components = components
    this.checkTimeout = init.checkTimeout ?? DEFAULT_DIRECT_PATH_CHECK_TIMEOUT_MS
    this.closeRelayed = init.closeRelayed ?? true
    this.log = components.logger.forComponent('p2p-chat:direct-paths')
  }

  readonly [Symbol.toStringTag] = '@p2p-chat/direct-paths'

  start (): void {
    this.shutdown = new AbortController()
    this.components.events.addEventListener('connection:open', this.onOpen)
    this.components.events.addEventListener('peer:identify', this.onIdentify)
    this.components.events.addEventListener('connection:close', this.onClose)
  }

  stop (): void {
    this.shutdown.abort()
    for (const timer of this.waiting.values()) {
      clearTimeout(timer)
    }
    this.waiting.clear()
    this.components.events.removeEventListener('connection:open', this.onOpen)
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    this.components.events.removeEventListener('connection:close', this.onClose)
  }

  isDirect (peer: PeerId): boolean {
    return this.components.connectionManager.getConnections(peer)
      .some(c => c.status === 'open' && c.direct && this.proven.has(c))
  }

  recheck (peer: PeerId, options: RecheckOptions = {}): void {
    for (const connection of this.components.connectionManager.getConnections(peer)) {
      if (connection.status !== 'open' || !this.proven.has(connection)) {
        continue
      }
      if (options.disowned === true && Date.now() - connection.timeline.open > 2 * this.checkTimeout) {
        this.log('the peer %p holds no direct connection to this node: closing %s, its old node\'s', connection.remotePeer, connection.id)
        connection.abort(new DirectPathCheckError('the peer holds no direct connection to this node: its node was replaced'))
        continue
      }
      if (this.rechecking.has(connection)) {
        continue
      }
      this.rechecking.add(connection)
      this.roundTrip(connection)
        .catch((err: Error) => {
          if (this.shutdown.signal.aborted || connection.status !== 'open' || err.name === 'UnsupportedProtocolError') {
            return
          }
          this.log('proven direct connection %s to %p no longer answers (%s): closing it', connection.id, connection.remotePeer, err.message)
          connection.abort(err instanceof DirectPathCheckError ? err : new DirectPathCheckError(`the direct connection no longer answers: ${err.message}`))
        })
        .finally(() => { this.rechecking.delete(connection) })
    }
  }

  /**
   * One ping round trip on the connection itself, within the check timeout. A peer without ping answers the
   * protocol negotiation with UnsupportedProtocolError: data crossed the connection all the same.
   */
  private async roundTrip (connection: Connection): Promise<void> {
    const signal = AbortSignal.any([this.shutdown.signal, AbortSignal.timeout(this.checkTimeout)])
    const sent = crypto.getRandomValues(new Uint8Array(PING_BYTES))
    const stream = await connection.newStream(PING_PROTOCOL, { signal, runOnLimitedConnection: true })
    const bytes = byteStream(stream)
    const [, echo] = await Promise.all([bytes.write(sent, { signal }), bytes.read({ bytes: PING_BYTES, signal })])
    await stream.close({ signal })
    if (!equals(echo.subarray(), sent)) {
      throw new DirectPathCheckError('the ping echo differs from what was sent')
    }
  }

  /** A new direct connection's round trip: proven when the echo comes back, closed when it does not. */
  private async ping (connection: Connection): Promise<void> {
    try {
      await this.roundTrip(connection)
    } catch (err) {
      if (this.shutdown.signal.aborted || connection.status !== 'open') {
        return
      }
      if ((err as Error).name === 'UnsupportedProtocolError') {
        this.prove(connection, 'protocol negotiation')
        return
      }
      this.log('direct connection %s to %p carries nothing (%s): closing it', connection.id, connection.remotePeer, (err as Error).message)
      // told before the connection closes, so a listener can count the failure before it sees the close
      this.safeDispatchEvent('unproven', { detail: connection.remotePeer })
      connection.abort(err instanceof DirectPathCheckError ? err : new DirectPathCheckError(`nothing crossed the direct connection: ${(err as Error).message}`))
      return
    }
    this.prove(connection, 'ping')
  }

  private prove (connection: Connection, by: string): void {
    clearTimeout(this.waiting.get(connection))
    this.waiting.delete(connection)
    if (connection.status === 'open' && !this.proven.has(connection)) {
      this.proven.add(connection)
      this.log('direct connection %s to %p carries data (%s)', connection.id, connection.remotePeer, by)
      for (const other of this.components.connectionManager.getConnections(connection.remotePeer)) {
        if (other.status !== 'open' || other === connection) {
          continue
        }
        if (other.limits != null && this.closeRelayed) {
          closeOrAbort(other)
        } else if (other.direct && !this.proven.has(other)) {
          // a direct twin nothing has crossed yet: the leftover of an earlier dial (one its dialler gave up on, which
          // this end never heard closing). Left open, it took streams until the ping check closed it seconds
          // later, and a file fetched on it broke off
          this.log('direct connection %s to %p carried nothing before %s did: closing it', other.id, other.remotePeer, connection.id)
          clearTimeout(this.waiting.get(other))
          this.waiting.delete(other)
          other.abort(new DirectPathCheckError(`another direct connection to the peer (${connection.id}) carried data first`))
        }
      }
      this.safeDispatchEvent('change', { detail: connection.remotePeer })
    }
  }
}
