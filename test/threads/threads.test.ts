// threads: data-parallel training on worker_threads over a shared wasm memory (src/parallel/).
//
// Tolerance {atol: 2e-5, rtol: 1e-4} (the core tolerance): the forward pass of each sequence gives the same bits in any
// batch (rows are independent), so every difference comes from the sums over rows: a weight gradient is a sum over
// the T*B rows of the batch, and with threads it is (sum over sub-batch 0) + (sum over sub-batch 1) in f32, a
// different association of the same terms (relative error ~ rows * 2^-24 of the sum of |terms|, atol for sums that
// cancel to ~0). The loss is an f64 sum in a different order (~1e-16).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimpleRNN, type SimpleRNNOptions } from 'simple-rnn';
import type { Packed } from '../../src/batch.js';
import { Rng } from 'simple-rnn';
import { coreCount } from '../../src/config.js';
import { liveThreads, relaxedThreadsUnavailable, splitBatch, threadedRealm, threadsUnavailable } from '../../src/parallel/index.js';
import { PARAM_NAMES } from 'simple-rnn';
import { denseBatch, expectClose, tokenBatch } from '../util.js';

const TOL = { atol: 2e-5, rtol: 1e-4 };

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

interface Case {
  name: string;
  options: SimpleRNNOptions;
  data(rng: Rng): { inputs: number[][] | number[][][]; targets: unknown[] };
}

const LENGTHS = [9, 3, 12, 7, 12, 1, 5, 8, 10, 4, 6]; // ragged, one of length 1, an odd count
const seqTargets = (rng: Rng, inputs: unknown[][], O: number) => inputs.map((s) => s.map(() => rng.int(O)));

const CASES: Case[] = [
  {
    name: 'dense, ragged, final softmax',
    options: { inputSize: 5, hiddenSize: 12, outputSize: 4 },
    data: (rng) => ({ inputs: denseBatch(rng, LENGTHS, 5), targets: LENGTHS.map(() => rng.int(4)) }),
  },
  {
    name: 'tokens, returnSequences (weights 1/real steps), learned s0',
    options: { vocabSize: 7, hiddenSize: 10, outputSize: 7, returnSequences: true, learnInitialState: true },
    data: (rng) => {
      const inputs = tokenBatch(rng, LENGTHS, 7);
      return { inputs, targets: seqTargets(rng, inputs, 7) };
    },
  },
  {
    name: 'tokens through an embedding layer, final sigmoid',
    options: { vocabSize: 9, embeddingSize: 6, hiddenSize: 8, outputSize: 3, outputActivation: 'sigmoid' },
    data: (rng) => ({ inputs: tokenBatch(rng, LENGTHS, 9), targets: LENGTHS.map(() => [rng.int(2), rng.int(2), rng.int(2)]) }),
  },
  {
    name: 'dense, returnSequences, linear outputs, relu, learned s0',
    options: { inputSize: 3, hiddenSize: 9, outputSize: 2, outputActivation: 'linear', activation: 'relu', returnSequences: true, learnInitialState: true },
    data: (rng) => {
      const inputs = denseBatch(rng, LENGTHS, 3);
      return { inputs, targets: inputs.map((s) => s.map(() => [2 * rng.uniform() - 1, 2 * rng.uniform() - 1])) };
    },
  },
];

async function pair(options: SimpleRNNOptions, threads: number | 'auto' = 2) {
  const one = await SimpleRNN.create({ ...options, seed: 4 });
  const many = await SimpleRNN.create({ ...options, seed: 4, threads });
  expect(many.threadsFallback).toBeNull();
  expect(many.threads).toBe(threads === 'auto' ? coreCount() : threads);
  expect(one.threads).toBe(1);
  return { one, many, [Symbol.dispose]: () => (one.dispose(), many.dispose()) };
}

