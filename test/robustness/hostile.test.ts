// A hostile or careless caller, class by class: values that change between two reads (getters, Proxies, a shared
// array another thread writes), calls back into the library from a getter, updates that overflow float32, and
// checkpoints forged with a valid checksum. Every case must leave every model usable and unchanged, and nothing may
// write outside the memory its model owns (a second model's weights are compared bit for bit).
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { NonFiniteError, SimpleRNN, crc32 } from '../../src/index.js';
import { Rng } from '../../src/random.js';
import { BACKENDS, denseBatch, tokenBatch } from '../util.js';

const bits = (m: SimpleRNN) => Object.values(m.getParams()).map((a) => Array.from(new Uint8Array(a.buffer.slice(0))));
const memoryBytes = (m: SimpleRNN) => (m as unknown as { be: { memoryBytes(): number } }).be.memoryBytes();

/** An array whose element k reads `first[k]` the first time and `later` every time after. */
function flipping(first: number[], later: unknown): number[] {
  const seen = new Set<number>();
  return new Proxy(first, {
    get(t, key, r) {
      if (typeof key === 'string' && /^\d+$/.test(key)) {
        const k = Number(key);
        if (seen.has(k)) return later;
        seen.add(k);
      }
      return Reflect.get(t, key, r);
    },
  });
}

describe.each(BACKENDS)('values are read once, on %s', (backend) => {
  const models: SimpleRNN[] = [];
  afterEach(() => {
    for (const m of models.splice(0)) m.dispose();
  });
  const make = async (o: object) => {
    const m = await SimpleRNN.create({ hiddenSize: 6, backend, seed: 2, ...o } as never);
    models.push(m);
    return m;
  };

  it('a token id that turns out of range on a second read never reaches a kernel (predict, trainBatch, computeGradients)', async () => {
    const m = await make({ vocabSize: 7, outputSize: 3 });
    const other = await make({ vocabSize: 7, outputSize: 3 });
    const otherBits = bits(other);
    const clean = m.predict([[1, 2, 3]]);
    expect(m.predict([flipping([1, 2, 3], 1e6)])).toEqual(clean);
    const g1 = m.computeGradients([[1, 2, 3]], [1]);
    const g2 = m.computeGradients([flipping([1, 2, 3], -5)], flipping([1], 99));
    expect(g2.loss).toBe(g1.loss);
    expect(Array.from(g2.grads.Ws)).toEqual(Array.from(g1.grads.Ws));
    expect(Number.isFinite(m.trainBatch([flipping([1, 2, 3], 2 ** 31)], [1]))).toBe(true);
    expect(bits(other)).toEqual(otherBits);
  });

  it('a sequence getter that returns another sequence on its second read is read once', async () => {
    const m = await make({ inputSize: 2, outputSize: 3 });
    let reads = 0;
    const batch = [[[0.1, 0.2]]];
    const inputs = new Proxy(batch, {
      get(t, key, r) {
        if (key === '0') return reads++ === 0 ? [[0.1, 0.2]] : [[NaN, 1e39], [1, 1], [1, 1]];
        return Reflect.get(t, key, r);
      },
    });
    expect(m.predict(inputs)).toEqual(m.predict(batch));
    expect(reads).toBe(1);
  });

  it('step, generate prompts and setParams read each value once', async () => {
    const lm = await make({ vocabSize: 5, outputSize: 5, returnSequences: true });
    const s = lm.initialState();
    const r1 = lm.step(s, 2);
    const r2 = lm.step(flipping(Array.from(s), NaN), 2);
    expect(Array.from(r2.state)).toEqual(Array.from(r1.state));
    expect(lm.generate({ prompt: flipping([1, 2], 1e9), length: 4, temperature: 0 })).toEqual(lm.generate({ prompt: [1, 2], length: 4, temperature: 0 }));
    const bs = Array.from(lm.getParams().bs, (v) => v + 0.5);
    lm.setParams({ bs: flipping(bs.slice(), Infinity) });
    expect(Array.from(lm.getParams().bs)).toEqual(Array.from(Float32Array.from(bs)));
  });
});

