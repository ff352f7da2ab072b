/**
 * Test-only views of a page's WebRTC: which ICE candidate pair a peer connection really uses. The first two
 * functions run in the page (`context.addInitScript(keepPeerConnections)`, `page.evaluate(iceRoutes)`), so
 * they must stay self-contained. Used by the NAT lab's specs and the `nat` benchmark; never by the app.
 */

/**
 * One end of a candidate pair: `host`, `srflx` (the NAT's address, from STUN), `prflx` (an address learned
 * from a connectivity check) or `relay` (TURN). Chromium's stats leave a `prflx` candidate's address empty.
 */
export interface IceCandidate {
  type: string
  address: string
  port: number
}

/** The candidate pair a connected RTCPeerConnection has selected, as its `getStats()` reports it. */
export interface IceRoute {
  /** `succeeded` once connectivity checks went both ways over it */
  state: string
  nominated: boolean
  local: IceCandidate
  remote: IceCandidate
  /** bytes the pair carried each way so far */
  bytesSent: number
  bytesReceived: number
  /** when the peer connection became `connected` (`performance.now()`: ms after the page's navigation) */
  connectedAt: number
  /**
   * the addresses of the candidates the other side signalled (its SDP and trickled candidates): tells a peer's
   * connection (its router's address, from STUN) from the page's WebRTC-direct connection to the relay
   */
  signalled: string[]
}

/**
 * For `addInitScript`: the page's `RTCPeerConnection` becomes a subclass that keeps every instance and the
 * time it connected (in its statics: no global of its own), so {@link iceRoutes} can ask each for its stats.
 */
export function keepPeerConnections (): void {
  const Native = window.RTCPeerConnection
  const instances: RTCPeerConnection[] = []
  const connectedAt = new WeakMap<RTCPeerConnection, number>()
  window.RTCPeerConnection = class extends Native {
    static instances = instances
    static connectedAt = connectedAt
    constructor (config?: RTCConfiguration) {
      super(config)
      instances.push(this)
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected' && !connectedAt.has(this)) connectedAt.set(this, performance.now())
      })
    }
  }
}

/** For `page.evaluate`: the selected candidate pair of every connected peer connection the page kept. */
export async function iceRoutes (): Promise<IceRoute[]> {
  const { instances = [], connectedAt } = RTCPeerConnection as unknown as { instances?: RTCPeerConnection[], connectedAt?: WeakMap<RTCPeerConnection, number> }
  const routes: IceRoute[] = []
  for (const pc of instances.filter(pc => pc.connectionState === 'connected')) {
    const stats = new Map<string, Record<string, unknown>>()
    ;(await pc.getStats()).forEach((s: Record<string, unknown>) => { stats.set(s.id as string, s) })
    const transport = [...stats.values()].find(s => s.type === 'transport' && s.selectedCandidatePairId != null)
    const pair = transport != null
      ? stats.get(transport.selectedCandidatePairId as string)
      : [...stats.values()].find(s => s.type === 'candidate-pair' && s.nominated === true)
    if (pair == null) continue
    const candidate = (id: unknown): IceCandidate => {
      const c = stats.get(id as string) ?? {}
      return { type: String(c.candidateType), address: String(c.address), port: Number(c.port) }
    }
    routes.push({
      state: String(pair.state),
      nominated: pair.nominated === true,
      local: candidate(pair.localCandidateId),
      remote: candidate(pair.remoteCandidateId),
      bytesSent: Number(pair.bytesSent ?? 0),
      bytesReceived: Number(pair.bytesReceived ?? 0),
      connectedAt: connectedAt?.get(pc) ?? Number.NaN,
      // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> …
      signalled: (pc.remoteDescription?.sdp ?? '').split(/\r?\n/).filter(line => line.startsWith('a=candidate:')).map(line => line.split(' ')[4] ?? '')
    })
  }
  return routes
}

/**
 * Whether a route is a working path straight through the NATs to the peer behind `peerRouterIp`: nominated,
 * succeeded, neither end a host or TURN candidate, on a connection to which the peer signalled its router's
 * address, and its remote end that address (srflx) or one learned from the peer's checks (prflx, whose
 * address Chromium's stats do not show).
 */
export function goesToPeer (route: IceRoute, peerRouterIp: string): boolean {
  const punched = ['srflx', 'prflx'].includes(route.local.type) && route.signalled.includes(peerRouterIp) &&
    (route.remote.type === 'prflx' || (route.remote.type === 'srflx' && route.remote.address === peerRouterIp))
  return punched && route.nominated && route.state === 'succeeded'
}

/** Whether a route is a working path through a TURN server at `turnIp`: nominated, succeeded, one end a relay candidate there. */
export function goesThroughTurn (route: IceRoute, turnIp: string): boolean {
  const relayed = (route.local.type === 'relay' && route.local.address === turnIp) || (route.remote.type === 'relay' && route.remote.address === turnIp)
  return relayed && route.nominated && route.state === 'succeeded'
}
