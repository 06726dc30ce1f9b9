import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random.js';
import { expectClose } from '../util.js';
import { backends, randomF32, Scope } from './harness.js';

// (M, K, N): 1s, sizes around the 4-row x 8-column register block and the 64-row panel, and odd sizes.
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 7, 3], [3, 5, 7], [4, 8, 8], [5, 13, 9], [8, 4, 16], [17, 33, 31], [64, 100, 100], [67, 19, 45], [130, 7, 257],
];

describe('matmulForward', () => {
  for (const [M, K, N] of SHAPES) {
    for (const transA of [false, true]) {
      for (const acc of [0, 1]) {
        for (const withBias of [false, true]) {
          const name = `M=${M} K=${K} N=${N} ${transA ? 'aᵀ' : 'a'} acc=${acc} bias=${withBias}`;
          it(`${name}: SIMD equals the scalar twin bit for bit, and the JS reference within f32 rounding`, async () => {
            const { wasm, js } = await backends();
            const rng = new Rng(M * 1000 + K * 10 + N);
            const a = randomF32(rng, M * K);
            const b = randomF32(rng, K * N);
            const bias = randomF32(rng, N);
            const out0 = randomF32(rng, M * N);
            const [aRow, aCol] = transA ? [1, M] : [K, 1];
            const run = (be: typeof wasm | typeof js, scalar: boolean) => {
              const s = new Scope(be);
              const o = s.put(out0);
              const args = [o, s.put(a), s.put(b), withBias ? s.put(bias) : 0, M, K, N, aRow, aCol, acc] as const;
              if (scalar) wasm.exports.matmulForwardScalar(...args);
              else be.matmulForward(...args);
              const r = s.read(o, M * N);
              s.free();
              return r;
            };
            const simd = run(wasm, false);
            const scalar = run(wasm, true);
            expect(Array.from(simd)).toEqual(Array.from(scalar));
            // f32 dot products of length K <= 257 with |terms| <= 1: rounding error grows like sqrt(K) * 6e-8
            expectClose(simd, run(js, false), { atol: 1e-5, rtol: 1e-5, label: name });
          });
        }
      }
    }
  }

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
  it('matches the JS reference exactly', async () => {
    const { wasm, js } = await backends();
    const a = randomF32(new Rng(3), 7 * 13);
    const res = [wasm, js].map((be) => {
      const s = new Scope(be);
      const o = s.put(new Float32Array(7 * 13));
      be.transpose(o, s.put(a), 7, 13);
      const r = s.read(o, 7 * 13);
      s.free();
      return Array.from(r);
    });
    expect(res[0]).toEqual(res[1]);
    expect(res[0][1 * 7 + 2]).toBe(a[2 * 13 + 1]);
  });
});
