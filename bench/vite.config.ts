import { defineConfig } from 'vite'

// builds the harness page (pages/) into dist/, which a relay serves with --web-root bench/dist
export default defineConfig({
  root: 'pages',
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 }
})
