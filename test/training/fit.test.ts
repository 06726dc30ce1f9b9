// fit and evaluate: batching and bucketing cover every sample once per epoch, the padding fraction is what the
// batches imply, one seed gives identical histories, abort stops between batches, validation, early stopping.
import { describe, expect, it } from 'vitest';
import { SimpleRNN, type BatchLogs } from 'simple-rnn';
import { epochBatches } from '../../src/train.js';
import { Rng } from 'simple-rnn';
import { BACKENDS, denseBatch, expectClose, tokenBatch } from '../util.js';

const model = { inputSize: 2, hiddenSize: 6, outputSize: 2, seed: 5 } as const;

/** Sequences whose class is the sign of their first input's first component, lengths given. */
function task(seed: number, lengths: number[]) {
  const rng = new Rng(seed);
  const x = denseBatch(rng, lengths, 2);
  const y = x.map((s) => (s[0][0] > 0 ? 1 : 0));
  return { x, y };
}

const lengths40 = Array.from({ length: 40 }, (_, k) => 1 + ((k * 7) % 8)); // 5 of each length 1..8

describe('epochBatches', () => {
  it('every index exactly once, in batches of batchSize (the last may be smaller), with and without bucketing', () => {
    const lengths = Int32Array.from({ length: 23 }, (_, k) => 1 + ((k * 5) % 9));
    for (const [shuffle, bucket] of [[false, false], [true, false], [true, true], [false, true]]) {
      const b = epochBatches(lengths, 4, shuffle, bucket, new Rng(1));
      expect(b.reduce((n, x) => n + x.length, 0)).toBe(23);
      expect(b.filter((x) => x.length !== 4).length).toBe(1);
      expect(Array.from(b.flatMap((x) => Array.from(x))).sort((p, q) => p - q)).toEqual(Array.from({ length: 23 }, (_, k) => k));
      if (bucket) {
        // each batch spans a contiguous range of the length-sorted order: no batch's range overlaps another's
        const spans = b.map((x) => [Math.min(...Array.from(x, (k) => lengths[k])), Math.max(...Array.from(x, (k) => lengths[k]))]);
        for (const [lo, hi] of spans) for (const [lo2, hi2] of spans) expect(hi < lo2 || hi2 < lo || (lo <= hi2 && lo2 <= hi)).toBe(true);
        const sorted = [...spans].sort((p, q) => q[1] - p[1]);
        for (let k = 1; k < sorted.length; k++) expect(sorted[k][1]).toBeLessThanOrEqual(sorted[k - 1][0]);
      }
      if (!shuffle && !bucket) expect(Array.from(b[0])).toEqual([0, 1, 2, 3]);
    }
  });
});

