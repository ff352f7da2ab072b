import { defineConfig } from '@playwright/test'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './support/chromium.js'

/** `pnpm screenshots`: the README's pictures of each main screen (screenshots/take.spec.ts), not a test. */
export default defineConfig({
  testDir: './screenshots',
  workers: 1,
  timeout: 400_000,
  expect: { timeout: 30_000 },
  reporter: [['list']],
  use: { launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS } }
})
