// The fast GEMM paths of assembly/matmul.ts against matmulForwardScalar, bit for bit: the tiled driver (K blocks of
// 256, row blocks of 128, column blocks of 512, packed a and b, edge tiles), the direct driver (an instance with no
// scratch), the prepacked path of the time loops, and the blocked transpose. Also: nothing outside `out` is written,
// and the time loops give the same bits with and without their packed weight.
import { describe, expect, it } from 'vitest';
import { compileModule } from '../../src/backends/wasm.js';
import { matmulForward as jsMatmul } from '../../src/backends/js.js';
import { Rng } from '../../src/random.js';
import { expectClose } from '../util.js';
import { backends, randomF32, Scope, testKernel } from './harness.js';
import { gemmCall, gemmInputs, type GemmCase } from './gemm-case.js';

interface Exports {
  memory: WebAssembly.Memory;
  alloc(n: number): number;
  free(p: number): void;
  matmulForward(o: number, a: number, b: number, bias: number, M: number, K: number, N: number, aRow: number, aCol: number, acc: number): void;
  matmulForwardScalar(o: number, a: number, b: number, bias: number, M: number, K: number, N: number, aRow: number, aCol: number, acc: number): void;
  prepackB(b: number, K: number, N: number): number;
  matmulPrepacked(o: number, a: number, bias: number, M: number, K: number, N: number, aRow: number, aCol: number, acc: number): void;
  scratchBytes(K: number, N: number): number;
  setScratch(p: number, n: number): void;
  transpose(o: number, i: number, R: number, C: number): void;
  transposeScalar(o: number, i: number, R: number, C: number): void;
  rnnForward(s: number, Wh: number, bs: number, len: number, T: number, B: number, H: number, act: number): void;
  rnnBackward(dz: number, ds0: number, s: number, WhT: number, len: number, T: number, B: number, H: number, act: number): void;
}

/** A fresh instance (its own memory and allocator), with a GEMM scratch for (K, N) weights or none at all. */
async function instance(scratchFor: [number, number] | null): Promise<Exports> {
  const x = (await WebAssembly.instantiate(await compileModule(), {})).exports as unknown as Exports;
  if (scratchFor) {
    const n = x.scratchBytes(scratchFor[0], scratchFor[1]);
    x.setScratch(x.alloc(n), n);
  }
  return x;
}

const GUARD = 16; // floats of canary on each side of every buffer
const CANARY = 1234.5;

/** Copies data into x's memory between canaries; returns the pointer to the data. */
function put(x: Exports, data: ArrayLike<number>, ptrs: number[]): number {
  const p = x.alloc((data.length + 2 * GUARD) * 4);
  ptrs.push(p);
  const f = new Float32Array(x.memory.buffer, p, data.length + 2 * GUARD);
  f.fill(CANARY);
  f.set(data, GUARD);
  return p + GUARD * 4;
}
function read(x: Exports, p: number, n: number): Float32Array {
  return new Float32Array(x.memory.buffer, p, n).slice();
}
function canariesIntact(x: Exports, p: number, n: number): boolean {
  const f = new Float32Array(x.memory.buffer, p - GUARD * 4, n + 2 * GUARD);
  for (let k = 0; k < GUARD; k++) if (f[k] !== CANARY || f[GUARD + n + k] !== CANARY) return false;
  return true;
}

type Path = 'tiled' | 'direct' | 'prepacked';

/** out = [out] + [bias] + a b on one path and with the scalar twin, in the same instance. */
function both(
  x: Exports, path: Path, M: number, K: number, N: number, transA: boolean, acc: number, withBias: boolean, seed: number,
): { fast: Float32Array; scalar: Float32Array; intact: boolean; a: Float32Array; b: Float32Array; bias: Float32Array; out0: Float32Array } {
  const rng = new Rng(seed);
  const a = randomF32(rng, M * K);
  const b = randomF32(rng, K * N);
  const bias = randomF32(rng, N);
  const out0 = randomF32(rng, M * N);
  const [aRow, aCol] = transA ? [1, M] : [K, 1];
  const ptrs: number[] = [];
  const pa = put(x, a, ptrs);
  const pb = put(x, b, ptrs);
  const pbias = withBias ? put(x, bias, ptrs) : 0;
  const o1 = put(x, out0, ptrs);
  const o2 = put(x, out0, ptrs);
  if (path === 'prepacked') {
    expect(x.prepackB(pb, K, N), 'prepackB had room').toBe(1);
    x.matmulPrepacked(o1, pa, pbias, M, K, N, aRow, aCol, acc);
  } else x.matmulForward(o1, pa, pb, pbias, M, K, N, aRow, aCol, acc);
  x.matmulForwardScalar(o2, pa, pb, pbias, M, K, N, aRow, aCol, acc);
  const intact = [[pa, M * K], [pb, K * N], [o1, M * N]].every(([p, n]) => canariesIntact(x, p, n)) && (!withBias || canariesIntact(x, pbias, N));
  const fast = read(x, o1, M * N);
  const scalar = read(x, o2, M * N);
  for (const p of ptrs) x.free(p);
  return { fast, scalar, intact, a, b, bias, out0 };
}

