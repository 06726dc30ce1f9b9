// The embedding layer (embeddingSize D): i^t = E[id], Ws is (H+D) x H.
// 1. Gradients of every parameter, E included, against central finite differences on the f64 JS reference:
//    h = 1e-5; pass if |a - n| / max(1e-8, |a| + |n|) < 1e-6 (f64 round-off ~1e-10, a wrong term ~1).
// 2. wasm against the f32 JS reference, and the behaviours (shapes, padding, freezing, errors) on both backends.
import { describe, expect, it } from 'vitest';
import { SimpleRNN, type SimpleRNNOptions } from 'simple-rnn';
import { PARAM_NAMES } from 'simple-rnn';
import { Rng } from 'simple-rnn';
import { BACKENDS, expectClose, tokenBatch } from '../util.js';
import { wasmBackend } from '../../src/backends/wasm.js';
import { gradCheck } from '../gradcheck/check.js';

const V = 6;
const D = 3;
const H = 5;
const O = 3;
const LENGTHS = [4, 2]; // B=2, T=4, one padded sequence

function targetsFor(rng: Rng, out: string, retSeq: boolean, lengths = LENGTHS): unknown[] {
  const one = () => (out === 'softmax' ? rng.int(O) : Array.from({ length: O }, () => (out === 'sigmoid' ? rng.uniform() : 2 * rng.uniform() - 1)));
  return lengths.map((T) => (retSeq ? Array.from({ length: T }, one) : one()));
}

const gradConfigs: [string, Partial<SimpleRNNOptions>][] = [];
for (const activation of ['tanh', 'relu', 'linear'] as const) {
  for (const outputActivation of ['softmax', 'sigmoid', 'linear'] as const) {
    for (const returnSequences of [false, true]) {
      gradConfigs.push([`${activation} ${outputActivation} retSeq=${returnSequences}`, { activation, outputActivation, returnSequences, learnInitialState: returnSequences }]);
    }
  }
}

