// Kernel tests in the spirit of tinygrad's helper_test_op: one declaration (testKernel) runs a kernel over a shape
// sweep on every code path and compares them, the fast paths bit for bit, the JS reference within a stated tolerance.
// Also the small tools for tests that drive a backend by hand: backends(), Scope, randomF32.
//
// The paths of one check, all on the same seeded inputs:
//   simd    the wasm kernel on the realm's shared instance (a GEMM scratch: tiled products, prepacked time loops)
//   scalar  the same instance, each kernel replaced by its …Scalar twin export           must equal simd bit for bit
//   direct  a second instance with the GEMM scratch off (setScratch(0, 0): the direct loops, unpacked time loops)
//                                                                                         must equal simd bit for bit
//   js      the JS reference (src/backends/js.ts) on f32 storage, or f64 (ref: 'float64')  within the tolerance
// Every buffer sits between canaries on every path: a kernel that writes outside its buffers fails.
import { expect, it } from 'vitest';
import { JsBackend } from '../../src/backends/js.js';
import { compileModule, wasmBackend, WasmBackend } from '../../src/backends/wasm.js';
import type { Backend, Kernels, Ptr } from '../../src/backend.js';
import { Rng } from '../../src/random.js';
import { expectClose } from '../util.js';

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

// ---- testKernel ----

export type Path = 'simd' | 'scalar' | 'direct' | 'js';
/** A kernel's inputs by name: f32 data as Float32Array, i32 data (lengths, token and class ids) as Int32Array. */
export type Inputs = Record<string, Float32Array | Int32Array>;
/** The buffers to read back after the call, by name: [pointer, floats]. */
export type Outputs = Record<string, readonly [Ptr, number]>;
/** What each path produced, by output name (f64 arrays on a float64 reference). */
export type Results = Record<Path, Record<string, Float32Array | Float64Array>>;

/** A tolerance against the JS reference and why it is that large (STYLE: every tolerance states its reason). */
export interface Tolerance {
  atol: number;
  rtol: number;
  why: string;
}
/** The JS reference must give the same values (f32 adds in the same order, copies, gathers), and why. */
export interface Exact {
  exact: true;
  why: string;
}

/** What one call of a kernel under test sees. */
export interface Call {
  /** The kernels of this path: only those the spec names (the scalar path maps each to its twin). */
  k: Kernels;
  /** Each input's pointer, by name (inputs are copied in fresh for every path). */
  p: Record<string, Ptr>;
  /** Bytes per float of this path's memory (8 on a float64 reference), for pointer arithmetic. */
  fb: number;
  /** The path running. A spec calls the same way on every path; only the harness's own tests branch on it. */
  path: Path;
}

/** Sizes a shape exercises, for the sweep check: B rows, T steps, H lanes (the SIMD axis), I the input width. */
export interface Dims {
  B?: number;
  T?: number;
  H?: number;
  I?: number;
  padded?: boolean;
}

export interface KernelSpec<S> {
  /** The kernels the call runs: the scalar path swaps each for its …Scalar twin export. */
  kernels: readonly (keyof Kernels)[];
  shapes: readonly S[];
  label(shape: S): string;
  seed(shape: S): number;
  /** Seeded inputs for one shape; the same arrays go to every path. */
  inputs(shape: S, rng: Rng): Inputs | Promise<Inputs>;
  call(c: Call, shape: S): Outputs;
  /** The paths that must give the simd path's bits: 'scalar' unless the kernel has no twin (then say why in noTwin). */
  exact: readonly ('scalar' | 'direct')[];
  noTwin?: string;
  /** Storage of the JS reference: 'float32' (default, the f32 baseline) or 'float64' (closer to exact). */
  ref?: 'float32' | 'float64';
  /** Per output: a tolerance against the JS reference, or Exact. */
  tol(shape: S): Record<string, Tolerance | Exact>;
  /** Further assertions on what the paths produced (padding rules, zero rows, ...). */
  also?(out: Results, shape: S, inputs: Inputs): void;
  /** The sizes of a shape: the sweep must then hold B = 1, T = 1, H and I not multiples of 4, and padding. */
  dims?(shape: S): Dims;
}

