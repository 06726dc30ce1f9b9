// Ours → PyTorch → ours against a live PyTorch (skipped, with a warning, where /usr/bin/python3 cannot import torch):
// models covering every path of the generated module (one nn.RNN or one per layer; nn.RNN's own kernels or the
// module's loop for sigmoid / linear states; each merge; goBackwards; tokens with and without E; learned h0) are
// exported with toPytorch, run by scripts/pytorch-roundtrip.py (one python process for all of them) with the
// generated module source, trained one SGD step there on our loss, saved with the module's save(), and imported back.
// PyTorch's outputs must equal ours, the imported parameters must be ours after the same SGD step (bs twice: PyTorch
// steps bias_ih and bias_hh, each by the gradient of bs), and the imported model must predict what PyTorch predicts
// after its step.
// Tolerances: outputs {atol: 1e-5} (float32 on both sides, summed in another order; see pytorch.test.ts);
// parameters {atol: 1e-6, rtol: 1e-6}: each is p - lr·g rounded to float32 on PyTorch's side (bs: two such steps,
// then their sum rounded), ours p - lr·g in float64 from our gradient, which agrees with PyTorch's to ~1e-7 relative;
// so they differ by an ulp or two of the result (a linear-state model has |2·lr·dbs| = 1.5: measured 4.5e-7).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimpleRNN } from '../../src/model.js';
import type { SimpleRNNOptions } from '../../src/config.js';
import { fromPytorch, toPytorch } from '../../src/interop/pytorch.js';
import { Rng } from '../../src/random.js';
import { Margins, denseBatch, flat, tokenBatch } from '../util.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, '../../scripts/pytorch-roundtrip.py');
const probe = spawnSync(PYTHON, ['-c', 'import torch'], { timeout: 60_000, encoding: 'utf8' });
const hasTorch = probe.status === 0;
if (!hasTorch) console.warn(`pytorch-live.test.ts skipped: \`${PYTHON} -c "import torch"\` failed (${probe.error?.message ?? probe.stderr?.trim().split('\n').pop() ?? `status ${probe.status}`}); install python3-torch to run it`);

const LR = 0.1;
const LENGTHS = [4, 2, 5];

/** Each case takes another path through the generated module (named in the comment); outputSize is 3. */
const CASES: [string, Omit<SimpleRNNOptions, 'outputSize'>, { smoke?: boolean }?][] = [
  ['dense, 1 layer', { inputSize: 3, hiddenSize: 4 }], // one nn.RNN
  ['dense, 2 layers bidirectional, sequences, h0', { inputSize: 2, hiddenSize: 4, layers: 2, bidirectional: true, activation: 'relu', returnSequences: true, learnInitialState: true, outputActivation: 'sigmoid' }],
  ['dense, bidirectional sum', { inputSize: 3, hiddenSize: 5, bidirectional: true, merge: 'sum', outputActivation: 'linear' }], // merged at the head
  ['sizes [4, 3], bidirectional ave, h0, sequences', { inputSize: 2, hiddenSize: [4, 3], layers: 2, bidirectional: true, merge: 'ave', learnInitialState: true, returnSequences: true }], // one nn.RNN per layer
  ['2 layers bidirectional mul', { inputSize: 3, hiddenSize: 3, layers: 2, bidirectional: true, merge: 'mul' }],
  ['tokens without E, bidirectional, sigmoid state', { vocabSize: 6, hiddenSize: 4, bidirectional: true, activation: 'sigmoid' }], // the module's loop
  ['tokens with frozen E, goBackwards, linear state, sizes [4, 5]', { vocabSize: 7, embeddingSize: 3, freezeEmbeddings: true, hiddenSize: [4, 5], layers: 2, goBackwards: true, returnSequences: true, activation: 'linear', outputActivation: 'linear' }],
  ['3 layers goBackwards, every dropout', { inputSize: 2, hiddenSize: 3, layers: 3, goBackwards: true, activation: 'relu', outputActivation: 'sigmoid', dropout: 0.2, inputDropout: 0.1, recurrentDropout: 0.3 }, { smoke: true }],
  ['tokens without E, 2 layers bidirectional, h0, linear state', { vocabSize: 5, hiddenSize: 4, layers: 2, bidirectional: true, learnInitialState: true, activation: 'linear' }], // the loop over one nn.RNN's weights
  ['sizes [3, 4] bidirectional, sigmoid state, h0, recurrent dropout', { inputSize: 2, hiddenSize: [3, 4], layers: 2, bidirectional: true, activation: 'sigmoid', learnInitialState: true, recurrentDropout: 0.2, dropout: 0.1 }, { smoke: true }],
];

const margins = new Margins();
const compare = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol: { atol: number; rtol: number; label: string }, group: string) => margins.check(actual, expected, tol, group);

interface Reply {
  name: string;
  outputs: number[];
  loss: number;
  after: number[];
  smoke: { loss: number; finite: boolean; differs: boolean } | null;
}

