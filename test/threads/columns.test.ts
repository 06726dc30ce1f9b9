// threads split by columns (src/pass.ts with parts > 1, assembly/parallel.ts): every thread runs the same pass over the
// whole batch and computes its share of the columns of each product. Each element is computed as on one thread (the
// same GEMM order per element, the same elementwise ops), so the results are the one-thread bits: losses, gradients,
// parameters after Adam steps and the checkpoint bytes are compared with toEqual / byte equality, no tolerance.
//
// The split is the threadSplit option's (default 'rows'). The failure tests reach the pool through the model's
// internals, as stopped.test.ts does.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimpleRNN, Rng, PARAM_NAMES, type SimpleRNNOptions } from 'simple-rnn';
import { liveThreads, type ThreadPool } from '../../src/parallel/index.js';
import { denseBatch, expectUnchangedThenTrainsAsLoaded, tokenBatch } from '../util.js';

afterEach(async () => {
  vi.restoreAllMocks();
  await vi.waitFor(() => expect(liveThreads()).toBe(0), { timeout: 10_000 });
});

type Runner = { pool: ThreadPool | null; lanes: unknown[] };
const runner = (m: SimpleRNN) => (m as unknown as { run: Runner }).run;

/** A model on `threads` threads split by columns. */
async function columns(options: SimpleRNNOptions, threads = 2): Promise<SimpleRNN> {
  const m = await SimpleRNN.create({ ...options, threads, threadSplit: 'columns' });
  expect(m.threads).toBe(threads);
  expect(m.threadSplit).toBe('columns');
  return m;
}

const LENGTHS = [9, 3, 12, 7, 12, 1, 5, 8, 10, 4, 6]; // ragged, one of length 1, an odd count
const seqTargets = (rng: Rng, inputs: unknown[][], O: number) => inputs.map((s) => s.map(() => rng.int(O)));

interface Case {
  name: string;
  options: SimpleRNNOptions;
  data(rng: Rng): { inputs: number[][] | number[][][]; targets: unknown[] };
}

const dense = (I: number, O: number) => (rng: Rng) => ({ inputs: denseBatch(rng, LENGTHS, I), targets: LENGTHS.map(() => rng.int(O)) });

// H not a multiple of 8 (shares 8 | 12, 16 | 20, ...), H < 8 (one thread has no columns), tokens, embeddings, every
// output kind, learned s0, deep, bidirectional in every merge mode, dropout of every kind
const CASES: Case[] = [
  { name: 'dense, ragged, final softmax, H=20', options: { inputSize: 5, hiddenSize: 20, outputSize: 4 }, data: dense(5, 4) },
  { name: 'dense, H=5 (thread 1 has no columns)', options: { inputSize: 3, hiddenSize: 5, outputSize: 3 }, data: dense(3, 3) },
  {
    name: 'tokens, returnSequences, learned s0, H=24',
    options: { vocabSize: 7, hiddenSize: 24, outputSize: 7, returnSequences: true, learnInitialState: true },
    data: (rng) => {
      const inputs = tokenBatch(rng, LENGTHS, 7);
      return { inputs, targets: seqTargets(rng, inputs, 7) };
    },
  },
  {
    name: 'tokens through an embedding layer, final sigmoid',
    options: { vocabSize: 9, embeddingSize: 6, hiddenSize: 16, outputSize: 3, outputActivation: 'sigmoid' },
    data: (rng) => ({ inputs: tokenBatch(rng, LENGTHS, 9), targets: LENGTHS.map(() => [rng.int(2), rng.int(2), rng.int(2)]) }),
  },
  {
    name: 'dense, returnSequences, linear outputs, relu, learned s0',
    options: { inputSize: 3, hiddenSize: 19, outputSize: 2, outputActivation: 'linear', activation: 'relu', returnSequences: true, learnInitialState: true },
    data: (rng) => {
      const inputs = denseBatch(rng, LENGTHS, 3);
      return { inputs, targets: inputs.map((s) => s.map(() => [2 * rng.uniform() - 1, 2 * rng.uniform() - 1])) };
    },
  },
  {
    name: 'deep (3 layers, sizes 24/17/32), dropout between layers, input and recurrent dropout',
    options: { inputSize: 4, hiddenSize: [24, 17, 32], layers: 3, outputSize: 3, dropout: 0.2, inputDropout: 0.1, recurrentDropout: 0.15 },
    data: dense(4, 3),
  },
  {
    name: 'bidirectional, merge concat, final softmax',
    options: { inputSize: 4, hiddenSize: 20, outputSize: 3, bidirectional: true, merge: 'concat' },
    data: dense(4, 3),
  },
  {
    name: 'deep bidirectional (2 layers), merge mul, returnSequences, recurrent dropout',
    options: { inputSize: 3, hiddenSize: 16, layers: 2, outputSize: 4, bidirectional: true, merge: 'mul', returnSequences: true, recurrentDropout: 0.1 },
    data: (rng) => {
      const inputs = denseBatch(rng, LENGTHS, 3);
      return { inputs, targets: seqTargets(rng, inputs, 4) };
    },
  },
  {
    name: 'deep bidirectional tokens (2 layers), merge ave, dropout, learned s0',
    options: { vocabSize: 8, hiddenSize: 12, layers: 2, outputSize: 8, bidirectional: true, merge: 'ave', dropout: 0.2, learnInitialState: true },
    data: (rng) => ({ inputs: tokenBatch(rng, LENGTHS, 8), targets: LENGTHS.map(() => rng.int(8)) }),
  },
  {
    name: 'bidirectional embedding, merge sum, returnSequences',
    options: { vocabSize: 10, embeddingSize: 5, hiddenSize: 14, outputSize: 10, bidirectional: true, merge: 'sum', returnSequences: true },
    data: (rng) => {
      const inputs = tokenBatch(rng, LENGTHS, 10);
      return { inputs, targets: seqTargets(rng, inputs, 10) };
    },
  },
];

