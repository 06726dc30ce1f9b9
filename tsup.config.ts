import { defineConfig } from 'tsup';

// The wasm is inlined as bytes, so one import works in Node (ESM and CJS), in bundlers and in a plain <script type=module>.
export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    platform: 'neutral',
    target: 'es2022',
    dts: true,
    clean: true,
    sourcemap: true,
    loader: { '.wasm': 'binary' },
  },
]);
