// Optimizers, clipping, schedules and weight decay: kernels against their scalar twins (bit for bit) and a float64
// reference of each formula; the model's trainBatch against hand-computed steps from computeGradients' gradients.
import { describe, expect, it } from 'vitest';
import { SimpleRNN, type OptimizerOptions, type SimpleRNNOptions } from 'simple-rnn';
import { learningRateAt, resolveTraining } from '../../src/optim.js';
import { Rng } from 'simple-rnn';
import { BACKENDS, denseBatch, expectClose } from '../util.js';
import { backends, randomF32, Scope } from '../kernels/harness.js';

type Hyper = { lr: number; mu: number; b1: number; b2: number; eps: number; rho: number; wd: number };
type Kind = 'sgd' | 'momentum' | 'nesterov' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';

/** The formulas of assembly/optim.ts in float64, one element at a time; t counts from 1. */
function refStep(kind: Kind, p: Float64Array, g: ArrayLike<number>, m: Float64Array, v: Float64Array, t: number, h: Hyper): void {
  for (let k = 0; k < p.length; k++) {
    const p0 = p[k];
    const gk = g[k];
    if (kind === 'sgd') p[k] = p0 - h.lr * (gk + h.wd * p0);
    else if (kind === 'momentum' || kind === 'nesterov') {
      const gd = gk + h.wd * p0;
      m[k] = h.mu * m[k] + gd;
      p[k] = p0 - h.lr * (kind === 'nesterov' ? gd + h.mu * m[k] : m[k]);
    } else if (kind === 'adam' || kind === 'adamw') {
      const gd = kind === 'adam' ? gk + h.wd * p0 : gk;
      m[k] = h.b1 * m[k] + (1 - h.b1) * gd;
      v[k] = h.b2 * v[k] + (1 - h.b2) * gd * gd;
      const mh = m[k] / (1 - h.b1 ** t);
      const vh = v[k] / (1 - h.b2 ** t);
      p[k] = p0 - h.lr * (mh / (Math.sqrt(vh) + h.eps) + (kind === 'adamw' ? h.wd * p0 : 0));
    } else if (kind === 'rmsprop') {
      const gd = gk + h.wd * p0;
      m[k] = h.rho * m[k] + (1 - h.rho) * gd * gd;
      p[k] = p0 - (h.lr * gd) / (Math.sqrt(m[k]) + h.eps);
    } else {
      const gd = gk + h.wd * p0;
      m[k] = m[k] + gd * gd;
      p[k] = p0 - (h.lr * gd) / Math.sqrt(m[k] + h.eps);
    }
  }
}

const H0: Hyper = { lr: 0.05, mu: 0.9, b1: 0.9, b2: 0.999, eps: 1e-8, rho: 0.9, wd: 0.01 };

