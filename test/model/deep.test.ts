// Deep and bidirectional models on the wasm core: against the f64 JS reference, the padding rule in every layer and
// direction (bit for bit), streaming, initial and final states, dropout (training only, reproducible), threads,
// checkpoints (a version-1 file still loads), and the parameters' names and shapes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SimpleRNN, type SimpleRNNOptions } from 'simple-rnn';
import { Rng } from '../../src/random.js';
import { denseBatch, expectClose, flat, tokenBatch } from '../util.js';

const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

const MODELS: [string, Partial<SimpleRNNOptions>][] = [
  ['L=2 uni dense', { layers: 2, inputSize: 5, hiddenSize: 6 }],
  ['L=3 sizes [7, 4, 6] tokens retSeq', { layers: 3, hiddenSize: [7, 4, 6], vocabSize: 9, returnSequences: true }],
  ['L=2 bi concat dense', { layers: 2, bidirectional: true, inputSize: 5, hiddenSize: 6 }],
  ['L=1 bi sum tokens retSeq', { bidirectional: true, merge: 'sum', vocabSize: 9, hiddenSize: 5, returnSequences: true }],
  ['L=2 bi mul embedding', { layers: 2, bidirectional: true, merge: 'mul', vocabSize: 9, embeddingSize: 4, hiddenSize: 5 }],
  ['L=2 bi ave dense retSeq learned s0', { layers: 2, bidirectional: true, merge: 'ave', inputSize: 5, hiddenSize: 4, returnSequences: true, learnInitialState: true }],
  ['L=2 goBackwards tokens', { layers: 2, goBackwards: true, vocabSize: 9, hiddenSize: 6 }],
];

function data(o: Partial<SimpleRNNOptions>, lengths: number[], seed = 1) {
  const rng = new Rng(seed);
  const inputs = o.vocabSize ? tokenBatch(rng, lengths, o.vocabSize) : denseBatch(rng, lengths, o.inputSize!);
  const targets = lengths.map((T) => (o.returnSequences ? Array.from({ length: T }, () => rng.int(3)) : rng.int(3)));
  return { inputs: inputs as never, targets: targets as never };
}

describe.each(MODELS)('%s', (_name, o) => {
  const create = (extra: Partial<SimpleRNNOptions> = {}) => SimpleRNN.create({ outputSize: 3, seed: 5, ...o, ...extra } as SimpleRNNOptions);
  const lengths = [6, 2, 5, 1, 6, 3];

  it('wasm equals the f64 JS reference: outputs, loss and every gradient', async () => {
    const w = await create();
    const r = await create({ backend: 'js', precision: 'float64' });
    const { inputs, targets } = data(o, lengths);
    // f32 dots of length H+In over T steps and L layers against f64
    const tol = { atol: 2e-5, rtol: 2e-4 };
    expectClose(flat(w.predict(inputs)), flat(r.predict(inputs)), { ...tol, label: 'predict' });
    const gw = w.computeGradients(inputs, targets);
    const gr = r.computeGradients(inputs, targets);
    expect(Math.abs(gw.loss - gr.loss)).toBeLessThan(1e-5);
    for (const k of w.paramNames) expectClose(gw.grads[k], gr.grads[k], { ...tol, label: k });
    w.dispose();
    r.dispose();
  });

  it('a padded sequence gives exactly what it gives alone, in every layer and direction (wasm, bits)', async () => {
    const m = await create();
    const { inputs, targets } = data(o, lengths);
    const batch = m.predict(inputs, { output: 'typed' });
    for (let b = 0; b < lengths.length; b++) {
      const alone = m.predict([(inputs as unknown[])[b]] as never, { output: 'typed' })[0];
      expect(bits(batch[b]), `sequence ${b}`).toEqual(bits(alone));
    }
    // and the states: returnState of the batch equals each sequence's own
    const { states } = m.predict(inputs, { returnState: true }) as unknown as { states: Float32Array[] };
    for (let b = 0; b < lengths.length; b++) {
      const own = (m.predict([(inputs as unknown[])[b]] as never, { returnState: true }) as unknown as { states: Float32Array[] }).states[0];
      expect(bits(states[b])).toEqual(bits(own));
    }
    expect(Number.isFinite(m.trainBatch(inputs, targets))).toBe(true);
    m.dispose();
  });

  it('initialStates continue a sequence from returnState: two halves give the whole (unidirectional)', async () => {
    if (o.bidirectional || o.goBackwards) return; // a reverse direction reads the second half first: no continuation
    const m = await create();
    const { inputs } = data(o, [6]);
    const seq = (inputs as unknown as unknown[][])[0];
    const whole = m.predict([seq] as never, { returnState: true }) as unknown as { outputs: number[][]; states: Float32Array[] };
    const first = m.predict([seq.slice(0, 4)] as never, { returnState: true }) as unknown as { states: Float32Array[] };
    const second = m.predict([seq.slice(4)] as never, { returnState: true, initialStates: first.states }) as unknown as { outputs: number[][]; states: Float32Array[] };
    expect(bits(second.states[0])).toEqual(bits(whole.states[0]));
    expect(m.stateSize).toBe(whole.states[0].length);
    m.dispose();
  });
});

