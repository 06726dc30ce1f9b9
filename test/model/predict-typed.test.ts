import { describe, expect, it } from 'vitest';
import { SimpleRNN, type SimpleRNNOptions } from 'simple-rnn';
import { Rng } from 'simple-rnn';
import { BACKENDS, denseBatch, flat, tokenBatch } from '../util.js';

describe.each(BACKENDS)("predict(inputs, { output: 'typed' }) on %s", (backend) => {
  const CASES: [string, Partial<SimpleRNNOptions>][] = [
    ['dense, final output', { inputSize: 3 }],
    ['dense, returnSequences', { inputSize: 3, returnSequences: true }],
    ['tokens, returnSequences, sigmoid', { vocabSize: 9, returnSequences: true, outputActivation: 'sigmoid' }],
    ['tokens, embeddingSize', { vocabSize: 9, embeddingSize: 4 }],
  ];
  it.each(CASES)('%s: one Float32Array per sequence, in the caller order, equal to the nested result', async (_n, o) => {
    const rng = new Rng(11);
    const lengths = [3, 7, 1, 4, 7];
    const m = await SimpleRNN.create({ hiddenSize: 6, outputSize: 5, backend, seed: 2, ...o } as SimpleRNNOptions);
    const inputs = o.vocabSize ? tokenBatch(rng, lengths, o.vocabSize) : denseBatch(rng, lengths, o.inputSize!);
    const nested = m.predict(inputs as never);
    const typed = m.predict(inputs as never, { output: 'typed' });
    expect(typed.length).toBe(lengths.length);
    typed.forEach((a, b) => {
      expect(a).toBeInstanceOf(Float32Array);
      expect(a.length).toBe((o.returnSequences ? lengths[b] : 1) * 5);
      // the nested numbers are the f32 outputs (f32 backends), so the values are equal, not close
      expect(Array.from(a)).toEqual(flat(nested[b]));
    });
    // 'nested' is the default
    expect(flat(m.predict(inputs as never, { output: 'nested' }))).toEqual(flat(nested));
    expect(flat(m.predict(inputs as never, {}))).toEqual(flat(nested));
    m.dispose();
  });

  it('rounds the f64 reference to f32', async () => {
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 4, outputSize: 3, backend, seed: 1, ...(backend === 'js' ? { precision: 'float64' } : {}) } as SimpleRNNOptions);
    const inputs = denseBatch(new Rng(3), [2, 5], 2);
    const nested = flat(m.predict(inputs));
    expect(Array.from(m.predict(inputs, { output: 'typed' })[0]).concat(Array.from(m.predict(inputs, { output: 'typed' })[1]))).toEqual(nested.map(Math.fround));
    m.dispose();
  });

  it('validates options.output and options before running', async () => {
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 4, outputSize: 3, backend, seed: 1 });
    const inputs = denseBatch(new Rng(3), [2], 2);
    expect(() => m.predict(inputs, { output: 'flat' } as never)).toThrow(TypeError);
    expect(() => m.predict(inputs, { output: 'flat' } as never)).toThrow(/SimpleRNN\.predict: options\.output must be 'nested' or 'typed'; got "flat"/);
    expect(() => m.predict(inputs, 3 as never)).toThrow(/SimpleRNN\.predict: options must be/);
    expect(() => m.predict(inputs, null as never)).toThrow(/options/);
    m.dispose();
    expect(() => m.predict(inputs, { output: 'typed' })).toThrow(/model was disposed/);
  });
});
