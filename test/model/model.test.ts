import { describe, expect, it } from 'vitest';
import { SimpleRNN, type SimpleRNNOptions } from 'simple-rnn';
import { PARAM_NAMES } from 'simple-rnn';
import { Rng } from 'simple-rnn';
import { BACKENDS, denseBatch, expectClose, flat, tokenBatch } from '../util.js';

// f32 model vs f32 model: dots of length H+I over T <= 9 steps, tanh approximation <= 1e-6 per step
const F32 = { atol: 2e-5, rtol: 1e-4 };

describe.each(BACKENDS)('SimpleRNN on %s', (backend) => {
  const create = (o: Partial<SimpleRNNOptions>) =>
    SimpleRNN.create({ inputSize: 3, hiddenSize: 6, outputSize: 4, backend, seed: 7, ...o } as SimpleRNNOptions);

  it('predict returns one distribution per sequence, or one per real step, in the caller order', async () => {
    const rng = new Rng(1);
    const inputs = denseBatch(rng, [2, 5, 1], 3);
    const m = await create({});
    const out = m.predict(inputs) as number[][];
    expect(out.map((r) => r.length)).toEqual([4, 4, 4]);
    for (const r of out) expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const seq = await create({ returnSequences: true });
    const outs = seq.predict(inputs) as number[][][];
    expect(outs.map((s) => s.length)).toEqual([2, 5, 1]);
    m.dispose();
    seq.dispose();
  });

  it.each([false, true])('padding invariance (returnSequences=%s): a sequence in a padded batch gives exactly its outputs alone, and the batch gradient is the mean of the parts', async (retSeq) => {
    const rng = new Rng(2);
    const lengths = [3, 7, 1, 4];
    const inputs = tokenBatch(rng, lengths, 9);
    const targets = lengths.map((T) => (retSeq ? Array.from({ length: T }, () => rng.int(4)) : rng.int(4)));
    const m = await create({ inputSize: undefined, vocabSize: 9, returnSequences: retSeq, learnInitialState: true });
    m.setParams({ s0: Float32Array.from({ length: 6 }, () => rng.uniform() - 0.5) });
    const batch = m.predict(inputs);
    inputs.forEach((seq, b) => {
      // bit for bit: every row of every GEMM is computed in the same order whatever the batch holds
      expect(flat(m.predict([seq]))).toEqual(flat(batch[b]));
    });
    const all = m.computeGradients(inputs, targets as never);
    const weights = retSeq ? lengths.map((T) => T / lengths.reduce((a, b) => a + b)) : lengths.map(() => 1 / lengths.length);
    let loss = 0;
    const mean: Record<string, Float64Array> = {};
    for (const k of PARAM_NAMES) mean[k] = new Float64Array(all.grads[k].length);
    inputs.forEach((seq, b) => {
      const one = m.computeGradients([seq], [targets[b]] as never);
      loss += weights[b] * one.loss;
      for (const k of PARAM_NAMES) one.grads[k].forEach((g, j) => (mean[k][j] += weights[b] * g));
    });
    expect(all.loss).toBeCloseTo(loss, 5);
    // f32 sums of the same terms in another order
    for (const k of PARAM_NAMES) expectClose(all.grads[k], mean[k], { atol: 1e-6, rtol: 1e-4, label: k });
    m.dispose();
  });

  it('computeGradients changes no parameter; getParams hands out copies', async () => {
    const m = await create({});
    const before = m.getParams();
    before.Ws[0] += 1; // a copy: the model must not see this
    const rng = new Rng(3);
    m.computeGradients(denseBatch(rng, [4, 2], 3), [1, 2]);
    const after = m.getParams();
    expect(after.Ws[0]).toBe(before.Ws[0] - 1);
    for (const k of PARAM_NAMES) if (k !== 'Ws') expect(Array.from(after[k])).toEqual(Array.from(before[k]));
    m.dispose();
  });

  it('trainBatch returns the loss before the step, takes an SGD step along -grad, and lowers the loss', async () => {
    const m = await create({ learningRate: 0.1 });
    const rng = new Rng(4);
    const inputs = denseBatch(rng, [5, 3, 6], 3);
    const targets = [0, 3, 1];
    const p0 = m.getParams();
    const { loss, grads } = m.computeGradients(inputs, targets);
    expect(m.trainBatch(inputs, targets)).toBe(loss);
    const p1 = m.getParams();
    for (const k of PARAM_NAMES) p1[k].forEach((v, j) => expect(v).toBeCloseTo(p0[k][j] - 0.1 * grads[k][j], 6));
    let last = loss;
    for (let s = 0; s < 30; s++) last = m.trainBatch(inputs, targets);
    expect(last).toBeLessThan(loss * 0.5);
    m.dispose();
  });

  it('setParams validates every array before writing any, and round-trips', async () => {
    const m = await create({});
    const p = m.getParams();
    const before = m.getParams();
    expect(() => m.setParams({ Ws: p.Ws, bs: new Float32Array(5) })).toThrow(/params\.bs.*length 5.*expected/);
    expect(Array.from(m.getParams().Ws)).toEqual(Array.from(before.Ws)); // Ws was valid but not written
    expect(() => m.setParams({ Wo: Object.assign(p.Wo.slice(), { 3: NaN }) })).toThrow(/params\.Wo\[3\]/);
    expect(() => m.setParams({ s0: new Float32Array(6).fill(1) })).toThrow(/learnInitialState/);
    expect(() => m.setParams({ W: p.Ws } as never)).toThrow(/params\.W is not a parameter/);
    p.bs.fill(0.25);
    m.setParams(p);
    expect(Array.from(m.getParams().bs)).toEqual(Array(6).fill(0.25));
    m.dispose();
  });

  it('a seed fixes the initialisation; another seed changes it', async () => {
    const [a, b, c] = await Promise.all([create({ seed: 5 }), create({ seed: 5 }), create({ seed: 6 })]);
    expect(Array.from(a.getParams().Ws)).toEqual(Array.from(b.getParams().Ws));
    expect(Array.from(a.getParams().Ws)).not.toEqual(Array.from(c.getParams().Ws));
    // the recurrent rows start orthogonal (Keras' default): Wh Whᵀ = 1
    const Ws = a.getParams().Ws;
    for (const [r, q] of [[0, 0], [0, 1], [2, 5]]) {
      let d = 0;
      for (let k = 0; k < 6; k++) d += Ws[r * 6 + k] * Ws[q * 6 + k];
      expect(d).toBeCloseTo(r === q ? 1 : 0, 5);
    }
    [a, b, c].forEach((m) => m.dispose());
  });

  it('dispose is safe twice; every method then throws "model was disposed"', async () => {
    const m = await create({});
    m.dispose();
    m.dispose();
    expect(() => m.predict([[[1, 2, 3]]])).toThrow(/model was disposed/);
    expect(() => m.getParams()).toThrow(/model was disposed/);
    expect(() => m.trainBatch([[[1, 2, 3]]], [0])).toThrow(/model was disposed/);
  });

  it('learns running parity of bit strings to >= 95% accuracy on held-out strings of lengths 1..10', async () => {
    const m = await SimpleRNN.create({ inputSize: 1, hiddenSize: 16, outputSize: 2, returnSequences: true, backend, seed: 1, learningRate: 0.5 });
    const rng = new Rng(5);
    const sample = (n: number): [number[][], number[]] => {
      const bits = Array.from({ length: n }, () => rng.int(2));
      let p = 0;
      return [bits.map((b) => [b ? 1 : -1]), bits.map((b) => (p ^= b))];
    };
    const batch = (n: number) => {
      const xs: number[][][] = [];
      const ys: number[][] = [];
      for (let k = 0; k < n; k++) {
        const [x, y] = sample(1 + rng.int(10));
        xs.push(x);
        ys.push(y);
      }
      return { xs, ys };
    };
    for (let step = 0; step < 1500; step++) {
      const { xs, ys } = batch(32);
      m.trainBatch(xs, ys);
    }
    const { xs, ys } = batch(400);
    const pr = m.predict(xs) as number[][][];
    let ok = 0;
    pr.forEach((seq, k) => {
      const last = seq[seq.length - 1];
      if (Number(last[1] > last[0]) === ys[k][ys[k].length - 1]) ok++;
    });
    expect(ok / 400).toBeGreaterThanOrEqual(0.95);
    m.dispose();
  });
});

