import { describe, expect, it } from 'vitest'
import { QUOTE_EXCERPT_CHARS } from '../src/constants.js'
import { escapeHtml, quoteExcerpt } from '../src/text.js'

describe('text for pages', () => {
  it('escapes the five characters that could end text or an attribute', () => {
    expect(escapeHtml('<a href="x" title=\'y\'>&</a>')).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;')
    expect(escapeHtml('plain 🌍 $ text')).toBe('plain 🌍 $ text')
  })

  it('quotes a line\'s first characters, marking what it left out', () => {
    const long = 'x'.repeat(QUOTE_EXCERPT_CHARS + 1)
    expect(quoteExcerpt(long)).toBe(`${'x'.repeat(QUOTE_EXCERPT_CHARS)}…`)
    expect(quoteExcerpt(long.slice(1))).toBe(long.slice(1))
  })
})
