// Streaming inference, generation and truncated BPTT over a stream: step() equals predict() on the same prefix,
// temperature 0 is argmax, seeds reproduce samples, fitStream's tracks and carried states are what they claim.
import { describe, expect, it } from 'vitest';
import { SimpleRNN, type SimpleRNNOptions } from 'simple-rnn';
import { Rng } from 'simple-rnn';
import { BACKENDS, denseBatch, expectClose, tokenBatch } from '../util.js';

const argmax = (a: ArrayLike<number>) => {
  let b = 0;
  for (let k = 1; k < a.length; k++) if (a[k] > a[b]) b = k;
  return b;
};

describe.each(BACKENDS)('step on %s', (backend) => {
  const kinds: [string, SimpleRNNOptions, (rng: Rng) => (number | number[])[]][] = [
    ['dense, H=7 I=3', { inputSize: 3, hiddenSize: 7, outputSize: 4, outputActivation: 'sigmoid', backend }, (r) => denseBatch(r, [6], 3)[0]],
    ['tokens, learned s0', { vocabSize: 9, hiddenSize: 5, outputSize: 9, learnInitialState: true, backend }, (r) => tokenBatch(r, [6], 9)[0]],
    ['tokens with embeddings, relu', { vocabSize: 9, embeddingSize: 3, hiddenSize: 6, outputSize: 9, activation: 'relu', backend }, (r) => tokenBatch(r, [6], 9)[0]],
  ];
  for (const [name, opts, gen] of kinds) {
    for (const returnSequences of [false, true]) {
      it(`${name}, returnSequences ${returnSequences}: step-by-step outputs equal predict on every prefix, bit for bit`, async () => {
        const m = await SimpleRNN.create({ ...opts, returnSequences, seed: 3 });
        if (opts.learnInitialState) {
          const s0 = new Float32Array(m.stateSize).map((_, h) => 0.1 * (h - 2));
          m.setParams({ s0 });
          expect(m.initialState()).toEqual(s0);
        }
        const seq = gen(new Rng(4)) as (number & number[])[];
        let state = m.initialState();
        const all = returnSequences ? (m.predict([seq] as never)[0] as number[][]) : null;
        for (let t = 0; t < seq.length; t++) {
          const r = m.step(state, seq[t]);
          state = r.state;
          const expected = returnSequences ? all![t] : (m.predict([seq.slice(0, t + 1)] as never)[0] as number[]);
          expect(Array.from(r.output)).toEqual(expected);
        }
        m.dispose();
      });
    }
  }

  it('initialState is zeros without a learned s0; inputs and states are validated', async () => {
    const m = await SimpleRNN.create({ vocabSize: 4, hiddenSize: 5, outputSize: 4, backend });
    expect(m.initialState()).toEqual(new Float32Array(5));
    expect(() => m.step(new Float32Array(3), 1)).toThrow(/SimpleRNN\.step: state has length 3; expected hiddenSize=5/);
    expect(() => m.step(m.initialState(), 4)).toThrow(/SimpleRNN\.step: input = 4 is not a token id; expected an integer in \[0, vocabSize=4\)/);
    expect(() => m.step([0, 0, NaN, 0, 0], 1)).toThrow(/state\[2\] = NaN is not a finite number/);
    const d = await SimpleRNN.create({ inputSize: 2, hiddenSize: 3, outputSize: 2, backend });
    expect(() => d.step(d.initialState(), [1])).toThrow(/SimpleRNN\.step: input has length 1; expected inputSize=2/);
    m.dispose();
    d.dispose();
    expect(() => m.step(new Float32Array(5), 1)).toThrow(/model was disposed/);
  });

  it('keeps working when other allocations grow memory between steps (views are refreshed)', async () => {
    const m = await SimpleRNN.create({ vocabSize: 5, hiddenSize: 8, outputSize: 5, backend });
    const seq = [1, 2, 3, 4, 0, 1];
    let s = m.initialState();
    s = m.step(s, seq[0]).state;
    const be = (m as unknown as { be: { memoryBytes(): number } }).be;
    const before = be.memoryBytes();
    const big = await SimpleRNN.create({ inputSize: 4096, hiddenSize: 128, outputSize: 4, backend }); // an 8.6 MB block
    big.predict([new Float32Array(4096 * 40)]); // and a workspace
    if (backend === 'wasm') expect(be.memoryBytes()).toBeGreaterThan(before); // memory.grow happened: old views detached
    for (let t = 1; t < seq.length - 1; t++) s = m.step(s, seq[t]).state;
    const last = m.step(s, seq[seq.length - 1]);
    expect(Array.from(last.output)).toEqual(m.predict([seq])[0]);
    big.dispose();
    m.dispose();
  });
});

