import { test as base } from '@playwright/test'
import { RelayProcess } from './relay-process.js'

/** Playwright's `test`, plus `relay`: a fresh relay process for each test, disposed of after it. */
export const test = base.extend<{ relay: RelayProcess }>({
  relay: async ({}, use) => { // eslint-disable-line no-empty-pattern -- Playwright reads fixtures from the pattern
    const relay = await RelayProcess.start()
    await use(relay)
    await relay.dispose()
  }
})

export { expect } from '@playwright/test'
