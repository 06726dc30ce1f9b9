import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random.js';
import { backends, randomF32, Scope } from './harness.js';

// (lengths sorted descending, C): no padding, B=1, T=1, C not a multiple of 4, a step with no real row past len
const CASES: [number[], number][] = [
  [[1], 3],
  [[4, 4, 4], 5],
  [[6, 3, 3, 1], 7],
  [[9, 8, 4, 2, 1, 1], 13],
  [[5, 1, 1, 1, 1, 1, 1, 1], 32],
];

/** The real rows of a time-major (T, B, C) buffer in order t, b: what compactRows must leave at the front. */
function expected(buf: Float32Array, lens: number[], C: number): Float32Array {
  const B = lens.length;
  const out: number[] = [];
  for (let t = 1; t <= lens[0]; t++) {
    for (let b = 0; b < B && lens[b] >= t; b++) out.push(...buf.subarray(((t - 1) * B + b) * C, ((t - 1) * B + b + 1) * C));
  }
  return Float32Array.from(out);
}

describe('compactRows', () => {
  for (const [lens, C] of CASES) {
    it(`lengths ${lens.join(',')} C=${C}: the real rows move to the front in (t, b) order, exactly, on both backends`, async () => {
      const { wasm, js } = await backends();
      const B = lens.length;
      const T = lens[0];
      const data = randomF32(new Rng(B * 31 + C), T * B * C);
      const want = expected(data, lens, C);
      const R = lens.reduce((a, l) => a + l, 0);
      expect(want.length).toBe(R * C);
      for (const be of [wasm, js]) {
        const sc = new Scope(be);
        // canaries around the buffer: nothing outside it is written
        const p = sc.put([7, 7, 7, 7, ...data, 9, 9, 9, 9]);
        const fb = be.floatBytes;
        be.compactRows(p + 4 * fb, sc.ints(lens), T, B, C);
        const got = sc.read(p, T * B * C + 8);
        expect(Array.from(got.subarray(0, 4)), be.name).toEqual([7, 7, 7, 7]);
        expect(Array.from(got.subarray(T * B * C + 4)), be.name).toEqual([9, 9, 9, 9]);
        expect(Array.from(got.subarray(4, 4 + R * C)), be.name).toEqual(Array.from(want));
        sc.free();
      }
    });
  }
});
