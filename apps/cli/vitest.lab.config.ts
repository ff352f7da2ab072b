import { defineConfig } from 'vitest/config'

// `pnpm test:lab`: real processes in network namespaces (scripts/lab-net), run by scripts/lab inside
// tools/netns-run as root. One file at a time: each builds its own lab.
export default defineConfig({
  test: {
    include: ['test/lab/**/*.lab.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 30_000
  }
})
