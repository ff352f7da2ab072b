import { defineConfig } from 'vite'

// builds the stock baseline's page (stock/) into dist/stock, which stock/relay.ts serves
export default defineConfig({
  root: 'stock',
  build: { outDir: '../dist/stock', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 }
})
