import { describe, expect, it } from 'vitest'
import { TypingNotices } from '../src/chat/typing.js'
import { waitFor } from '../src/testing/index.js'
import type { RoomTyping } from '../src/chat/typing.js'

describe('typing notices', () => {
  function notices (expiry = 60_000): { typing: TypingNotices, sent: boolean[], changes: RoomTyping[] } {
    const sent: boolean[] = []
    const changes: RoomTyping[] = []
    const typing = new TypingNotices({ interval: 3_000, expiry, notify: active => sent.push(active), onChange: t => changes.push(t) })
    return { typing, sent, changes }
  }

  it('mine: at once, then at most once per interval while typing; one "stopped"; none after sending', () => {
    const { typing, sent } = notices()
    for (const now of [0, 10, 1_000, 2_999]) {
      typing.typing(true, now)
    }
    expect(sent).toEqual([true])
    typing.typing(true, 3_000)
    typing.typing(true, 5_000)
    expect(sent).toEqual([true, true])
    typing.typing(false, 5_100)
    typing.typing(false, 5_200)
    expect(sent).toEqual([true, true, false])
    typing.typing(true, 5_300)
    typing.sent()
    typing.typing(false, 5_400)
    // after a line, the next keystroke tells at once
    typing.typing(true, 5_500)
    expect(sent).toEqual([true, true, false, true, true])
  })

  it('others\': shown from the first notice, told once, until "stopped", a line, or the expiry', async () => {
    const { typing, changes } = notices(200)
    typing.heard('a', 'ana', true)
    typing.heard('a', 'ana', true)
    typing.heard('b', 'bo', true)
    expect(typing.list().map(t => t.name)).toEqual(['ana', 'bo'])
    typing.heard('a', 'ana', false)
    typing.spoke('b')
    typing.spoke('b')
    expect(changes).toEqual([
      { peer: 'a', name: 'ana', active: true }, { peer: 'b', name: 'bo', active: true },
      { peer: 'a', name: 'ana', active: false }, { peer: 'b', name: 'bo', active: false }
    ])
    typing.heard('a', 'ana', true)
    await waitFor(() => changes.length === 6)
    expect(changes[5]).toEqual({ peer: 'a', name: 'ana', active: false })
    expect(typing.list()).toEqual([])
    // leaving forgets without telling
    typing.heard('a', 'ana', true)
    typing.clear()
    expect(typing.list()).toEqual([])
    expect(changes).toHaveLength(7)
  })
})