describe('streaming a deep model', () => {
  it('step() through a 3-layer model gives predict()s outputs on every prefix, bit for bit', async () => {
    const m = await SimpleRNN.create({ layers: 3, hiddenSize: [6, 3, 5], vocabSize: 7, outputSize: 7, returnSequences: true, learnInitialState: true, seed: 2 });
    const rng = new Rng(4);
    const p = m.getParams();
    m.setParams({ s0: Float32Array.from(p.s0, () => rng.uniform() - 0.5), s0_l2: Float32Array.from(p.s0_l2, () => rng.uniform() - 0.5) });
    const seq = [1, 4, 2, 6, 0, 3];
    const out = m.predict([seq], { output: 'typed' })[0];
    let s = m.initialState();
    expect(s.length).toBe(14);
    for (let t = 0; t < seq.length; t++) {
      const r = m.step(s, seq[t]);
      s = r.state;
      expect(bits(r.output), `step ${t}`).toEqual(bits(out.subarray(t * 7, (t + 1) * 7)));
    }
    expect(m.generate({ prompt: [1, 2], length: 5, temperature: 0 })).toHaveLength(5);
    m.dispose();
  });

  it('bidirectional and goBackwards models refuse streaming and fitStream, naming why', async () => {
    for (const o of [{ bidirectional: true }, { goBackwards: true }]) {
      const m = await SimpleRNN.create({ vocabSize: 4, hiddenSize: 3, outputSize: 4, returnSequences: true, ...o });
      expect(() => m.step(m.initialState(), 1)).toThrow(/SimpleRNN\.step: model (is bidirectional|has goBackwards)/);
      expect(() => m.generate({ prompt: [1], length: 2 })).toThrow(/SimpleRNN\.generate: model/);
      await expect(m.fitStream([1, 2, 3, 1, 2, 3])).rejects.toThrow(/SimpleRNN\.fitStream: model is/);
      m.dispose();
    }
  });
});

