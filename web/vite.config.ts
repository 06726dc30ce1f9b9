// The demo page, built by Vite against the built package (dist/), exactly as an app that installed simple-rnn would.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const dist = (file: string) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: {
    alias: [
      { find: /^simple-rnn$/, replacement: dist('index.js') },
      { find: /^simple-rnn\/worker$/, replacement: dist('worker.js') },
      { find: /^simple-rnn\/worker\/web$/, replacement: dist('worker-web.js') },
      { find: /^simple-rnn\/browser$/, replacement: dist('browser.js') },
    ],
  },
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1000 },
  preview: { host: '127.0.0.1', port: 5173, strictPort: true },
});
