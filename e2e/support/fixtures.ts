import { test as base } from '@playwright/test'
import { DEFAULT_NATS, NatLab } from './nat-lab.js'
import { RelayProcess } from './relay-process.js'
import type { NatKind } from './nat-lab.js'

/** Playwright's `test`, plus `relay`: a fresh relay process for each test, disposed of after it. */
export const test = base.extend<{ relay: RelayProcess }>({
  relay: async ({}, use) => { // eslint-disable-line no-empty-pattern -- Playwright reads fixtures from the pattern
    const relay = await RelayProcess.start()
    await use(relay)
    await relay.dispose()
  }
})

/**
 * Playwright's `test`, plus `lab`: a fresh NAT lab for each test (nat-lab.ts: the relay and coturn on the
 * lab's public network, a host behind a router of each kind in `nats`), torn down after it, failed or not.
 * Set the options with `test.use({ nats: ['cone', 'symmetric'], turn: true })`.
 */
export const labTest = base.extend<{ nats: NatKind[], turn: boolean, lab: NatLab }>({
  nats: [DEFAULT_NATS, { option: true }],
  turn: [false, { option: true }],
  lab: async ({ nats, turn }, use) => {
    const lab = await NatLab.create({ nats, turn })
    try {
      await use(lab)
    } finally {
      await lab.destroy()
    }
  }
})

export { expect } from '@playwright/test'