interface Prepared {
  model: SimpleRNN;
  inputs: number[][] | number[][][];
  targets: unknown[];
  out: string;
}

describe.skipIf(!hasTorch)('ours → PyTorch (live) → ours', () => {
  const dir = hasTorch ? mkdtempSync(join(tmpdir(), 'simple-rnn-pytorch-')) : '';
  const prepared: Prepared[] = [];
  let replies: Reply[] = [];
  let torchVersion = '';

  beforeAll(async () => {
    const request = [];
    for (const [k, [name, options, extra]] of CASES.entries()) {
      const model = await SimpleRNN.create({ outputSize: 3, ...options, seed: 20 + k });
      const rng = new Rng(k + 1);
      if (model.config.learnInitialState) {
        const p = model.getParams();
        model.setParams(Object.fromEntries(model.paramNames.filter((n) => n.startsWith('s0')).map((n) => [n, p[n].map(() => rng.uniform() - 0.5)])));
      }
      const c = model.config;
      const inputs = c.vocabSize ? tokenBatch(rng, LENGTHS, c.vocabSize) : denseBatch(rng, LENGTHS, c.inputSize);
      const O = c.outputSize;
      const target = () => (c.outputActivation === 'softmax' ? rng.int(O) : Array.from({ length: O }, () => rng.uniform()));
      const targets = LENGTHS.map((n) => (c.returnSequences ? Array.from({ length: n }, target) : target()));
      const e = toPytorch(model);
      const base = join(dir, `m${k}`);
      writeFileSync(`${base}.safetensors`, e.safetensors);
      writeFileSync(`${base}.py`, e.module);
      const T = Math.max(...LENGTHS);
      const padded = inputs.map((s) => [...s, ...Array.from({ length: T - s.length }, () => (c.vocabSize ? 0 : new Array(c.inputSize).fill(0)))]);
      prepared.push({ model, inputs, targets, out: `${base}.after.safetensors` });
      request.push({ name, module: `${base}.py`, safetensors: `${base}.safetensors`, inputs: padded, lengths: LENGTHS, targets: c.returnSequences ? targets.flat() : targets, lr: LR, out: `${base}.after.safetensors`, smoke: extra?.smoke ?? false });
    }
    writeFileSync(join(dir, 'request.json'), JSON.stringify({ cases: request }));
    const r = spawnSync(PYTHON, [SCRIPT, join(dir, 'request.json')], { timeout: 120_000, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`${SCRIPT} failed (${r.error?.message ?? `status ${r.status}`}):\n${r.stderr}`);
    const reply = JSON.parse(r.stdout) as { torch: string; cases: Reply[] };
    replies = reply.cases;
    torchVersion = reply.torch;
  });

  afterAll(() => {
    const table = margins.table();
    if (table) console.log(`pytorch live round trip: max |ours - PyTorch| (PyTorch ${torchVersion})\n${table}`);
    for (const p of prepared) p.model.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs on PyTorch 1.13', () => {
    expect(torchVersion).toMatch(/^1\.13\./);
  });

  it.each(CASES.map(([name], k) => [name, k] as const))('%s', async (name, k) => {
    const { model, inputs, targets, out } = prepared[k];
    const reply = replies[k];
    expect(reply.name).toBe(name);
    const TOL = { atol: 1e-5, rtol: 0 }; // see the header
    compare(flat(model.predict(inputs as never)), reply.outputs, { ...TOL, label: `${name}: PyTorch's outputs` }, 'outputs');
    const { loss, grads } = model.computeGradients(inputs as never, targets as never);
    compare([loss], [reply.loss], { ...TOL, label: `${name}: loss` }, 'loss');
    const back = await fromPytorch(new Uint8Array(readFileSync(out)));
    try {
      expect(back.config, 'the config comes back through the module\'s save()').toEqual(model.config);
      compare(flat(back.predict(inputs as never)), reply.after, { ...TOL, label: `${name}: after PyTorch's SGD step` }, 'outputs after the step');
      const c = model.config;
      const p = model.getParams();
      const q = back.getParams();
      for (const n of model.paramNames) {
        // a token model without E folds E'·K' back: both changed in PyTorch's step, so its Ws rows are not p - lr·g
        if (c.vocabSize && !c.embeddingSize && /^Ws(_reverse)?$/.test(n)) continue;
        const steps = n.startsWith('bs') ? 2 : 1; // bias_ih and bias_hh both step by dbs
        const expected = Array.from(p[n], (v, j) => v - steps * LR * grads[n][j]);
        compare(q[n], expected, { atol: 1e-6, rtol: 1e-6, label: `${name}: ${n} after one SGD step` }, 'parameters after the step'); // see the header
      }
    } finally {
      back.dispose();
    }
    if (reply.smoke) {
      expect(reply.smoke.finite, 'training mode (dropout on) runs forward and backward').toBe(true);
      expect(reply.smoke.differs, 'dropout changes the training-mode outputs').toBe(true);
    }
  });
});
