// Gradients of the f64 JS reference against central finite differences, for every element of every parameter
// (the rule and its reason are in ./check.ts).
import { describe, expect, it } from 'vitest';
import { SimpleRNN, type SimpleRNNOptions } from 'simple-rnn';
import { Rng } from 'simple-rnn';
import { denseBatch, tokenBatch } from '../util.js';
import { gradCheck } from './check.js';

const B_LENGTHS = [4, 2]; // B=2, T=4, one padded sequence
const I = 3;
const H = 5;
const V = 4;
const O = 3;

function targetsFor(rng: Rng, out: string, retSeq: boolean): unknown[] {
  const one = () => (out === 'softmax' ? rng.int(O) : Array.from({ length: O }, () => (out === 'sigmoid' ? rng.uniform() : 2 * rng.uniform() - 1)));
  return B_LENGTHS.map((T) => (retSeq ? Array.from({ length: T }, one) : one()));
}

const configs: [string, Partial<SimpleRNNOptions>][] = [];
for (const activation of ['tanh', 'relu', 'sigmoid', 'linear'] as const) {
  for (const outputActivation of ['softmax', 'sigmoid', 'linear'] as const) {
    for (const returnSequences of [false, true]) {
      for (const learnInitialState of [false, true]) {
        for (const tokens of [false, true]) {
          const o: Partial<SimpleRNNOptions> = { activation, outputActivation, returnSequences, learnInitialState, ...(tokens ? { vocabSize: V } : { inputSize: I }) };
          configs.push([`${activation} ${outputActivation} retSeq=${returnSequences} s0=${learnInitialState} ${tokens ? 'tokens' : 'dense'}`, o]);
        }
      }
    }
  }
}

describe('BPTT gradients equal central finite differences (f64 JS reference)', () => {
  it.each(configs)('%s', async (_name, opts) => {
    const model = await SimpleRNN.create({ hiddenSize: H, outputSize: O, backend: 'js', precision: 'float64', seed: 42, ...opts } as SimpleRNNOptions);
    const rng = new Rng(9);
    if (opts.learnInitialState) {
      model.setParams({ s0: Float64Array.from({ length: H }, () => rng.uniform() - 0.5) });
    }
    // nonzero biases so that every term of the backward pass is exercised
    model.setParams({ bs: Float64Array.from({ length: H }, () => 0.2 * rng.uniform() - 0.1), bo: Float64Array.from({ length: O }, () => 0.2 * rng.uniform() - 0.1) });
    const inputs = opts.vocabSize ? tokenBatch(rng, B_LENGTHS, V) : denseBatch(rng, B_LENGTHS, I);
    const targets = targetsFor(rng, opts.outputActivation!, !!opts.returnSequences);
    const { failures, checked, grads } = gradCheck(model, inputs as never, targets as never, opts.learnInitialState ? [] : ['s0']);
    if (!opts.learnInitialState) expect(Array.from(grads.s0).every((g) => g === 0)).toBe(true);
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(60);
    model.dispose();
  });
});