function bitsEqual(p: Float32Array, q: Float32Array): number {
  const u = new Uint32Array(p.buffer, p.byteOffset, p.length);
  const v = new Uint32Array(q.buffer, q.byteOffset, q.length);
  let bad = 0;
  for (let k = 0; k < u.length; k++) if (u[k] !== v[k]) bad++;
  return bad;
}

// Shapes around every block edge: the 4x8 register tile, KC = 256 (K = 255, 256, 257, 600: three K blocks),
// MC = 128 (M = 129, 300), NC = 512 (N = 513, 600), the 256 KB limit above which b is packed, and 1s.
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 300, 1], [3, 5, 7], [4, 8, 8], [5, 1, 9], [7, 257, 13], [13, 31, 65], [31, 255, 33],
  [64, 128, 128], [129, 256, 65], [33, 600, 257], [300, 70, 131], [9, 40, 600], [130, 513, 513],
];

interface SeededGemm extends GemmCase {
  seed: number;
}

// every shape, a or aᵀ, acc 0/1; bias on every other case (even seeds), seeds counted from 1 in this order
const GEMM_CASES: SeededGemm[] = [];
for (const [M, K, N] of SHAPES) {
  for (const transA of [false, true]) {
    for (const acc of [0, 1]) {
      const seed = GEMM_CASES.length + 1;
      GEMM_CASES.push({ M, K, N, transA, acc, bias: (seed & 1) === 0, seed });
    }
  }
}

const U = 2 ** -24;

describe('perf: matmulForward fast paths equal matmulForwardScalar bit for bit', () => {
  // simd is the tiled driver (the shared instance has a scratch), direct an instance without one; the harness's
  // canaries around every buffer check that nothing outside out is written
  testKernel<SeededGemm>({
    kernels: ['matmulForward'],
    shapes: GEMM_CASES,
    label: ({ M, K, N, transA, acc, bias }) => `tiled M=${M} K=${K} N=${N} ${transA ? 'aᵀ' : 'a'} acc=${acc} bias=${bias}`,
    seed: ({ seed }) => seed,
    inputs: async (c, rng) => {
      // prepackB(b, 1, 1) succeeds exactly when the scratch holds the tiled driver's tile, Ap and Bp
      const { wasm } = await backends();
      const sc = new Scope(wasm);
      expect(wasm.exports.prepackB(sc.put([0]), 1, 1), 'the simd path has the tiled scratch').toBe(1);
      sc.free();
      return gemmInputs(c, rng);
    },
    call: gemmCall,
    exact: ['scalar', 'direct'],
    ref: 'float64',
    // an element is init (out, + bias: |.| <= 2) plus K products |a b| <= 1 in K + 2 f32 roundings, each at most u = 2^-24
    // of a partial sum that grows like sqrt(k): measured at most 1.4 u (K + 2) over this sweep; a wrong term is ~0.3
    tol: ({ K }) => ({ out: { atol: 4 * U * (K + 2), rtol: 0, why: 'K + 2 f32 roundings of partial sums up to ~sqrt(K): 4 u (K + 2), measured 1.4 u (K + 2)' } }),
    dims: ({ M, K, N }) => ({ B: M, I: K, H: N }),
  });

  it('prepacked: every shape, a or aᵀ, acc 0/1, with and without bias; nothing outside out is written', async () => {
    const x = await instance([1024, 1024]);
    let seed = 1;
    for (const [M, K, N] of SHAPES) {
      for (const transA of [false, true]) {
        for (const acc of [0, 1]) {
          const withBias = (seed & 1) === 0;
          const r = both(x, 'prepacked', M, K, N, transA, acc, withBias, seed++);
          const name = `prepacked M=${M} K=${K} N=${N} ${transA ? 'aᵀ' : 'a'} acc=${acc} bias=${withBias}`;
          expect(bitsEqual(r.fast, r.scalar), `${name}: elements that differ from the scalar twin`).toBe(0);
          expect(r.intact, `${name}: canaries around the buffers`).toBe(true);
        }
      }
    }
  });

  it('a scratch too small for prepacking: prepackB refuses, matmulForward still runs tiled and exact', async () => {
    const x = await instance([0, 0]);
    const ptrs: number[] = [];
    const pb = put(x, new Float32Array(600 * 600), ptrs);
    expect(x.prepackB(pb, 600, 600)).toBe(0);
    const r = both(x, 'tiled', 70, 600, 600, true, 1, true, 99);
    expect(bitsEqual(r.fast, r.scalar)).toBe(0);
  });

  it('the tiled path agrees with the JS reference within f32 rounding (large K, transposed a)', async () => {
    const x = await instance([0, 0]);
    const [M, K, N] = [37, 2000, 70];
    const r = both(x, 'tiled', M, K, N, true, 1, true, 5);
    const ref = Float64Array.from(r.out0);
    jsMatmul(ref, 0, Float64Array.from(r.a), 0, Float64Array.from(r.b), 0, Float64Array.from(r.bias), 0, M, K, N, 1, M, 1);
    // f32 sum of K = 2000 products with |terms| <= 1: each of the K roundings is at most 2^-24 of a partial sum of
    // typical size sqrt(K) ≈ 45, so the error stays below K * 45 * 6e-8 ≈ 5e-3 in the worst case and ~1e-4 in practice
    expectClose(r.fast, ref, { atol: 2e-4, rtol: 1e-5, label: `tiled M=${M} K=${K} N=${N} vs f64 reference` });
  });

  it('padding invariance to the bit: a row computed alone equals the same row inside a batch of 37 (tiled)', async () => {
    const x = await instance([0, 0]);
    const [M, K, N] = [37, 300, 45];
    const rng = new Rng(3);
    const a = randomF32(rng, M * K);
    const b = randomF32(rng, K * N);
    const ptrs: number[] = [];
    const pa = put(x, a, ptrs);
    const pb = put(x, b, ptrs);
    const all = put(x, new Float32Array(M * N), ptrs);
    x.matmulForward(all, pa, pb, 0, M, K, N, K, 1, 0);
    const batch = read(x, all, M * N);
    for (const m of [0, 5, 36]) {
      const one = put(x, new Float32Array(N), ptrs);
      x.matmulForward(one, pa + m * K * 4, pb, 0, 1, K, N, K, 1, 0);
      expect(bitsEqual(read(x, one, N), batch.subarray(m * N, (m + 1) * N)), `row ${m}`).toBe(0);
    }
  });
});

