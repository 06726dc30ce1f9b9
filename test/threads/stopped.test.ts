// threads that stop under a model: a training thread killed from outside (its Worker's terminate(), or a kill the pool
// is not told of), and dispose() during a threaded call. The pool is reached through the model's internals (the
// BatchRunner's pool, its threads' Workers), as a kill from outside would reach the thread.
//
// A kill must never leave the model's thread in Atomics.wait: the call throws within a few seconds, naming the
// thread; the model is bit for bit what it was (params, optimizer state, step count, RNG: the checkpoint bytes); and
// it trains on, on one thread, with threadsFallback saying why. Before the pool's bounded waits, each of these hung.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimpleRNN, Rng, type SimpleRNNOptions } from 'simple-rnn';
import { liveThreads, type ThreadPool } from '../../src/parallel/index.js';
import { denseBatch, expectUnchangedThenTrainsAsLoaded } from '../util.js';

afterEach(async () => {
  vi.restoreAllMocks();
  // every test disposes its models: their threads exit (Node reports each exit on the event loop)
  await vi.waitFor(() => expect(liveThreads()).toBe(0), { timeout: 10_000 });
});

type Worker = { terminate(): Promise<number> | void };

/** The model's pool (src/runner.ts BatchRunner.pool), and the Worker of training thread k (1-based, as in messages). */
function poolOf(m: SimpleRNN): ThreadPool {
  const pool = (m as unknown as { run: { pool: ThreadPool | null } }).run.pool;
  if (!pool) throw new Error('the model has no training threads');
  return pool;
}
const workerOf = (pool: ThreadPool, k: number): Worker => (pool as unknown as { threads: { worker: Worker }[] }).threads[k - 1].worker;

/** Node's own Worker.prototype.terminate: a stop the pool is not told of (like a kill at the process level). */
const killQuietly = (w: Worker) => void Object.getPrototypeOf(w).terminate.call(w);

// big enough that a thread's share takes tens of milliseconds, so that a kill right after dispatch lands mid-job;
// recurrentDropout: the step draws masks from the model's RNG, which a failed step must not advance
const OPTIONS: SimpleRNNOptions = { inputSize: 8, hiddenSize: 256, outputSize: 4, recurrentDropout: 0.1, optimizer: 'adam', learningRate: 0.01, seed: 6 };
const rng = new Rng(31);
const LENGTHS = Array.from({ length: 24 }, () => 20 + rng.int(20));
const INPUTS = denseBatch(rng, LENGTHS, 8);
const TARGETS = LENGTHS.map(() => rng.int(4));

async function threaded(n = 2): Promise<SimpleRNN> {
  const m = await SimpleRNN.create({ ...OPTIONS, threads: n });
  expect(m.threads).toBe(n);
  m.trainBatch(INPUTS, TARGETS); // a step on every thread first: the kill hits a model in use
  return m;
}

/** The call throws `message` within a few seconds (no wait without end). */
function expectThrowsSoon(call: () => unknown, message: RegExp): void {
  const t0 = performance.now();
  expect(call).toThrow(message);
  expect(performance.now() - t0).toBeLessThan(5_000);
}

/** After the failed call: the same checkpoint bytes; then it trains on one thread, like a one-thread model from `before`. */
async function expectUnchangedThenOneThread(m: SimpleRNN, before: Uint8Array, why: RegExp): Promise<void> {
  expect(m.threads).toBe(1);
  expect(m.threadsFallback).toMatch(why);
  await expectUnchangedThenTrainsAsLoaded(m, before, INPUTS, TARGETS);
}

