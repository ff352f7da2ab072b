import { afterEach, describe, expect, it, vi } from 'vitest'
import { TypingNotices } from '../src/chat/typing.js'
import { waitFor } from '../src/testing/index.js'
import type { RoomTyping } from '../src/chat/typing.js'

describe('typing notices', () => {
  afterEach(() => { vi.useRealTimers() })

  function notices (expiry = 60_000, delay = 0): { typing: TypingNotices, sent: boolean[], changes: RoomTyping[] } {
    const sent: boolean[] = []
    const changes: RoomTyping[] = []
    const typing = new TypingNotices({ interval: 3_000, delay, expiry, notify: active => sent.push(active), onChange: t => changes.push(t) })
    return { typing, sent, changes }
  }

  it('mine, no delay: at once, then at most once per interval while typing; one "stopped"; none after sending', () => {
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

  it('mine, with a delay: a draft typed that long is told, one sent or emptied sooner is not', () => {
    vi.useFakeTimers()
    const { typing, sent } = notices(60_000, 500)
    // a quick line: typed and sent within the delay tells nobody, then or later
    typing.typing(true)
    vi.advanceTimersByTime(300)
    typing.typing(true)
    typing.sent()
    vi.advanceTimersByTime(1_000)
    expect(sent).toEqual([])
    // a draft emptied within the delay: neither "typing" nor "stopped"
    typing.typing(true)
    typing.typing(false)
    vi.advanceTimersByTime(1_000)
    expect(sent).toEqual([])
    // a longer draft: told once the delay has passed (not again for more keystrokes), then per interval
    typing.typing(true)
    vi.advanceTimersByTime(499)
    typing.typing(true)
    expect(sent).toEqual([])
    vi.advanceTimersByTime(1)
    expect(sent).toEqual([true])
    vi.advanceTimersByTime(2_999)
    typing.typing(true)
    expect(sent).toEqual([true])
    vi.advanceTimersByTime(1)
    typing.typing(true)
    expect(sent).toEqual([true, true])
    // emptied after a notice went out: "stopped"; leaving the room drops a waiting notice
    typing.typing(false)
    expect(sent).toEqual([true, true, false])
    typing.typing(true)
    typing.clear()
    vi.advanceTimersByTime(1_000)
    expect(sent).toEqual([true, true, false])
  })

  it('others\': shown from the first notice, told once, until "stopped", a line, or the expiry', async () => {
    const { typing, changes } = notices(200)
    typing.heard('a', 'ana', true)
    typing.heard('a', 'ana', true)
    typing.heard('b', 'bo', true)
    expect(typing.list().map(t => t.name)).toEqual(['ana', 'bo'])
    typing.heard('a', 'ana', false)
    typing.quiet('b')
    typing.quiet('b')
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