/** Registers one test per shape of the sweep (inside the caller's describe). */
export function testKernel<S>(spec: KernelSpec<S>): void {
  checkSpec(spec);
  const exact = spec.exact.length ? `${spec.exact.join(' and ')} equal${spec.exact.length > 1 ? '' : 's'} SIMD bit for bit` : 'SIMD';
  for (const shape of spec.shapes) {
    it(`${spec.label(shape)}: ${exact}; JS reference (${spec.ref ?? 'float32'}) as stated`, async () => {
      await checkKernel(spec, shape);
    });
  }
}

/** The rules a spec must follow, checked when the tests are collected. */
export function checkSpec<S>(spec: KernelSpec<S>): void {
  const name = spec.kernels.join(' + ');
  if (!spec.kernels.length) throw new Error('testKernel: kernels is empty');
  if (!spec.shapes.length) throw new Error(`testKernel ${name}: the shape sweep is empty`);
  const twin = spec.exact.includes('scalar');
  if (twin && spec.noTwin) throw new Error(`testKernel ${name}: exact has 'scalar' and noTwin says there is no twin`);
  if (!twin && !spec.noTwin?.trim()) {
    throw new Error(`testKernel ${name}: every SIMD kernel keeps a …Scalar twin; put 'scalar' in exact or say in noTwin why not`);
  }
  for (const shape of spec.shapes) {
    for (const [out, t] of Object.entries(spec.tol(shape))) {
      if (!t.why?.trim()) throw new Error(`testKernel ${name} ${spec.label(shape)}: the tolerance of ${out} states no reason`);
      if ('atol' in t && !(t.atol >= 0 && t.rtol >= 0 && Number.isFinite(t.atol + t.rtol))) {
        throw new Error(`testKernel ${name}: the tolerance of ${out} must be finite and >= 0`);
      }
    }
  }
  if (spec.dims) {
    const all = spec.shapes.map((s) => spec.dims!(s));
    const need: [keyof Dims, string, (d: Dims) => boolean][] = [
      ['B', 'B = 1', (d) => d.B === 1],
      ['T', 'T = 1', (d) => d.T === 1],
      ['H', 'H not a multiple of 4', (d) => d.H! % 4 !== 0],
      ['H', 'H a multiple of 4', (d) => d.H! % 4 === 0],
      ['I', 'I not a multiple of 4', (d) => d.I! % 4 !== 0],
      ['padded', 'a padded batch', (d) => d.padded === true],
    ];
    for (const [key, what, ok] of need) {
      const used = all.filter((d) => d[key] !== undefined);
      if (used.length && !used.some(ok)) throw new Error(`testKernel ${name}: the shape sweep has no case with ${what}`);
    }
  }
}

const GUARD = 16; // canary elements on each side of every buffer (64 bytes of f32: keeps 16-byte alignment)
const CANARY = 1234.5;
const CANARY_I32 = -123456789;

/** One path's memory: every buffer between canaries. */
class Guarded {
  private blocks: { base: Ptr; n: number; int: boolean; name: string }[] = [];
  constructor(readonly be: Backend) {}
  put(name: string, data: Float32Array | Int32Array): Ptr {
    const int = data instanceof Int32Array;
    const fb = int ? 4 : this.be.floatBytes;
    const n = data.length;
    const base = this.be.alloc((n + 2 * GUARD) * fb);
    const v = int ? this.be.ints(base, n + 2 * GUARD) : this.be.floats(base, n + 2 * GUARD);
    v.fill(int ? CANARY_I32 : CANARY);
    v.set(data, GUARD);
    this.blocks.push({ base, n, int, name });
    return base + GUARD * fb;
  }
  read(p: Ptr, n: number): Float32Array | Float64Array {
    return this.be.floatBytes === 8 ? Float64Array.from(this.be.floats(p, n)) : Float32Array.from(this.be.floats(p, n));
  }
  /** The names of the buffers whose canaries were overwritten. */
  trampled(): string[] {
    const bad: string[] = [];
    for (const { base, n, int, name } of this.blocks) {
      const v = int ? this.be.ints(base, n + 2 * GUARD) : this.be.floats(base, n + 2 * GUARD);
      const c = int ? CANARY_I32 : CANARY;
      for (let k = 0; k < GUARD; k++) {
        if (v[k] !== c || v[GUARD + n + k] !== c) {
          bad.push(name);
          break;
        }
      }
    }
    return bad;
  }
  free(): void {
    for (const b of this.blocks) this.be.free(b.base);
    this.blocks = [];
  }
}