describe('wasm against the JS reference, model level', () => {
  const cases: [string, Partial<SimpleRNNOptions>, number[]][] = [
    ['dense, H and I not multiples of 4, ragged', { inputSize: 7, hiddenSize: 13, outputSize: 5 }, [9, 3, 6, 1, 9]],
    ['tokens, returnSequences, learned s0', { vocabSize: 11, hiddenSize: 10, outputSize: 3, returnSequences: true, learnInitialState: true }, [4, 8, 2]],
    ['B=1, T=1', { inputSize: 2, hiddenSize: 3, outputSize: 2 }, [1]],
    ['relu, sigmoid outputs', { inputSize: 5, hiddenSize: 9, outputSize: 4, activation: 'relu', outputActivation: 'sigmoid' }, [5, 7]],
    ['linear outputs, sigmoid state, every step', { inputSize: 3, hiddenSize: 17, outputSize: 2, activation: 'sigmoid', outputActivation: 'linear', returnSequences: true }, [6, 6, 2]],
  ];
  it.each(cases)('%s: same init, predictions and gradients within f32 tolerance', async (_n, o, lengths) => {
    const [w, j] = await Promise.all((['wasm', 'js'] as const).map((backend) => SimpleRNN.create({ seed: 3, ...o, backend } as SimpleRNNOptions)));
    const rng = new Rng(8);
    if (o.learnInitialState) {
      const s0 = Float32Array.from({ length: o.hiddenSize as number }, () => rng.uniform() - 0.5);
      w.setParams({ s0 });
      j.setParams({ s0 });
    }
    for (const k of PARAM_NAMES) expect(Array.from(w.getParams()[k])).toEqual(Array.from(j.getParams()[k]));
    const inputs = o.vocabSize ? tokenBatch(rng, lengths, o.vocabSize) : denseBatch(rng, lengths, o.inputSize!);
    const O = o.outputSize!;
    const one = () => (o.outputActivation === 'sigmoid' ? Array.from({ length: O }, () => rng.uniform()) : o.outputActivation === 'linear' ? Array.from({ length: O }, () => rng.uniform() - 0.5) : rng.int(O));
    const targets = lengths.map((T) => (o.returnSequences ? Array.from({ length: T }, one) : one()));
    expectClose(flat(w.predict(inputs as never)), flat(j.predict(inputs as never)), { ...F32, label: 'predict' });
    const gw = w.computeGradients(inputs as never, targets as never);
    const gj = j.computeGradients(inputs as never, targets as never);
    expect(gw.loss).toBeCloseTo(gj.loss, 4);
    for (const k of PARAM_NAMES) expectClose(gw.grads[k], gj.grads[k], { ...F32, label: `d${k}` });
    w.dispose();
    j.dispose();
  });
});
