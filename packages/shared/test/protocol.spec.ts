import { describe, expect, it, vi } from 'vitest'

// the protocol subpath must not load gossipsub (or any other libp2p service): importing it would throw
vi.mock('@libp2p/gossipsub', () => { throw new Error('@p2p-chat/shared/protocol loaded @libp2p/gossipsub') })

describe('@p2p-chat/shared/protocol', () => {
  it('loads without gossipsub, and has what components use', async () => {
    const protocol = await import('../src/protocol.js')
    for (const name of ['fingerprint', 'parseRoute', 'roomPath', 'isRoomSecret', 'utf8Length', 'describeRelayedReason', 'decodeRoomMessage', 'roomTopic', 'formatFileSize'] as const) {
      expect(protocol[name], name).toBeTypeOf('function')
    }
    expect(protocol.MAX_TEXT_BYTES).toBeGreaterThan(0)
  })
})