describe('embedding gradients equal central finite differences (f64 JS reference)', () => {
  it.each(gradConfigs)('%s', async (_name, opts) => {
    const model = await SimpleRNN.create({ vocabSize: V, embeddingSize: D, hiddenSize: H, outputSize: O, backend: 'js', precision: 'float64', seed: 7, ...opts } as SimpleRNNOptions);
    const rng = new Rng(11);
    model.setParams({ bs: Float64Array.from({ length: H }, () => 0.2 * rng.uniform() - 0.1), bo: Float64Array.from({ length: O }, () => 0.2 * rng.uniform() - 0.1) });
    // id 5 repeats within and across sequences, so the scatter-add must accumulate; row 4 of E may go unused
    const inputs = [[5, 1, 5, 0], [2, 5]];
    const targets = targetsFor(rng, opts.outputActivation!, !!opts.returnSequences);
    const base = model.getParams();
    expect(base.E.length).toBe(V * D);
    expect(base.Ws.length).toBe((H + D) * H);
    const { failures, checked, grads } = gradCheck(model, inputs, targets as never, opts.learnInitialState ? [] : ['s0']);
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual((H + D) * H + H + H * O + O + V * D);
    // rows of E whose id never occurs get exactly zero gradient
    expect(Array.from(grads.E.subarray(3 * D, 5 * D))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(grads.E.subarray(5 * D, 6 * D).some((g) => g !== 0)).toBe(true);
    model.dispose();
  });
});

describe('wasm embedding model agrees with the f32 JS reference', () => {
  // H and D not multiples of 4, ragged batch with B=3, and T=1 / B=1 edge cases
  const cases: [string, number, number, number[]][] = [
    ['H=7 D=5 ragged', 7, 5, [6, 1, 3]],
    ['H=8 D=4 T=1', 8, 4, [1, 1]],
    ['H=5 D=9 B=1', 5, 9, [5]],
  ];
  it.each(cases)('%s', async (_name, Hc, Dc, lengths) => {
    const Vc = 11;
    const opts = { vocabSize: Vc, embeddingSize: Dc, hiddenSize: Hc, outputSize: O, returnSequences: true, seed: 3 } as const;
    const mw = await SimpleRNN.create({ ...opts, backend: 'wasm' });
    const mj = await SimpleRNN.create({ ...opts, backend: 'js' });
    expect(Array.from(mw.getParams().E)).toEqual(Array.from(mj.getParams().E)); // same seeded initialisation
    const rng = new Rng(5);
    const inputs = tokenBatch(rng, lengths, Vc);
    const targets = targetsFor(rng, 'softmax', true, lengths);
    const gw = mw.computeGradients(inputs, targets as never);
    const gj = mj.computeGradients(inputs, targets as never);
    // f32 dots of length H+D over T <= 6 steps; wasm tanh approximates to <= 1e-6 absolute
    const tol = { atol: 2e-5, rtol: 1e-4 };
    expect(Math.abs(gw.loss - gj.loss)).toBeLessThan(1e-5);
    for (const k of PARAM_NAMES) expectClose(gw.grads[k], gj.grads[k], { ...tol, label: k });
    expectClose((mw.predict(inputs) as number[][][]).flat(2), (mj.predict(inputs) as number[][][]).flat(2), { ...tol, label: 'predict' });
    mw.dispose();
    mj.dispose();
  });
});

describe.each(BACKENDS)('embedding layer on %s', (backend) => {
  const make = (extra: Partial<SimpleRNNOptions> = {}) =>
    SimpleRNN.create({ vocabSize: V, embeddingSize: D, hiddenSize: H, outputSize: O, backend, seed: 2, ...extra } as SimpleRNNOptions);

  it('output depends on the ids only through E: two ids with equal rows of E give equal outputs', async () => {
    const m = await make();
    const E = m.getParams().E;
    E.set(E.subarray(1 * D, 2 * D), 4 * D); // row 4 := row 1
    m.setParams({ E });
    const [a, b, c] = m.predict([[0, 1, 2], [0, 4, 2], [0, 3, 2]]) as number[][];
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    m.dispose();
  });

  it('a sequence in a padded batch gets the same outputs and E gradient as alone', async () => {
    const m = await make();
    const alone = m.computeGradients([[1, 2]], [0]);
    const outAlone = m.predict([[1, 2]]) as number[][];
    const batch = m.predict([[3, 4, 5, 0, 1], [1, 2]]) as number[][];
    expect(batch[1]).toEqual(outAlone[0]);
    // the E gradient of a batch is the mean of its sequences' gradients: check with a batch of two equal sequences
    const twice = m.computeGradients([[1, 2], [1, 2]], [0, 0]);
    expectClose(twice.grads.E, alone.grads.E, { atol: 1e-7, rtol: 1e-6, label: 'E' }); // mean of two equal terms
    m.dispose();
  });

  it('trainBatch updates E in the used rows only; freezeEmbeddings leaves E bit-identical and still trains Ws', async () => {
    const m = await make({ learningRate: 0.5 });
    const before = m.getParams();
    m.trainBatch([[1, 2, 1]], [2]);
    const after = m.getParams();
    const changedRows = [...Array(V).keys()].filter((r) => after.E.subarray(r * D, (r + 1) * D).some((x, k) => x !== before.E[r * D + k]));
    expect(changedRows).toEqual([1, 2]);
    m.dispose();

    const f = await make({ freezeEmbeddings: true, learningRate: 0.5 });
    expect(f.trainableCount).toBeLessThan(f.paramCount);
    const b0 = f.getParams();
    const g = f.computeGradients([[1, 2, 1]], [2]);
    expect(g.grads.E.every((x) => x === 0)).toBe(true);
    f.trainBatch([[1, 2, 1]], [2]);
    const a0 = f.getParams();
    expect(Array.from(a0.E)).toEqual(Array.from(b0.E));
    expect(Array.from(a0.Ws)).not.toEqual(Array.from(b0.Ws));
    f.dispose();
  });

  it('a tiny model learns which of two word sets a sequence comes from (loss falls, accuracy 100%)', async () => {
    // ids 0-2 are "positive", 3-5 "negative"; sequence class = majority; tests that E and Ws train together
    const m = await SimpleRNN.create({ vocabSize: V, embeddingSize: 4, hiddenSize: 8, outputSize: 2, backend, seed: 4, learningRate: 0.3 });
    const rng = new Rng(8);
    const data = Array.from({ length: 64 }, () => {
      const pos = rng.uniform() < 0.5;
      const n = 2 + rng.int(5);
      const seq = Array.from({ length: n }, () => (rng.uniform() < 0.85 === pos ? rng.int(3) : 3 + rng.int(3)));
      const label = seq.filter((x) => x < 3).length * 2 > n ? 1 : 0;
      return { seq, label };
    }).filter((d) => d.seq.filter((x) => x < 3).length * 2 !== d.seq.length);
    const first = m.computeGradients(data.map((d) => d.seq), data.map((d) => d.label)).loss;
    for (let epoch = 0; epoch < 150; epoch++) m.trainBatch(data.map((d) => d.seq), data.map((d) => d.label));
    const last = m.computeGradients(data.map((d) => d.seq), data.map((d) => d.label)).loss;
    expect(last).toBeLessThan(first / 4);
    const pred = m.predict(data.map((d) => d.seq)) as number[][];
    const acc = pred.filter((p, k) => (p[1] > p[0] ? 1 : 0) === data[k].label).length / data.length;
    expect(acc).toBeGreaterThanOrEqual(0.95);
    m.dispose();
  });

  it('errors name the option or parameter', async () => {
    await expect(SimpleRNN.create({ inputSize: 3, embeddingSize: 4, hiddenSize: H, outputSize: O, backend })).rejects.toThrow(/options\.embeddingSize/);
    await expect(make({ embeddingSize: 0 })).rejects.toThrow(/options\.embeddingSize/);
    await expect(SimpleRNN.create({ vocabSize: V, freezeEmbeddings: true, hiddenSize: H, outputSize: O, backend })).rejects.toThrow(/options\.freezeEmbeddings/);
    const m = await make();
    expect(() => m.setParams({ E: new Float32Array(V * D + 1) })).toThrow(/params\.E.*V\*D = 6\*3/);
    const plain = await SimpleRNN.create({ vocabSize: V, hiddenSize: H, outputSize: O, backend });
    expect(plain.getParams().E.length).toBe(0); // no embedding layer: E is empty, Ws keeps V input rows
    expect(plain.getParams().Ws.length).toBe((H + V) * H);
    m.dispose();
    plain.dispose();
  });
});

describe('embedding models own their wasm memory', () => {
  it('300 create / train / step / dispose cycles of embedding models leave memory.buffer.byteLength unchanged', async () => {
    const be = await wasmBackend();
    const rng = new Rng(1);
    const inputs = tokenBatch(rng, [7, 3, 5], 40);
    const cycle = async (k: number) => {
      const m = await SimpleRNN.create({ vocabSize: 40, embeddingSize: 6 + (k % 3), hiddenSize: 12, outputSize: 3, seed: k, freezeEmbeddings: k % 2 === 1 });
      m.trainBatch(inputs, [0, 1, 2]); // the workspace with its gathered-embedding buffers
      m.step(m.initialState(), 5); // the stepper's buffers
      m.dispose();
    };
    for (let k = 0; k < 20; k++) await cycle(k);
    const before = be.memoryBytes();
    for (let k = 0; k < 300; k++) await cycle(k);
    expect(be.memoryBytes()).toBe(before);
  });
});
