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

  it('gives back the very object shown before for a line shown the same way, so the log redraws only what changed', () => {
    const hello = line('ana', 'hello')
    const question = line('bob', 'lunch?')
    const answer = line('ana', 'noon', { replyTo: question.id })
    const before = presentLines([hello, question, answer])
    // a new line: every line before it is the same object
    const after = presentLines([hello, question, answer, line('me', 'hi')], undefined, before)
    expect(after.slice(0, 3).every((shown, i) => shown === before[i])).toBe(true)
    expect(after).toHaveLength(4)
    // a reaction under hello, and my pending line sent: those two are new objects, the rest are not
    const mine = { ...line('me', 'on my way'), pending: true }
    const withMine = presentLines([hello, question, answer, mine], undefined, after)
    const reacted = presentLines([hello, question, answer, { ...mine, pending: false }, line('bob', '👍', { reactTo: hello.id })], undefined, withMine)
    expect(reacted[0]).not.toBe(withMine[0])
    expect(reacted[0]?.reactions).toEqual([{ reaction: '👍', count: 1, names: ['BOB'], mine: false }])
    expect(reacted[1]).toBe(withMine[1])
    expect(reacted[2]).toBe(withMine[2])
    expect(reacted[3]).not.toBe(withMine[3])
    expect(reacted[3]?.pending).toBe(false)
    // the member a reply answers is blocked: the reply's quote changes, so it is new
    const hidden = presentLines([hello, question, answer], peer => peer === 'bob', before)
    expect(hidden.map(l => l.text)).toEqual(['hello', 'noon'])
    expect(hidden[1]).not.toBe(before[2])
    expect(hidden[1]?.quoted).toBe('missing')
  })

  it('leaves out the lines and reactions of hidden members', () => {
    const hello = line('ana', 'hello')
    const shown = presentLines([hello, line('troll', 'spam'), line('troll', '👎', { reactTo: hello.id })], peer => peer === 'troll')
    expect(shown.map(l => l.text)).toEqual(['hello'])
    expect(shown[0]?.reactions).toEqual([])
  })
})
