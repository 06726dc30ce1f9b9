// model.trace: the inside of one sequence from the training kernels, checked against what the model computes
// otherwise (step, predict, computeGradients) and against the f64 JS reference.
import { describe, expect, it } from 'vitest';
import { SimpleRNN, type SimpleRNNOptions } from '../../src/index.js';
import { Rng } from '../../src/random.js';
import { BACKENDS, denseBatch, expectClose, tokenBatch } from '../util.js';

const norm = (a: ArrayLike<number>) => Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0));

const CASES: [string, Partial<SimpleRNNOptions>][] = [
  ['dense, many-to-one', { inputSize: 3 }],
  ['dense, returnSequences, learned s0', { inputSize: 3, returnSequences: true, learnInitialState: true }],
  ['tokens, returnSequences', { vocabSize: 6, returnSequences: true }],
  ['tokens with an embedding layer', { vocabSize: 6, embeddingSize: 4 }],
  ['dense, relu, sigmoid outputs', { inputSize: 3, activation: 'relu', outputActivation: 'sigmoid' }],
];

function example(o: Partial<SimpleRNNOptions>, T: number) {
  const rng = new Rng(7 + T);
  const seq = o.vocabSize ? tokenBatch(rng, [T], o.vocabSize)[0] : denseBatch(rng, [T], o.inputSize!)[0];
  const one = () => (o.outputActivation === 'sigmoid' ? [rng.uniform(), rng.uniform(), rng.uniform()] : rng.int(3));
  const target = o.returnSequences ? Array.from({ length: T }, one) : one();
  return { seq, target };
}

describe.each(CASES)('trace: %s', (_name, o) => {
  const T = 6;
  const create = (backend: 'wasm' | 'js', precision: 'float32' | 'float64' = 'float32') =>
    SimpleRNN.create({ hiddenSize: 5, outputSize: 3, seed: 4, backend, precision, ...o } as SimpleRNNOptions);

  it.each(BACKENDS)('on %s: states are step()\'s, outputs predict()\'s, ‖dW_s‖ and ‖∂L/∂s^0‖ are computeGradients\'', async (backend) => {
    const m = await create(backend);
    const { seq, target } = example(o, T);
    const tr = m.trace(seq as never, { target });
    expect(tr.steps).toBe(T);
    expect(tr.pad.every((p) => !p)).toBe(true);
    let s = m.initialState();
    expect(Array.from(tr.states[0])).toEqual(Array.from(s));
    for (let t = 1; t <= T; t++) {
      const r = m.step(s, seq[t - 1] as never);
      s = r.state;
      // the batch kernels and the streaming gemv compute the same bits
      expect(Array.from(tr.states[t]), `s^${t}`).toEqual(Array.from(s));
    }
    const pred = m.predict([seq] as never, { output: 'typed' })[0];
    expect(Array.from(tr.outputs.flatMap((v) => Array.from(v)))).toEqual(Array.from(pred));
    const g = m.computeGradients([seq] as never, [target] as never);
    expect(tr.loss).toBe(g.loss);
    // the sum of the per-step terms is dW_s: f32 sums in a different order, so a relative tolerance
    expect(tr.weightGradNorm!).toBeCloseTo(norm(g.grads.Ws), 5);
    if (o.learnInitialState) expect(tr.initialStateGradNorm!).toBeCloseTo(norm(g.grads.s0), 5);
    expect(tr.weightGradTerms!.every((v) => v > 0)).toBe(true);
    m.dispose();
  });

  it('wasm equals the f64 JS reference within f32 rounding; the reference is exact against its own gradients', async () => {
    const { seq, target } = example(o, T);
    const w = await create('wasm');
    const r = await create('js', 'float64');
    const a = w.trace(seq as never, { target });
    const b = r.trace(seq as never, { target });
    const tol = { atol: 1e-5, rtol: 1e-4 }; // f32 dots of length H+I over T steps against f64
    expectClose(a.states.flatMap((v) => Array.from(v)), b.states.flatMap((v) => Array.from(v)), { ...tol, label: 'states' });
    expectClose(a.preActivations.flatMap((v) => Array.from(v)), b.preActivations.flatMap((v) => Array.from(v)), { ...tol, label: 'z' });
    expectClose(a.stateGradNorms!, b.stateGradNorms!, { ...tol, label: '‖∂L/∂s^t‖' });
    expectClose(a.weightGradTerms!, b.weightGradTerms!, { ...tol, label: 'dW_s terms' });
    const g = r.computeGradients([seq] as never, [target] as never);
    // f64: the sum of the terms and the model's dW_s agree to round-off
    expect(Math.abs(b.weightGradNorm! - norm(g.grads.Ws)) / norm(g.grads.Ws)).toBeLessThan(1e-12);
    // z^t recomputed from s^{t-1} gives s^t through f_s
    const f = { tanh: Math.tanh, relu: (x: number) => Math.max(0, x), sigmoid: (x: number) => 1 / (1 + Math.exp(-x)), linear: (x: number) => x }[o.activation ?? 'tanh'];
    for (let t = 1; t <= T; t++) expectClose(Array.from(b.preActivations[t - 1], f), b.states[t], { atol: 1e-12, rtol: 1e-12, label: `f(z^${t})` });
    w.dispose();
    r.dispose();
  });

  it.each(BACKENDS)('on %s: padTo runs pads that carry the state and its gradient; the real steps are the same bits', async (backend) => {
    const m = await create(backend);
    const { seq, target } = example(o, 4);
    const plain = m.trace(seq as never, { target });
    const padded = m.trace(seq as never, { target, padTo: 9 });
    expect(padded.steps).toBe(9);
    expect(padded.pad).toEqual([false, false, false, false, true, true, true, true, true]);
    for (let t = 0; t <= 4; t++) expect(Array.from(padded.states[t])).toEqual(Array.from(plain.states[t]));
    for (let t = 5; t <= 9; t++) expect(Array.from(padded.states[t])).toEqual(Array.from(plain.states[4]));
    expect(padded.loss).toBe(plain.loss);
    expect(padded.weightGradTerms!.slice(0, 4)).toEqual(plain.weightGradTerms);
    expect(padded.weightGradTerms!.slice(4)).toEqual([0, 0, 0, 0, 0]);
    m.dispose();
  });
});

describe('trace validates its arguments', () => {
  it('names the field', async () => {
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 3, outputSize: 2 });
    expect(() => m.trace([[1, 2]], { padTo: 0 })).toThrow(/SimpleRNN\.trace: options\.padTo = 0 is out of range/);
    expect(() => m.trace([[1, NaN]])).toThrow(/SimpleRNN\.trace: sequence\[0\]\[0\]\[1\] = NaN/);
    expect(() => m.trace([[1, 2]], { target: 5 })).toThrow(/SimpleRNN\.trace: options\.target\[0\] = 5 is not a class index/);
    expect(() => m.trace([[1, 2]], { targte: 1 } as never)).toThrow(/options\.targte is not an option.*did you mean target\?/);
    m.dispose();
  });
});
