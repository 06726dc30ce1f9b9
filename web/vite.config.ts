// The demo page, built by Vite against the built package: `simple-rnn/...` imports resolve through package.json
// "exports" to dist/ (a package may import itself by name), exactly as in an app that installed simple-rnn.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1000 },
  preview: { host: '127.0.0.1', port: 5173, strictPort: true },
});