describe.each(CASES)('threads: 2 equals threads: 1 within the core tolerance: $name', (c) => {
  it('computeGradients: loss and every gradient', async () => {
    using m = await pair(c.options);
    const { inputs, targets } = c.data(new Rng(8));
    const a = m.one.computeGradients(inputs as never, targets as never);
    const b = m.many.computeGradients(inputs as never, targets as never);
    expect(b.loss).toBeCloseTo(a.loss, 6);
    for (const k of PARAM_NAMES) expectClose(b.grads[k], a.grads[k], { ...TOL, label: k });
    // not trivially equal: the gradients are nonzero (and pair() checked that the threaded model runs 2 threads)
    expect(a.grads.Ws.some((v) => v !== 0)).toBe(true);
  });

  it('trainBatch x 4 (sgd), then predict and evaluate', async () => {
    const options = { ...c.options, optimizer: 'sgd' as const, learningRate: 0.1 };
    using m = await pair(options);
    const { inputs, targets } = c.data(new Rng(9));
    for (let step = 0; step < 4; step++) {
      const la = m.one.trainBatch(inputs as never, targets as never);
      const lb = m.many.trainBatch(inputs as never, targets as never);
      expect(lb).toBeCloseTo(la, 5);
    }
    const pa = m.one.getParams();
    const pb = m.many.getParams();
    for (const k of PARAM_NAMES) expectClose(pb[k], pa[k], { ...TOL, label: k });
    expectClose((m.many.predict(inputs as never) as unknown[]).flat(2) as number[], (m.one.predict(inputs as never) as unknown[]).flat(2) as number[], { ...TOL, label: 'predict' });
    const ea = m.one.evaluate(inputs as never, targets as never);
    const eb = m.many.evaluate(inputs as never, targets as never);
    expect(eb.loss).toBeCloseTo(ea.loss, 5);
    expect(eb.accuracy).toBe(ea.accuracy);
  });
});

describe('threads: fit and fitStream', () => {
  it('fit (shuffled, bucketed batches of 6, validation) gives the history and weights of one thread', async () => {
    const options: SimpleRNNOptions = { inputSize: 4, hiddenSize: 16, outputSize: 3, optimizer: 'sgd', learningRate: 0.05 };
    using m = await pair(options);
    const rng = new Rng(10);
    const lengths = Array.from({ length: 30 }, () => 1 + rng.int(12));
    const inputs = denseBatch(rng, lengths, 4);
    const targets = lengths.map((L) => L % 3);
    const fitOpts = { epochs: 3, batchSize: 6, bucketByLength: true, validationSplit: 0.2 };
    const ha = await m.one.fit(inputs, targets, fitOpts);
    const hb = await m.many.fit(inputs, targets, fitOpts);
    expectClose(hb.loss, ha.loss, { ...TOL, label: 'loss' });
    expectClose(hb.valLoss!, ha.valLoss!, { ...TOL, label: 'valLoss' });
    expect(hb.accuracy).toEqual(ha.accuracy);
    for (const k of PARAM_NAMES) expectClose(m.many.getParams()[k], m.one.getParams()[k], { ...TOL, label: k });
    expect(m.many.stepCount).toBe(m.one.stepCount);
  });

  it('fitStream (states carried across chunks, split across threads) matches one thread', async () => {
    const options: SimpleRNNOptions = { vocabSize: 11, hiddenSize: 12, outputSize: 11, returnSequences: true, optimizer: 'sgd', learningRate: 0.1 };
    using m = await pair(options);
    const rng = new Rng(11);
    const tokens = Array.from({ length: 600 }, () => rng.int(11));
    const so = { seqLength: 10, batchSize: 5, epochs: 2 };
    const ha = await m.one.fitStream(tokens, so);
    const hb = await m.many.fitStream(tokens, so);
    expectClose(hb.loss, ha.loss, { ...TOL, label: 'loss' });
    for (const k of PARAM_NAMES) expectClose(m.many.getParams()[k], m.one.getParams()[k], { ...TOL, label: k });
  });
});

describe('threads: determinism', () => {
  it('same seed, threads: 2 -> the same bits run after run (fixed split, fixed reduction order)', async () => {
    const rng = new Rng(12);
    const inputs = denseBatch(rng, LENGTHS, 6);
    const targets = LENGTHS.map(() => rng.int(5));
    const run = async () => {
      const m = await SimpleRNN.create({ inputSize: 6, hiddenSize: 20, outputSize: 5, seed: 3, threads: 2, optimizer: 'adam', learningRate: 0.01 });
      try {
        const losses: number[] = [];
        for (let k = 0; k < 5; k++) losses.push(m.trainBatch(inputs, targets));
        return { losses, bytes: m.save() };
      } finally {
        m.dispose();
      }
    };
    const a = await run();
    const b = await run();
    const c = await run();
    expect(b.losses).toEqual(a.losses);
    expect(c.losses).toEqual(a.losses);
    expect(Buffer.from(b.bytes).equals(Buffer.from(a.bytes))).toBe(true);
    expect(Buffer.from(c.bytes).equals(Buffer.from(a.bytes))).toBe(true);
  });
});

