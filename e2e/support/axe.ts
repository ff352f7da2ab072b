import AxeBuilder from '@axe-core/playwright'
import { expect } from '@playwright/test'
import type { Page } from '@playwright/test'

/** The impacts a screen may not have: axe-core's two worst. */
const BLOCKING = new Set(['serious', 'critical'])

/**
 * Runs axe-core (every rule it has: WCAG 2.1 A/AA and best practices) on the page as it is now and fails on any
 * serious or critical violation, naming the rule and the elements.
 */
export async function expectNoSeriousViolations (page: Page, screen: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze()
  const blocking = violations
    .filter(v => BLOCKING.has(v.impact ?? ''))
    .map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).join(' | ')}`)
  expect(blocking, `axe-core on ${screen}`).toEqual([])
}
