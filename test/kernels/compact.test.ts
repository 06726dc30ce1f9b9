// compactRows (assembly/rnn.ts): the real rows of a padded time-major buffer move to its front, exactly, on both
// backends, and nothing outside the buffer is written.
import { describe, expect } from 'vitest';
import { Rng } from '../../src/random.js';
import { randomF32, testKernel } from './harness.js';

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
  testKernel<[number[], number]>({
    kernels: ['compactRows'],
    shapes: CASES,
    label: ([lens, C]) => `lengths ${lens.join(',')} C=${C}: the real rows move to the front in (t, b) order, exactly`,
    seed: ([lens, C]) => lens.length * 31 + C,
    // canaries around the buffer (the harness adds its own around every buffer, too)
    inputs: ([lens, C], rng) => {
      const data = randomF32(rng, lens[0] * lens.length * C);
      return { buf: Float32Array.from([7, 7, 7, 7, ...data, 9, 9, 9, 9]), len: Int32Array.from(lens) };
    },
    call: ({ k, p, fb }, [lens, C]) => {
      const [B, T] = [lens.length, lens[0]];
      k.compactRows(p.buf + 4 * fb, p.len, T, B, C);
      return { buf: [p.buf, T * B * C + 8] };
    },
    exact: [],
    noTwin: 'row moves (memory.copy), no arithmetic: the JS reference (copyWithin) is the exact twin',
    tol: () => ({ buf: { exact: true, why: 'rows are moved, not computed' } }),
    also: (out, [lens, C], inputs) => {
      const [B, T] = [lens.length, lens[0]];
      const want = expected(inputs.buf.subarray(4, 4 + T * B * C) as Float32Array, lens, C);
      const R = lens.reduce((a, l) => a + l, 0);
      expect(want.length).toBe(R * C);
      for (const path of ['simd', 'js'] as const) {
        const got = out[path].buf;
        expect(Array.from(got.subarray(0, 4)), path).toEqual([7, 7, 7, 7]);
        expect(Array.from(got.subarray(T * B * C + 4)), path).toEqual([9, 9, 9, 9]);
        expect(Array.from(got.subarray(4, 4 + R * C)), path).toEqual(Array.from(want));
      }
    },
    dims: ([lens, C]) => ({ B: lens.length, T: lens[0], H: C, padded: lens.some((l) => l < lens[0]) }),
  });
});
