import { ED25519_ONLY_MESSAGE, IDENTITY_KEY_TYPE } from './constants.js'
import { UnsupportedIdentityError } from './errors.js'
import type { ConnectionGater, PeerId, PublicKey } from '@libp2p/interface'

/** Whether a peer id or key is of the type P2P Chat identities have ({@link IDENTITY_KEY_TYPE}, Ed25519). */
export function isChatIdentity (identity: PeerId | PublicKey): boolean {
  return identity.type === IDENTITY_KEY_TYPE
}

/** Throws {@link UnsupportedIdentityError} unless `identity` is Ed25519; `what` names it in the message. */
export function checkChatIdentity (identity: PeerId | PublicKey, what: string): void {
  if (!isChatIdentity(identity)) {
    throw new UnsupportedIdentityError(`${what} is a ${identity.type} key: ${ED25519_ONLY_MESSAGE}`)
  }
}

/**
 * `gater`, refusing besides every connection, either way, to a peer whose id is not Ed25519, once its handshake
 * has named it; `onRefused` hears of each. A peer of P2P Chat then never meets one, so what such a peer would
 * sign or publish never reaches a page, which could not read its key (the web build carries Ed25519 keys only).
 */
export function chatIdentitiesOnly (gater: ConnectionGater = {}, onRefused?: (peer: PeerId) => void): ConnectionGater {
  const refused = (peer: PeerId): boolean => {
    if (isChatIdentity(peer)) return false
    onRefused?.(peer)
    return true
  }
  return {
    ...gater,
    denyInboundEncryptedConnection: async (peer, maConn) => refused(peer) || ((await gater.denyInboundEncryptedConnection?.(peer, maConn)) ?? false),
    denyOutboundEncryptedConnection: async (peer, maConn) => refused(peer) || ((await gater.denyOutboundEncryptedConnection?.(peer, maConn)) ?? false)
  }
}
