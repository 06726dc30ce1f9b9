// gemv (assembly/step.ts), the streaming step's product: bit-identical to its scalar twin and to matmulForward with
// M = 1 on each backend (that identity is what makes step() equal predict() to the bit).
import { describe, expect, it } from 'vitest';
import { Rng } from 'simple-rnn';
import { backends, randomF32, Scope } from '../kernels/harness.js';

describe('gemv', () => {
  for (const [K, N] of [[1, 1], [3, 5], [4, 4], [7, 9], [16, 33], [130, 67]]) {
    for (const acc of [0, 1]) {
      for (const withBias of [false, true]) {
        it(`K=${K} N=${N} acc=${acc} bias=${withBias}: SIMD = scalar twin = matmulForward(M=1), bit for bit, on both backends`, async () => {
          const { wasm, js } = await backends();
          const rng = new Rng(K * 1000 + N * 10 + acc * 2 + Number(withBias));
          const x = randomF32(rng, K);
          const W = randomF32(rng, K * N);
          const b = randomF32(rng, N);
          const o = randomF32(rng, N);
          for (const be of [wasm, js]) {
            const s = new Scope(be);
            const xp = s.put(x);
            const Wp = s.put(W);
            const bp = withBias ? s.put(b) : 0;
            const g = s.put(o);
            const m = s.put(o);
            be.gemv(g, xp, Wp, bp, K, N, acc);
            be.matmulForward(m, xp, Wp, bp, 1, K, N, K, 1, acc);
            expect(s.read(g, N)).toEqual(s.read(m, N));
            if (be === wasm) {
              const sc = s.put(o);
              wasm.exports.gemvScalar(sc, xp, Wp, bp, K, N, acc);
              expect(s.read(g, N)).toEqual(s.read(sc, N));
            }
            s.free();
          }
        });
      }
    }
  }
});
