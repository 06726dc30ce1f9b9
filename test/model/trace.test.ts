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

describe('trace of deep and bidirectional models: every layer and direction', () => {
  const DEEP: [string, Partial<SimpleRNNOptions>][] = [
    ['L=2 bi concat, dense, learned s0', { layers: 2, bidirectional: true, inputSize: 3, learnInitialState: true }],
    ['L=3 sizes [5, 3, 4], tokens, returnSequences', { layers: 3, hiddenSize: [5, 3, 4], vocabSize: 6, returnSequences: true, learnInitialState: true }],
    ['L=2 bi mul, embedding, returnSequences', { layers: 2, bidirectional: true, merge: 'mul', vocabSize: 6, embeddingSize: 3, returnSequences: true, learnInitialState: true }],
    ['L=2 goBackwards, dense', { layers: 2, goBackwards: true, inputSize: 3, learnInitialState: true }],
  ];
  it.each(DEEP)('%s: each layer-direction\'s ‖dW_s‖ and ‖∂L/∂s^0‖ are its gradients\'; f(z) = s; final states are returnState\'s', async (_name, o) => {
    const m = await SimpleRNN.create({ hiddenSize: 4, outputSize: 3, seed: 6, backend: 'js', precision: 'float64', ...o } as SimpleRNNOptions);
    const rng = new Rng(3);
    const p = m.getParams();
    m.setParams(Object.fromEntries(m.paramNames.filter((k) => k.startsWith('s0')).map((k) => [k, Float64Array.from(p[k], () => rng.uniform() - 0.5)])));
    const { seq, target } = example(o, 5);
    const tr = m.trace(seq as never, { target, padTo: 7 });
    const g = m.computeGradients([seq] as never, [target] as never);
    expect(tr.layers.map((x) => `${x.layer}${x.direction[0]}`)).toEqual(
      m.paramNames.filter((k) => k.startsWith('Ws')).sort((a, b) => m.paramNames.indexOf(a) - m.paramNames.indexOf(b)).map(() => expect.any(String)),
    );
    const { states } = m.predict([seq] as never, { returnState: true }) as unknown as { states: Float64Array[] };
    let at = 0;
    for (const L of tr.layers) {
      const suffix = `${L.layer ? `_l${L.layer}` : ''}${L.direction === 'reverse' ? '_reverse' : ''}`;
      const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-300, Math.abs(b));
      expect(rel(L.weightGradNorm!, norm(g.grads[`Ws${suffix}`])), `‖dWs${suffix}‖`).toBeLessThan(1e-10);
      expect(rel(L.initialStateGradNorm!, norm(g.grads[`s0${suffix}`])), `‖ds0${suffix}‖`).toBeLessThan(1e-10);
      const H = L.states[0].length;
      expect(Array.from(L.states[7]), `final state ${suffix}`).toEqual(Array.from(states[0].subarray(at, at + H)));
      at += H;
      for (let t = 1; t <= 5; t++) expectClose(Array.from(L.preActivations[t - 1], Math.tanh), L.states[t], { atol: 1e-12, rtol: 1e-12, label: `f(z^${t}) ${suffix}` });
      expect(L.reads).toEqual(L.direction === 'reverse' !== !!o.goBackwards ? [5, 4, 3, 2, 1, 0, 0] : [1, 2, 3, 4, 5, 0, 0]);
    }
    m.dispose();
  });
});
