// Deep and bidirectional models: f64 JS reference gradients against central finite differences (the rule in
// ./check.ts), over the combinations of layers, per-layer sizes, directions and merges, goBackwards, dropout with a
// fixed mask, initial states with their gradients, dense / token / embedding inputs, both output modes, learned s0,
// and one padded sequence in every batch.
import { describe, expect, it } from 'vitest';
import { SimpleRNN, type SimpleRNNOptions } from 'simple-rnn';
import { Rng } from 'simple-rnn';
import { denseBatch, tokenBatch } from '../util.js';
import { gradCheck } from './check.js';

const LENGTHS = [4, 2, 3]; // B=3, T=4, two padded sequences
const I = 3;
const V = 5;
const O = 3;

type Case = [string, Partial<SimpleRNNOptions> & { states?: boolean; dropoutSeed?: number }];
const cases: Case[] = [];
const add = (name: string, o: Case[1]) => cases.push([name, o]);
for (const layers of [1, 2, 3]) {
  for (const bidirectional of [false, true]) {
    for (const returnSequences of [false, true]) {
      add(`L=${layers} ${bidirectional ? 'bi' : 'uni'} retSeq=${returnSequences} dense`, { layers, bidirectional, returnSequences, inputSize: I, hiddenSize: 4 });
    }
  }
}
for (const merge of ['concat', 'sum', 'mul', 'ave'] as const) {
  for (const returnSequences of [false, true]) {
    add(`L=2 bi merge=${merge} retSeq=${returnSequences} tokens`, { layers: 2, bidirectional: true, merge, returnSequences, vocabSize: V, hiddenSize: 3 });
  }
}
add('per-layer sizes [5, 3, 4], dense, learned s0', { layers: 3, hiddenSize: [5, 3, 4], inputSize: I, learnInitialState: true });
add('per-layer sizes [4, 2], bi concat, embedding', { layers: 2, hiddenSize: [4, 2], bidirectional: true, vocabSize: V, embeddingSize: 3, returnSequences: true });
add('goBackwards L=2 retSeq tokens', { layers: 2, goBackwards: true, vocabSize: V, hiddenSize: 4, returnSequences: true });
add('goBackwards L=1 dense', { goBackwards: true, inputSize: I, hiddenSize: 4 });
add('bi learned s0 relu', { layers: 2, bidirectional: true, learnInitialState: true, inputSize: I, hiddenSize: 3, activation: 'relu', seed: 3 });
add('initial states, L=2 uni', { layers: 2, inputSize: I, hiddenSize: [3, 4], states: true });
add('initial states, L=2 bi retSeq', { layers: 2, bidirectional: true, inputSize: I, hiddenSize: 3, returnSequences: true, states: true });
add('dropout between layers, fixed mask, L=3', { layers: 3, dropout: 0.3, inputSize: I, hiddenSize: 4, returnSequences: true, dropoutSeed: 5 });
add('inputDropout + recurrentDropout, fixed mask, L=2 bi', { layers: 2, bidirectional: true, inputDropout: 0.25, recurrentDropout: 0.3, inputSize: I, hiddenSize: 3, dropoutSeed: 6 });
add('all dropouts, embedding, L=2, retSeq, sigmoid', { layers: 2, dropout: 0.2, inputDropout: 0.2, recurrentDropout: 0.2, vocabSize: V, embeddingSize: 3, hiddenSize: 4, returnSequences: true, outputActivation: 'sigmoid', dropoutSeed: 7 });
add('recurrentDropout with learned s0 and tokens, goBackwards', { recurrentDropout: 0.4, learnInitialState: true, vocabSize: V, hiddenSize: 4, goBackwards: true, dropoutSeed: 8 });

describe('deep and bidirectional gradients equal central finite differences (f64 JS reference)', () => {
  it.each(cases)('%s', async (_name, spec) => {
    const { states, dropoutSeed, ...opts } = spec;
    const model = await SimpleRNN.create({ outputSize: O, backend: 'js', precision: 'float64', seed: 42, ...opts } as SimpleRNNOptions);
    const rng = new Rng(9);
    const p = model.getParams();
    // nonzero biases (and s0 where learned) so that every term of the backward pass is exercised
    const set: Record<string, Float64Array> = {};
    for (const k of model.paramNames) {
      if (k.startsWith('bs') || k === 'bo' || (k.startsWith('s0') && opts.learnInitialState)) set[k] = Float64Array.from(p[k], () => 0.4 * rng.uniform() - 0.2);
    }
    model.setParams(set);
    const inputs = opts.vocabSize ? tokenBatch(rng, LENGTHS, V) : denseBatch(rng, LENGTHS, I);
    const one = () => (opts.outputActivation === 'sigmoid' ? Array.from({ length: O }, () => rng.uniform()) : rng.int(O));
    const targets = LENGTHS.map((T) => (opts.returnSequences ? Array.from({ length: T }, one) : one()));
    const initialStates = states ? LENGTHS.map(() => Array.from({ length: model.stateSize }, () => rng.uniform() - 0.5)) : undefined;
    const r = gradCheck(model, inputs as never, targets as never, opts.learnInitialState ? [] : ['s0*'], { initialStates, dropoutSeed });
    expect(r.failures).toEqual([]);
    expect(r.checked).toBeGreaterThan(40);
    // every weight matrix gets a gradient (a stage silently skipped would leave one at zero)
    for (const k of model.paramNames) if (k.startsWith('Ws')) expect(Array.from(r.grads[k]).some((v) => v !== 0), `${k} has a gradient`).toBe(true);
    model.dispose();
  });
});
