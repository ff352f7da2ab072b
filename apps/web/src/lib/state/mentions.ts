/** Whether a line's text mentions `name` (as a word, with or without a leading @; letter case ignored). */
export function mentions (text: string, name: string): boolean {
  const trimmed = name.trim()
  if (trimmed === '') {
    return false
  }
  const escaped = trimmed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`(^|[^\\p{L}\\p{N}_-])@?${escaped}($|[^\\p{L}\\p{N}_-])`, 'iu').test(text)
}