describe.each(BACKENDS)('fit on %s', (backend) => {
  it('covers every sample exactly once per epoch; bucketing removes the padding when each length fills whole batches', async () => {
    const { x, y } = task(1, lengths40);
    for (const bucketByLength of [false, true]) {
      const m = await SimpleRNN.create({ ...model, backend });
      const seen: number[][] = [[], [], []];
      let pad = [0, 0, 0];
      let all = [0, 0, 0];
      const h = await m.fit(x, y, {
        epochs: 3, batchSize: 5, bucketByLength,
        callbacks: {
          onBatchEnd: (_b, logs: BatchLogs) => {
            seen[logs.epoch].push(...logs.indices);
            const ls = logs.indices.map((k) => lengths40[k]);
            const T = Math.max(...ls);
            pad[logs.epoch] += ls.length * T - ls.reduce((a, b) => a + b, 0);
            all[logs.epoch] += ls.length * T;
          },
        },
      });
      for (const s of seen) expect(s.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, k) => k));
      expect(h.paddingFraction).toEqual(pad.map((p, e) => p / all[e]));
      if (bucketByLength) expect(h.paddingFraction).toEqual([0, 0, 0]);
      else expect(Math.min(...h.paddingFraction)).toBeGreaterThan(0.2);
      expect(m.stepCount).toBe(24);
      pad = [0, 0, 0];
      all = [0, 0, 0];
      m.dispose();
    }
  });

  it('one seed gives the same history and weights run after run; another seed does not', async () => {
    const { x, y } = task(2, lengths40);
    const run = async (seed: number) => {
      const m = await SimpleRNN.create({ ...model, seed, backend, optimizer: 'adam', learningRate: 0.02 });
      const h = await m.fit(x, y, { epochs: 3, batchSize: 8, bucketByLength: true, validationSplit: 0.25 });
      const p = m.getParams();
      m.dispose();
      return { h, p };
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(b.h).toEqual(a.h);
    expect(b.p).toEqual(a.p);
    expect(c.h.loss).not.toEqual(a.h.loss);
  });

  it('the abort signal stops between batches: rejects with an AbortError after exactly the batches that ran', async () => {
    const { x, y } = task(3, lengths40);
    const m = await SimpleRNN.create({ ...model, backend });
    const ctl = new AbortController();
    let batches = 0;
    const run = m.fit(x, y, {
      epochs: 5, batchSize: 4, signal: ctl.signal,
      callbacks: { onBatchEnd: (b) => { batches++; if (b === 2) ctl.abort(); } },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(batches).toBe(3);
    expect(m.stepCount).toBe(3);
    // the model is usable afterwards, and an already aborted signal trains nothing
    await expect(m.fit(x, y, { signal: ctl.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(m.stepCount).toBe(3);
    const reason = new Error('user stop');
    const c2 = new AbortController();
    c2.abort(reason);
    await expect(m.fit(x, y, { signal: c2.signal })).rejects.toBe(reason);
    m.dispose();
  });

  it('yields to the event loop between batches: a macrotask queued in one batch runs before the next', async () => {
    const { x, y } = task(4, lengths40);
    const m = await SimpleRNN.create({ ...model, backend });
    let ran = 0;
    const order: string[] = [];
    await m.fit(x, y, {
      epochs: 1, batchSize: 8,
      callbacks: {
        onBatchEnd: (b) => {
          order.push(`batch ${b} (macrotasks so far: ${ran})`);
          setTimeout(() => ran++, 0);
          if (typeof setImmediate === 'function') setImmediate(() => ran++);
        },
      },
    });
    // every batch after the first saw the immediate queued by the previous one
    for (let b = 1; b < order.length; b++) expect(Number(/so far: (\d+)/.exec(order[b])![1])).toBeGreaterThanOrEqual(b);
    m.dispose();
  });

  it('validationSplit holds out the last fraction; valLoss equals evaluate on it; evaluate changes nothing', async () => {
    const { x, y } = task(5, lengths40);
    const m = await SimpleRNN.create({ ...model, backend, optimizer: 'adam', learningRate: 0.05 });
    const seen = new Set<number>();
    const h = await m.fit(x, y, { epochs: 2, batchSize: 7, validationSplit: 0.25, callbacks: { onBatchEnd: (_b, l) => l.indices.forEach((k) => seen.add(k)) } });
    expect(Math.max(...seen)).toBe(29);
    expect(seen.size).toBe(30);
    const before = m.save();
    const ev = m.evaluate(x.slice(30), y.slice(30));
    expect(m.save()).toEqual(before);
    expect(h.valLoss!.at(-1)).toBe(ev.loss);
    expect(h.valAccuracy!.at(-1)).toBe(ev.accuracy);
    expect(h.loss).toHaveLength(2);
    expect(h.accuracy).toHaveLength(2);
    // accuracy by hand from predict
    const pred = m.predict(x.slice(30)) as number[][];
    const acc = pred.filter((p, k) => (p[1] > p[0] ? 1 : 0) === y[30 + k]).length / 10;
    expect(ev.accuracy).toBeCloseTo(acc, 12);
    // the loss of one batch equals computeGradients' loss bit for bit (same forward, same order)
    expect(m.evaluate(x.slice(0, 9), y.slice(0, 9)).loss).toBe(m.computeGradients(x.slice(0, 9), y.slice(0, 9)).loss);
    m.dispose();
  });

  it('evaluate: accuracy by hand from predict for sigmoid units and for per-step token targets', async () => {
    const rng = new Rng(12);
    const sig = await SimpleRNN.create({ inputSize: 2, hiddenSize: 5, outputSize: 3, outputActivation: 'sigmoid', backend });
    const xs = denseBatch(rng, [3, 1, 4, 2], 2);
    const ys = xs.map(() => [rng.int(2), rng.int(2), rng.uniform() < 0.5 ? 0.25 : 0.75]);
    const ps = sig.predict(xs) as number[][];
    let ok = 0;
    ps.forEach((p, b) => p.forEach((v, o) => { if (v > 0.5 === ys[b][o] >= 0.5) ok++; }));
    expect(sig.evaluate(xs, ys).accuracy).toBeCloseTo(ok / 12, 12);
    const lm = await SimpleRNN.create({ vocabSize: 5, hiddenSize: 6, outputSize: 5, returnSequences: true, backend });
    const xt = tokenBatch(rng, [4, 2, 5], 5);
    const yt = xt.map((sq) => sq.map(() => rng.int(5)));
    const pt = lm.predict(xt) as number[][][];
    let hit = 0;
    pt.forEach((sq, b) => sq.forEach((p, t) => { if (p.indexOf(Math.max(...p)) === yt[b][t]) hit++; }));
    const ev = lm.evaluate(xt, yt);
    expect(ev.accuracy).toBeCloseTo(hit / 11, 12);
    expect(ev.loss).toBeCloseTo(lm.computeGradients(xt, yt).loss, 6); // the mean over the 11 real steps
    sig.dispose();
    lm.dispose();
  });

  it('earlyStopping stops when the monitored loss stops improving, and restores the best weights', async () => {
    const { x, y } = task(6, lengths40);
    const m = await SimpleRNN.create({ ...model, backend });
    let afterFirst: ReturnType<SimpleRNN['getParams']> | null = null;
    const h = await m.fit(x, y, {
      epochs: 10, batchSize: 10,
      earlyStopping: { monitor: 'loss', patience: 1, minDelta: 1e9, restoreBestWeights: true },
      callbacks: { onEpochEnd: (e) => { if (e === 0) afterFirst = m.getParams(); } },
    });
    expect(h.epochs).toBe(3); // epoch 0 improves on nothing-yet, epochs 1 and 2 do not (patience 1)
    expect(h.stoppedEarly).toBe(true);
    expect(h.bestEpoch).toBe(0);
    expect(m.getParams()).toEqual(afterFirst);
    m.dispose();
  });

  it('learns the task (accuracy >= 0.9 on held-out data) with Adam, clipping and a cosine schedule', async () => {
    const train = task(7, Array.from({ length: 200 }, (_, k) => 1 + (k % 6)));
    const test = task(8, Array.from({ length: 60 }, (_, k) => 1 + (k % 6)));
    const m = await SimpleRNN.create({ ...model, backend, optimizer: 'adam', learningRate: 0.03, clipNorm: 5, schedule: { type: 'cosine', warmupSteps: 5, decaySteps: 400 } });
    const h = await m.fit(train.x, train.y, { epochs: 25, batchSize: 16, bucketByLength: true, validationData: [test.x, test.y] });
    expect(h.loss.at(-1)!).toBeLessThan(h.loss[0]);
    expect(m.evaluate(test.x, test.y).accuracy!).toBeGreaterThanOrEqual(0.9);
    m.dispose();
  });

  it('rejects bad options, naming the field', async () => {
    const { x, y } = task(9, [2, 3, 4]);
    const m = await SimpleRNN.create({ ...model, backend });
    await expect(m.fit(x, y, { validationSplit: 1.5 })).rejects.toThrow(/SimpleRNN\.fit: options\.validationSplit = 1\.5 is out of range; expected a number in \(0, 1\)/);
    await expect(m.fit(x, y, { batchSize: 0 })).rejects.toThrow(/options\.batchSize = 0 is out of range/);
    await expect(m.fit(x, [0, 5, 1])).rejects.toThrow(/SimpleRNN\.fit: targets\[1\] = 5 is not a class index/);
    await expect(m.fit(x, y, { validationData: [x, [0, 1]] })).rejects.toThrow(/validationData\.targets has 2 entries/);
    await expect(m.fit(x, y, { earlyStopping: { monitor: 'valLoss' } })).rejects.toThrow(/earlyStopping\.monitor = 'valLoss' needs validationData/);
    await expect(m.fit(x, y, { callbacks: { onBatchEnd: 3 as never } })).rejects.toThrow(/options\.callbacks\.onBatchEnd must be a function/);
    await expect(m.fit(x, y, { epoch: 3 } as never)).rejects.toThrow(/SimpleRNN\.fit: options\.epoch is not an option; expected one of epochs, batchSize/);
    await expect(m.fit(x, y, { earlyStopping: { patients: 2 } as never })).rejects.toThrow(/options\.earlyStopping\.patients is not an option/);
    await expect(m.fit(x, y, { callbacks: { onEpochEnds: () => {} } as never })).rejects.toThrow(/options\.callbacks\.onEpochEnds is not an option/);
    expect(() => m.evaluate(x, y, { batch: 2 } as never)).toThrow(/SimpleRNN\.evaluate: options\.batch is not an option/);
    expect(m.stepCount).toBe(0);
    m.dispose();
    await expect(m.fit(x, y)).rejects.toThrow(/SimpleRNN\.fit: model was disposed/);
  });
});

describe('fit: wasm and js agree', () => {
  it('the same seed gives loss histories within the core tolerance', async () => {
    const { x, y } = task(10, lengths40);
    const h: number[][] = [];
    for (const backend of BACKENDS) {
      const m = await SimpleRNN.create({ ...model, backend, optimizer: 'adam', learningRate: 0.01 });
      h.push((await m.fit(x, y, { epochs: 3, batchSize: 8, bucketByLength: true })).loss);
      m.dispose();
    }
    // same shuffles (same RNG draws); f32 sums of length H+I and the wasm tanh bound, compounded over 15 steps
    expectClose(h[0], h[1], { atol: 1e-5, rtol: 1e-4, label: 'loss history' });
  });
});