describe('a shared array that another thread writes while the library reads it', () => {
  it('trainBatch and predict on a SharedArrayBuffer of token ids under concurrent writes never trap and never touch another model', async () => {
    const V = 7;
    const n = 64;
    const sab = new SharedArrayBuffer(4 * (n + 1));
    const ids = new Int32Array(sab, 4, n);
    for (let k = 0; k < n; k++) ids[k] = k % V;
    // the writer flips every id between valid and far out of range until told to stop (flag at index 0)
    const writer = new Worker(
      `const { workerData } = require('node:worker_threads');
       const a = new Int32Array(workerData, 0, ${n + 1});
       let v = 0;
       while (Atomics.load(a, 0) === 0) { v = (v + 1) | 0; for (let k = 1; k <= ${n}; k++) a[k] = (v & 1) ? (k % ${V}) : 1000000 + k; }`,
      { eval: true, workerData: sab },
    );
    const m = await SimpleRNN.create({ vocabSize: V, hiddenSize: 8, outputSize: 3, seed: 1 });
    const other = await SimpleRNN.create({ vocabSize: V, hiddenSize: 8, outputSize: 3, seed: 9 });
    const otherBits = bits(other);
    let refused = 0;
    let ran = 0;
    try {
      for (let k = 0; k < 300; k++) {
        try {
          if (k % 2) m.trainBatch([ids, ids.subarray(3, 40)], [1, 2]);
          else m.predict([ids]);
          ran++;
        } catch (e) {
          expect(e).toBeInstanceOf(RangeError);
          expect((e as Error).message).toMatch(/^SimpleRNN\.(trainBatch|predict): inputs\[\d\]\[\d+\] = \d+ is not a token id/);
          refused++;
        }
      }
    } finally {
      Atomics.store(new Int32Array(sab, 0, 1), 0, 1);
      await writer.terminate();
    }
    expect(ran + refused).toBe(300);
    expect(bits(other)).toEqual(otherBits);
    for (const v of Object.values(m.getParams())) expect(v.every(Number.isFinite)).toBe(true);
    m.dispose();
    other.dispose();
  });
});

describe.each(BACKENDS)('re-entrancy, on %s', (backend) => {
  it('dispose() from a getter during a call makes that call throw; the realm stays usable', async () => {
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 5, outputSize: 3, backend, seed: 1 });
    const inputs = [[[0.1, 0.2]]];
    Object.defineProperty(inputs, 0, { get: () => (m.dispose(), [[0.1, 0.2]]) });
    expect(() => m.trainBatch(inputs, [1])).toThrow(/SimpleRNN\.trainBatch: model was disposed/);
    const again = await SimpleRNN.create({ inputSize: 2, hiddenSize: 5, outputSize: 3, backend, seed: 1 });
    expect(again.predict([[[0.1, 0.2]]])[0]).toHaveLength(3);
    again.dispose();
  });

  it('a larger predict from a getter runs before the outer call touches memory: both results are right', async () => {
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 5, outputSize: 3, backend, seed: 1 });
    const big = denseBatch(new Rng(1), Array.from({ length: 50 }, () => 40), 2);
    const small = denseBatch(new Rng(2), [3, 1], 2);
    const expectedBig = m.predict(big);
    const expectedSmall = m.predict(small);
    let inner: unknown = null;
    const hostile = small.slice();
    Object.defineProperty(hostile, 1, { get: () => ((inner = m.predict(big)), small[1]) });
    expect(m.predict(hostile)).toEqual(expectedSmall);
    expect(inner).toEqual(expectedBig);
    m.dispose();
  });

  it('a trainBatch from a getter while trainBatch copies its inputs: the inner step, then the outer on its own inputs, as two plain calls', async () => {
    // the getter fires in the copy of the second sequence, after the first is in the model's reused input block:
    // the inner call must get a block of its own
    const opts = { inputSize: 2, hiddenSize: 5, outputSize: 3, backend, seed: 1, optimizer: 'adam' } as const;
    const m = await SimpleRNN.create(opts);
    const ref = await SimpleRNN.create(opts);
    const outer = denseBatch(new Rng(3), [4, 3], 2);
    const inner = denseBatch(new Rng(4), [4, 3], 2);
    expect(m.trainBatch(outer, [0, 1])).toBe(ref.trainBatch(outer, [0, 1])); // both have used their block once
    const lossInner = ref.trainBatch(inner, [2, 0]);
    const lossOuter = ref.trainBatch(outer, [0, 1]);
    let got = NaN;
    const seq = outer[1].slice();
    Object.defineProperty(seq, 0, { get: () => ((got = m.trainBatch(inner, [2, 0])), outer[1][0]) });
    expect(m.trainBatch([outer[0], seq], [0, 1])).toBe(lossOuter);
    expect(got).toBe(lossInner);
    expect(bits(m)).toEqual(bits(ref));
    m.dispose();
    ref.dispose();
  });

  it('a fit callback may call any method, dispose included (fit then stops with a clear error)', async () => {
    const m = await SimpleRNN.create({ vocabSize: 5, hiddenSize: 5, outputSize: 2, backend, seed: 1 });
    const x = tokenBatch(new Rng(3), [3, 4, 2, 5], 5);
    const y = [0, 1, 0, 1];
    await m.fit(x, y, { epochs: 1, batchSize: 2, callbacks: { onBatchEnd: () => void m.predict(x) } });
    await expect(m.fit(x, y, { epochs: 2, batchSize: 2, callbacks: { onBatchEnd: () => m.dispose() } })).rejects.toThrow(/model was disposed/);
  });
});

