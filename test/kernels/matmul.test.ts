// matmulForward and transpose (assembly/matmul.ts) on small and odd shapes: SIMD, scalar twin and the direct loops bit
// for bit, the JS reference within f32 rounding; and the row independence that padding invariance rests on.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random.js';
import { backends, randomF32, Scope, testKernel } from './harness.js';
import { gemmCall, gemmInputs, type GemmCase } from './gemm-case.js';

// (M, K, N): 1s, sizes around the 4-row x 8-column register block and the 64-row panel, and odd sizes.
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 7, 3], [3, 5, 7], [4, 8, 8], [5, 13, 9], [8, 4, 16], [17, 33, 31], [64, 100, 100], [67, 19, 45], [130, 7, 257],
];

type MatmulCase = GemmCase;

const CASES: MatmulCase[] = SHAPES.flatMap(([M, K, N]) =>
  [false, true].flatMap((transA) => [0, 1].flatMap((acc) => [false, true].map((bias) => ({ M, K, N, transA, acc, bias })))),
);

describe('matmulForward', () => {
  testKernel<MatmulCase>({
    kernels: ['matmulForward'],
    shapes: CASES,
    label: ({ M, K, N, transA, acc, bias }) => `M=${M} K=${K} N=${N} ${transA ? 'aᵀ' : 'a'} acc=${acc} bias=${bias}`,
    seed: ({ M, K, N }) => M * 1000 + K * 10 + N,
    inputs: gemmInputs,
    call: gemmCall,
    exact: ['scalar', 'direct'],
    tol: () => ({
      out: { atol: 1e-5, rtol: 1e-5, why: 'f32 dot products of length K <= 257 with |terms| <= 1: rounding error grows like sqrt(K) * 6e-8' },
    }),
    dims: ({ M, K, N }) => ({ B: M, I: K, H: N }),
  });

  it('a row of the result does not depend on the other rows (the basis of padding invariance)', async () => {
    const { wasm } = await backends();
    const rng = new Rng(7);
    const [M, K, N] = [13, 37, 29];
    const a = randomF32(rng, M * K);
    const b = randomF32(rng, K * N);
    const s = new Scope(wasm);
    const pb = s.put(b);
    const full = s.put(new Float32Array(M * N));
    wasm.matmulForward(full, s.put(a), pb, 0, M, K, N, K, 1, 0);
    const all = s.read(full, M * N);
    for (const m of [0, 5, 12]) {
      const one = s.put(new Float32Array(N));
      wasm.matmulForward(one, s.put(a.subarray(m * K, (m + 1) * K)), pb, 0, 1, K, N, K, 1, 0);
      expect(Array.from(s.read(one, N))).toEqual(Array.from(all.subarray(m * N, (m + 1) * N)));
    }
    s.free();
  });
});

describe('transpose', () => {
  // [R, C, seed]: the original 7x13 case (seed 3), 1s, one 4x4 block, edges on both sides
  testKernel<[number, number, number]>({
    kernels: ['transpose'],
    shapes: [[7, 13, 3], [1, 1, 1], [4, 4, 2], [5, 9, 4], [33, 70, 5]],
    label: ([R, C]) => `${R}x${C}`,
    seed: ([, , seed]) => seed,
    inputs: ([R, C], rng) => ({ inp: randomF32(rng, R * C), out: new Float32Array(R * C) }),
    call: ({ k, p }, [R, C]) => {
      k.transpose(p.out, p.inp, R, C);
      return { out: [p.out, R * C] };
    },
    exact: ['scalar'],
    tol: () => ({ out: { exact: true, why: 'a transpose moves floats, it computes none' } }),
    also: (out, [R, C], inputs) => {
      const a = inputs.inp;
      const t = out.simd.out;
      for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) expect(t[c * R + r], `out[${c}, ${r}]`).toBe(a[r * C + c]);
    },
  });
});