describe.each(BACKENDS)('generate on %s', (backend) => {
  const lm = { vocabSize: 6, hiddenSize: 8, outputSize: 6, returnSequences: true, seed: 2, backend } as const;

  it('temperature 0 (and topK 1) is argmax at every step, as stepping by hand gives', async () => {
    const m = await SimpleRNN.create(lm);
    const prompt = [1, 4, 2];
    let s = m.initialState();
    let out!: Float32Array;
    for (const t of prompt) ({ state: s, output: out } = m.step(s, t));
    const greedy: number[] = [];
    for (let k = 0; k < 12; k++) {
      const tok = argmax(out);
      greedy.push(tok);
      ({ state: s, output: out } = m.step(s, tok));
    }
    const rngBefore = m.rng.state;
    expect(m.generate({ prompt, length: 12, temperature: 0 })).toEqual(greedy);
    expect(m.generate({ prompt, length: 12, temperature: 1.5, topK: 1 })).toEqual(greedy);
    expect(m.rng.state).toBe(rngBefore); // greedy decoding draws nothing
    m.dispose();
  });

  it('a seed reproduces the samples; without one the model RNG advances (reproducibly from the model seed)', async () => {
    const a = await SimpleRNN.create(lm);
    const g1 = a.generate({ prompt: [0], length: 40, temperature: 2, seed: 11 });
    expect(a.generate({ prompt: [0], length: 40, temperature: 2, seed: 11 })).toEqual(g1);
    expect(a.generate({ prompt: [0], length: 40, temperature: 2, seed: 12 })).not.toEqual(g1);
    const u1 = a.generate({ prompt: [0], length: 40, temperature: 2 });
    const u2 = a.generate({ prompt: [0], length: 40, temperature: 2 });
    expect(u2).not.toEqual(u1);
    const b = await SimpleRNN.create(lm);
    expect(b.generate({ prompt: [0], length: 40, temperature: 2 })).toEqual(u1);
    // topK 2: only the two most likely tokens at each step can appear
    const k2 = a.generate({ prompt: [3], length: 30, temperature: 5, topK: 2, seed: 1 });
    let s = a.initialState();
    let out = a.step(s, 3);
    for (const tok of k2) {
      const ranked = Array.from(out.output).map((p, k) => [p, k]).sort((x, y) => y[0] - x[0]);
      expect([ranked[0][1], ranked[1][1]]).toContain(tok);
      s = out.state;
      out = a.step(s, tok);
    }
    a.dispose();
    b.dispose();
  });

  it('rejects models and options that cannot generate', async () => {
    const m = await SimpleRNN.create(lm);
    expect(() => m.generate({ prompt: [], length: 3 })).toThrow(/options\.prompt is empty/);
    expect(() => m.generate({ prompt: [7], length: 3 })).toThrow(/options\.prompt\[0\] = 7 is not a token id/);
    expect(() => m.generate({ prompt: [1], length: 3, temperature: -1 })).toThrow(/options\.temperature = -1/);
    expect(() => m.generate({ prompt: [1], length: 1.5 })).toThrow(/options\.length = 1\.5/);
    expect(() => m.generate({ prompt: [1], length: 3, temp: 0 } as never)).toThrow(/options\.temp is not an option; expected one of prompt, length/);
    const d = await SimpleRNN.create({ inputSize: 2, hiddenSize: 3, outputSize: 2, backend });
    expect(() => d.generate({ prompt: [1], length: 3 })).toThrow(/SimpleRNN\.generate: model must predict the next token/);
    m.dispose();
    d.dispose();
  });
});

