// Runs one kernel on both backends with the same f32 inputs: put() copies data into a backend's memory.
import { JsBackend } from '../../src/backends/js.js';
import { wasmBackend, type WasmBackend } from '../../src/backends/wasm.js';
import type { Backend, Ptr } from '../../src/backend.js';
import { Rng } from '../../src/random.js';

export async function backends(): Promise<{ wasm: WasmBackend; js: JsBackend }> {
  return { wasm: await wasmBackend(), js: new JsBackend('float32') };
}

/** Allocations made through put()/ints() on a backend, freed together. */
export class Scope {
  private ptrs: Ptr[] = [];
  constructor(readonly be: Backend) {}
  put(data: ArrayLike<number>): Ptr {
    const p = this.be.alloc(Math.max(1, data.length) * this.be.floatBytes);
    this.be.floats(p, data.length).set(data);
    this.ptrs.push(p);
    return p;
  }
  ints(data: ArrayLike<number>): Ptr {
    const p = this.be.alloc(Math.max(1, data.length) * 4);
    this.be.ints(p, data.length).set(data);
    this.ptrs.push(p);
    return p;
  }
  read(p: Ptr, n: number): Float32Array {
    return Float32Array.from(this.be.floats(p, n));
  }
  free(): void {
    for (const p of this.ptrs) this.be.free(p);
    this.ptrs = [];
  }
}

export function randomF32(rng: Rng, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let k = 0; k < n; k++) a[k] = (2 * rng.uniform() - 1) * scale;
  return a;
}