describe.each(BACKENDS)('the step transaction covers the update, on %s', (backend) => {
  it('hyper-parameters are checked as float32: 1e39 and an epsilon that rounds to 0 are refused by name', async () => {
    const base = { inputSize: 2, hiddenSize: 4, outputSize: 2, backend };
    await expect(SimpleRNN.create({ ...base, learningRate: 1e39 })).rejects.toThrow(/options\.learningRate = 1e\+39 is out of range as a float32 \(it rounds to Infinity\)/);
    await expect(SimpleRNN.create({ ...base, weightDecay: 1e39 })).rejects.toThrow(/options\.weightDecay = 1e\+39 is out of range as a float32/);
    await expect(SimpleRNN.create({ ...base, optimizer: { type: 'adam', epsilon: 1e-50 } })).rejects.toThrow(/options\.optimizer\.epsilon = 1e-50 is out of range as a float32 \(it rounds to 0\)/);
    await expect(SimpleRNN.create({ ...base, optimizer: { type: 'adam', beta2: 0.9999999999 } })).rejects.toThrow(/options\.optimizer\.beta2 = 0\.9999999999 is out of range as a float32 \(it rounds to 1\)/);
  });

  it('an update that overflows float32 with finite settings is rolled back completely, then thrown or skipped', async () => {
    for (const optimizer of ['sgd', 'momentum', 'adam', 'rmsprop', 'adagrad'] as const) {
      // finite float32 settings whose update overflows: g + weightDecay·p ~ 1e38, then lr·that (or its square in v)
      const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 4, outputSize: 2, backend, seed: 5, optimizer, learningRate: 10, weightDecay: 3e38 });
      const x = [[[1, -1], [0.5, 0.25]]];
      const before = bits(m);
      const saved = m.save();
      expect(() => m.trainBatch(x, [1]), optimizer).toThrow(NonFiniteError);
      expect(() => m.trainBatch(x, [1])).toThrow(/the update \(it would set/);
      expect(bits(m), optimizer).toEqual(before);
      expect(m.stepCount).toBe(0);
      expect(Array.from(m.save())).toEqual(Array.from(saved)); // optimizer state, step count and RNG too
      expect(m.trainBatch(x, [1], { onNonFinite: 'skip' })).toBeNaN();
      expect(m.skippedSteps).toBe(1);
      expect(bits(m)).toEqual(before);
      m.dispose();
    }
  });
});

