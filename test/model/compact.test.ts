// The weight-gradient GEMMs run over the real rows only (src/pass.ts compacts S, dz and the inputs after rnnBackward).
// The padded rows they drop are zeros, so the gradients must be the same bits as over all T·B rows (runPass with
// compact = 0), on both backends.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimpleRNN, type SimpleRNNOptions } from 'simple-rnn';
import { PARAM_NAMES } from 'simple-rnn';
import { PASS_BACKWARD, runPass } from '../../src/pass.js';
import { Rng } from 'simple-rnn';
import { BACKENDS, denseBatch, tokenBatch } from '../util.js';

/** The bits of a float array, with -0 read as +0 (dropping an exact zero term may only change the sign of a zero). */
function bits(a: ArrayLike<number>): number[] {
  const f = Float32Array.from(a, (v) => (v === 0 ? 0 : v));
  return Array.from(new Uint32Array(f.buffer));
}

// private members the test reaches: the same batch through runPass with and without the compaction
interface Internals {
  be: { compactRows: (...a: number[]) => void };
  readInputs(api: string, inputs: unknown): { lengths: Int32Array };
  readTargets(api: string, seqs: unknown, targets: unknown): unknown;
  view(name: string, section: number): Float32Array;
  run: {
    runParts(api: string, seqs: unknown, tg: unknown, mode: number, s0Rows: Float64Array | null): { loss: number; parts: { p: unknown; ws: unknown }[] };
    packBatch(p: unknown, ws: unknown, seqs: unknown, tg: unknown, s0Rows: Float64Array | null, masks: null): void;
    passArgs(p: unknown, ws: unknown, mode: number, s0Mode: number, dropout: boolean): never;
    s0Mode(s0Rows: Float64Array | null): number;
  };
}

const CASES: [string, Partial<SimpleRNNOptions>][] = [
  ['dense', { inputSize: 5 }],
  ['dense, returnSequences, learned s0', { inputSize: 5, returnSequences: true, learnInitialState: true }],
  ['tokens', { vocabSize: 11 }],
  ['tokens, returnSequences', { vocabSize: 11, returnSequences: true }],
  ['tokens, embeddingSize', { vocabSize: 11, embeddingSize: 6, learnInitialState: true }],
  ['tokens, embeddingSize, returnSequences', { vocabSize: 11, embeddingSize: 6, returnSequences: true }],
  ['tokens, frozen embeddingSize', { vocabSize: 11, embeddingSize: 6, freezeEmbeddings: true }],
];

// ragged (a long one and many short ones: most rows padded), and one large enough for the tiled GEMM paths
const LENGTHS = [
  [9, 1, 4, 7, 2, 1, 4],
  Array.from({ length: 40 }, (_, b) => 1 + ((b * 7) % 23)),
];

describe.each(BACKENDS)('weight gradients over the real rows only, on %s', (backend) => {
  afterEach(() => vi.restoreAllMocks());

  describe.each(CASES)('%s', (_name, o) => {
    it.each(LENGTHS.map((l) => [l.length, l] as const))('B=%i: same bits as over all T·B rows, with carried states too', async (_B, lengths) => {
      const rng = new Rng(lengths.length + (o.embeddingSize ?? 0) + (o.vocabSize ?? 0));
      const m = await SimpleRNN.create({ hiddenSize: 13, outputSize: 3, backend, seed: 3, ...o } as SimpleRNNOptions);
      const inputs = o.vocabSize ? tokenBatch(rng, lengths, o.vocabSize) : denseBatch(rng, lengths, o.inputSize!);
      const targets = lengths.map((T) => (o.returnSequences ? Array.from({ length: T }, () => rng.int(3)) : rng.int(3)));
      const x = m as unknown as Internals;
      const compact = vi.spyOn(x.be, 'compactRows');
      for (const carried of [false, true]) {
        // a carried initial state (fitStream's s0Mode 2): rows written by the caller, no gradient into them
        const s0Rows = carried ? Float64Array.from({ length: lengths.length * 13 }, () => rng.uniform() - 0.5) : null;
        compact.mockClear();
        const seqs = x.readInputs('computeGradients', inputs);
        const tg = x.readTargets('computeGradients', seqs, targets);
        const run = x.run.runParts('computeGradients', seqs, tg, PASS_BACKWARD, s0Rows);
        const withC = { loss: run.loss, grads: Object.fromEntries(PARAM_NAMES.map((k) => [k, x.view(k, 1).slice()])) as Record<string, Float32Array> };
        // dz and S always, and the dense inputs or the embedded ones
        expect(compact).toHaveBeenCalledTimes(o.vocabSize && !o.embeddingSize ? 2 : 3);
        const { p, ws } = run.parts[0];
        x.run.packBatch(p, ws, seqs, tg, s0Rows, null);
        const loss = runPass(x.be as never, x.run.passArgs(p, ws, PASS_BACKWARD, x.run.s0Mode(s0Rows), false), 0);
        expect(loss).toBe(withC.loss);
        for (const k of PARAM_NAMES) {
          const ref = x.view(k, 1);
          expect(bits(withC.grads[k]), `${k} carried=${carried}`).toEqual(bits(ref));
          if (k !== 'E' && k !== 's0') expect(ref.some((v) => v !== 0), `${k} has a gradient`).toBe(true);
        }
      }
      m.dispose();
    });
  });

  it('a batch without padding is not compacted', async () => {
    const m = await SimpleRNN.create({ inputSize: 3, hiddenSize: 8, outputSize: 2, backend, seed: 1 });
    const compact = vi.spyOn((m as unknown as Internals).be, 'compactRows');
    m.computeGradients(denseBatch(new Rng(5), [4, 4, 4], 3), [0, 1, 1]);
    expect(compact).not.toHaveBeenCalled();
    m.dispose();
  });
});
