import { describe, expect, it } from 'vitest'
import { presentLines, QUICK_REACTIONS } from './present.js'
import type { ChatLine } from './chat-session.svelte.js'

let next = 0
function line (from: string, text: string, extra: Partial<ChatLine> = {}): ChatLine {
  next++
  return { id: next.toString(16).padStart(32, '0'), from, name: from.toUpperCase(), text, timestamp: next, mine: from === 'me', pending: false, ...extra }
}

describe('presentLines', () => {
  it('gathers reactions under the line they react to, one per member and reaction', () => {
    const hello = line('ana', 'hello')
    const { shown } = presentLines([
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
    const { shown } = presentLines([question, answer, orphan])
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
    expect(after.shown.slice(0, 3).every((shown, i) => shown === before.shown[i])).toBe(true)
    expect(after.shown).toHaveLength(4)
    // a reaction under hello, and my pending line sent: those two are new objects, the rest are not
    const mine = { ...line('me', 'on my way'), pending: true }
    const withMine = presentLines([...after.lines.slice(0, 3), mine], undefined, after)
    const reacted = presentLines([hello, question, answer, { ...mine, pending: false }, line('bob', '👍', { reactTo: hello.id })], undefined, withMine).shown
    expect(reacted[0]).not.toBe(withMine.shown[0])
    expect(reacted[0]?.reactions).toEqual([{ reaction: '👍', count: 1, names: ['BOB'], mine: false }])
    expect(reacted[1]).toBe(withMine.shown[1])
    expect(reacted[2]).toBe(withMine.shown[2])
    expect(reacted[3]).not.toBe(withMine.shown[3])
    expect(reacted[3]?.pending).toBe(false)
    // the member a reply answers is blocked: the reply's quote changes, so it is new
    const hidden = presentLines([hello, question, answer], ['bob'], before).shown
    expect(hidden.map(l => l.text)).toEqual(['hello', 'noon'])
    expect(hidden[1]).not.toBe(before.shown[2])
    expect(hidden[1]?.quoted).toBe('missing')
  })

  it('leaves out the lines and reactions of hidden members', () => {
    const hello = line('ana', 'hello')
    const { shown } = presentLines([hello, line('troll', 'spam'), line('troll', '👎', { reactTo: hello.id })], ['troll'])
    expect(shown.map(l => l.text)).toEqual(['hello'])
    expect(shown[0]?.reactions).toEqual([])
  })

  it('shows the same lines whether they came one by one or all at once, whatever came and went', () => {
    // a room's life in random steps (seeded, so a failure can be replayed): lines, replies and reactions arrive,
    // some late (sorted in before the end), some before the line they point at; the oldest go past the
    // timeline's limit, a pending line is sent, members are blocked and unblocked
    let seed = 7
    const random = (n: number): number => { // mulberry32
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) % n
    }
    const members = ['ana', 'bob', 'me', 'troll']
    let lines: ChatLine[] = []
    let hidden: readonly string[] = []
    let presented = presentLines(lines, hidden)
    for (let step = 0; step < 2000; step++) {
      // what a reply or reaction points at: a line here, or one still to come (it came first: clocks differ)
      const target = (): string => random(4) === 0 ? (next + 1 + random(3)).toString(16).padStart(32, '0') : lines[random(lines.length)]?.id ?? 'f'.repeat(32)
      const from = members[random(members.length)]!
      const kind = random(20)
      if (kind < 10) lines = [...lines, line(from, `line ${step}`)]
      else if (kind < 12) lines = [...lines, line(from, `re ${step}`, { replyTo: target() })]
      else if (kind < 14) lines = [...lines, line(from, QUICK_REACTIONS[random(3)]!, { reactTo: target() })]
      else if (kind < 15 && lines.length > 0) lines = lines.toSpliced(random(lines.length), 0, line(from, `late ${step}`))
      else if (kind < 17) lines = lines.slice(random(3))
      else if (kind < 18 && lines.length > 0) { const i = random(lines.length); lines = lines.with(i, { ...lines[i]!, pending: !lines[i]!.pending }) }
      else if (kind < 19) hidden = hidden.includes('troll') ? [] : ['troll']
      // the timeline keeps the newest lines
      if (lines.length > 40) lines = lines.slice(lines.length - 40)
      const after = presentLines(lines, hidden, presented)
      expect(after.shown, `step ${step}`).toEqual(presentLines(lines, hidden).shown)
      // a line shown the same way is the object shown before
      const before = new Map(presented.shown.map(l => [l.id, l]))
      for (const shown of after.shown) {
        const was = before.get(shown.id)
        if (was != null && JSON.stringify(was) === JSON.stringify(shown)) expect(shown, `step ${step}`).toBe(was)
      }
      presented = after
    }
  })

  it('makes only the new lines when lines are added at the end', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => line('ana', `line ${i}`))
    const before = presentLines(lines)
    const added = line('bob', 'new')
    const after = presentLines([...lines.slice(1), added], undefined, before)
    expect(after.shown).toHaveLength(1000)
    expect(after.shown.slice(0, 999).every((shown, i) => shown === before.shown[i + 1])).toBe(true)
    expect(after.shown[999]).toMatchObject({ id: added.id, text: 'new', reactions: [] })
  })

  it('makes only the new line when one arrives late and sorts in before newer ones: the other lines are not copied again', () => {
    let copied = 0
    // a line copied to be shown is spread, which lists its keys
    const watched = (l: ChatLine): ChatLine => new Proxy(l, { ownKeys: target => { copied++; return Reflect.ownKeys(target) } })
    const lines = Array.from({ length: 1000 }, (_, i) => watched(line('ana', `line ${i}`)))
    const before = presentLines(lines)
    copied = 0
    const late = line('bob', 'late')
    const after = presentLines(lines.toSpliced(500, 0, late), undefined, before)
    expect(copied).toBe(0)
    expect(after.shown).toHaveLength(1001)
    expect(after.shown[500]).toMatchObject({ id: late.id, text: 'late', reactions: [] })
    expect(after.shown.toSpliced(500, 1).every((shown, i) => shown === before.shown[i])).toBe(true)
  })
})
