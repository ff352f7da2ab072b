import { describe, expect, it } from 'vitest'
import { presentLines } from './present.js'
import type { ChatLine } from './chat-session.svelte.js'

let next = 0
function line (from: string, text: string, extra: Partial<ChatLine> = {}): ChatLine {
  next++
  return { id: next.toString(16).padStart(32, '0'), from, name: from.toUpperCase(), text, timestamp: next, mine: from === 'me', pending: false, ...extra }
}

describe('presentLines', () => {
  it('gathers reactions under the line they react to, one per member and reaction', () => {
    const hello = line('ana', 'hello')
    const shown = presentLines([
      hello,
      line('bob', '👍', { reactTo: hello.id }),
      line('bob', '👍', { reactTo: hello.id }),
      line('me', '👍', { reactTo: hello.id }),
      line('bob', '🎉', { reactTo: hello.id })
    ])
    expect(shown).toHaveLength(1)
    expect(shown[0]?.reactions).toEqual([
      { reaction: '👍', count: 2, names: ['BOB', 'ME'], mine: true },
      { reaction: '🎉', count: 1, names: ['BOB'], mine: false }
    ])
  })

  it('shows what a reply answers, or that the line answered is not here', () => {
    const question = line('ana', 'lunch?')
    const answer = line('bob', 'noon', { replyTo: question.id })
    const orphan = line('bob', 'as I said', { replyTo: 'f'.repeat(32) })
    const shown = presentLines([question, answer, orphan])
    expect(shown[1]?.quoted).toEqual({ name: 'ANA', text: 'lunch?' })
    expect(shown[2]?.quoted).toBe('missing')
    expect(shown[0]?.quoted).toBeUndefined()
  })

  it('leaves out the lines and reactions of hidden members', () => {
    const hello = line('ana', 'hello')
    const shown = presentLines([hello, line('troll', 'spam'), line('troll', '👎', { reactTo: hello.id })], peer => peer === 'troll')
    expect(shown.map(l => l.text)).toEqual(['hello'])
    expect(shown[0]?.reactions).toEqual([])
  })
})