describe('threads: options, fallback, dispose', () => {
  it("threads: 'auto' takes the cores; a batch smaller than the threads and a batch of one still train", async () => {
    using m = await pair({ inputSize: 2, hiddenSize: 4, outputSize: 2 }, 'auto');
    const x = [[[1, 0], [0, 1]]];
    expect(m.many.trainBatch(x, [1])).toBeCloseTo(m.one.trainBatch(x, [1]), 6);
    for (const k of PARAM_NAMES) expectClose(m.many.getParams()[k], m.one.getParams()[k], { ...TOL, label: k });
  });

  it('SimpleRNN.load takes threads: a checkpoint resumes on 2 threads and matches the one-thread resume', async () => {
    const rng = new Rng(14);
    const inputs = denseBatch(rng, LENGTHS, 3);
    const targets = LENGTHS.map(() => rng.int(2));
    const src = await SimpleRNN.create({ inputSize: 3, hiddenSize: 8, outputSize: 2, optimizer: 'sgd', learningRate: 0.1 });
    src.trainBatch(inputs, targets);
    const bytes = src.save();
    src.dispose();
    const one = await SimpleRNN.load(bytes);
    const two = await SimpleRNN.load(bytes, { threads: 2 });
    expect([one.threads, two.threads]).toEqual([1, 2]);
    expect(two.stepCount).toBe(1);
    for (let k = 0; k < 3; k++) expect(two.trainBatch(inputs, targets)).toBeCloseTo(one.trainBatch(inputs, targets), 5);
    for (const k of PARAM_NAMES) expectClose(two.getParams()[k], one.getParams()[k], { ...TOL, label: k });
    await expect(SimpleRNN.load(bytes, { threads: -1 })).rejects.toThrow(/SimpleRNN\.load: options\.threads/);
    one.dispose();
    two.dispose();
  });

  it('rejects a bad threads option, naming the field', async () => {
    await expect(SimpleRNN.create({ inputSize: 2, hiddenSize: 4, outputSize: 2, threads: 0 })).rejects.toThrow(RangeError);
    await expect(SimpleRNN.create({ inputSize: 2, hiddenSize: 4, outputSize: 2, threads: 1.5 })).rejects.toThrow(/options\.threads/);
    await expect(SimpleRNN.create({ inputSize: 2, hiddenSize: 4, outputSize: 2, threads: 'all' as never })).rejects.toThrow(TypeError);
  });

  it("falls back to one thread with backend 'js', says why, and warns once", async () => {
    vi.resetModules(); // a fresh module: its warn-once set is empty
    const { SimpleRNN: Fresh } = await import('simple-rnn');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const a = await Fresh.create({ inputSize: 2, hiddenSize: 4, outputSize: 2, backend: 'js', threads: 2 });
    const b = await Fresh.create({ inputSize: 2, hiddenSize: 4, outputSize: 2, backend: 'js', threads: 3 });
    expect(a.threads).toBe(1);
    expect(a.threadsFallback).toMatch(/backend: 'js' runs on one thread/);
    expect(b.threadsFallback).toBe(a.threadsFallback);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(/^SimpleRNN: threads fall back to one thread: backend: 'js'/);
    expect(Number.isFinite(a.trainBatch([[[1, 0]]], [0]))).toBe(true);
    a.dispose();
    b.dispose();
    // threads: 1 (the default) asks for nothing, so nothing falls back
    const c = await Fresh.create({ inputSize: 2, hiddenSize: 4, outputSize: 2, backend: 'js' });
    expect(c.threadsFallback).toBeNull();
    c.dispose();
  });

  it('falls back without shared memory (no SharedArrayBuffer) and still trains like one thread', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.stubGlobal('SharedArrayBuffer', undefined);
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 4, outputSize: 2, threads: 2 });
    vi.unstubAllGlobals();
    expect(m.threads).toBe(1);
    expect(m.threadsFallback).toBe('SharedArrayBuffer is not available here');
    const ref = await SimpleRNN.create({ inputSize: 2, hiddenSize: 4, outputSize: 2 });
    expect(m.trainBatch([[[1, 0], [0, 1]]], [1])).toBe(ref.trainBatch([[[1, 0], [0, 1]]], [1]));
    m.dispose();
    ref.dispose();
  });

  it('names the reason in a browser-like realm: not crossOriginIsolated, or a page main thread', () => {
    const proc = globalThis.process as unknown as { getBuiltinModule?: unknown };
    const get = proc.getBuiltinModule;
    try {
      proc.getBuiltinModule = undefined; // not Node
      vi.stubGlobal('crossOriginIsolated', false);
      expect(threadsUnavailable('wasm')).toMatch(/not crossOriginIsolated.*Cross-Origin-Embedder-Policy: require-corp/);
      vi.stubGlobal('crossOriginIsolated', true);
      vi.stubGlobal('Worker', function Worker() {});
      const wait = vi.spyOn(Atomics, 'wait').mockImplementation(() => {
        throw new TypeError('Atomics.wait cannot be called in this context');
      });
      expect(threadsUnavailable('wasm')).toMatch(/Atomics\.wait is not allowed on a page's main thread/);
      wait.mockRestore();
      expect(threadsUnavailable('wasm')).toBeNull(); // an isolated worker realm with Worker: threads run
    } finally {
      proc.getBuiltinModule = get;
    }
  });

  // the relaxed threads build has a realm of its own (where it validates: else the strict one is cycled again)
  it.each(['strict', 'relaxed'] as const)('dispose ends the threads and frees their memory: 25 create / train / dispose cycles leak neither (simd %s)', async (asked) => {
    const simd = asked === 'relaxed' && (await relaxedThreadsUnavailable()) === null ? 'relaxed' : 'strict';
    const { be } = await threadedRealm(simd);
    const rng = new Rng(13);
    const inputs = denseBatch(rng, [12, 5, 9, 7], 8);
    const cycle = async (k: number) => {
      const m = await SimpleRNN.create({ inputSize: 8, hiddenSize: 32 + (k % 3), outputSize: 4, seed: k, threads: 2, simd });
      expect([m.threads, m.simd]).toEqual([2, simd]);
      m.trainBatch(inputs, [0, 1, 2, 3]);
      m.dispose();
      m.dispose(); // safe twice
      expect(() => m.trainBatch(inputs, [0, 1, 2, 3])).toThrow('SimpleRNN.trainBatch: model was disposed');
    };
    for (let k = 0; k < 5; k++) await cycle(k); // the allocator's steady state
    const strictBe = (await threadedRealm('strict')).be;
    const before = [be.memoryBytes(), strictBe.memoryBytes()];
    for (let k = 0; k < 25; k++) await cycle(k);
    expect([be.memoryBytes(), strictBe.memoryBytes()]).toEqual(before); // relaxed models never allocate in the strict realm
    await vi.waitFor(() => expect(liveThreads()).toBe(0), { timeout: 10_000 });
  });
});

