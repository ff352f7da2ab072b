import { peerIdFromString } from '@libp2p/peer-id'
import { backoffDelay, circuitRelay, fetchRelayInfo, mark } from '@p2p-chat/shared'
import { TypedEventEmitter } from 'main-event'
import { RELAY_RETRY_MAX_MS, RELAY_RETRY_MIN_MS, RELAY_WATCH_INTERVAL_MS } from './constants.js'
import { dialableRelayAddrs, isWebSocketAddr } from './relay.js'
import type { BrowserNode } from './node.js'
import type { PeerId } from '@libp2p/interface'
import type { RelayInfo } from '@p2p-chat/shared'

export type RelayState =
  | { status: 'connecting', relay: string }
  | { status: 'connected', relay: string }
  | { status: 'reserved', relay: string }
  | { status: 'retrying', relay: string, error: string, retryAt: number }

export interface RelayLinkEvents {
  state: CustomEvent<RelayState>
}

export interface RelayLinkInit {
  /** origin of the relay's HTTP server (the page's own origin): its protocol decides which relay transports are usable */
  origin: string
  /** the relay info, if already fetched */
  info?: RelayInfo
}

/**
 * Keeps this browser connected to its relay: dials it, notices the reservation that makes the browser
 * reachable, and when the relay goes away redials it with exponential backoff and jitter.
 */
export class RelayLink extends TypedEventEmitter<RelayLinkEvents> {
  private readonly node: BrowserNode
  private readonly init: RelayLinkInit
  private info?: RelayInfo
  private relayPeer?: PeerId
  private attempt = 0
  private timer?: ReturnType<typeof setTimeout>
  private watch?: ReturnType<typeof setInterval>
  private running = false
  private dialing = false
  private current: RelayState

  private readonly onPeerChange = (): void => { this.refresh() }

  constructor (node: BrowserNode, init: RelayLinkInit) {
    super()
    this.node = node
    this.init = init
    this.info = init.info
    this.current = { status: 'connecting', relay: init.origin }
  }

  get state (): RelayState {
    return this.current
  }

  start (): void {
    this.running = true
    this.node.addEventListener('peer:disconnect', this.onPeerChange)
    this.node.addEventListener('self:peer:update', this.onPeerChange)
    this.node.addEventListener('transport:listening', this.onPeerChange)
    this.watch = setInterval(() => { this.refresh() }, RELAY_WATCH_INTERVAL_MS)
    void this.connect()
  }

  stop (): void {
    this.running = false
    clearTimeout(this.timer)
    clearInterval(this.watch)
    this.node.removeEventListener('peer:disconnect', this.onPeerChange)
    this.node.removeEventListener('self:peer:update', this.onPeerChange)
    this.node.removeEventListener('transport:listening', this.onPeerChange)
  }

  /** Tries the relay now instead of waiting for the next retry. */
  retryNow (): void {
    clearTimeout(this.timer)
    void this.connect()
  }

  private setState (state: RelayState): void {
    if (state.status === 'connected' || state.status === 'reserved') {
      mark('relay-connected')
    }
    if (state.status === 'reserved') {
      mark('relay-reserved')
    }
    this.current = state
    this.safeDispatchEvent('state', { detail: state })
  }

  private isConnected (): boolean {
    return this.relayPeer != null && this.node.getConnections(this.relayPeer).length > 0
  }

  private isReserved (): boolean {
    const relay = this.relayPeer?.toString()
    return relay != null && this.node.getMultiaddrs().some(ma => circuitRelay(ma) === relay)
  }

  /** Re-reads the connection state, and starts redialing when the relay connection is gone. */
  private refresh (): void {
    if (!this.running || this.dialing) {
      return
    }
    if (this.isConnected()) {
      const status = this.isReserved() ? 'reserved' : 'connected'
      if (this.current.status !== status) {
        this.setState({ status, relay: this.init.origin })
      }
    } else if (this.current.status === 'connected' || this.current.status === 'reserved') {
      this.scheduleRetry(new Error('connection to the relay closed'))
    }
  }

  private scheduleRetry (err: Error): void {
    const delay = backoffDelay(this.attempt++, RELAY_RETRY_MIN_MS, RELAY_RETRY_MAX_MS)
    this.setState({ status: 'retrying', relay: this.init.origin, error: err.message, retryAt: Date.now() + delay })
    clearTimeout(this.timer)
    this.timer = setTimeout(() => { void this.connect() }, delay)
  }

  private async connect (): Promise<void> {
    if (!this.running || this.dialing) {
      return
    }
    this.dialing = true
    this.setState({ status: 'connecting', relay: this.init.origin })
    try {
      this.info ??= await fetchRelayInfo(this.init.origin, AbortSignal.timeout(10_000))
      this.relayPeer = peerIdFromString(this.info.peerId)
      const addrs = dialableRelayAddrs(this.info, new URL(this.init.origin).protocol)
      if (addrs.length === 0) {
        throw new Error('the relay has no address this page can dial')
      }
      const webSocket = addrs.filter(isWebSocketAddr)
      if (webSocket.length === 0) {
        // WebRTC-direct only: they come with the node's late transports
        await this.node.services.transports.load()
      }
      await this.node.dial(webSocket.length > 0 ? webSocket : addrs, { signal: AbortSignal.timeout(10_000) })
      this.attempt = 0
      this.dialing = false
      this.setState({ status: this.isReserved() ? 'reserved' : 'connected', relay: this.init.origin })
    } catch (err) {
      this.dialing = false
      // the relay may have restarted with other addresses: ask again next time
      this.info = undefined
      if (this.running) {
        this.scheduleRetry(new Error(failureReason(err)))
      }
    }
  }
}

/**
 * Why a dial failed, in words. Not every failure is an Error with a message: a WebSocket that cannot connect
 * rejects with the socket's `error` event (no message at all in a browser, an empty one in Node), and a dial of
 * several addresses with an AggregateError of each one's failure.
 */
export function failureReason (err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return `${err.message}: ${[...new Set(err.errors.map(failureReason))].join('; ')}`
  }
  const message = (err as { message?: unknown } | undefined)?.message
  if (typeof message === 'string' && message !== '') {
    return message
  }
  if (typeof Event !== 'undefined' && err instanceof Event) {
    return err.type === 'error' ? 'the connection failed (the relay is down or unreachable)' : `the connection ended (${err.type})`
  }
  return err instanceof Error ? err.name : String(err)
}
