import { QUOTE_EXCERPT_CHARS } from './constants.js'

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text for HTML (or SVG): as text, never as markup, in an element or in a quoted attribute. */
export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, c => HTML_ESCAPES[c]!)
}

/** What a reply's quote shows of the line it answers: its first {@link QUOTE_EXCERPT_CHARS} characters. */
export function quoteExcerpt (text: string): string {
  return text.length > QUOTE_EXCERPT_CHARS ? `${text.slice(0, QUOTE_EXCERPT_CHARS)}…` : text
}