describe('dropout', () => {
  const o = { layers: 2, inputSize: 4, hiddenSize: 5, outputSize: 3, dropout: 0.3, inputDropout: 0.2, recurrentDropout: 0.25, seed: 3 } as const;
  it('is off in predict and evaluate: the same outputs as the model without dropout', async () => {
    const m = await SimpleRNN.create(o);
    const plain = await SimpleRNN.create({ ...o, dropout: 0, inputDropout: 0, recurrentDropout: 0 });
    const { inputs, targets } = data(o, [4, 2]);
    expect(m.predict(inputs)).toEqual(plain.predict(inputs));
    expect(m.evaluate(inputs, targets)).toEqual(plain.evaluate(inputs, targets));
    // in training the masks change the gradient
    const g0 = m.computeGradients(inputs, targets);
    const g1 = m.computeGradients(inputs, targets, { dropout: true, dropoutSeed: 1 });
    const g2 = m.computeGradients(inputs, targets, { dropout: true, dropoutSeed: 1 });
    expect(g1.loss).not.toBe(g0.loss);
    expect(g2.loss).toBe(g1.loss);
    m.dispose();
    plain.dispose();
  });

  it('training draws its masks from the model Rng: a resumed checkpoint reproduces them bit for bit', async () => {
    const { inputs, targets } = data(o, [4, 2, 3]);
    const a = await SimpleRNN.create({ ...o, optimizer: 'adam' });
    a.trainBatch(inputs, targets);
    const saved = a.save();
    const la = [a.trainBatch(inputs, targets), a.trainBatch(inputs, targets)];
    const b = await SimpleRNN.load(saved);
    const lb = [b.trainBatch(inputs, targets), b.trainBatch(inputs, targets)];
    expect(lb).toEqual(la);
    expect(b.getParams()).toEqual(a.getParams());
    a.dispose();
    b.dispose();
  });

  it('threads give one thread\'s masks (drawn in the caller\'s order) and its results within f32 rounding', async () => {
    const { inputs, targets } = data(o, [4, 2, 3, 5, 1, 4, 2, 6]);
    const one = await SimpleRNN.create({ ...o, bidirectional: true });
    const two = await SimpleRNN.create({ ...o, bidirectional: true, threads: 2 });
    expect(two.threads).toBe(2);
    for (let k = 0; k < 3; k++) expect(Math.abs(two.trainBatch(inputs, targets) - one.trainBatch(inputs, targets))).toBeLessThan(1e-5);
    const pa = one.getParams();
    const pb = two.getParams();
    for (const k of one.paramNames) expectClose(pb[k], pa[k], { atol: 2e-5, rtol: 1e-4, label: k }); // the sum's order differs
    one.dispose();
    two.dispose();
  });
});

describe('parameters and checkpoints', () => {
  it('names and shapes follow PyTorch: Ws, Ws_reverse, Ws_l1, Ws_l1_reverse; Wo reads the concatenated top layer', async () => {
    const m = await SimpleRNN.create({ layers: 2, bidirectional: true, inputSize: 3, hiddenSize: [4, 5], outputSize: 2 });
    const p = m.getParams();
    expect(m.paramNames).toEqual(['Ws', 'bs', 'Wo', 'bo', 's0', 'Ws_reverse', 'bs_reverse', 's0_reverse', 'Ws_l1', 'bs_l1', 's0_l1', 'Ws_l1_reverse', 'bs_l1_reverse', 's0_l1_reverse', 'E']);
    expect(p.Ws.length).toBe((4 + 3) * 4);
    expect(p.Ws_l1.length).toBe((5 + 8) * 5); // In_1 = 2 H_0 for a concatenated layer
    expect(p.Wo.length).toBe(10 * 2);
    expect(m.stateSize).toBe(18);
    expect(() => m.setParams({ Ws_l2: new Float32Array(3) } as never)).toThrow(/params\.Ws_l2 is not a parameter/);
    expect(() => m.setParams({ Ws_l1: new Float32Array(3) })).toThrow(/params\.Ws_l1 has length 3; expected \(H\+In\)\*H = \(5\+8\)\*5 = 65/);
    m.dispose();
  });

  it('a one-layer model keeps its parameters (the same initialisation as before deep models)', async () => {
    const a = await SimpleRNN.create({ inputSize: 3, hiddenSize: 4, outputSize: 2, seed: 9 });
    const b = await SimpleRNN.create({ inputSize: 3, hiddenSize: 4, outputSize: 2, seed: 9, layers: 1, bidirectional: false });
    expect(b.getParams()).toEqual(a.getParams());
    expect(a.paramNames).toEqual(['Ws', 'bs', 'Wo', 'bo', 's0', 'E']);
    a.dispose();
    b.dispose();
  });

  it('a deep bidirectional model round-trips through a checkpoint and keeps training bit for bit', async () => {
    const o = { layers: 2, bidirectional: true, merge: 'ave', vocabSize: 6, embeddingSize: 3, hiddenSize: [4, 3], outputSize: 6, returnSequences: true, optimizer: 'adam', recurrentDropout: 0.1 } as SimpleRNNOptions;
    const { inputs, targets } = data(o, [3, 5]);
    const a = await SimpleRNN.create(o);
    a.trainBatch(inputs, targets);
    const b = await SimpleRNN.load(a.save());
    expect(b.config).toEqual(a.config);
    expect(b.trainBatch(inputs, targets)).toBe(a.trainBatch(inputs, targets));
    expect(b.getParams()).toEqual(a.getParams());
    a.dispose();
    b.dispose();
  });

  it('version-1 checkpoints (written by simple-rnn 0.1.0, committed) still load and continue exactly', async () => {
    const dir = new URL('../fixtures/checkpoint-v1/', import.meta.url);
    const expected = JSON.parse(readFileSync(new URL('v1-expected.json', dir), 'utf8'));
    for (const name of ['dense-adam', 'tokens-embedding-momentum']) {
      const bytes = new Uint8Array(readFileSync(new URL(`v1-${name}.rnn`, dir)));
      expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true)).toBe(1);
      const m = await SimpleRNN.load(bytes);
      const e = expected[name];
      expect(m.stepCount).toBe(e.stepCount);
      expect(m.predict(e.inputs)).toEqual(e.predict);
      expect(m.trainBatch(e.inputs, e.targets)).toBe(e.next);
      expect(m.training.learningRate).toBe(e.options.learningRate ?? 0.01);
      m.dispose();
    }
  });
});

