import type { ChatLine } from './chat-session.svelte.js'

/** The reactions offered by a line's picker (any short text up to MAX_REACTION_BYTES is valid on the wire). */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮'] as const

/** One reaction under a line: how many members reacted so, who, and whether I did. */
export interface ReactionSummary {
  reaction: string
  count: number
  /** display names of those who reacted, in the order they did */
  names: string[]
  mine: boolean
}

/** What a reply answers, as shown above it. */
export interface Quoted {
  name: string
  text: string
}

/** A line as the log shows it: reactions gathered under it, and what it answers. */
export interface ShownLine extends ChatLine {
  reactions: ReactionSummary[]
  /** a reply: the line it answers, or `missing` when that line is not here (not kept, or hidden) */
  quoted?: Quoted | 'missing'
}

function sameReactions (a: ReactionSummary[], b: ReactionSummary[]): boolean {
  return a.length === b.length && a.every((r, i) => {
    const other = b[i]!
    return r.reaction === other.reaction && r.count === other.count && r.mine === other.mine && r.names.join('\n') === other.names.join('\n')
  })
}

function sameQuote (a: ShownLine['quoted'], b: ShownLine['quoted']): boolean {
  return a === b || (typeof a === 'object' && typeof b === 'object' && a.name === b.name && a.text === b.text)
}

/** Whether `before` shows exactly what `after` does: the same line fields, reactions and quote. */
function sameShownLine (before: ShownLine, after: ShownLine): boolean {
  const keys = Object.keys(after) as Array<keyof ShownLine>
  return keys.length === Object.keys(before).length &&
    keys.every(key => key === 'reactions' || key === 'quoted' || before[key] === after[key]) &&
    sameReactions(before.reactions, after.reactions) && sameQuote(before.quoted, after.quoted)
}

/**
 * Turns the room's lines into what the log shows: reactions are not lines of their own but counted under the
 * line they react to (one per member and reaction; a reaction to a line not here is not shown), replies carry
 * the line they answer, and lines from members `hidden` (blocked) are left out, with their reactions.
 *
 * `previous` is what the log showed before: a line shown the same way is that very object again, so the log (a
 * keyed `{#each}` of immutable items) redraws only the lines that changed, not every line for each new one.
 */
export function presentLines (lines: readonly ChatLine[], hidden: (peerId: string) => boolean = () => false, previous: readonly ShownLine[] = []): ShownLine[] {
  const byId = new Map<string, ChatLine>()
  const reactions = new Map<string, Map<string, { names: string[], from: Set<string>, mine: boolean }>>()
  for (const line of lines) {
    if (hidden(line.from)) continue
    if (line.reactTo == null) {
      byId.set(line.id, line)
      continue
    }
    const forLine = reactions.get(line.reactTo) ?? new Map()
    reactions.set(line.reactTo, forLine)
    const summary = forLine.get(line.text) ?? { names: [], from: new Set<string>(), mine: false }
    forLine.set(line.text, summary)
    if (!summary.from.has(line.from)) {
      summary.from.add(line.from)
      summary.names.push(line.name)
      summary.mine ||= line.mine
    }
  }
  const shownBefore = new Map(previous.map(line => [line.id, line]))
  return [...byId.values()].map(line => {
    const summaries = [...reactions.get(line.id) ?? []].map(([reaction, s]) => ({ reaction, count: s.from.size, names: s.names, mine: s.mine }))
    const answered = line.replyTo == null ? undefined : byId.get(line.replyTo)
    const quoted = line.replyTo == null ? undefined : answered == null ? 'missing' as const : { name: answered.name, text: answered.text }
    const shown = { ...line, reactions: summaries, quoted }
    const before = shownBefore.get(line.id)
    return before != null && sameShownLine(before, shown) ? before : shown
  })
}
