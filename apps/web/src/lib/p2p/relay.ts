import { relayMultiaddrs } from '@p2p-chat/shared'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { RelayInfo } from '@p2p-chat/shared'

/**
 * The relay addresses a page can dial, best first: WebSocket (plain `ws` only from an `http:` page, since
 * browsers block it from `https:`), then WebTransport, then WebRTC-direct, which needs no TLS certificate.
 */
export function dialableRelayAddrs (info: RelayInfo, pageProtocol: string): Multiaddr[] {
  const rank = (ma: Multiaddr): number => {
    const s = ma.toString()
    if (s.includes('/wss') || s.includes('/tls/ws')) return 0
    if (s.includes('/ws')) return pageProtocol === 'http:' ? 1 : -1
    if (s.includes('/webtransport')) return 2
    if (s.includes('/webrtc-direct')) return 3
    return -1
  }
  return relayMultiaddrs(info)
    .filter(ma => rank(ma) >= 0)
    .sort((a, b) => rank(a) - rank(b))
}