describe('every fast path runs deep models', () => {
  it('fitStream trains a 2-layer LM with every layer\'s state carried; evaluateStream gives its valLoss', async () => {
    const m = await SimpleRNN.create({ layers: 2, hiddenSize: [8, 6], vocabSize: 5, outputSize: 5, returnSequences: true, optimizer: 'adam', learningRate: 0.02, seed: 1 });
    const tokens = Array.from({ length: 400 }, (_, k) => (k * 3 + (k >> 2)) % 5);
    const val = tokens.slice(0, 60);
    const h = await m.fitStream(tokens, { seqLength: 10, batchSize: 4, epochs: 3, validationTokens: val });
    expect(h.loss[2]).toBeLessThan(h.loss[0]);
    expect(m.evaluateStream(val, { seqLength: 10 }).loss).toBe(h.valLoss![2]);
    m.dispose();
  });

  it('the relaxed-SIMD build runs a bidirectional model within the dot-product rounding bound of the strict one', async () => {
    const o = { layers: 2, bidirectional: true, inputSize: 5, hiddenSize: 8, outputSize: 3, seed: 4 } as const;
    const strict = await SimpleRNN.create(o);
    const relaxed = await SimpleRNN.create({ ...o, simd: 'relaxed' });
    const { inputs, targets } = data(o, [5, 3, 6]);
    if (relaxed.simd === 'relaxed') {
      // one rounding instead of two per multiply-add: f32 dots of length H+In over T steps and two layers
      expectClose(flat(relaxed.predict(inputs)), flat(strict.predict(inputs)), { atol: 1e-5, rtol: 1e-4, label: 'relaxed vs strict' });
      const a = relaxed.computeGradients(inputs, targets);
      const b = strict.computeGradients(inputs, targets);
      for (const k of strict.paramNames) expectClose(a.grads[k], b.grads[k], { atol: 1e-5, rtol: 1e-3, label: k });
    } else expect(relaxed.simdFallback).toMatch(/relaxed/);
    strict.dispose();
    relaxed.dispose();
  });
});