describe('perf: transpose', () => {
  // the 4x4-blocked transpose equals the element-by-element one on odd shapes (and the JS reference: a copy)
  testKernel<[number, number]>({
    kernels: ['transpose'],
    shapes: [[1, 1], [1, 9], [9, 1], [3, 5], [4, 4], [5, 9], [33, 70], [64, 65], [129, 257]],
    label: ([R, C]) => `${R}x${C}`,
    seed: ([R, C]) => R * 100 + C,
    inputs: ([R, C], rng) => ({ inp: randomF32(rng, R * C), out: new Float32Array(R * C) }),
    call: ({ k, p }, [R, C]) => {
      k.transpose(p.out, p.inp, R, C);
      return { out: [p.out, R * C] };
    },
    exact: ['scalar'],
    tol: () => ({ out: { exact: true, why: 'a transpose moves floats, it computes none' } }),
  });
});

describe('perf: the time loops with a prepacked weight', () => {
  // simd packs Wh (the shared instance's scratch has room for it: checked below), direct runs unpacked: the same bits
  const [T, B] = [6, 5];
  const lens = [6, 6, 4, 2, 1];
  const data = (H: number) => {
    const rng = new Rng(H);
    const Wh = randomF32(rng, H * H, 0.5);
    const WhT = new Float32Array(H * H);
    for (let r = 0; r < H; r++) for (let c = 0; c < H; c++) WhT[c * H + r] = Wh[r * H + c];
    const bs = randomF32(rng, H, 0.1);
    const s = randomF32(rng, (T + 1) * B * H);
    const dz = randomF32(rng, T * B * H);
    return { Wh, WhT, bs, s, dz };
  };
  // Wh entries up to 0.5 make the step no contraction at H = 130 (‖Wh‖ ≈ 3): six steps amplify the f32 rounding of
  // dots of length H, and ds0 sums terms of size ~4 to values near 0. Measured: at most 0.21 of this bound (ds0, H = 130)
  const tol = { atol: 1e-4, rtol: 1e-4, why: 'f32 dots of length H <= 130 through 6 non-contracting steps (Wh entries up to 0.5)' };
  testKernel<number>({
    kernels: ['rnnForward', 'rnnBackward'],
    shapes: [5, 64, 130],
    label: (H) => `H=${H}: rnnForward and rnnBackward give the same bits with the packed Wh (scratch) as without`,
    seed: (H) => H,
    inputs: async (H) => {
      const { Wh, WhT, bs, s, dz } = data(H);
      const { wasm } = await backends();
      const sc = new Scope(wasm);
      expect(wasm.exports.prepackB(sc.put(Wh), H, H), 'the simd path packs Wh (the scratch has room)').toBe(1);
      sc.free();
      return { s, Wh, bs, dz, WhT, ds0: new Float32Array(B * H), len: Int32Array.from(lens) };
    },
    call: ({ k, p }, H) => {
      k.rnnForward(p.s, p.Wh, p.bs, p.len, T, B, H, 0, 0, 0);
      k.rnnBackward(p.dz, p.ds0, p.s, p.WhT, p.len, T, B, H, 0, 0);
      return { s: [p.s, (T + 1) * B * H], dz: [p.dz, T * B * H], ds0: [p.ds0, B * H] };
    },
    exact: ['direct'],
    noTwin: 'the time loops have no …Scalar twin (their arithmetic is matmulForward and the activations); direct is the unpacked loop',
    tol: () => ({ s: tol, dz: tol, ds0: tol }),
  });
});
