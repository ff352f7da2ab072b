import { defineConfig } from 'vitest/config'

// unit tests of the benchmarks' own bookkeeping (the page build is vite.config.ts)
export default defineConfig({
  test: { include: ['test/**/*.spec.ts'] }
})