describe.each(CASES)('threads split by columns equal one thread bit for bit: $name', (c) => {
  it.each([2, 3])('computeGradients, then 4 Adam steps: the same loss, gradients, parameters and checkpoint bytes (%i threads)', async (threads) => {
    const options = { ...c.options, seed: 4, optimizer: 'adam' as const, learningRate: 0.01 };
    const one = await SimpleRNN.create(options);
    const many = await columns(options, threads);
    try {
      const { inputs, targets } = c.data(new Rng(8));
      const a = one.computeGradients(inputs as never, targets as never);
      const b = many.computeGradients(inputs as never, targets as never);
      expect(b.loss).toBe(a.loss);
      for (const k of PARAM_NAMES) expect(b.grads[k], k).toEqual(a.grads[k]);
      expect(a.grads.Ws.some((v) => v !== 0)).toBe(true);
      for (let step = 0; step < 4; step++) expect(many.trainBatch(inputs as never, targets as never)).toBe(one.trainBatch(inputs as never, targets as never));
      expect(Buffer.from(many.save()).equals(Buffer.from(one.save()))).toBe(true);
      expect(many.evaluate(inputs as never, targets as never)).toEqual(one.evaluate(inputs as never, targets as never));
      expect(many.threadSplit).toBe('columns');
    } finally {
      one.dispose();
      many.dispose();
    }
  });
});

