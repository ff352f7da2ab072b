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

/** What {@link presentLines} made, and from what: handed back to it with the next lines. */
export interface Presented {
  lines: readonly ChatLine[]
  /** the members left out (blocked), as the list they were given in */
  hidden: readonly string[]
  shown: ShownLine[]
}

const NO_ONE: readonly string[] = []
const NOTHING_PRESENTED: Presented = { lines: [], hidden: NO_ONE, shown: [] }

/**
 * Turns the room's lines into what the log shows: reactions are not lines of their own but counted under the
 * line they react to (one per member and reaction; a reaction to a line not here is not shown), replies carry
 * the line they answer, and lines from members `hidden` (blocked) are left out, with their reactions.
 *
 * `previous` is what it made before. A line shown the same way is that very object again, so the log (a keyed
 * `{#each}` of immutable items) redraws only the lines that changed. And when the lines are the previous ones
 * with new lines added (at the end, or sorted in before newer ones) and the oldest gone, only the new lines are made:
 * the room's other lines are compared by identity and kept, not copied and compared field by field (see
 * {@link presentAdded}).
 */
export function presentLines (lines: readonly ChatLine[], hidden: readonly string[] = NO_ONE, previous: Presented = NOTHING_PRESENTED): Presented {
  return { lines, hidden, shown: presentAdded(lines, hidden, previous) ?? presentAll(lines, hidden, previous.shown) }
}

/** A line as shown: its reactions, and what it answers (`answered`: that line if it is here and shown). */
function showLine (line: ChatLine, reactions: ReactionSummary[], answered: ChatLine | undefined): ShownLine {
  const quoted = line.replyTo == null ? undefined : answered == null ? 'missing' as const : { name: answered.name, text: answered.text }
  return { ...line, reactions, quoted }
}

/**
 * The lines shown when `lines` are `previous.lines` with lines added (at the end, or anywhere: a line that arrives
 * late sorts in before newer ones) and lines gone (the oldest, as the timeline keeps the newest, or a pending line
 * replaced by its sent copy), and nothing added or gone changes a line shown before: none of them is a reaction,
 * none is answered or reacted to by a line here. Then what was shown stays, less the lines gone, and only the added
 * lines are made, in their places. Undefined when that is not so (a reaction, a line answered, members hidden
 * changed): all lines are made again.
 */
function presentAdded (lines: readonly ChatLine[], hidden: readonly string[], previous: Presented): ShownLine[] | undefined {
  const before = previous.lines
  if (hidden !== previous.hidden || lines.length === 0 || before.length === 0) return undefined
  // the oldest lines gone, then a run that both have, as they usually are: only the lines after it are looked up
  const first = Math.max(0, before.indexOf(lines[0]!))
  let same = 0
  while (first + same < before.length && same < lines.length && lines[same] === before[first + same]) same++
  const beforeRest = before.slice(first + same)
  const linesRest = lines.slice(same)
  const kept = new Set(linesRest)
  const was = new Set(beforeRest)
  const changed = new Set<string>()
  for (const line of [...before.slice(0, first), ...beforeRest.filter(l => !kept.has(l)), ...linesRest.filter(l => !was.has(l))]) {
    if (line.reactTo != null) return undefined
    changed.add(line.id)
  }
  if (lines.some(line => changed.has(line.replyTo ?? '') || changed.has(line.reactTo ?? ''))) return undefined
  // `previous.shown` holds, in order, the lines of `before` that are neither reactions nor hidden
  const ownLine = (line: ChatLine): boolean => line.reactTo == null && !hidden.includes(line.from)
  let next = 0
  for (let i = 0; i < first; i++) {
    if (ownLine(before[i]!)) next++
  }
  const shownFirst = next
  for (let i = first; i < first + same; i++) {
    if (ownLine(before[i]!)) next++
  }
  const shown = previous.shown.slice(shownFirst, next)
  const shownRest = new Map<ChatLine, ShownLine>()
  for (const line of beforeRest) {
    if (ownLine(line)) shownRest.set(line, previous.shown[next++]!)
  }
  const made = (line: ChatLine): ShownLine => {
    const answered = line.replyTo == null ? undefined : lines.findLast(l => l.id === line.replyTo)
    return showLine(line, [], answered != null && ownLine(answered) ? answered : undefined)
  }
  for (const line of linesRest) {
    if (ownLine(line)) shown.push(shownRest.get(line) ?? made(line))
  }
  return shown
}

/** Every line made again; those shown the same way as in `previous` are the objects shown before. */
function presentAll (lines: readonly ChatLine[], hidden: readonly string[], previous: readonly ShownLine[]): ShownLine[] {
  const byId = new Map<string, ChatLine>()
  const reactions = new Map<string, Map<string, { names: string[], from: Set<string>, mine: boolean }>>()
  for (const line of lines) {
    if (hidden.includes(line.from)) continue
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
    const shown = showLine(line, summaries, line.replyTo == null ? undefined : byId.get(line.replyTo))
    const before = shownBefore.get(line.id)
    return before != null && sameShownLine(before, shown) ? before : shown
  })
}
