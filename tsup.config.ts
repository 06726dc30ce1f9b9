import { defineConfig } from 'tsup';

// The wasm is inlined as bytes, so one import works in Node (ESM and CJS), in bundlers and in a plain <script type=module>.
// Only the strict build is in what an entry loads up front: the relaxed-SIMD and threads builds are dynamic imports
// (src/backends/wasm.ts, src/parallel/realm.ts), which code splitting turns into chunks of their own, loaded only by a
// model that asks for them. `splitting: true` extends that to the CJS output (tsup's CJS splitting: the chunks are
// required lazily, inside the promise of the import()).
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      worker: 'src/demos/trainer.ts', // the Trainer (src/trainer/, host side; no Node or DOM imports) and the demo jobs
      'worker-web': 'src/demos/trainer-web.ts', // the Web Worker script, serving the demo tasks
      browser: 'src/browser/index.ts', // checkpoint download/upload and IndexedDB
      keras: 'src/keras.ts', // Keras .keras / .h5 files (the HDF5 reader stays out of the core entry)
      node: 'src/node/index.ts', // model files on disk; in this group so that it shares the core's chunks (one SimpleRNN)
    },
    format: ['esm', 'cjs'],
    platform: 'neutral',
    external: [/^node:/], // the Node entry's built-ins (the walls test keeps them out of every browser-safe entry)
    target: 'es2022',
    dts: true,
    clean: true,
    sourcemap: true,
    splitting: true,
    loader: { '.wasm': 'binary' },
  },
  // The Node worker_thread trainer, kept out of the browser entries (it imports node:worker_threads). It starts a
  // Worker on its own file, hence shims (import.meta.url in the CJS build).
  {
    entry: { 'worker-node': 'src/demos/trainer-node.ts' },
    format: ['esm', 'cjs'],
    platform: 'node',
    target: 'node20',
    dts: true,
    shims: true,
    sourcemap: true,
    splitting: true,
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