describe('optimizer kernels', () => {
  const kinds: Kind[] = ['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'rmsprop', 'adagrad'];
  for (const kind of kinds) {
    for (const n of [1, 3, 4, 9, 103]) {
      it(`${kind} n=${n}: SIMD equals the scalar twin bit for bit; wasm and js within f32 rounding of the float64 formula`, async () => {
        const { wasm, js } = await backends();
        const rng = new Rng(n * 31 + kind.length);
        const p = randomF32(rng, n);
        const g = randomF32(rng, n, 2);
        const h = { ...H0, wd: kind === 'sgd' ? 0 : H0.wd };
        const results: Float32Array[] = [];
        const run = (be: typeof wasm | typeof js, scalar: boolean) => {
          const s = new Scope(be);
          const pp = s.put(p);
          const m = s.put(new Float32Array(n));
          const v = s.put(new Float32Array(n));
          const gp = s.put(g);
          const k = (scalar ? (wasm.exports as unknown as Record<string, unknown>) : (be as unknown as Record<string, unknown>)) as Record<string, (...a: number[]) => void>;
          const sfx = scalar ? 'Scalar' : '';
          for (let t = 1; t <= 3; t++) {
            if (kind === 'sgd') k['sgdUpdate' + sfx](pp, gp, n, h.lr);
            else if (kind === 'momentum' || kind === 'nesterov') k['momentumUpdate' + sfx](pp, m, gp, n, h.lr, h.mu, h.wd, kind === 'nesterov' ? 1 : 0);
            else if (kind === 'adam' || kind === 'adamw') {
              k['adamUpdate' + sfx](pp, m, v, gp, n, h.lr, h.b1, h.b2, h.eps, h.wd, kind === 'adamw' ? 1 : 0, 1 - h.b1 ** t, 1 - h.b2 ** t);
            } else if (kind === 'rmsprop') k['rmspropUpdate' + sfx](pp, m, gp, n, h.lr, h.rho, h.eps, h.wd);
            else k['adagradUpdate' + sfx](pp, m, gp, n, h.lr, h.eps, h.wd);
          }
          results.push(s.read(pp, n), s.read(m, n), s.read(v, n));
          s.free();
        };
        run(wasm, false);
        run(wasm, true);
        run(js, false);
        expect(results[0]).toEqual(results[3]); // params: SIMD == scalar
        expect(results[1]).toEqual(results[4]);
        expect(results[2]).toEqual(results[5]);
        const rp = Float64Array.from(p);
        const rm = new Float64Array(n);
        const rv = new Float64Array(n);
        for (let t = 1; t <= 3; t++) refStep(kind, rp, g, rm, rv, t, h);
        // three updates of a few f32 operations each: a few ulps of |p| ~ 1
        const tol = { atol: 1e-6, rtol: 1e-5 };
        expectClose(results[0], rp, { ...tol, label: `${kind} wasm p` });
        expectClose(results[6], rp, { ...tol, label: `${kind} js p` });
      });
    }
  }

  it('clipByValue and scale: SIMD equals scalar, and the formulas hold exactly', async () => {
    const { wasm, js } = await backends();
    const x = randomF32(new Rng(3), 11, 3);
    for (const be of [wasm, js]) {
      const s = new Scope(be);
      const a = s.put(x);
      be.clipByValue(a, 11, 1.5);
      expect(Array.from(s.read(a, 11))).toEqual(Array.from(x, (v) => Math.min(Math.max(v, -1.5), 1.5)));
      const b = s.put(x);
      be.scale(b, 11, 0.25);
      expect(Array.from(s.read(b, 11))).toEqual(Array.from(x, (v) => Math.fround(v * 0.25)));
      s.free();
    }
    const s = new Scope(wasm);
    const a = s.put(x);
    const b = s.put(x);
    wasm.clipByValue(a, 11, 0.7);
    wasm.exports.clipByValueScalar(b, 11, 0.7);
    expect(s.read(a, 11)).toEqual(s.read(b, 11));
    s.free();
  });
});

describe('sampleLogits kernel', () => {
  it('temperature 0 and topK 1 give the first argmax; topK restricts; a uniform u picks by cumulative mass', async () => {
    const { wasm, js } = await backends();
    const y = [0.5, 2, -1, 2, 1.5, 0];
    for (const be of [wasm, js]) {
      const s = new Scope(be);
      const yp = s.put(y);
      const w = s.put(new Float32Array(6));
      expect(be.sampleLogits(w, yp, 6, 0, 0, 0.99)).toBe(1);
      expect(be.sampleLogits(w, yp, 6, 1, 1, 0.99)).toBe(1);
      // topK = 3 keeps logits >= 1.5: classes 1, 3, 4 with masses e^0, e^0, e^-0.5
      const e = [1, 1, Math.exp(-0.5)];
      const sum = e[0] + e[1] + e[2];
      expect(be.sampleLogits(w, yp, 6, 1, 3, 0)).toBe(1);
      expect(be.sampleLogits(w, yp, 6, 1, 3, (e[0] + 0.01) / sum)).toBe(3);
      expect(be.sampleLogits(w, yp, 6, 1, 3, 0.999)).toBe(4);
      // no restriction: the smallest class gets picked when u falls in its slice
      const all = y.map((v) => Math.exp(v - 2));
      const tot = all.reduce((a, b) => a + b, 0);
      expect(be.sampleLogits(w, yp, 6, 1, 0, (all[0] + 0.5 * all[1]) / tot)).toBe(1);
      expect(be.sampleLogits(w, yp, 6, 1, 0, (all[0] + all[1] + 0.5 * all[2]) / tot)).toBe(2);
      s.free();
    }
  });

  it('empirical frequencies follow softmax(y / T) on both backends (seeded, 20000 draws)', async () => {
    const { wasm, js } = await backends();
    const y = [1, 0, -1, 0.5];
    const T = 0.7;
    const p = y.map((v) => Math.exp(v / T));
    const z = p.reduce((a, b) => a + b, 0);
    for (const be of [wasm, js]) {
      const s = new Scope(be);
      const yp = s.put(y);
      const w = s.put(new Float32Array(4));
      const rng = new Rng(5);
      const counts = [0, 0, 0, 0];
      const N = 20000;
      for (let k = 0; k < N; k++) counts[be.sampleLogits(w, yp, 4, T, 0, rng.uniform())]++;
      // binomial standard deviation <= sqrt(N/4) = 71; 5 sigma
      for (let c = 0; c < 4; c++) expect(Math.abs(counts[c] - (N * p[c]) / z)).toBeLessThan(355);
      s.free();
    }
  });
});

describe('learning-rate schedules', () => {
  it('step decay: lr * gamma^floor(t / stepSize)', () => {
    const cfg = resolveTraining('test', { learningRate: 0.1, schedule: { type: 'step', stepSize: 2, gamma: 0.5 } });
    expect([0, 1, 2, 3, 4].map((t) => learningRateAt(cfg, t))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
  });

  it('cosine with warm-up: linear warm-up, half cosine to the minimum, then the minimum', () => {
    const cfg = resolveTraining('test', { learningRate: 1, schedule: { type: 'cosine', warmupSteps: 2, decaySteps: 4, minLearningRate: 0.1 } });
    const lr = [0, 1, 2, 3, 4, 5, 6, 50].map((t) => learningRateAt(cfg, t));
    const cos = (f: number) => 0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * f));
    expect(lr[0]).toBeCloseTo(0.5, 15);
    expect(lr[1]).toBeCloseTo(1, 15);
    expect(lr[2]).toBeCloseTo(1, 15);
    expect(lr[3]).toBeCloseTo(cos(0.25), 15);
    expect(lr[4]).toBeCloseTo(0.55, 15);
    expect(lr[5]).toBeCloseTo(cos(0.75), 15);
    expect(lr[6]).toBeCloseTo(0.1, 15);
    expect(lr[7]).toBeCloseTo(0.1, 15);
  });

  it('rejects bad optimizer and schedule options, naming the field', async () => {
    const base = { inputSize: 2, hiddenSize: 3, outputSize: 2 };
    await expect(SimpleRNN.create({ ...base, optimizer: 'adamx' as never })).rejects.toThrow(/options\.optimizer.*'sgd'.*got "adamx"/);
    await expect(SimpleRNN.create({ ...base, optimizer: { type: 'adam', beta1: 1 } })).rejects.toThrow(/options\.optimizer\.beta1 = 1 is out of range; expected a number in \[0, 1\)/);
    await expect(SimpleRNN.create({ ...base, optimizer: { type: 'sgd', momentum: 0.9 } as never })).rejects.toThrow(/options\.optimizer\.momentum is not an option of 'sgd'/);
    await expect(SimpleRNN.create({ ...base, schedule: { type: 'step' } as never })).rejects.toThrow(/options\.schedule\.stepSize/);
    await expect(SimpleRNN.create({ ...base, clipNorm: -1 })).rejects.toThrow(RangeError);
    await expect(SimpleRNN.create({ ...base, clipValue: 0 })).rejects.toThrow(/options\.clipValue = 0/);
    await expect(SimpleRNN.create({ ...base, weightDecay: NaN })).rejects.toThrow(/options\.weightDecay/);
  });
});

