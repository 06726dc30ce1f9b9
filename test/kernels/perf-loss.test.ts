// The vectorised exp of assembly/loss.ts (expVec / expScalar) and the softmax, sigmoid and cross-entropy kernels
// built on it, against Math.exp and the float64 JS reference.
import { describe, expect, it } from 'vitest';
import { compileModule } from '../../src/backends/wasm.js';
import { OUT } from '../../src/backend.js';
import { Rng } from '../../src/random.js';
import { testKernel } from './harness.js';

interface Exports {
  memory: WebAssembly.Memory;
  alloc(n: number): number;
  free(p: number): void;
  expInPlace(x: number, n: number): void;
  outputForward(y: number, N: number, O: number, kind: number): void;
  lossForwardBackward(loss: number, dy: number, y: number, tgt: number, w: number, N: number, O: number, kind: number): void;
}

async function instance(): Promise<Exports> {
  return (await WebAssembly.instantiate(await compileModule(), {})).exports as unknown as Exports;
}

function expOf(x: Exports, xs: Float32Array): Float32Array {
  const p = x.alloc(xs.length * 4 + 16);
  new Float32Array(x.memory.buffer, p, xs.length).set(xs);
  x.expInPlace(p, xs.length);
  const r = new Float32Array(x.memory.buffer, p, xs.length).slice();
  x.free(p);
  return r;
}

// The bound stated in assembly/loss.ts: relative error below 1e-7 on [EXP_LO, EXP_HI] = [-87.33654, 88].
// Measured 8.2e-8 over this grid (2^20 points); f32 rounding alone is 6e-8, a wrong coefficient gives 1e-5 or more.
const EXP_REL_BOUND = 1e-7;

describe('perf: vectorised exp', () => {
  it(`relative error < ${EXP_REL_BOUND} against Math.exp over a 2^20-point grid of [-87.3, 88] plus random points`, async () => {
    const x = await instance();
    const n = 1 << 20;
    const xs = new Float32Array(n + 4096);
    for (let k = 0; k < n; k++) xs[k] = -87.3 + (175.3 * k) / (n - 1);
    const rng = new Rng(11);
    for (let k = n; k < xs.length; k++) xs[k] = -20 + 40 * rng.uniform(); // where softmax lives
    const e = expOf(x, xs);
    let worst = 0;
    let at = 0;
    for (let k = 0; k < xs.length; k++) {
      const ref = Math.exp(xs[k]);
      const rel = Math.abs(e[k] - ref) / ref;
      if (!(rel <= worst)) {
        worst = rel;
        at = xs[k];
      }
    }
    expect(worst, `max relative error ${worst} at x = ${at}`).toBeLessThan(EXP_REL_BOUND);
  });

  it('exact at 0, NaN stays NaN, below the clamp the result is at most 1.2e-38, +Infinity is clamped to exp(88)', async () => {
    const x = await instance();
    const e = expOf(x, Float32Array.from([0, NaN, -1000, -Infinity, Infinity, -87.4]));
    expect(e[0]).toBe(1);
    expect(Number.isNaN(e[1])).toBe(true);
    for (const k of [2, 3, 5]) {
      expect(e[k]).toBeGreaterThanOrEqual(0);
      expect(e[k]).toBeLessThan(1.2e-38);
    }
    expect(Math.abs(e[4] - Math.exp(88)) / Math.exp(88)).toBeLessThan(EXP_REL_BOUND); // exp(88) ≈ 1.65e38, finite
  });

  it('the SIMD lanes equal the scalar twin (the tail loop) bit for bit', async () => {
    const x = await instance();
    const rng = new Rng(5);
    const xs = Float32Array.from({ length: 4001 }, () => -90 + 180 * rng.uniform());
    const simd = expOf(x, xs); // all but the last element go through expVec
    for (let k = 0; k < xs.length; k += 3) {
      const one = expOf(x, xs.subarray(k, k + 1)); // a single element: the scalar tail
      expect(one[0], `x = ${xs[k]}`).toBe(simd[k]);
    }
  });
});

/** Logits of N rows x O, with a spread of `scale` (softmax on nearly one-hot rows at scale 30). */
function logits(rng: Rng, N: number, O: number, scale: number): Float32Array {
  return Float32Array.from({ length: N * O }, () => scale * (2 * rng.uniform() - 1));
}

