import { describe, expect, it } from 'vitest'
import { mentions } from './mentions.js'

describe('mentions', () => {
  it('finds a name as a word, with or without @, in any letter case', () => {
    expect(mentions('hey @brave-otter-12, look', 'brave-otter-12')).toBe(true)
    expect(mentions('Ana: lunch?', 'ana')).toBe(true)
    expect(mentions('ask ANA', 'Ana')).toBe(true)
  })

  it('does not find it inside a longer word or name', () => {
    expect(mentions('banana bread', 'ana')).toBe(false)
    expect(mentions('brave-otter-123 is here', 'brave-otter-12')).toBe(false)
    expect(mentions('anything', '')).toBe(false)
  })

  it('reads a name with pattern characters literally', () => {
    expect(mentions('hi a.b', 'a.b')).toBe(true)
    expect(mentions('hi axb', 'a.b')).toBe(false)
  })
})
