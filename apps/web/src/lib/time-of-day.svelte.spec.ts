import { describe, expect, it } from 'vitest'
import { timeOfDay } from './time-of-day.svelte.js'

describe('timeOfDay', () => {
  it('is empty until its formatter is made, then the locale\'s time of day', async () => {
    const at = Date.UTC(2026, 11, 3, 14, 5)
    expect(timeOfDay(at)).toBe('')
    expect(timeOfDay(at)).toBe('')
    await new Promise(resolve => setTimeout(resolve, 10))
    expect(timeOfDay(at)).toBe(new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' }).format(at))
  })
})
