/** The pattern of the last name asked about: a name changes rarely, and each line is checked against it. */
let last: { name: string, pattern: RegExp } | undefined

/** Whether a line's text mentions `name` (as a word, with or without a leading @; letter case ignored). */
export function mentions (text: string, name: string): boolean {
  const trimmed = name.trim()
  if (trimmed === '') {
    return false
  }
  if (last?.name !== trimmed) {
    const escaped = trimmed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    last = { name: trimmed, pattern: new RegExp(`(^|[^\\p{L}\\p{N}_-])@?${escaped}($|[^\\p{L}\\p{N}_-])`, 'iu') }
  }
  return last.pattern.test(text)
}
