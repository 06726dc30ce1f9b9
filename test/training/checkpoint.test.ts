// Checkpoints and the training transaction: save/load round trips, exact resume (N steps + save/load + M steps is
// bit-identical to N+M steps), rejected files (truncated, corrupted, wrong version, mismatched), and a non-finite step
// that leaves weights, optimizer state, step count and RNG exactly as they were.
import { describe, expect, it } from 'vitest';
import { NonFiniteError, SimpleRNN, type SimpleRNNOptions } from 'simple-rnn';
import { crc32 } from 'simple-rnn';
import { Rng } from 'simple-rnn';
import { BACKENDS, denseBatch, expectClose, tokenBatch } from '../util.js';

const dense = { inputSize: 3, hiddenSize: 6, outputSize: 2, seed: 3 } as const;

function batches(n: number) {
  const rng = new Rng(9);
  return Array.from({ length: n }, () => {
    const x = denseBatch(rng, [3, 5, 2, 4], 3);
    return { x, y: x.map(() => rng.int(2)) };
  });
}

/** Re-stamps a file's CRC after an edit, so that the check under test is the one after the checksum. */
function restamp(b: Uint8Array): Uint8Array {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  dv.setUint32(b.length - 4, crc32(b, 0, b.length - 4), true);
  return b;
}

/** Rebuilds a file with its config JSON edited: header lengths, padding and CRC made consistent again. */
function editConfig(b: Uint8Array, edit: (json: string) => string): Uint8Array {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const C = dv.getUint32(12, true);
  const M = dv.getUint32(16, true);
  const oldData = 48 + C + M;
  const floats = b.subarray(oldData + ((8 - (oldData % 8)) % 8), b.length - 4);
  const json = new TextDecoder().decode(b.subarray(48, 48 + C));
  const cfg = new TextEncoder().encode(edit(json));
  expect(cfg.length === C && new TextDecoder().decode(cfg) === json, 'the edit changed nothing').toBe(false);
  const dataAt = 48 + cfg.length + M;
  const at = dataAt + ((8 - (dataAt % 8)) % 8);
  const out = new Uint8Array(at + floats.length + 4);
  out.set(b.subarray(0, 48));
  out.set(cfg, 48);
  out.set(b.subarray(48 + C, 48 + C + M), 48 + cfg.length);
  out.set(floats, at);
  const o = new DataView(out.buffer);
  o.setUint32(8, out.length, true);
  o.setUint32(12, cfg.length, true);
  return restamp(out);
}

