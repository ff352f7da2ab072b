import { defineConfig } from 'vitest/config'

export default defineConfig({
  // --expose-gc: the history keeper's memory test measures the heap after a full collection
  test: { include: ['test/**/*.spec.ts'], testTimeout: 30_000, hookTimeout: 30_000, execArgv: ['--expose-gc'] }
})
