import { defineConfig } from 'tsup';

// The wasm is inlined as bytes, so one import works in Node (ESM and CJS), in bundlers and in a plain <script type=module>.
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      worker: 'src/worker/index.ts', // Trainer (host side; no Node or DOM imports)
      'worker-web': 'src/worker/web.ts', // the Web Worker script
      browser: 'src/browser/index.ts', // checkpoint download/upload and IndexedDB
    },
    format: ['esm', 'cjs'],
    platform: 'neutral',
    target: 'es2022',
    dts: true,
    clean: true,
    sourcemap: true,
    loader: { '.wasm': 'binary' },
  },
  // The Node worker_thread trainer, kept out of the browser entries (it imports node:worker_threads). It starts a
  // Worker on its own file, hence shims (import.meta.url in the CJS build).
  {
    entry: { 'worker-node': 'src/worker/node.ts' },
    format: ['esm', 'cjs'],
    platform: 'node',
    target: 'node20',
    dts: true,
    shims: true,
    sourcemap: true,
    loader: { '.wasm': 'binary' },
  },
  // The simple-rnn command (package.json "bin"): Node only, ESM, runnable as a script.
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    sourcemap: true,
    loader: { '.wasm': 'binary' },
  },
]);