describe.each(BACKENDS)('fitStream on %s', (backend) => {
  const lm = { vocabSize: 5, hiddenSize: 8, outputSize: 5, returnSequences: true, seed: 4, backend } as const;
  const stream = (n: number, seed = 1) => {
    const rng = new Rng(seed);
    return Array.from({ length: n }, () => rng.int(5));
  };

  it('one chunk per track is trainBatch on the tracks: the stream is cut into batchSize contiguous tracks', async () => {
    const toks = stream(31); // 2 tracks of floor(30 / 2) = 15 inputs
    const a = await SimpleRNN.create({ ...lm, optimizer: 'adam' });
    const h = await a.fitStream(toks, { seqLength: 100, batchSize: 2 });
    const b = await SimpleRNN.create({ ...lm, optimizer: 'adam' });
    const loss = b.trainBatch([toks.slice(0, 15), toks.slice(15, 30)], [toks.slice(1, 16), toks.slice(16, 31)]);
    expect(a.getParams()).toEqual(b.getParams());
    expect(h.loss[0]).toBe(loss);
    expect(h.perplexity[0]).toBe(Math.exp(loss));
    a.dispose();
    b.dispose();
  });

  it('carries each track state into its next chunk: chunked loss over a stream equals the loss of the whole sequence', async () => {
    const val = stream(40, 2);
    for (const seqLength of [1, 3, 7, 39]) {
      // a learning rate far below f32 resolution: training leaves the weights as they are (up to ~1e-30 on zeros)
      const m = await SimpleRNN.create({ ...lm, learningRate: 1e-30 });
      const whole = m.evaluate([val.slice(0, 39)], [val.slice(1)]).loss;
      const h = await m.fitStream(stream(20), { seqLength, validationTokens: val });
      // per-step losses are identical; only their f64 summation order differs
      expectClose([h.valLoss![0]], [whole], { atol: 1e-6, rtol: 1e-6, label: `seqLength ${seqLength}` });
      expect(h.valPerplexity![0]).toBeCloseTo(Math.exp(h.valLoss![0]), 12);
      m.dispose();
    }
  });

  it('truncates the gradient at chunk boundaries: chunk 2 is a trainBatch whose s^0 is the carried state, a constant', async () => {
    const toks = stream(13); // one track, 12 inputs: chunks [0, 6) and [6, 12)
    const a = await SimpleRNN.create(lm);
    await a.fitStream(toks, { seqLength: 6 });
    // reference: the carried state is s^6 under the weights before the first update (step() gives predict's bits)
    const c = await SimpleRNN.create(lm);
    let carried = c.initialState();
    for (const t of toks.slice(0, 6)) carried = c.step(carried, t).state;
    // b learns s0 only so that s^0 can be set; s0's own gradient changes s0 and nothing else under plain SGD
    const b = await SimpleRNN.create({ ...lm, learnInitialState: true });
    b.trainBatch([toks.slice(0, 6)], [toks.slice(1, 7)]);
    b.setParams({ s0: carried });
    b.trainBatch([toks.slice(6, 12)], [toks.slice(7, 13)]);
    const pa = a.getParams();
    const pb = b.getParams();
    for (const k of ['Ws', 'bs', 'Wo', 'bo'] as const) expect(pa[k], k).toEqual(pb[k]);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('with a learned s0, only the first chunk of an epoch starts from s0 (and sends it a gradient)', async () => {
    const toks = stream(13);
    const m = await SimpleRNN.create({ ...lm, learnInitialState: true, learningRate: 0.1 });
    const s0 = m.getParams().s0.slice();
    let s0AfterFirst: Float32Array | null = null;
    await m.fitStream(toks, { seqLength: 6, callbacks: { onBatchEnd: (b) => { if (b === 0) s0AfterFirst = m.getParams().s0.slice(); } } });
    expect(s0AfterFirst).not.toEqual(s0);
    expect(m.getParams().s0).toEqual(s0AfterFirst);
    m.dispose();
  });

  it('learns a periodic stream to well under a nat per character, deterministically', async () => {
    const toks = Array.from({ length: 401 }, (_, k) => [0, 1, 2, 3, 4, 2][k % 6]);
    const run = async () => {
      const m = await SimpleRNN.create({ ...lm, optimizer: 'adam', learningRate: 0.03, clipNorm: 5 });
      const h = await m.fitStream(toks, { seqLength: 10, batchSize: 4, epochs: 8 });
      m.dispose();
      return h;
    };
    const h = await run();
    expect(h.loss.at(-1)!).toBeLessThan(0.2);
    expect(h.loss.at(-1)!).toBeLessThan(h.loss[0]);
    expect(await run()).toEqual(h);
  });

  it('abort stops between chunks; bad models and streams are rejected', async () => {
    const m = await SimpleRNN.create(lm);
    const ctl = new AbortController();
    const p = m.fitStream(stream(200), { seqLength: 5, epochs: 3, signal: ctl.signal, callbacks: { onBatchEnd: (b) => { if (b === 4) ctl.abort(); } } });
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(m.stepCount).toBe(5);
    await expect(m.fitStream([1, 2, 9])).rejects.toThrow(/SimpleRNN\.fitStream: tokens\[2\] = 9 is not a token id/);
    await expect(m.fitStream([1, 2, 3], { seqLen: 2 } as never)).rejects.toThrow(/options\.seqLen is not an option/);
    await expect(m.fitStream([1, 2, 3], { batchSize: 3 })).rejects.toThrow(/tokens has 3 tokens; batchSize=3 tracks need at least 4/);
    const cls = await SimpleRNN.create({ vocabSize: 5, hiddenSize: 4, outputSize: 2, backend });
    await expect(cls.fitStream([1, 2, 3])).rejects.toThrow(/SimpleRNN\.fitStream: model must be a next-token model/);
    m.dispose();
    cls.dispose();
  });
});

describe('streaming: wasm and js agree', () => {
  it('fitStream histories within the core tolerance, and greedy generation gives the same tokens', async () => {
    const toks = Array.from({ length: 121 }, (_, k) => [0, 1, 2, 3, 4, 2][k % 6]);
    const loss: number[][] = [];
    const gen: number[][] = [];
    for (const backend of BACKENDS) {
      const m = await SimpleRNN.create({ vocabSize: 5, hiddenSize: 8, outputSize: 5, returnSequences: true, seed: 4, backend, optimizer: 'rmsprop', learningRate: 0.01 });
      loss.push((await m.fitStream(toks, { seqLength: 8, batchSize: 3, epochs: 3 })).loss);
      gen.push(m.generate({ prompt: [0, 1], length: 20, temperature: 0 }));
      m.dispose();
    }
    // f32 sums of length H+V over 8-step chunks, the wasm tanh bound, compounded over 15 updates
    expectClose(loss[0], loss[1], { atol: 1e-5, rtol: 1e-4, label: 'fitStream loss' });
    expect(gen[0]).toEqual(gen[1]);
  });
});
