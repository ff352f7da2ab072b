import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { chatIdentitiesOnly, checkChatIdentity, isChatIdentity } from '../src/identity.js'
import type { MultiaddrConnection, PeerId } from '@libp2p/interface'

describe('Ed25519 identities only', async () => {
  const ed25519 = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  const secp256k1 = peerIdFromPrivateKey(await generateKeyPair('secp256k1'))
  const rsa = peerIdFromPrivateKey(await generateKeyPair('RSA', 1024))
  const maConn = {} as unknown as MultiaddrConnection

  it('tells an Ed25519 peer id or key from the others, and says why one is refused', async () => {
    expect([ed25519, secp256k1, rsa].map(isChatIdentity)).toEqual([true, false, false])
    expect(isChatIdentity((await generateKeyPair('Ed25519')).publicKey)).toBe(true)
    expect(() => { checkChatIdentity(ed25519, 'a peer') }).not.toThrow()
    expect(() => { checkChatIdentity(rsa, 'a peer') }).toThrow(expect.objectContaining({
      name: 'UnsupportedIdentityError',
      message: expect.stringMatching(/^a peer is a RSA key: P2P Chat identities are Ed25519 keys/)
    }))
  })

  it('as a connection gater: refuses the others both ways and says so, and asks the gater it wraps about the rest', async () => {
    const refused: PeerId[] = []
    const asked: string[] = []
    const gater = chatIdentitiesOnly({
      denyInboundEncryptedConnection: peer => { asked.push(`in ${peer.type}`); return false },
      denyDialMultiaddr: () => true
    }, peer => refused.push(peer))
    expect(await gater.denyInboundEncryptedConnection!(secp256k1, maConn)).toBe(true)
    expect(await gater.denyOutboundEncryptedConnection!(rsa, maConn)).toBe(true)
    expect(await gater.denyInboundEncryptedConnection!(ed25519, maConn)).toBe(false)
    expect(await gater.denyOutboundEncryptedConnection!(ed25519, maConn)).toBe(false)
    expect(refused).toEqual([secp256k1, rsa])
    // the wrapped gater hears only of the peers it may still deny; its other rules stay
    expect(asked).toEqual(['in Ed25519'])
    expect(await gater.denyDialMultiaddr!({} as never)).toBe(true)
  })
})
