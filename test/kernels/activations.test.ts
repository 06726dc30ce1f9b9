import { describe, expect, it } from 'vitest';
import { ACT } from '../../src/backend.js';
import { Rng } from '../../src/random.js';
import { expectClose } from '../util.js';
import { backends, randomF32, Scope } from './harness.js';

describe('tanh approximation', () => {
  it('is within 1e-6 of tanh over every f32 in [-10, 10] on a 2e-5 grid, and exact at 0', async () => {
    const { wasm } = await backends();
    const n = 1_000_001;
    const x = new Float32Array(n);
    for (let k = 0; k < n; k++) x[k] = -10 + k * 2e-5;
    const s = new Scope(wasm);
    const p = s.put(x);
    wasm.activationForward(p, n, ACT.tanh);
    const y = s.read(p, n);
    s.free();
    let worst = 0;
    for (let k = 0; k < n; k++) worst = Math.max(worst, Math.abs(y[k] - Math.tanh(x[k])));
    expect(worst).toBeLessThan(1e-6);
    expect(worst).toBeGreaterThan(0); // it is an approximation: the bound, not equality, is the claim
    const z = new Scope(wasm);
    const q = z.put([0, -0, 50, -50, 1e30, -1e30]);
    wasm.activationForward(q, 6, ACT.tanh);
    expect(Array.from(z.read(q, 6))).toEqual([0, -0, expect.closeTo(1, 6), expect.closeTo(-1, 6), expect.closeTo(1, 6), expect.closeTo(-1, 6)]);
    z.free();
  });
});

describe.each(Object.entries(ACT))('activation %s', (name, act) => {
  for (const n of [1, 3, 4, 9, 64, 103]) {
    it(`n=${n}: SIMD forward and backward equal their scalar twins bit for bit; JS within the tanh bound`, async () => {
      const { wasm, js } = await backends();
      const rng = new Rng(n + act);
      const z = randomF32(rng, n, 4);
      const ds = randomF32(rng, n);
      const s = new Scope(wasm);
      const a = s.put(z);
      const b = s.put(z);
      wasm.activationForward(a, n, act);
      wasm.exports.activationForwardScalar(b, n, act);
      const y = s.read(a, n);
      expect(Array.from(y)).toEqual(Array.from(s.read(b, n)));
      const d1 = s.put(new Float32Array(n));
      const d2 = s.put(new Float32Array(n));
      const pds = s.put(ds);
      wasm.activationBackward(d1, pds, a, n, act);
      wasm.exports.activationBackwardScalar(d2, pds, a, n, act);
      expect(Array.from(s.read(d1, n))).toEqual(Array.from(s.read(d2, n)));
      const dz = s.read(d1, n);
      s.free();

      const j = new Scope(js);
      const c = j.put(z);
      js.activationForward(c, n, act);
      // tanh approximation error <= 1e-6, sigmoid half of that; f32 storage rounding 6e-8
      expectClose(y, j.read(c, n), { atol: 1.1e-6, rtol: 0, label: `${name} forward` });
      const jd = j.put(new Float32Array(n));
      js.activationBackward(jd, j.put(ds), j.put(y), n, act);
      // same s (the wasm forward output) on both sides: the derivative formula is exact up to f32 rounding
      expectClose(dz, j.read(jd, n), { atol: 1e-7, rtol: 1e-6, label: `${name} backward` });
      j.free();
    });
  }
});
