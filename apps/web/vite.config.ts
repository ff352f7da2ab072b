import { readFileSync } from 'node:fs'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'vite'
import type { Plugin } from 'vite'

// `pnpm --filter @p2p-chat/web dev` serves the app on its own; P2P_CHAT_RELAY_HTTP names the relay whose
// /api/relay the dev server forwards to (the relay itself serves the built app in every other case).
const relayHttp = process.env.P2P_CHAT_RELAY_HTTP ?? 'http://127.0.0.1:8080'

/**
 * The self-hosting guide ships with the app (`/docs/self-hosting.md`): the page served over plain http from
 * another computer, which cannot start, links to it.
 */
function selfHostingGuide (): Plugin {
  return {
    name: 'p2p-chat-self-hosting-guide',
    generateBundle () {
      this.emitFile({
        type: 'asset',
        fileName: 'docs/self-hosting.md',
        source: readFileSync(new URL('../../docs/SELF-HOSTING.md', import.meta.url), 'utf8')
      })
    }
  }
}

export default defineConfig({
  plugins: [svelte(), selfHostingGuide()],
  server: {
    host: '127.0.0.1',
    proxy: { '/api': relayHttp }
  },
  build: {
    target: 'es2022',
    sourcemap: true,
    // the first chunk is what a room needs; the node's late parts (lib/p2p/extras.ts) are a chunk of their own
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      output: {
        // everything the page runs first in one chunk (one file compresses better than the same code in two);
        // the late parts import what they share with it from there
        codeSplitting: { groups: [{ name: 'app', tags: ['$initial'], includeDependenciesRecursively: false }] }
      }
    }
  }
})