describe('splitBatch', () => {
  const packed = (lenSorted: number[]): Packed => ({
    B: lenSorted.length, T: lenSorted[0], lengths: Int32Array.from(lenSorted), order: Int32Array.from(lenSorted.map((_, k) => 10 + k)),
    lenSorted: Int32Array.from(lenSorted), steps: lenSorted.reduce((a, b) => a + b, 0),
  });

  it('equal lengths: equal halves; each part is a contiguous run of the sorted batch with its own T and steps', () => {
    const parts = splitBatch(packed(Array(64).fill(32)), 2);
    expect(parts.map((p) => [p.B, p.T, p.steps])).toEqual([[32, 32, 1024], [32, 32, 1024]]);
    expect(Array.from(parts[1].order.slice(0, 2))).toEqual([42, 43]);
  });

  it('ragged: parts of about equal real steps, covering the batch in order, at least one sequence each', () => {
    const p = packed([20, 18, 9, 8, 8, 7, 3, 2, 1, 1]);
    const parts = splitBatch(p, 2);
    expect(parts.map((q) => q.B)).toEqual([2, 8]); // 38 | 39 steps
    expect(parts.map((q) => q.T)).toEqual([20, 9]);
    expect(parts.flatMap((q) => Array.from(q.order))).toEqual(Array.from(p.order));
    const three = splitBatch(p, 3);
    expect(three.reduce((a, q) => a + q.steps, 0)).toBe(p.steps);
    expect(three.every((q) => q.B >= 1)).toBe(true);
    expect(splitBatch(packed([5, 4]), 4).map((q) => q.B)).toEqual([1, 1]); // fewer sequences than threads
  });
});
