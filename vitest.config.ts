import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';

// Loads a .wasm import as its bytes (what tsup's binary loader does for dist/), instead of as a wasm ES module.
const wasmBytes: Plugin = {
  name: 'wasm-bytes',
  enforce: 'pre',
  load(id) {
    if (!id.endsWith('.wasm')) return null;
    const b64 = readFileSync(id).toString('base64');
    return `const b = Uint8Array.from(atob(${JSON.stringify(b64)}), (c) => c.charCodeAt(0)); export default b;`;
  },
};

// Tests import the public names (`simple-rnn`, `simple-rnn/worker`, ...) from the sources, as package.json "exports"
// maps them in dist/ (tsconfig.json "paths" says the same to the type checker). Exact matches: a deep import such as
// '../../src/pass.js' is left alone.
const entry = (p: string) => fileURLToPath(new URL(p, import.meta.url));
export const PUBLIC_ENTRIES: Record<string, string> = {
  'simple-rnn': './src/index.ts',
  'simple-rnn/worker': './src/demos/trainer.ts',
  'simple-rnn/worker/web': './src/demos/trainer-web.ts',
  'simple-rnn/worker/node': './src/demos/trainer-node.ts',
  'simple-rnn/browser': './src/browser/index.ts',
  'simple-rnn/node': './src/node/index.ts',
  'simple-rnn/keras': './src/keras.ts',
};

export default defineConfig({
  plugins: [wasmBytes],
  resolve: {
    alias: Object.entries(PUBLIC_ENTRIES).map(([name, file]) => ({ find: new RegExp(`^${name}$`), replacement: entry(file) })),
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
