// activationForward / activationBackward (assembly/activations.ts): the tanh approximation's bound over a fine grid,
// and every f_s on odd lengths: SIMD and scalar twin bit for bit, the JS reference within the approximation bound.
import { describe, expect, it } from 'vitest';
import { ACT } from '../../src/backend.js';
import { Rng } from '../../src/random.js';
import { backends, randomF32, Scope, testKernel } from './harness.js';

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

describe('NaN and infinities', () => {
  // A NaN reaches an activation only from an overflow upstream (inputs and weights are finite); whatever the lane
  // (the SIMD body at n >= 4, the scalar tail), it must come out as the JS reference gives it, so the step
  // transaction sees a non-finite loss instead of a clamped, finite-looking state.
  it.each(Object.entries(ACT))('%s: SIMD, its scalar twin and the JS reference agree on NaN and ±Infinity', async (_name, act) => {
    const { wasm, js } = await backends();
    const v = [NaN, 0.5, -Infinity, Infinity, NaN, -2, NaN, 3, NaN];
    const s = new Scope(wasm);
    const p = s.put(v);
    wasm.activationForward(p, v.length, act);
    const simd = Array.from(s.read(p, v.length));
    const q = s.put(v);
    wasm.exports.activationForwardScalar(q, v.length, act);
    const scalar = Array.from(s.read(q, v.length));
    s.free();
    const r = js.alloc(v.length * 4);
    js.floats(r, v.length).set(v);
    js.activationForward(r, v.length, act);
    const ref = Array.from(js.floats(r, v.length));
    js.free(r);
    expect(simd).toEqual(scalar);
    for (let k = 0; k < v.length; k++) {
      if (Number.isNaN(ref[k])) expect(simd[k], `[${k}]`).toBeNaN();
      else expect(simd[k], `[${k}]`).toBeCloseTo(ref[k], 6);
    }
  });
});

const LENGTHS = [1, 3, 4, 9, 64, 103];

describe.each(Object.entries(ACT))('activation %s', (name, act) => {
  // z in ±4 (past tanh's knee), ds in ±1; seeded by n + act
  const data = (n: number, rng: Rng) => ({ z: randomF32(rng, n, 4), ds: randomF32(rng, n) });

  describe('activationForward', () => {
    testKernel<number>({
      kernels: ['activationForward'],
      shapes: LENGTHS,
      label: (n) => `${name} n=${n}`,
      seed: (n) => n + act,
      inputs: (n, rng) => ({ x: data(n, rng).z }),
      call: ({ k, p }, n) => {
        k.activationForward(p.x, n, act);
        return { s: [p.x, n] };
      },
      exact: ['scalar'],
      tol: () => ({ s: { atol: 1.1e-6, rtol: 0, why: 'tanh approximation error <= 1e-6, sigmoid half of that; f32 storage rounding 6e-8' } }),
      dims: (n) => ({ H: n }),
    });
  });

  describe('activationBackward', () => {
    testKernel<number>({
      kernels: ['activationBackward'],
      shapes: LENGTHS,
      label: (n) => `${name} n=${n}`,
      seed: (n) => n + act,
      // s is the wasm forward output, the same on every path: the comparison isolates the backward kernel
      inputs: async (n, rng) => {
        const { z, ds } = data(n, rng);
        const { wasm } = await backends();
        const sc = new Scope(wasm);
        const ps = sc.put(z);
        wasm.activationForward(ps, n, act);
        const s = sc.read(ps, n);
        sc.free();
        return { dz: new Float32Array(n), ds, s };
      },
      call: ({ k, p }, n) => {
        k.activationBackward(p.dz, p.ds, p.s, n, act);
        return { dz: [p.dz, n] };
      },
      exact: ['scalar'],
      tol: () => ({ dz: { atol: 1e-7, rtol: 1e-6, why: 'same s on both sides: the derivative formula is exact up to f32 rounding' } }),
      dims: (n) => ({ H: n }),
    });
  });
});
