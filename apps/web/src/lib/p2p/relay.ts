import { WebRTCDirect, WebSockets, WebSocketsSecure, WebTransport } from '@multiformats/multiaddr-matcher'
import { relayMultiaddrs } from '@p2p-chat/shared'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { RelayInfo } from '@p2p-chat/shared'

/**
 * The relay addresses a page can dial, best first: WebSocket (plain `ws` only from an `http:` page, since
 * browsers block it from `https:`), then WebTransport, then WebRTC-direct, which needs no TLS certificate.
 */
export function dialableRelayAddrs (info: RelayInfo, pageProtocol: string): Multiaddr[] {
  const rank = (ma: Multiaddr): number => {
    if (WebSocketsSecure.exactMatch(ma)) return 0
    if (WebSockets.exactMatch(ma)) return pageProtocol === 'http:' ? 1 : -1
    if (WebTransport.exactMatch(ma)) return 2
    if (WebRTCDirect.exactMatch(ma)) return 3
    return -1
  }
  return relayMultiaddrs(info)
    .filter(ma => rank(ma) >= 0)
    .sort((a, b) => rank(a) - rank(b))
}