describe('threads: a training thread killed from outside', () => {
  it("terminate() of a thread's Worker mid-job: the call throws within seconds, changes nothing, and the model trains on on one thread", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const m = await threaded();
    const pool = poolOf(m);
    const before = m.save();
    const dispatch = pool.dispatch.bind(pool);
    vi.spyOn(pool, 'dispatch').mockImplementation((jobs, api) => {
      dispatch(jobs, api);
      void workerOf(pool, 1).terminate(); // the thread has its job: it dies in the middle of it
    });
    expectThrowsSoon(
      () => m.trainBatch(INPUTS, TARGETS),
      /^SimpleRNN\.trainBatch: training thread 1 stopped \(exit code 1: terminated\); the batch was not applied \(no parameter changed\), and the model trains on one thread from now on/,
    );
    await expectUnchangedThenOneThread(m, before, /^training thread 1 stopped \(exit code 1: terminated\)$/);
    expect(warn).toHaveBeenCalledWith('SimpleRNN: threads fall back to one thread: training thread 1 stopped (exit code 1: terminated)');
    m.dispose();
  });

  it('a kill the pool is not told of (Worker.prototype.terminate, as from the process) is seen as the thread stopping', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const m = await threaded(3);
    const pool = poolOf(m);
    const before = m.save();
    const dispatch = pool.dispatch.bind(pool);
    vi.spyOn(pool, 'dispatch').mockImplementation((jobs, api) => {
      dispatch(jobs, api);
      killQuietly(workerOf(pool, 2));
    });
    expectThrowsSoon(() => m.trainBatch(INPUTS, TARGETS), /^SimpleRNN\.trainBatch: training thread 2 stopped \(no exit code reported yet\); the batch was not applied/);
    await expectUnchangedThenOneThread(m, before, /^training thread 2 stopped/);
    m.dispose();
  });

  it('a thread that died between calls: the next call throws before it hands out work; later calls run on one thread', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const m = await threaded();
    const before = m.save();
    expect(await workerOf(poolOf(m), 1).terminate()).toBe(1); // resolves with the exit code once the thread has exited
    expectThrowsSoon(() => m.trainBatch(INPUTS, TARGETS), /^SimpleRNN\.trainBatch: training thread 1 stopped \(exit code 1: terminated\)/);
    await expectUnchangedThenOneThread(m, before, /^training thread 1 stopped \(exit code 1: terminated\)$/);
    m.dispose();
  });

  it('killed from an input getter (after the model was checked, before its memory phase): the same error, nothing changed', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const m = await threaded();
    const before = m.save();
    const inputs = [...INPUTS];
    Object.defineProperty(inputs, 3, { get: () => (killQuietly(workerOf(poolOf(m), 1)), INPUTS[3]) });
    expectThrowsSoon(() => m.trainBatch(inputs, TARGETS), /^SimpleRNN\.trainBatch: training thread 1 stopped/);
    await expectUnchangedThenOneThread(m, before, /^training thread 1 stopped/);
    m.dispose();
  });
});

describe('threads: dispose during a threaded call', () => {
  it("dispose() from an input getter of trainBatch: that call throws 'model was disposed', no thread is left, a new threaded model trains", async () => {
    const m = await threaded();
    const inputs = [...INPUTS];
    Object.defineProperty(inputs, 0, { get: () => (m.dispose(), INPUTS[0]) });
    expect(() => m.trainBatch(inputs, TARGETS)).toThrow(/^SimpleRNN\.trainBatch: model was disposed$/);
    expect(() => m.trainBatch(INPUTS, TARGETS)).toThrow(/^SimpleRNN\.trainBatch: model was disposed$/);
    await vi.waitFor(() => expect(liveThreads()).toBe(0), { timeout: 10_000 });
    const next = await threaded();
    const one = await SimpleRNN.create(OPTIONS);
    one.trainBatch(INPUTS, TARGETS);
    expect(next.trainBatch(INPUTS, TARGETS)).toBeCloseTo(one.trainBatch(INPUTS, TARGETS), 5);
    next.dispose();
    one.dispose();
  });

  it("the pool disposed while its jobs run waits for them (the step is the undisturbed one); then dispatch throws the library's Error, join returns [], a second dispose is a no-op", async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const m = await threaded();
    const twin = await threaded();
    const pool = poolOf(m);
    const dispatch = pool.dispatch.bind(pool);
    vi.spyOn(pool, 'dispatch').mockImplementation((jobs, api) => {
      dispatch(jobs, api);
      pool.dispose(); // the jobs are running on the threads
    });
    expect(m.trainBatch(INPUTS, TARGETS)).toBe(twin.trainBatch(INPUTS, TARGETS));
    expect(Buffer.from(m.save()).equals(Buffer.from(twin.save()))).toBe(true);
    vi.restoreAllMocks();
    let err: unknown;
    try {
      pool.dispatch([], 'trainBatch');
    } catch (e) {
      err = e;
    }
    expect((err as Error)?.constructor).toBe(Error); // not a TypeError from a pool with nothing left
    expect((err as Error).message).toBe('SimpleRNN.trainBatch: the training threads were disposed');
    expect(pool.join('trainBatch')).toEqual([]);
    expect(() => pool.dispose()).not.toThrow();
    expect(m.threads).toBe(1); // the model noticed and trains on one thread
    expect(m.threadsFallback).toBe('the training threads were disposed');
    expect(Number.isFinite(m.trainBatch(INPUTS, TARGETS))).toBe(true);
    m.dispose();
    twin.dispose();
  });
});
