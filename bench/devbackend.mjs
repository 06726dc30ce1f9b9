// A model on a wasm file other than the built one (for comparing kernel variants): node bench/profile.mjs with
// WASM=path. Mirrors src/backends/wasm.ts (same kernels, same allocator, views rebuilt after memory.grow).
import { readFileSync } from 'node:fs';
import { lib } from './lib.mjs';
const { SimpleRNN } = lib;

export async function backendFromFile(path) {
  const { instance } = await WebAssembly.instantiate(readFileSync(path), {});
  const x = instance.exports;
  let f32 = new Float32Array(x.memory.buffer);
  let i32 = new Int32Array(x.memory.buffer);
  const fresh = () => {
    if (f32.buffer !== x.memory.buffer) {
      f32 = new Float32Array(x.memory.buffer);
      i32 = new Int32Array(x.memory.buffer);
    }
  };
  const be = { name: 'wasm', floatBytes: 4, exports: x };
  for (const k of Object.keys(x)) if (typeof x[k] === 'function') be[k] = x[k];
  be.alloc = (n) => x.alloc(Math.max(16, n));
  be.free = (p) => p && x.free(p);
  be.zero = (p, n) => x.fill(p, 0, n);
  be.floats = (p, n) => (fresh(), f32.subarray(p >>> 2, (p >>> 2) + n));
  be.ints = (p, n) => (fresh(), i32.subarray(p >>> 2, (p >>> 2) + n));
  be.memoryBytes = () => x.memory.buffer.byteLength;
  if (x.setScratch) {
    let cap = 0;
    be.reserveScratch = (K, N) => {
      const need = x.scratchBytes(K, N);
      if (need <= cap) return;
      const p = x.alloc(need);
      x.setScratch(p, need);
      cap = need;
    };
    be.reserveScratch(0, 0);
  }
  return be;
}

/**
 * A SimpleRNN created as usual, then moved onto the given backend: its parameter block is copied over and its
 * workspace dropped (the fields are private in TypeScript only). For benchmarks of kernel variants, not for users.
 */
export async function modelOn(be, options) {
  const model = await SimpleRNN.create({ ...options, backend: 'wasm' });
  const old = model.be;
  const floats = 4 * model.paramCount;
  const block = be.alloc(floats * 4);
  be.floats(block, floats).set(old.floats(model.block, floats));
  if (model.run.ws) old.free(model.run.ws.block);
  old.free(model.block);
  model.block = block;
  model.be = be;
  // the batch runner holds the backend and the block it was made with: a new one on the new pair
  model.run = new model.run.constructor(be, model.config, model.A, model.L, block);
  be.reserveScratch?.(options.hiddenSize, options.hiddenSize);
  return model;
}