describe('crc32', () => {
  it('matches the standard check value of "123456789" (0xCBF43926)', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe.each(BACKENDS)('checkpoints on %s', (backend) => {
  const configs: [string, SimpleRNNOptions][] = [
    ['sgd', { ...dense, backend }],
    ['nesterov + step schedule + clipNorm', { ...dense, backend, optimizer: { type: 'nesterov', momentum: 0.8 }, schedule: { type: 'step', stepSize: 2, gamma: 0.7 }, clipNorm: 0.5 }],
    ['adamw + cosine + weight decay + clipValue', { ...dense, backend, optimizer: 'adamw', weightDecay: 0.05, schedule: { type: 'cosine', warmupSteps: 2, decaySteps: 5 }, clipValue: 0.1, learnInitialState: true }],
    ['rmsprop', { ...dense, backend, optimizer: { type: 'rmsprop', rho: 0.8 } }],
    ['adagrad', { ...dense, backend, optimizer: 'adagrad', learningRate: 0.1 }],
  ];

  for (const [name, opts] of configs) {
    it(`${name}: N steps, save, load, M steps == N+M steps, bit for bit (parameters, optimizer state, step count, RNG)`, async () => {
      const data = batches(7);
      const a = await SimpleRNN.create(opts);
      for (const { x, y } of data) a.trainBatch(x, y);
      a.rng.nextU32(); // the RNG state is part of the checkpoint too

      const b = await SimpleRNN.create(opts);
      for (const { x, y } of data.slice(0, 4)) b.trainBatch(x, y);
      const bytes = b.save();
      b.dispose();
      const c = await SimpleRNN.load(bytes);
      expect(c.config.backend).toBe(backend);
      expect(c.stepCount).toBe(4);
      for (const { x, y } of data.slice(4)) c.trainBatch(x, y);
      c.rng.nextU32();
      expect(c.getParams()).toEqual(a.getParams());
      expect(c.stepCount).toBe(7);
      expect(c.rng.state).toBe(a.rng.state);
      expect(c.save()).toEqual(a.save()); // also the optimizer state sections and the training config
      a.dispose();
      c.dispose();
    });
  }

  it('fit resumes exactly across epochs: shuffling continues from the saved RNG', async () => {
    const rng = new Rng(4);
    const x = denseBatch(rng, Array.from({ length: 20 }, (_, k) => 1 + (k % 5)), 3);
    const y = x.map(() => rng.int(2));
    const opts = { ...dense, backend, optimizer: 'adam' } as const;
    const a = await SimpleRNN.create(opts);
    const ha = await a.fit(x, y, { epochs: 3, batchSize: 6, bucketByLength: true });
    const b = await SimpleRNN.create(opts);
    const hb1 = await b.fit(x, y, { epochs: 2, batchSize: 6, bucketByLength: true });
    const c = await SimpleRNN.load(b.save());
    const hb2 = await c.fit(x, y, { epochs: 1, batchSize: 6, bucketByLength: true });
    expect([...hb1.loss, ...hb2.loss]).toEqual(ha.loss);
    expect(c.getParams()).toEqual(a.getParams());
    [a, b, c].forEach((m) => m.dispose());
  });

  it('fitStream resumes exactly across epochs', async () => {
    const toks = Array.from({ length: 90 }, (_, k) => (k * 7 + (k >> 3)) % 5);
    const opts = { vocabSize: 5, hiddenSize: 6, outputSize: 5, returnSequences: true, backend, optimizer: 'adam' } as const;
    const a = await SimpleRNN.create(opts);
    const ha = await a.fitStream(toks, { seqLength: 7, batchSize: 3, epochs: 3 });
    const b = await SimpleRNN.create(opts);
    const hb = await b.fitStream(toks, { seqLength: 7, batchSize: 3, epochs: 2 });
    const c = await SimpleRNN.load(b.save());
    const hc = await c.fitStream(toks, { seqLength: 7, batchSize: 3, epochs: 1 });
    expect([...hb.loss, ...hc.loss]).toEqual(ha.loss);
    expect(c.save()).toEqual(a.save());
    [a, b, c].forEach((m) => m.dispose());
  });

  it('round-trips token models with embeddings, learned s0, metadata; save() keeps the loaded metadata', async () => {
    const m = await SimpleRNN.create({ vocabSize: 7, embeddingSize: 3, hiddenSize: 5, outputSize: 7, returnSequences: true, learnInitialState: true, backend, optimizer: 'momentum' });
    const x = tokenBatch(new Rng(2), [4, 3], 7);
    m.trainBatch(x, x.map((s) => s.map((t) => (t + 1) % 7)));
    const meta = { vocabulary: ['a', 'b', 'c', 'd', 'e', 'f', 'g'], note: 'ünïcödé' };
    const bytes = m.save(meta);
    const l = await SimpleRNN.load(bytes);
    expect(l.metadata).toEqual(meta);
    expect(l.config).toEqual(m.config);
    expect(l.training).toEqual(m.training);
    expect(l.predict(x)).toEqual(m.predict(x));
    expect(l.save()).toEqual(bytes);
    expect(bytes.subarray(0, 4)).toEqual(new TextEncoder().encode('SRNN'));
    m.dispose();
    l.dispose();
  });

  it('loads into the other backend: predictions agree within the core tolerance', async () => {
    const m = await SimpleRNN.create({ ...dense, backend });
    const { x, y } = batches(1)[0];
    m.trainBatch(x, y);
    const other = backend === 'wasm' ? 'js' : 'wasm';
    const l = await SimpleRNN.load(m.save(), { backend: other });
    expect(l.config.backend).toBe(other);
    expect(l.getParams()).toEqual(m.getParams());
    // f32 dot products of length H+I over <= 5 steps, and the wasm tanh approximation (<= 1e-6)
    expectClose((l.predict(x) as number[][]).flat(), (m.predict(x) as number[][]).flat(), { atol: 1e-5, rtol: 1e-4, label: 'predict' });
    m.dispose();
    l.dispose();
  });

  describe('rejects bad files with a clear error, and nothing half-loads', () => {
    const good = async () => {
      const m = await SimpleRNN.create({ ...dense, backend, optimizer: 'adam' });
      const { x, y } = batches(1)[0];
      m.trainBatch(x, y);
      const bytes = m.save({ v: 1 });
      m.dispose();
      return bytes;
    };

    it('truncated, at every kind of cut', async () => {
      const b = await good();
      for (const n of [0, 3, 40, 60, b.length - 100, b.length - 1]) {
        await expect(SimpleRNN.load(b.slice(0, n)), `cut at ${n}`).rejects.toThrow(/SimpleRNN\.load: bytes is truncated: \d+ bytes/);
      }
    });

    it('trailing bytes', async () => {
      const b = await good();
      const longer = new Uint8Array(b.length + 3);
      longer.set(b);
      await expect(SimpleRNN.load(longer)).rejects.toThrow(/has 3 trailing bytes/);
    });

    it('a flipped bit anywhere after the header fields fails the CRC-32', async () => {
      const b = await good();
      for (const at of [50, 100, Math.floor(b.length / 2), b.length - 5, b.length - 1]) {
        const c = b.slice();
        c[at] ^= 0x10;
        await expect(SimpleRNN.load(c), `byte ${at}`).rejects.toThrow(/bytes is corrupted: CRC-32 is 0x[0-9a-f]{8}; the file says 0x[0-9a-f]{8}/);
      }
    });

    it('wrong magic, wrong version', async () => {
      const b = await good();
      const m = b.slice();
      m[0] = 0x50;
      await expect(SimpleRNN.load(m)).rejects.toThrow(/is not a simple-rnn checkpoint: magic is 50 52 4e 4e/);
      const v = b.slice();
      new DataView(v.buffer).setUint32(4, 3, true);
      await expect(SimpleRNN.load(v)).rejects.toThrow(/has format version 3; this library reads versions 1 and 2/);
    });

    it('mismatched: a config whose sizes do not match the stored sections (checksum re-stamped)', async () => {
      const b = await good();
      await expect(SimpleRNN.load(editConfig(b, (j) => j.replace('"hiddenSize":6', '"hiddenSize":7')))).rejects.toThrow(
        /is mismatched: its config describes \d+ floats per section, the file holds \d+/,
      );
      await expect(SimpleRNN.load(editConfig(b, (j) => j.replace('"type":"adam"', '"type":"sgdx"')))).rejects.toThrow(
        /holds a config this library cannot build: .*optimizer/,
      );
      const sgd = editConfig(b, (j) => j.replace('"type":"adam"', '"type":"sgd"').replace(/,"beta1":[^}]*/, ''));
      await expect(SimpleRNN.load(sgd)).rejects.toThrow(/is mismatched: optimizer 'sgd' keeps 0 state sections, the file holds 2/);
      await expect(SimpleRNN.load(editConfig(b, (j) => j.replace('{"model"', '{"modelx"')))).rejects.toThrow(/without its "model" and "training"/);
      await expect(SimpleRNN.load(editConfig(b, (j) => j.slice(0, -1)))).rejects.toThrow(/unreadable config or metadata JSON/);
    });

    it('a failed load frees what it allocated (wasm memory does not grow across 50 rejected loads)', async () => {
      const bad = editConfig(await good(), (j) => j.replace('"hiddenSize":6', '"hiddenSize":7'));
      await expect(SimpleRNN.load(bad)).rejects.toThrow(/mismatched/);
      const probe = await SimpleRNN.create({ ...dense, backend });
      const be = (probe as unknown as { be: { memoryBytes(): number } }).be;
      const before = be.memoryBytes();
      for (let k = 0; k < 50; k++) await expect(SimpleRNN.load(bad)).rejects.toThrow(/mismatched/);
      expect(be.memoryBytes()).toBe(before);
      probe.dispose();
    });

    it('not bytes at all', async () => {
      await expect(SimpleRNN.load('SRNN' as never)).rejects.toThrow(/SimpleRNN\.load: bytes must be a Uint8Array/);
    });
  });
});

describe('float64 checkpoints (js precision float64)', () => {
  it('keep every bit, resume exactly, and refuse the wasm backend', async () => {
    const opts = { ...dense, backend: 'js', precision: 'float64', optimizer: 'rmsprop' } as const;
    const data = batches(4);
    const a = await SimpleRNN.create(opts);
    for (const { x, y } of data) a.trainBatch(x, y);
    const b = await SimpleRNN.create(opts);
    for (const { x, y } of data.slice(0, 2)) b.trainBatch(x, y);
    const bytes = b.save();
    expect(new DataView(bytes.buffer).getUint32(20, true)).toBe(8);
    const c = await SimpleRNN.load(bytes);
    expect(c.getParams().Ws).toBeInstanceOf(Float64Array);
    for (const { x, y } of data.slice(2)) c.trainBatch(x, y);
    expect(c.getParams()).toEqual(a.getParams());
    await expect(SimpleRNN.load(bytes, { backend: 'wasm' })).rejects.toThrow(/options\.backend = 'wasm' cannot hold a float64 checkpoint/);
    [a, b, c].forEach((m) => m.dispose());
  });
});

describe.each(BACKENDS)('the training step is a transaction on %s', (backend) => {
  /** save() with the skipped-steps counter and the CRC blanked: parameters, optimizer state, step count, RNG, config. */
  const state = (m: SimpleRNN) => {
    const b = m.save();
    b.fill(0, 44, 48);
    b.fill(0, b.length - 4);
    return b;
  };

  for (const mode of ['throw', 'skip'] as const) {
    it(`a non-finite loss (${mode}): weights, optimizer state, step count and RNG exactly as before`, async () => {
      const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 4, outputSize: 1, outputActivation: 'linear', backend, optimizer: 'adam', clipNorm: 1, onNonFinite: mode });
      const x = [[[0.5, -0.2], [0.1, 0.3]], [[1, 1]]];
      const y = [[0.5], [-0.5]];
      m.trainBatch(x, y);
      m.trainBatch(x, y);
      // bo = 3e38: the squared error overflows f32 (and so do the gradients)
      m.setParams({ bo: [3e38] });
      const before = state(m);
      if (mode === 'throw') {
        expect(() => m.trainBatch(x, y)).toThrow(NonFiniteError);
        expect(() => m.trainBatch(x, y)).toThrow(/SimpleRNN\.trainBatch: the loss \(Infinity\) is not finite; the step was not applied/);
      } else {
        expect(m.trainBatch(x, y)).toBeNaN();
        expect(m.skippedSteps).toBe(1);
      }
      expect(state(m)).toEqual(before);
      expect(m.stepCount).toBe(2);
      // and training goes on normally once the weights are sane again
      m.setParams({ bo: [0] });
      expect(Number.isFinite(m.trainBatch(x, y))).toBe(true);
      expect(m.stepCount).toBe(3);
      m.dispose();
    });
  }

  it('a non-finite gradient with a finite loss (per-call option overrides the model default)', async () => {
    // relu with a huge recurrent weight: s grows to f32 overflow on the way back, but the output weight is 0 so y = 0
    const m = await SimpleRNN.create({ inputSize: 1, hiddenSize: 4, outputSize: 1, outputActivation: 'linear', activation: 'relu', backend, optimizer: 'momentum' });
    const p = m.getParams();
    p.Ws.fill(1e30);
    m.setParams({ Ws: p.Ws, Wo: new Float32Array(4) });
    const x = [[[1], [1], [1]]];
    const y = [[1]];
    const before = state(m);
    expect(() => m.trainBatch(x, y)).toThrow(/is not finite; the step was not applied and the weights are unchanged/);
    expect(m.trainBatch(x, y, { onNonFinite: 'skip' })).toBeNaN();
    expect(state(m)).toEqual(before);
    m.dispose();
  });

  it('fit with onNonFinite: skip reports the skipped batches and keeps going', async () => {
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 4, outputSize: 1, outputActivation: 'linear', backend });
    m.setParams({ bo: [3e38] });
    const x = [[[0.5, -0.2]], [[1, 1]], [[0, 1]]];
    const y = [[0.5], [-0.5], [0]];
    const h = await m.fit(x, y, { epochs: 2, batchSize: 1, onNonFinite: 'skip' });
    expect(h.skippedBatches).toEqual([3, 3]);
    expect(h.loss[0]).toBeNaN();
    expect(m.stepCount).toBe(0);
    await expect(m.fit(x, y, { epochs: 1, onNonFinite: 'throw' })).rejects.toThrow(NonFiniteError);
    m.dispose();
  });
});