// ---- the model's steps against hand-computed updates from its own gradients ----

const shape = { inputSize: 3, hiddenSize: 5, outputSize: 3, seed: 7 } as const;
const data = () => {
  const rng = new Rng(11);
  return { x: denseBatch(rng, [4, 2, 3], 3), y: [0, 2, 1] };
};

const concat = (...a: ArrayLike<number>[]) => Float64Array.from(a.flatMap((x) => Array.from(x)));
function flatParams(m: SimpleRNN): Float64Array {
  const p = m.getParams();
  return concat(p.Ws, p.bs, p.Wo, p.bo, p.s0);
}
function flatGrads(m: SimpleRNN, x: number[][][], y: number[]): Float64Array {
  const { grads: g } = m.computeGradients(x, y);
  return concat(g.Ws, g.bs, g.Wo, g.bo, g.s0);
}
const norm = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));

describe.each(BACKENDS)('trainBatch on %s', (backend) => {
  const opt = (kind: Kind): OptimizerOptions =>
    kind === 'momentum' || kind === 'nesterov' ? { type: kind, momentum: H0.mu }
    : kind === 'adam' || kind === 'adamw' ? { type: kind, beta1: H0.b1, beta2: H0.b2, epsilon: H0.eps }
    : kind === 'rmsprop' ? { type: 'rmsprop', rho: H0.rho, epsilon: H0.eps }
    : kind === 'adagrad' ? { type: 'adagrad', epsilon: H0.eps } : 'sgd';

  for (const kind of ['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'rmsprop', 'adagrad'] as Kind[]) {
    it(`${kind} with weight decay: 3 steps equal the float64 formulas applied to the model's gradients`, async () => {
      const m = await SimpleRNN.create({ ...shape, backend, optimizer: opt(kind), learningRate: H0.lr, weightDecay: H0.wd });
      const { x, y } = data();
      const ref = flatParams(m);
      const P = ref.length;
      const rm = new Float64Array(P);
      const rv = new Float64Array(P);
      for (let t = 1; t <= 3; t++) {
        const g = flatGrads(m, x, y);
        refStep(kind, ref, g, rm, rv, t, H0);
        const loss = m.trainBatch(x, y);
        expect(Number.isFinite(loss)).toBe(true);
        // the reference runs in float64 from the same gradients; the model rounds each op to f32 (|p| < 2)
        expectClose(flatParams(m), ref, { atol: 2e-6, rtol: 1e-5, label: `${kind} step ${t}` });
      }
      expect(m.stepCount).toBe(3);
      m.dispose();
    });
  }

  it('Adam, first step, by hand: every parameter with g != 0 moves by lr * g / (|g| + eps), i.e. about lr * sign(g)', async () => {
    const m = await SimpleRNN.create({ ...shape, backend, optimizer: 'adam', learningRate: 0.001 });
    const { x, y } = data();
    const p0 = flatParams(m);
    const g = flatGrads(m, x, y);
    m.trainBatch(x, y);
    const p1 = flatParams(m);
    let moved = 0;
    for (let k = 0; k < p0.length; k++) {
      const expected = g[k] === 0 ? 0 : (0.001 * g[k]) / (Math.abs(g[k]) + 1e-8);
      expect(Math.abs(p0[k] - p1[k] - expected), `param ${k}`).toBeLessThan(1e-7 + 1e-3 * Math.abs(expected) + 2 ** -23 * Math.abs(p0[k]) * 2);
      if (g[k] !== 0) moved++;
    }
    expect(moved).toBeGreaterThan(50);
    m.dispose();
  });

  it('clipNorm: g *= clipNorm / ‖g‖ when ‖g‖ > clipNorm, untouched otherwise', async () => {
    const { x, y } = data();
    const probe = await SimpleRNN.create({ ...shape, backend });
    const g = flatGrads(probe, x, y);
    const p0 = flatParams(probe);
    probe.dispose();
    const n = norm(g);
    for (const [clip, factor] of [[n / 4, 0.25], [n * 2, 1]] as const) {
      const m = await SimpleRNN.create({ ...shape, backend, learningRate: 1, clipNorm: clip });
      m.trainBatch(x, y);
      const expected = p0.map((p, k) => p - g[k] * factor);
      expectClose(flatParams(m), expected, { atol: 1e-6, rtol: 1e-5, label: `clipNorm ${clip}` });
      m.dispose();
    }
  });

  it('clipValue clamps every element, then clipNorm sees the clamped gradient', async () => {
    const { x, y } = data();
    const probe = await SimpleRNN.create({ ...shape, backend });
    const g = flatGrads(probe, x, y);
    const p0 = flatParams(probe);
    probe.dispose();
    const c = 0.3 * Math.max(...Array.from(g, Math.abs));
    const clamped = g.map((v) => Math.min(Math.max(v, -c), c));
    const m = await SimpleRNN.create({ ...shape, backend, learningRate: 1, clipValue: c });
    m.trainBatch(x, y);
    expectClose(flatParams(m), p0.map((p, k) => p - clamped[k]), { atol: 1e-6, rtol: 1e-5, label: 'clipValue' });
    m.dispose();
    const nc = norm(clamped);
    const both = await SimpleRNN.create({ ...shape, backend, learningRate: 1, clipValue: c, clipNorm: nc / 2 });
    both.trainBatch(x, y);
    expectClose(flatParams(both), p0.map((p, k) => p - clamped[k] / 2), { atol: 1e-6, rtol: 1e-5, label: 'clipValue + clipNorm' });
    both.dispose();
  });

  it('a step schedule scales the update: step t uses lr * gamma^floor(t / stepSize)', async () => {
    const { x, y } = data();
    const m = await SimpleRNN.create({ ...shape, backend, learningRate: 0.4, schedule: { type: 'step', stepSize: 1, gamma: 0.5 } });
    for (let t = 0; t < 3; t++) {
      expect(m.currentLearningRate).toBeCloseTo(0.4 * 0.5 ** t, 15);
      const p0 = flatParams(m);
      const g = flatGrads(m, x, y);
      m.trainBatch(x, y);
      expectClose(flatParams(m), p0.map((p, k) => p - 0.4 * 0.5 ** t * g[k]), { atol: 1e-6, rtol: 1e-5, label: `t=${t}` });
    }
    m.dispose();
  });

  it('frozen embeddings stay fixed under Adam with weight decay', async () => {
    const m = await SimpleRNN.create({ vocabSize: 6, embeddingSize: 4, freezeEmbeddings: true, hiddenSize: 5, outputSize: 2, backend, optimizer: 'adamw', weightDecay: 0.1 });
    const E = m.getParams().E.slice();
    const Ws = m.getParams().Ws.slice();
    for (let k = 0; k < 3; k++) m.trainBatch([[1, 2, 3], [4, 5]], [0, 1]);
    expect(m.getParams().E).toEqual(E);
    expect(m.getParams().Ws).not.toEqual(Ws);
    m.dispose();
  });

  it('fit can switch the optimizer; a new optimizer type starts fresh (step count 0)', async () => {
    const { x, y } = data();
    const m = await SimpleRNN.create({ ...shape, backend, optimizer: 'adam' } satisfies SimpleRNNOptions);
    m.trainBatch(x, y);
    m.trainBatch(x, y);
    expect(m.stepCount).toBe(2);
    await m.fit(x, y, { epochs: 1, optimizer: { type: 'momentum', momentum: 0.5 }, learningRate: 0.02 });
    expect(m.training.optimizer).toEqual({ type: 'momentum', momentum: 0.5, beta1: 0, beta2: 0, epsilon: 0, rho: 0 });
    expect(m.training.learningRate).toBe(0.02);
    expect(m.stepCount).toBe(1);
    m.dispose();
  });
});

describe('sumSquares (the global norm)', () => {
  it('SIMD equals its scalar twin bit for bit; both are within f64 rounding of the plain sum; non-finite propagates', async () => {
    const { wasm, js } = await backends();
    for (const n of [1, 2, 3, 4, 5, 7, 8, 103, 4096]) {
      const x = randomF32(new Rng(n), n, 10);
      const s = new Scope(wasm);
      const p = s.put(x);
      const simd = wasm.sumSquares(p, n);
      expect(simd).toBe(wasm.exports.sumSquaresScalar(p, n));
      const plain = Array.from(x).reduce((a, v) => a + v * v, 0);
      expect(Math.abs(simd - plain)).toBeLessThanOrEqual(1e-13 * plain);
      const q = new Scope(js);
      expect(js.sumSquares(q.put(x), n)).toBe(plain);
      q.free();
      s.free();
    }
    const s = new Scope(wasm);
    expect(wasm.sumSquares(s.put([1, 2, NaN, 3, 4]), 5)).toBeNaN();
    expect(wasm.sumSquares(s.put([1, 2, 3, 4, Infinity]), 5)).toBe(Infinity);
    expect(wasm.sumSquares(s.put([3e38, 3e38, 3e38, 3e38, 3e38]), 5)).toBeCloseTo(4.5e77, -70); // f64 does not overflow
    s.free();
  });
});
