import { WebRTCDirect, WebSockets, WebSocketsSecure } from '@multiformats/multiaddr-matcher'
import { parseRelayInfo, relayMultiaddrs } from '@p2p-chat/shared'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { RelayInfo } from '@p2p-chat/shared'

/**
 * The relay addresses a page can dial, best first: WebSocket (plain `ws` only from an `http:` page, since
 * browsers block it from `https:`), then WebRTC-direct, which needs no TLS certificate. Not WebTransport: the
 * browser does not bundle it, since no relay of ours can listen on it (js-libp2p has no WebTransport server in Node).
 */
export function dialableRelayAddrs (info: RelayInfo, pageProtocol: string): Multiaddr[] {
  const rank = (ma: Multiaddr): number => {
    if (WebSocketsSecure.exactMatch(ma)) return 0
    if (WebSockets.exactMatch(ma)) return pageProtocol === 'http:' ? 1 : -1
    if (WebRTCDirect.exactMatch(ma)) return 2
    return -1
  }
  return relayMultiaddrs(info)
    .filter(ma => rank(ma) >= 0)
    .sort((a, b) => rank(a) - rank(b))
}

/** A (secure) WebSocket address: the one transport the page's node has from the start. */
export function isWebSocketAddr (ma: Multiaddr): boolean {
  return WebSockets.exactMatch(ma) || WebSocketsSecure.exactMatch(ma)
}

/**
 * The relay info the relay put into the page it served (its `RELAY_INFO_ELEMENT_ID` element's text), if there is
 * one and it reads; undefined otherwise, and the page asks `/api/relay` instead.
 */
export function pageRelayInfo (text: string | null | undefined): RelayInfo | undefined {
  if (text == null) {
    return undefined
  }
  try {
    return parseRelayInfo(JSON.parse(text))
  } catch {
    return undefined
  }
}
