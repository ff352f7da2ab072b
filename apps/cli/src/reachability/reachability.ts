import { getNetConfig, isGlobalUnicast, isNetworkAddress, isPrivate, pbStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { QUIC_V1 } from '@multiformats/multiaddr-matcher'
import { fingerprint, isCircuitAddr } from '@p2p-chat/shared'
import { TypedEventEmitter } from 'main-event'
import {
  AUTONAT_PROTOCOL, DEFAULT_CHECK_DELAY_MS, DEFAULT_CHECK_TIMEOUT_MS, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_RECHECK_INTERVAL_MS
} from '../constants.js'
import { Message } from '../proto/autonat.js'
import type { ReachabilityChecker, ReachabilityComponents, ReachabilityEvents, ReachabilityInit, ReachabilityStatus } from './index.js'
import type { Connection, IdentifyResult, Logger, PeerId, Startable } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

interface Server {
  connection: Connection
  timer?: ReturnType<typeof setTimeout>
}

/**
 * What was asked of one server (a peer), across its connections: a new connection must not start a second
 * request while one is out (the server turns it away, and its dial-backs can take a while).
 */
interface Asked {
  /** the addresses last tested, and when */
  tested?: string
  testedAt?: number
  checking: boolean
}

/** A public IP address others might dial: not a relay circuit, not private, IPv6 only if globally routable. */
export function isPublicCandidate (ma: Multiaddr): boolean {
  if (isCircuitAddr(ma) || !isNetworkAddress(ma) || isPrivate(ma) === true) {
    return false
  }
  return getNetConfig(ma).type !== 'ip6' || isGlobalUnicast(ma)
}

/** See {@link reachability}. */
export class ReachabilityService extends TypedEventEmitter<ReachabilityEvents> implements ReachabilityChecker, Startable {
  private readonly components: ReachabilityComponents
  private readonly log: Logger
  private readonly protocol: string
  private readonly timeout: number
  private readonly checkDelay: number
  private readonly recheckInterval: number
  private readonly maxMessageSize: number
  /** the address each server sees this node at, from identify's exchange on the connection (fixed for its life) */
  private readonly observed = new WeakMap<Connection, Multiaddr>()
  private readonly servers = new Map<string, Server>()
  private readonly asked = new Map<string, Asked>()
  private topologyId?: string
  private current: ReachabilityStatus = { reachability: 'unknown', reason: 'no AutoNAT server has answered yet' }

  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    const { connection, observedAddr } = evt.detail
    if (observedAddr != null) {
      this.observed.set(connection, observedAddr)
    }
  }

  private readonly onAddressesMaybeChanged = (): void => {
    if (this.hasVerifiedPublicAddress()) {
      this.set({ reachability: 'public', reason: 'an address of this node was verified by AutoNAT' })
    }
    for (const server of this.servers.values()) {
      this.schedule(server, this.checkDelay)
    }
  }

  constructor (components: ReachabilityComponents, init: ReachabilityInit) {
    super()
    this.components = components
    this.log = components.logger.forComponent('p2p-chat:reachability')
    this.protocol = init.protocol ?? AUTONAT_PROTOCOL
    this.timeout = init.timeout ?? DEFAULT_CHECK_TIMEOUT_MS
    this.checkDelay = init.checkDelay ?? DEFAULT_CHECK_DELAY_MS
    this.recheckInterval = init.recheckInterval ?? DEFAULT_RECHECK_INTERVAL_MS
    this.maxMessageSize = init.maxMessageSize ?? DEFAULT_MAX_MESSAGE_BYTES
  }

  readonly [Symbol.toStringTag] = 'p2p-chat:reachability'

  get status (): ReachabilityStatus {
    return this.current
  }

  async start (): Promise<void> {
    this.topologyId = await this.components.registrar.register(this.protocol, {
      onConnect: (peerId, connection) => {
        // the registrar calls this after every identify on a connection (identify-push too): the same
        // connection is the same server, asked already
        if (this.servers.get(peerId.toString())?.connection === connection) {
          return
        }
        const server: Server = { connection }
        this.stopServer(peerId)
        this.servers.set(peerId.toString(), server)
        this.schedule(server, this.checkDelay)
      },
      onDisconnect: (peerId) => {
        this.stopServer(peerId)
        if (this.asked.get(peerId.toString())?.checking !== true) {
          this.asked.delete(peerId.toString())
        }
      }
    })
    this.components.events.addEventListener('peer:identify', this.onIdentify)
    this.components.events.addEventListener('self:peer:update', this.onAddressesMaybeChanged)
  }

  async stop (): Promise<void> {
    if (this.topologyId != null) {
      this.components.registrar.unregister(this.topologyId)
    }
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    this.components.events.removeEventListener('self:peer:update', this.onAddressesMaybeChanged)
    for (const server of this.servers.values()) {
      clearTimeout(server.timer)
    }
    this.servers.clear()
    this.asked.clear()
  }

  private stopServer (peerId: PeerId): void {
    clearTimeout(this.servers.get(peerId.toString())?.timer)
    this.servers.delete(peerId.toString())
  }

  /**
   * The public addresses to test: the ones the address manager knows (listen, observed, mapped, announced,
   * verified or not) but observed QUIC ones, then the IP the server sees us at with each of our TCP listening
   * ports. See {@link reachability} for why QUIC is tested only where announced.
   */
  private candidates (connection: Connection): Multiaddr[] {
    const addrs = this.components.addressManager.getAddressesWithMetadata()
      // an observed QUIC address is the NAT mapping of @chainsafe/libp2p-quic's dialling socket, which is not the
      // listening one and accepts no connection: a dial-back to it can only time out
      .filter(({ multiaddr, type }) => type !== 'observed' || !QUIC_V1.matches(multiaddr))
      .map(({ multiaddr }) => multiaddr)
    const observed = this.observed.get(connection)
    if (observed != null && isPublicCandidate(observed)) {
      const { type, host } = getNetConfig(observed)
      for (const listening of this.components.transportManager.getAddrs()) {
        if (isCircuitAddr(listening) || !isNetworkAddress(listening)) {
          continue
        }
        const config = getNetConfig(listening)
        if (config.type !== type || config.port == null || config.protocol !== 'tcp') {
          continue
        }
        const port = listening.toString().replace(/^\/ip[46]\/[^/]+/, '')
        // only plain TCP, which a NAT refuses at once: QUIC (UDP) would time out, /ws and /webrtc-direct go
        // through other ports or need a certificate
        if (/^\/tcp\/\d+$/.test(port)) {
          addrs.push(multiaddr(`/${type}/${host}${port}`))
        }
      }
    }
    const seen = new Set<string>()
    return addrs.filter(ma => isPublicCandidate(ma) && !seen.has(ma.toString()) && seen.add(ma.toString()) != null)
  }

  private hasVerifiedPublicAddress (): boolean {
    return this.components.addressManager.getAddressesWithMetadata()
      .some(({ multiaddr, verified, type }) => verified && type !== 'announce' && isPublicCandidate(multiaddr))
  }

  private schedule (server: Server, delay: number): void {
    clearTimeout(server.timer)
    server.timer = setTimeout(() => {
      server.timer = undefined
      void this.check(server)
    }, delay)
  }

  private async check (server: Server): Promise<void> {
    const { connection } = server
    const key = connection.remotePeer.toString()
    const asked = this.asked.get(key) ?? { checking: false }
    if (asked.checking || connection.status !== 'open' || this.servers.get(key) !== server) {
      return
    }
    asked.checking = true
    this.asked.set(key, asked)
    const signal = AbortSignal.timeout(this.timeout)
    try {
      const addrs = this.candidates(connection)
      const tested = addrs.map(String).sort().join(' ')
      const age = Date.now() - (asked.testedAt ?? 0)
      if (addrs.length === 0 || (tested === asked.tested && age < this.recheckInterval)) {
        this.log('nothing new to test with %p', connection.remotePeer)
        return
      }
      this.log('asking %p to dial back %s', connection.remotePeer, tested)
      const stream = await connection.newStream(this.protocol, { signal })
      const messages = pbStream(stream, { maxDataLength: this.maxMessageSize }).pb(Message)
      await messages.write({
        type: Message.MessageType.DIAL,
        dial: { peer: { id: this.components.peerId.toMultihash().bytes, addrs: addrs.map(ma => ma.bytes) } }
      }, { signal })
      const response = await messages.read({ signal })
      await stream.close({ signal }).catch(() => {})
      asked.tested = tested
      asked.testedAt = Date.now()
      const status = response.dialResponse?.status
      const who = `AutoNAT server …${fingerprint(connection.remotePeer.toString())}`
      if (status === Message.ResponseStatus.OK) {
        this.set({ reachability: 'public', reason: `${who} dialled back ${addrs.map(String).join(', ')}` })
      } else if (status === Message.ResponseStatus.E_DIAL_ERROR && !this.hasVerifiedPublicAddress()) {
        this.set({ reachability: 'private', reason: `${who} could not dial back ${addrs.map(String).join(', ')}` })
      } else {
        this.log('%p answered %s (%s)', connection.remotePeer, status, response.dialResponse?.statusText)
      }
    } catch (err) {
      this.log.error('asking %p failed - %e', connection.remotePeer, err)
    } finally {
      asked.checking = false
      // a connection that replaced this one while the request was out checks soon (likely nothing new)
      const current = this.servers.get(key)
      if (current != null) {
        this.schedule(current, current === server ? this.recheckInterval : this.checkDelay)
      }
    }
  }

  private set (status: Omit<ReachabilityStatus, 'since'>): void {
    if (status.reachability === this.current.reachability) {
      this.current = { ...this.current, reason: status.reason }
      return
    }
    this.current = { ...status, since: Date.now() }
    this.log('reachability %s: %s', status.reachability, status.reason)
    this.safeDispatchEvent('change', { detail: this.current })
  }
}
