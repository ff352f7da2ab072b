import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  // the session's state modules (`*.svelte.ts`) use runes: the Svelte compiler makes them plain code
  plugins: [svelte()],
  test: { include: ['src/**/*.spec.ts', 'build/**/*.spec.ts'] }
})
