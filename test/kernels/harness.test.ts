// The kernel harness can fail: each rule of testKernel / checkKernel is broken once on purpose here and must be caught
// (a path that differs by one bit, the JS reference out of tolerance, a write past a buffer, a missing twin, a sweep
// without the style's cases), and a correct spec must pass.
import { describe, expect, it } from 'vitest';
import { ACT } from '../../src/backend.js';
import { checkKernel, checkSpec, randomF32, type KernelSpec } from './harness.js';

type Shape = [number, number, number];

/** A correct spec: out = out + a b on small shapes (the one the tests below break, one rule at a time). */
function matmul(over: Partial<KernelSpec<Shape>> = {}): KernelSpec<Shape> {
  return {
    kernels: ['matmulForward'],
    shapes: [[1, 3, 5], [4, 8, 8]],
    label: ([M, K, N]) => `M=${M} K=${K} N=${N}`,
    seed: ([M, K, N]) => M + K + N,
    inputs: ([M, K, N], rng) => ({ a: randomF32(rng, M * K), b: randomF32(rng, K * N), out: randomF32(rng, M * N) }),
    call: ({ k, p }, [M, K, N]) => {
      k.matmulForward(p.out, p.a, p.b, 0, M, K, N, K, 1, 1);
      return { out: [p.out, M * N] };
    },
    exact: ['scalar', 'direct'],
    tol: () => ({ out: { atol: 1e-6, rtol: 1e-6, why: 'f32 dots of length K <= 8, |terms| <= 1' } }),
    dims: ([M, K, N]) => ({ B: M, I: K, H: N }),
    ...over,
  };
}

describe('the kernel harness', () => {
  it('passes a correct spec and returns what every path produced', async () => {
    const r = await checkKernel(matmul(), [4, 8, 8]);
    expect(Object.keys(r).sort()).toEqual(['direct', 'js', 'scalar', 'simd']);
    expect(r.simd.out.length).toBe(32);
  });

  it('catches a path that differs from SIMD (one accumulate flag on the scalar path, then on the direct path)', async () => {
    for (const bad of ['scalar', 'direct'] as const) {
      const spec = matmul({
        call: ({ k, p, path }, [M, K, N]) => {
          k.matmulForward(p.out, p.a, p.b, 0, M, K, N, K, 1, path === bad ? 0 : 1);
          return { out: [p.out, M * N] };
        },
      });
      await expect(checkKernel(spec, [1, 3, 5])).rejects.toThrow(new RegExp(`${bad} differs from SIMD \\(bit for bit\\)`));
    }
  });

  it('catches a difference of one ulp, far inside the JS tolerance', async () => {
    // the scalar path reads a with a[0] one ulp larger: a few elements of out move by about one ulp
    const spec = matmul({
      inputs: ([M, K, N], rng) => {
        const a = randomF32(rng, M * K);
        const nudged = a.slice();
        new Uint32Array(nudged.buffer)[0] += 1;
        return { a, nudged, b: randomF32(rng, K * N), out: randomF32(rng, M * N) };
      },
      call: ({ k, p, path }, [M, K, N]) => {
        k.matmulForward(p.out, path === 'scalar' ? p.nudged : p.a, p.b, 0, M, K, N, K, 1, 1);
        return { out: [p.out, M * N] };
      },
    });
    await expect(checkKernel(spec, [1, 3, 5])).rejects.toThrow(/out: elements where scalar differs from SIMD \(bit for bit\)/);
  });

  it('catches the JS reference outside the tolerance, and outside exact', async () => {
    const tanh = (tol: KernelSpec<number>['tol']): KernelSpec<number> => ({
      kernels: ['activationForward'],
      shapes: [9],
      label: (n) => `tanh n=${n}`,
      seed: (n) => n,
      inputs: (n, rng) => ({ x: randomF32(rng, n, 4) }),
      call: ({ k, p }, n) => {
        k.activationForward(p.x, n, ACT.tanh);
        return { s: [p.x, n] };
      },
      exact: ['scalar'],
      tol,
    });
    // the rational tanh is within 1e-6 of Math.tanh, not within 1e-9
    await expect(checkKernel(tanh(() => ({ s: { atol: 1e-9, rtol: 0, why: 'too tight on purpose' } })), 9)).rejects.toThrow(/s vs JS \(too tight on purpose\)/);
    await expect(checkKernel(tanh(() => ({ s: { exact: true, why: 'wrong on purpose' } })), 9)).rejects.toThrow(/differs from the JS reference \(wrong on purpose\)/);
    await expect(checkKernel(tanh(() => ({ s: { atol: 1.1e-6, rtol: 0, why: 'the stated bound' } })), 9)).resolves.toBeDefined();
  });

  it('catches a write past the end of a buffer (the canaries)', async () => {
    const spec = matmul({
      inputs: ([M, K, N], rng) => ({ a: randomF32(rng, M * K), b: randomF32(rng, K * N), out: randomF32(rng, (M - 1) * N) }),
      call: ({ k, p }, [M, K, N]) => {
        k.matmulForward(p.out, p.a, p.b, 0, M, K, N, K, 1, 0); // M rows into a buffer of M - 1
        return { out: [p.out, (M - 1) * N] };
      },
    });
    await expect(checkKernel(spec, [2, 3, 5])).rejects.toThrow(/canaries were overwritten/);
  });

  it('catches an output without a tolerance', async () => {
    const spec = matmul({ tol: () => ({}) });
    await expect(checkKernel(spec, [1, 3, 5])).rejects.toThrow(/every output has a JS tolerance/);
  });

  it('refuses a scalar path for a kernel without a …Scalar export', async () => {
    const spec: KernelSpec<number> = {
      kernels: ['broadcastRows'],
      shapes: [3],
      label: (n) => `n=${n}`,
      seed: () => 1,
      inputs: (n, rng) => ({ v: randomF32(rng, n), out: new Float32Array(2 * n) }),
      call: ({ k, p }, n) => {
        k.broadcastRows(p.out, p.v, 2, n);
        return { out: [p.out, 2 * n] };
      },
      exact: ['scalar'],
      tol: () => ({ out: { exact: true, why: 'a copy' } }),
    };
    await expect(checkKernel(spec, 3)).rejects.toThrow(/broadcastRows has no broadcastRowsScalar twin/);
  });

  it('refuses specs that break the style when the tests are collected', () => {
    expect(() => checkSpec(matmul({ tol: () => ({ out: { atol: 1e-6, rtol: 0, why: '' } }) }))).toThrow(/states no reason/);
    expect(() => checkSpec(matmul({ exact: ['direct'] }))).toThrow(/keeps a …Scalar twin/);
    expect(() => checkSpec(matmul({ noTwin: 'there is one' }))).toThrow(/exact has 'scalar' and noTwin/);
    expect(() => checkSpec(matmul({ shapes: [[4, 8, 8]] }))).toThrow(/no case with B = 1/);
    expect(() => checkSpec(matmul({ shapes: [[1, 3, 5]] }))).toThrow(/no case with H a multiple of 4/);
    expect(() => checkSpec(matmul({ shapes: [[1, 4, 5], [4, 8, 8]] }))).toThrow(/no case with I not a multiple of 4/);
    expect(() => checkSpec(matmul({ dims: ([M, K, N]) => ({ B: M, I: K, H: N, T: 2 }) }))).toThrow(/no case with T = 1/);
    expect(() => checkSpec(matmul({ dims: ([M, K, N]) => ({ B: M, I: K, H: N, padded: false }) }))).toThrow(/no case with a padded batch/);
    expect(() => checkSpec(matmul())).not.toThrow();
  });
});
