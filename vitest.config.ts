import { readFileSync } from 'node:fs';
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

export default defineConfig({
  plugins: [wasmBytes],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