describe('perf: softmax and cross-entropy on the vectorised exp', () => {
  const N = 9;
  const shapes = [2, 3, 4, 5, 8, 65, 513].flatMap((O) => [1, 30].map((scale) => [O, scale] as [number, number]));
  testKernel<[number, number]>({
    kernels: ['lossForwardBackward', 'outputForward'],
    shapes,
    label: ([O, scale]) => `O=${O}, logits in ±${scale}: outputForward and lossForwardBackward match the float64 reference`,
    seed: ([O, scale]) => O * 10 + scale,
    inputs: ([O, scale], rng) => {
      const y = logits(rng, N, O, scale);
      const tgt = Int32Array.from({ length: N }, () => rng.int(O));
      const w = Float32Array.from({ length: N }, (_, r) => (r === 4 ? 0 : 1 / 8)); // row 4 is padding
      return { y, tgt, w, loss: new Float32Array(N), dy: new Float32Array(N * O) };
    },
    call: ({ k, p }, [O]) => {
      k.lossForwardBackward(p.loss, p.dy, p.y, p.tgt, p.w, N, O, OUT.softmax);
      k.outputForward(p.y, N, O, OUT.softmax);
      return { prob: [p.y, N * O], loss: [p.loss, N], dy: [p.dy, N * O] };
    },
    exact: [],
    noTwin: 'the twin is one level down: expVec equals expScalar lane for lane (above)',
    ref: 'float64',
    tol: ([, scale]) => ({
      prob: { atol: 1e-7, rtol: 2e-6, why: 'exp relative error 1e-7 plus f32 rounding of the sum of O terms and the division' },
      loss: { atol: 2e-6 * (1 + scale), rtol: 1e-6, why: 'loss = max + log(sum) - y[c]: |loss| up to 2*scale, f32 log and sums' },
      dy: { atol: 1e-7, rtol: 2e-6, why: 'dy = w (p - onehot): w = 1/8, same error as p, plus the subtraction at the target' },
    }),
    also: (out, [O]) => {
      expect(out.simd.loss[4]).toBe(0);
      expect(Array.from(out.simd.dy.subarray(4 * O, 5 * O)).every((v) => v === 0)).toBe(true);
    },
    dims: ([O]) => ({ H: O }),
  });

  it('a NaN logit makes that row NaN (so trainBatch refuses the step) and leaves other rows alone', async () => {
    const x = await instance();
    const [N, O] = [3, 9];
    const y = logits(new Rng(1), N, O, 2);
    y[O + 5] = NaN;
    const py = x.alloc(N * O * 4);
    const pl = x.alloc(N * 4);
    const pdy = x.alloc(N * O * 4);
    const pt = x.alloc(N * 4);
    const pw = x.alloc(N * 4);
    new Float32Array(x.memory.buffer, py, N * O).set(y);
    new Int32Array(x.memory.buffer, pt, N).set([0, 1, 2]);
    new Float32Array(x.memory.buffer, pw, N).set([1, 1, 1]);
    x.lossForwardBackward(pl, pdy, py, pt, pw, N, O, OUT.softmax);
    const loss = new Float32Array(x.memory.buffer, pl, N);
    expect(Number.isNaN(loss[1])).toBe(true);
    expect(Number.isFinite(loss[0]) && Number.isFinite(loss[2])).toBe(true);
  });

  testKernel<[number, number]>({
    kernels: ['outputForward'],
    shapes: [[7, 5]],
    label: () => 'sigmoid outputs match the float64 reference (odd count: SIMD body and scalar tail)',
    seed: () => 2,
    inputs: ([N, O], rng) => ({ y: logits(rng, N, O, 20) }),
    call: ({ k, p }, [N, O]) => {
      k.outputForward(p.y, N, O, OUT.sigmoid);
      return { out: [p.y, N * O] };
    },
    exact: [],
    noTwin: 'the twin is one level down: expVec equals expScalar lane for lane (above)',
    ref: 'float64',
    tol: () => ({
      out: { atol: 1e-8, rtol: 3e-7, why: '1 / (1 + e): relative error of e (1e-7) shrinks by e / (1 + e); then one f32 add and one division' },
    }),
  });
});