describe('threads split by columns: padding, states, fit', () => {
  it('a padded sequence gives exactly what it gives alone: its initial-state gradient in a ragged batch of 2 is half of it alone', async () => {
    // the row weight is 1/B, and halving is exact in f32: every later operation is linear in the gradient
    const options: SimpleRNNOptions = { inputSize: 3, hiddenSize: 21, outputSize: 2, seed: 5 };
    const m = await columns(options);
    try {
      const rng = new Rng(15);
      const [short, long] = denseBatch(rng, [4, 11], 3);
      const s0 = [m.initialState().map(() => rng.uniform() - 0.5), m.initialState().map(() => rng.uniform() - 0.5)];
      const alone = m.computeGradients([short], [1], { initialStates: [s0[0]] }).initialStateGrads![0];
      const both = m.computeGradients([short, long], [1, 0], { initialStates: s0 }).initialStateGrads![0];
      expect(Array.from(both, (v) => v * 2)).toEqual(Array.from(alone));
      expect(alone.some((v) => v !== 0)).toBe(true);
    } finally {
      m.dispose();
    }
  });

  it('a batch of one sequence (the row split cannot divide it) and fitStream with carried states match one thread', async () => {
    const options: SimpleRNNOptions = { vocabSize: 11, hiddenSize: 40, outputSize: 11, returnSequences: true, optimizer: 'sgd', learningRate: 0.1, seed: 2 };
    const one = await SimpleRNN.create(options);
    const many = await columns(options);
    try {
      const x = [[1, 4, 2, 9, 0, 3]];
      const y = [[4, 2, 9, 0, 3, 1]];
      expect(many.trainBatch(x, y)).toBe(one.trainBatch(x, y));
      const rng = new Rng(11);
      const tokens = Array.from({ length: 400 }, () => rng.int(11));
      const so = { seqLength: 10, batchSize: 4, epochs: 1 };
      const ha = await one.fitStream(tokens, so);
      const hb = await many.fitStream(tokens, so);
      expect(hb.loss).toEqual(ha.loss);
      expect(Buffer.from(many.save()).equals(Buffer.from(one.save()))).toBe(true);
    } finally {
      one.dispose();
      many.dispose();
    }
  });

  it('the same bits run after run', async () => {
    const rng = new Rng(12);
    const inputs = denseBatch(rng, LENGTHS, 6);
    const targets = LENGTHS.map(() => rng.int(5));
    const run = async () => {
      const m = await columns({ inputSize: 6, hiddenSize: 36, outputSize: 5, seed: 3, optimizer: 'adam', learningRate: 0.01 });
      try {
        for (let k = 0; k < 3; k++) m.trainBatch(inputs, targets);
        return m.save();
      } finally {
        m.dispose();
      }
    };
    const a = await run();
    for (let k = 0; k < 3; k++) expect(Buffer.from(await run()).equals(Buffer.from(a))).toBe(true);
  });
});

describe('threads: the threadSplit option', () => {
  it("'rows' by default whatever the size, 'columns' when asked; checkpoints load with either; a bad value is refused by name", async () => {
    const big = await SimpleRNN.create({ inputSize: 4, hiddenSize: 64, outputSize: 2, threads: 2 });
    const cols = await SimpleRNN.create({ inputSize: 4, hiddenSize: 64, outputSize: 2, threads: 2, threadSplit: 'columns' });
    const single = await SimpleRNN.create({ inputSize: 4, hiddenSize: 64, outputSize: 2, threadSplit: 'columns' });
    try {
      expect([big.threadSplit, cols.threadSplit, single.threadSplit]).toEqual(['rows', 'columns', null]);
      expect(runner(cols).lanes).toEqual([]); // split by columns: no per-thread grads buffers
      const rng = new Rng(3);
      const x = denseBatch(rng, [6, 2, 5], 4);
      expect(cols.trainBatch(x, [0, 1, 1])).toBe(single.trainBatch(x, [0, 1, 1]));
      const bytes = cols.save();
      expect(Buffer.from(bytes).equals(Buffer.from(single.save()))).toBe(true);
      const loaded = await SimpleRNN.load(bytes, { threads: 2, threadSplit: 'columns' });
      expect(loaded.threadSplit).toBe('columns');
      expect(loaded.trainBatch(x, [1, 0, 1])).toBe(single.trainBatch(x, [1, 0, 1]));
      loaded.dispose();
    } finally {
      big.dispose();
      cols.dispose();
      single.dispose();
    }
    await expect(SimpleRNN.create({ inputSize: 2, hiddenSize: 4, outputSize: 2, threadSplit: 'cols' as never })).rejects.toThrow(/SimpleRNN\.create: options\.threadSplit/);
    await expect(SimpleRNN.load(new Uint8Array(8), { threadSplit: 3 as never })).rejects.toThrow(/SimpleRNN\.load: options\.threadSplit/);
  });
});

