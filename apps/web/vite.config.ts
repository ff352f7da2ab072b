import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'vite'

// `pnpm --filter @p2p-chat/web dev` serves the app on its own; P2P_CHAT_RELAY_HTTP names the relay whose
// /api/relay the dev server forwards to (the relay itself serves the built app in every other case).
const relayHttp = process.env.P2P_CHAT_RELAY_HTTP ?? 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [svelte()],
  server: {
    host: '127.0.0.1',
    proxy: { '/api': relayHttp }
  },
  build: {
    target: 'es2022',
    sourcemap: true,
    // the libp2p chunk is ~240 KiB gzip; it is split from the app and cached apart
    chunkSizeWarningLimit: 900,
    rolldownOptions: {
      output: {
        // libp2p is most of the bytes and changes less often than the app: cache it apart
        codeSplitting: {
          groups: [{ name: 'libp2p', test: /node_modules/ }]
        }
      }
    }
  }
})