let directBackend: Promise<WasmBackend> | null = null;
/** A wasm instance of its own with the GEMM scratch off: matmulForward's direct loops, the time loops unpacked. */
function direct(): Promise<WasmBackend> {
  directBackend ??= (async () => {
    const be = new WasmBackend(await WebAssembly.instantiate(await compileModule(), {}));
    be.exports.setScratch(0, 0);
    return be;
  })();
  return directBackend;
}

/** The kernels of one path: only those named, each bound to its backend (or its twin on the scalar path). */
function kernelsOf(path: Path, be: Backend, names: readonly (keyof Kernels)[]): Kernels {
  const k: Record<string, unknown> = {};
  for (const name of names) {
    if (path === 'scalar') {
      const twin = ((be as WasmBackend).exports as unknown as Record<string, unknown>)[`${name}Scalar`];
      if (typeof twin !== 'function') throw new Error(`${name} has no ${name}Scalar twin in the wasm exports`);
      k[name] = twin;
    } else k[name] = (be[name] as (...a: unknown[]) => unknown).bind(be);
  }
  return k as unknown as Kernels;
}

/** Elements where a and b differ in their bits: the count and the first 5. */
function bitDiff(a: Float32Array, b: Float32Array): { count: number; first: string[] } {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const v = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const first: string[] = [];
  let count = 0;
  for (let k = 0; k < u.length; k++) {
    if (u[k] !== v[k]) {
      if (count < 5) first.push(`[${k}] ${a[k]} vs ${b[k]}`);
      count++;
    }
  }
  return { count, first };
}

/** Runs one shape on every path and compares; returns what each path produced. */
export async function checkKernel<S>(spec: KernelSpec<S>, shape: S): Promise<Results> {
  const label = spec.label(shape);
  const inputs = await spec.inputs(shape, new Rng(spec.seed(shape)));
  const tol = spec.tol(shape);
  const simd = await wasmBackend();
  const paths: [Path, Backend][] = [['simd', simd]];
  for (const p of spec.exact) paths.push([p, p === 'direct' ? await direct() : simd]);
  paths.push(['js', new JsBackend(spec.ref ?? 'float32')]);

  const out = {} as Results;
  for (const [path, be] of paths) {
    const mem = new Guarded(be);
    try {
      const p: Record<string, Ptr> = {};
      for (const [name, data] of Object.entries(inputs)) p[name] = mem.put(name, data);
      const o = spec.call({ k: kernelsOf(path, be, spec.kernels), p, fb: be.floatBytes, path }, shape);
      out[path] = {};
      for (const [name, [ptr, n]] of Object.entries(o)) out[path][name] = mem.read(ptr, n);
      expect(mem.trampled(), `${label} (${path}): buffers whose canaries were overwritten`).toEqual([]);
    } finally {
      mem.free();
    }
  }

  const names = Object.keys(out.simd);
  expect(Object.keys(tol).sort(), `${label}: every output has a JS tolerance, and only outputs`).toEqual([...names].sort());
  for (const name of names) {
    const a = out.simd[name] as Float32Array;
    for (const path of spec.exact) {
      const b = out[path][name] as Float32Array;
      expect(b.length, `${label} ${name}: ${path} length`).toBe(a.length);
      const d = bitDiff(a, b);
      expect(d.count, `${label} ${name}: elements where ${path} differs from SIMD (bit for bit); first: ${d.first.join(', ')}`).toBe(0);
    }
    const ref = out.js[name];
    const t = tol[name];
    if ('exact' in t) {
      expect(ref.length, `${label} ${name}: JS length`).toBe(a.length);
      const bad: string[] = [];
      let count = 0;
      for (let k = 0; k < a.length; k++) {
        if (!Object.is(a[k], ref[k])) {
          if (count < 5) bad.push(`[${k}] ${a[k]} vs ${ref[k]}`);
          count++;
        }
      }
      expect(count, `${label} ${name}: elements where SIMD differs from the JS reference (${t.why}); first: ${bad.join(', ')}`).toBe(0);
    } else expectClose(a, ref, { atol: t.atol, rtol: t.rtol, label: `${label} ${name} vs JS (${t.why})` });
  }
  spec.also?.(out, shape, inputs);
  return out;
}
