import { describe, expect, it } from 'vitest'
import { RoomOutbox } from '../src/chat/outbox.js'
import { waitFor } from '../src/testing/index.js'

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

describe('RoomOutbox', () => {
  it('sends what no peer took as soon as one can, with no event to say so, oldest first', async () => {
    let route = false
    const published: string[] = []
    const sent: string[] = []
    const left = new AbortController()
    const outbox = new RoomOutbox({
      publish: async data => {
        if (!route) return false
        published.push(new TextDecoder().decode(data))
        return true
      },
      signal: left.signal,
      onSent: id => { sent.push(id) },
      retryMin: 20,
      retryMax: 40
    })
    await outbox.queue({ id: 'a', bytes: bytes('first') })
    await outbox.queue({ id: 'b', bytes: bytes('second') })
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(sent).toEqual([])
    expect(outbox.busy).toBe(true)
    // a route comes (gossipsub has its stream to a member now) and nothing tells the outbox
    route = true
    await waitFor(() => sent.length === 2, 2000, 'both lines sent')
    expect(published).toEqual(['first', 'second'])
    expect(sent).toEqual(['a', 'b'])
    expect(outbox.busy).toBe(false)
    left.abort()
  })

  it('tries nothing more once the room is left', async () => {
    let tries = 0
    const left = new AbortController()
    const outbox = new RoomOutbox({ publish: async () => { tries++; return false }, signal: left.signal, onSent: () => {}, retryMin: 10, retryMax: 10 })
    await outbox.queue({ id: 'a', bytes: bytes('x') })
    await waitFor(() => tries >= 2)
    left.abort()
    const after = tries
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(tries).toBe(after)
  })
})