// failures inside a pass split by columns: no thread may wait without end for a partner that is gone or threw
describe('threads split by columns: a thread that stops or throws', () => {
  const OPTIONS: SimpleRNNOptions = { inputSize: 8, hiddenSize: 96, outputSize: 4, recurrentDropout: 0.1, optimizer: 'adam', learningRate: 0.01, seed: 6 };
  const rng = new Rng(31);
  const LENS = Array.from({ length: 24 }, () => 20 + rng.int(40));
  const INPUTS = denseBatch(rng, LENS, 8);
  const TARGETS = LENS.map(() => rng.int(4));
  const poolOf = (m: SimpleRNN) => runner(m).pool!;
  type Worker = { terminate(): unknown };
  const workerOf = (pool: ThreadPool, k: number): Worker => (pool as unknown as { threads: { worker: Worker }[] }).threads[k - 1].worker;

  const expectUnchangedThenOneThread = (m: SimpleRNN, before: Uint8Array) => expectUnchangedThenTrainsAsLoaded(m, before, INPUTS, TARGETS);

  it("a thread's Worker terminated mid-pass: the call throws within seconds, changes nothing, and the model trains on, on one thread", async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const m = await columns(OPTIONS);
    m.trainBatch(INPUTS, TARGETS);
    const pool = poolOf(m);
    const before = m.save();
    const dispatch = pool.dispatch.bind(pool);
    vi.spyOn(pool, 'dispatch').mockImplementation((jobs, api) => {
      dispatch(jobs, api);
      void workerOf(pool, 1).terminate(); // the thread dies in the middle of the pass, between two barriers
    });
    const t0 = performance.now();
    expect(() => m.trainBatch(INPUTS, TARGETS)).toThrow(/^SimpleRNN\.trainBatch: training thread 1 stopped \(exit code 1: terminated\); the batch was not applied/);
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(m.threads).toBe(1);
    expect(m.threadSplit).toBeNull();
    await expectUnchangedThenOneThread(m, before);
    m.dispose();
  });

  it('a pass that throws on a training thread: every thread stops waiting, the call throws, nothing changed', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const m = await columns(OPTIONS, 3);
    m.trainBatch(INPUTS, TARGETS);
    const pool = poolOf(m);
    const before = m.save();
    const dispatch = pool.dispatch.bind(pool);
    vi.spyOn(pool, 'dispatch').mockImplementationOnce((jobs, api) => {
      // thread 2 reads W_s at 2 GiB, past the end of memory: its kernel traps
      dispatch(jobs.map((j, k) => (k === 1 ? { ...j, Ws0: 2 ** 31 } : j)), api);
    });
    const t0 = performance.now();
    expect(() => m.trainBatch(INPUTS, TARGETS)).toThrow(/^SimpleRNN\.trainBatch: a training thread failed/);
    expect(performance.now() - t0).toBeLessThan(5_000);
    // the thread that trapped tells its error (on the event loop); the one it stopped does not
    await vi.waitFor(() => expect(warn.mock.calls.filter((c) => /a training thread failed: /.test(String(c[0])))).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 100));
    expect(warn.mock.calls.filter((c) => /a training thread failed: /.test(String(c[0])))).toHaveLength(1);
    expect(Buffer.from(m.save()).equals(Buffer.from(before))).toBe(true);
    // the threads still run: the next batch splits by columns again and gives the one-thread bits
    expect(m.threads).toBe(3);
    await expectUnchangedThenOneThread(m, before);
    m.dispose();
  });

  it("a pass that throws on the model's thread: the training threads stop waiting, the call throws that error, nothing changed", async () => {
    const m = await columns(OPTIONS);
    m.trainBatch(INPUTS, TARGETS);
    const before = m.save();
    const be = (m as unknown as { be: { lossForwardBackward: (...a: number[]) => void } }).be;
    vi.spyOn(be, 'lossForwardBackward').mockImplementationOnce(() => {
      throw new Error('injected');
    });
    const t0 = performance.now();
    expect(() => m.trainBatch(INPUTS, TARGETS)).toThrow(/^injected$/);
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(m.threads).toBe(2);
    await expectUnchangedThenOneThread(m, before);
    m.dispose();
  });
});
