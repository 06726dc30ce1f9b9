import { describe, expect, it } from 'vitest';
import { Rng, orthogonal } from '../src/random.js';

describe('Rng', () => {
  it('is deterministic per seed, differs across seeds, and restores from its state', () => {
    const a = new Rng(3);
    const b = new Rng(3);
    const seqA = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(seqA);
    expect(new Rng(4).nextU32()).not.toBe(seqA[0]);
    const c = new Rng(9);
    c.nextU32();
    const saved = c.state;
    const next = c.uniform();
    c.state = saved;
    expect(c.uniform()).toBe(next);
  });
});

describe('orthogonal', () => {
  it.each([1, 5, 64, 700])('n=%i: rows are orthonormal (the block construction above 512 too)', (n) => {
    const q = new Float64Array(n * n);
    orthogonal(new Rng(n), q, n);
    const rng = new Rng(1);
    for (let trial = 0; trial < 40; trial++) {
      const r = rng.int(n);
      const s = trial % 4 === 0 ? r : rng.int(n);
      let d = 0;
      for (let k = 0; k < n; k++) d += q[r * n + k] * q[s * n + k];
      expect(d).toBeCloseTo(r === s ? 1 : 0, 9);
    }
  });
});