describe('loads size everything before allocating', () => {
  /** A checkpoint with its config JSON replaced and its lengths and CRC made valid again. */
  function forge(bytes: Uint8Array, edit: (config: { model: Record<string, unknown>; training: Record<string, unknown> }) => void): Uint8Array {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const C = dv.getUint32(12, true);
    const M = dv.getUint32(16, true);
    const config = JSON.parse(new TextDecoder().decode(bytes.subarray(48, 48 + C)));
    edit(config);
    const json = new TextEncoder().encode(JSON.stringify(config));
    const head = bytes.slice(0, 48);
    const meta = bytes.subarray(48 + C, 48 + C + M);
    const oldAt = 48 + C + M + ((8 - ((48 + C + M) % 8)) % 8);
    const floats = bytes.subarray(oldAt, bytes.length - 4);
    const at = 48 + json.length + M;
    const pad = (8 - (at % 8)) % 8;
    const out = new Uint8Array(at + pad + floats.length + 4);
    out.set(head);
    out.set(json, 48);
    out.set(meta, 48 + json.length);
    out.set(floats, at + pad);
    const o = new DataView(out.buffer);
    o.setUint32(8, out.length, true);
    o.setUint32(12, json.length, true);
    o.setUint32(out.length - 4, crc32(out, 0, out.length - 4), true);
    return out;
  }

  it('a small file with a valid CRC that describes a 2 GB model is refused before anything is allocated', async () => {
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 4, outputSize: 2, seed: 1 });
    const bytes = m.save();
    const forged = forge(bytes, (c) => {
      c.model.hiddenSize = 20000;
    });
    expect(forged.length).toBeLessThan(2000);
    const mem = memoryBytes(m);
    await expect(SimpleRNN.load(forged)).rejects.toThrow(/SimpleRNN\.load: bytes is mismatched: its config describes \d+ floats per section, the file holds \d+/);
    expect(memoryBytes(m)).toBe(mem);
    m.dispose();
  });

  it('optimizer state is validated: a negative second moment or a non-finite value is refused', async () => {
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 4, outputSize: 2, seed: 1, optimizer: 'adam', backend: 'js' });
    m.trainBatch([[[1, 2]]], [1]);
    const bytes = m.save();
    const dv = new DataView(bytes.buffer);
    const P = dv.getUint32(24, true);
    const C = dv.getUint32(12, true);
    const M = dv.getUint32(16, true);
    const floatsAt = 48 + C + M + ((8 - ((48 + C + M) % 8)) % 8);
    const poke = (section: number, k: number, v: number) => {
      const b = bytes.slice();
      const d = new DataView(b.buffer);
      d.setFloat32(floatsAt + (section * P + k) * 4, v, true);
      d.setUint32(b.length - 4, crc32(b, 0, b.length - 4), true);
      return b;
    };
    await expect(SimpleRNN.load(poke(2, 3, -1))).rejects.toThrow(/has a negative optimizer state value \(section 2\) \(-1\) at float 3/);
    await expect(SimpleRNN.load(poke(1, 0, NaN))).rejects.toThrow(/has a non-finite optimizer state value \(section 1\)/);
    const ok = await SimpleRNN.load(poke(1, 0, -1)); // a first moment may be negative
    ok.dispose();
    m.dispose();
  });
});

describe('every error is the library\'s own', () => {
  it('generate with a huge length is a RangeError naming options.length', async () => {
    const lm = await SimpleRNN.create({ vocabSize: 5, hiddenSize: 4, outputSize: 5, returnSequences: true });
    expect(() => lm.generate({ prompt: [1], length: 2 ** 40 })).toThrow(/SimpleRNN\.generate: options\.length = 1099511627776 is out of range/);
    lm.dispose();
  });

  it('step applies the float32 range rule of predict', async () => {
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 4, outputSize: 2 });
    expect(() => m.step(m.initialState(), [1e39, 0])).toThrow(/SimpleRNN\.step: input\[0\] = 1e\+39 is not a finite number \(in float32\)/);
    expect(() => m.step([0, 0, 0, 3.5e38], [1, 0])).toThrow(/SimpleRNN\.step: state\[3\] = 3\.5e\+38 is not a finite number/);
    m.dispose();
  });
});

describe('early stopping restores the best epoch\'s training state', () => {
  it('restoreBestWeights puts back params, optimizer state and step count of the best epoch: training on is exact', async () => {
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 6, outputSize: 2, optimizer: 'adam', learningRate: 0.3, seed: 3 });
    const rng = new Rng(5);
    const x = denseBatch(rng, [3, 4, 2, 5, 3, 4], 2);
    const y = x.map(() => rng.int(2));
    const vx = denseBatch(rng, [3, 4], 2);
    const vy = [0, 1];
    const saved: Uint8Array[] = [];
    const h = await m.fit(x, y, {
      epochs: 12, batchSize: 3, validationData: [vx, vy], earlyStopping: { patience: 1, restoreBestWeights: true },
      callbacks: { onEpochEnd: () => void saved.push(m.save()) },
    });
    expect(h.bestEpoch!).toBeLessThan(h.epochs - 1); // the run went on past its best epoch: the restore changes state
    const best = await SimpleRNN.load(saved[h.bestEpoch!]);
    expect(m.getParams()).toEqual(best.getParams());
    expect(m.stepCount).toBe(best.stepCount);
    // the optimizer state too: the next step is the same on both
    expect(m.trainBatch(x, y)).toBe(best.trainBatch(x, y));
    expect(m.getParams()).toEqual(best.getParams());
    m.dispose();
    best.dispose();
  });
});
