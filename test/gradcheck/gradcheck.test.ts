// Gradients of the f64 JS reference against central finite differences, for every element of every parameter.
// f64 round-off in the loss is ~1e-16, so a difference quotient with h = 1e-5 is good to ~1e-10 relative; a wrong
// term in the backward pass gives a relative error near 1. Pass: |a - n| / max(1e-8, |a| + |n|) < 1e-6.
import { describe, expect, it } from 'vitest';
import { SimpleRNN, type SimpleRNNOptions } from '../../src/index.js';
import { PARAM_NAMES } from '../../src/model.js';
import { Rng } from '../../src/random.js';
import { denseBatch, tokenBatch } from '../util.js';

const B_LENGTHS = [4, 2]; // B=2, T=4, one padded sequence
const I = 3;
const H = 5;
const V = 4;
const O = 3;
const h = 1e-5;

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
    const { grads } = model.computeGradients(inputs as never, targets as never);
    const base = model.getParams();
    let checked = 0;
    const failures: string[] = [];
    for (const name of PARAM_NAMES) {
      if (name === 's0' && !opts.learnInitialState) {
        expect(Array.from(grads.s0).every((g) => g === 0)).toBe(true);
        continue;
      }
      const p = base[name].slice();
      for (let k = 0; k < p.length; k++) {
        const orig = p[k];
        p[k] = orig + h;
        model.setParams({ [name]: p });
        const lp = model.computeGradients(inputs as never, targets as never).loss;
        p[k] = orig - h;
        model.setParams({ [name]: p });
        const lm = model.computeGradients(inputs as never, targets as never).loss;
        p[k] = orig;
        const n = (lp - lm) / (2 * h);
        const a = grads[name][k];
        const rel = Math.abs(a - n) / Math.max(1e-8, Math.abs(a) + Math.abs(n));
        if (!(rel < 1e-6)) failures.push(`${name}[${k}]: analytic ${a}, numeric ${n}, rel ${rel.toExponential(2)}`);
        checked++;
      }
      model.setParams({ [name]: p });
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(60);
    model.dispose();
  });
});
