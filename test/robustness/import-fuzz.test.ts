// Property-based robustness of the interop importers: a valid TF.js artifact (or Keras weight list) with one random
// field of its topology, weight specs or bytes replaced, deleted, truncated or bit-flipped must either import (a
// harmless change, e.g. `trainable`) or be rejected with a TypeError / RangeError from the importer itself
// ("SimpleRNN.fromTfjsLayers: …"), never a bare JS error from deep inside ("Cannot read properties of undefined").
// Hostile callers too: getters and Proxies anywhere in the JSON objects and arrays, whose values change after the
// first read, and weights in shared memory that another thread writes during the import. The importer reads each
// value once, so it imports exactly the model of the first reads; a bystander model stays usable and unchanged.
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { fromKerasWeights, fromTfjsLayers, toTfjsLayers, type TfjsArtifacts } from 'simple-rnn';
import { Rng, SimpleRNN } from 'simple-rnn';

const SEED = 20261129;
const tried = { topology: 0, weights: 0, keras: 0, imported: 0 };
afterAll(() => console.log(`import fuzz: ${tried.topology + tried.weights + tried.keras} cases tried (topology ${tried.topology}, weight specs/bytes ${tried.weights}, keras ${tried.keras}); ${tried.imported} imported as harmless`));

const JUNK: unknown[] = [null, undefined, 0, -1, 1.5, NaN, Infinity, 2 ** 40, '', 'x', 'tanh', 'softmax', true, false, {}, [], [null], { class_name: 'Dense' }];

/** Every [parent, key] inside v (objects and arrays), for a mutation to pick from. */
function slots(v: unknown, out: [Record<string | number, unknown>, string | number][] = []): typeof out {
  if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) {
      out.push([v as Record<string, unknown>, Array.isArray(v) ? Number(k) : k]);
      slots((v as Record<string, unknown>)[k], out);
    }
  }
  return out;
}

/**
 * A SharedArrayBuffer holding the floats of `src` now, copied value by value (4-byte loads): SharedArrayBuffer.slice
 * may copy shared memory byte by byte, so a float the writer rewrites meanwhile could arrive torn (half its old bytes,
 * half its new) and make a model no read of the original gives.
 */
function sharedCopy(src: Float32Array): SharedArrayBuffer {
  const out = new Float32Array(new SharedArrayBuffer(4 * src.length));
  for (let k = 0; k < src.length; k++) out[k] = src[k];
  return out.buffer as SharedArrayBuffer;
}

async function expectImporterError(p: Promise<SimpleRNN>, api: string): Promise<void> {
  let err: unknown = null;
  try {
    const m = await p;
    tried.imported++;
    expect(m.predict(m.config.vocabSize ? [[0]] : [[new Array<number>(m.config.inputSize).fill(0.1)]])).toHaveLength(1);
    m.dispose();
    return;
  } catch (e) {
    err = e;
  }
  expect(err instanceof TypeError || err instanceof RangeError, String(err)).toBe(true);
  expect((err as Error).message, String(err)).toMatch(new RegExp(`^SimpleRNN\\.${api}: `));
}

let base: TfjsArtifacts[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  const a = await SimpleRNN.create({ inputSize: 3, hiddenSize: 4, outputSize: 2, returnSequences: true, backend: 'js' });
  const b = await SimpleRNN.create({ vocabSize: 6, embeddingSize: 2, hiddenSize: 3, outputSize: 3, backend: 'js' });
  base = [toTfjsLayers(a, { maskValue: 0 }), toTfjsLayers(b, { maskZero: true })];
  a.dispose();
  b.dispose();
});

describe('fromTfjsLayers under mutation', () => {
  it('one topology field replaced or deleted: imports, or an importer TypeError / RangeError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(1), fc.nat(), fc.constantFrom(...JUNK), fc.boolean(), async (which, at, junk, del) => {
        tried.topology++;
        const art = structuredClone({ ...base[which], weightData: undefined });
        const s = slots(art.modelTopology);
        const [parent, key] = s[at % s.length];
        if (del && !Array.isArray(parent)) delete parent[key];
        else parent[key] = structuredClone(junk);
        await expectImporterError(fromTfjsLayers({ ...art, weightData: base[which].weightData }, undefined, { backend: 'js' }), 'fromTfjsLayers');
      }),
      { numRuns: 1500, seed: SEED },
    );
  });

  it('weight specs mutated, bytes truncated / extended / bit-flipped, wrong argument types', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(1), fc.integer({ min: 0, max: 5 }), fc.nat(), fc.constantFrom(...JUNK), async (which, kind, at, junk) => {
        tried.weights++;
        const b = base[which];
        const specs = structuredClone(b.weightSpecs!) as unknown as Record<string, unknown>[];
        let data: unknown = (b.weightData as ArrayBuffer).slice(0);
        let topology: unknown = b.modelTopology;
        const n = (data as ArrayBuffer).byteLength;
        switch (kind) {
          case 0: { // a spec field
            const s = slots(specs);
            const [parent, key] = s[at % s.length];
            parent[key] = structuredClone(junk);
            break;
          }
          case 1: // truncated or extended bytes
            data = at % 2 ? (data as ArrayBuffer).slice(0, at % n) : new Uint8Array(n + 1 + (at % 9)).buffer;
            break;
          case 2: { // a flipped bit anywhere (a float may become NaN / Infinity, or just a different weight)
            const u = new Uint8Array(data as ArrayBuffer);
            u[at % n] ^= 1 << (at % 8);
            break;
          }
          case 3: // the weight data of the wrong type
            data = junk ?? 'bytes';
            break;
          case 4: // the whole topology replaced, or a JSON string that does not parse
            topology = at % 2 ? junk : '{"class_name": "Sequential", "config": {';
            break;
          case 5: // a spec removed or duplicated
            if (at % 2) specs.splice(at % specs.length, 1);
            else specs.push(structuredClone(specs[at % specs.length]));
            break;
        }
        await expectImporterError(fromTfjsLayers({ modelTopology: topology, weightSpecs: specs as never, weightData: data as ArrayBuffer }, undefined, { backend: 'js' }), 'fromTfjsLayers');
      }),
      { numRuns: 1500, seed: SEED },
    );
    for (const bad of [null, undefined, 3, 'not json', [], {}]) {
      tried.weights++;
      await expectImporterError(fromTfjsLayers(bad as never), 'fromTfjsLayers');
    }
  });
});

describe('fromKerasWeights under mutation', () => {
  it('one array element, row or array replaced: imports, or an importer TypeError / RangeError', async () => {
    const weights = [
      [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], // kernel (3, 2)
      [[1, 0], [0, 1]], // recurrent (2, 2)
      [0, 0.1], // bias
      [[0.5, -0.5, 0.1], [0.2, 0.3, 0.4]], // dense kernel (2, 3)
      [0, 0, 0], // dense bias
    ];
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.constantFrom(...JUNK), fc.constantFrom(...JUNK), async (at, junk, opt) => {
        tried.keras++;
        const w = structuredClone(weights) as unknown[];
        const s = slots(w);
        const [parent, key] = s[at % s.length];
        parent[key] = structuredClone(junk);
        const options = at % 3 === 0 ? { outputActivation: 'softmax', backend: 'js', [['embedding', 'useBias', 'activation', 'returnSequences'][at % 4]]: opt } : { backend: 'js' };
        await expectImporterError(fromKerasWeights(w as never, options as never), 'fromKerasWeights');
      }),
      { numRuns: 1500, seed: SEED },
    );
  });
});

// ---- hostile values ----

const bits = (m: SimpleRNN) => Object.values(m.getParams()).map((a) => Array.from(new Uint8Array(a.buffer.slice(0))));
const memoryBytes = (m: SimpleRNN) => (m as unknown as { be: { memoryBytes(): number } }).be.memoryBytes();

/** What a value reads as after its first read: something that breaks the import (or changes the model) if used. */
const junkFor = (x: unknown): unknown =>
  typeof x === 'number' ? NaN : typeof x === 'string' ? 'LSTM' : typeof x === 'boolean' ? !x : Array.isArray(x) ? [[NaN]] : x === null ? { class_name: 'Dense' } : null;

/**
 * A copy of a JSON value in which each object and array is, at random, plain, a Proxy, or a copy whose every key is
 * a getter; a Proxy or getter counts the reads of each key (into `reads`, by path) and gives junk after the first.
 */
function hostile(v: unknown, rng: Rng, reads: Map<string, number>, path = '$'): unknown {
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return v;
  const src = v as Record<string, unknown>;
  const copy: Record<string, unknown> = Array.isArray(v) ? (new Array(v.length) as never) : {};
  for (const k of Object.keys(src)) copy[k] = hostile(src[k], rng, reads, `${path}.${k}`);
  const read = (k: string): unknown => {
    const n = (reads.get(`${path}.${k}`) ?? 0) + 1;
    reads.set(`${path}.${k}`, n);
    return n > 1 ? junkFor(copy[k]) : copy[k];
  };
  const mode = rng.int(3);
  if (mode === 0) return copy;
  if (mode === 1) {
    return new Proxy(copy, { get: (t, k, r) => (typeof k === 'string' && Object.hasOwn(t, k) ? read(k) : Reflect.get(t, k, r)) });
  }
  const out: Record<string, unknown> = Array.isArray(v) ? (new Array(v.length) as never) : {};
  for (const k of Object.keys(copy)) Object.defineProperty(out, k, { enumerable: true, configurable: true, get: () => read(k) });
  return out;
}

const twiceRead = (reads: Map<string, number>) => [...reads].filter(([, n]) => n > 1).map(([k, n]) => `${k} x${n}`);

describe('hostile values: getters, Proxies and shared arrays', () => {
  let bystander: SimpleRNN;
  let before: { bits: number[][]; memory: number };
  beforeAll(async () => {
    bystander = await SimpleRNN.create({ inputSize: 3, hiddenSize: 5, outputSize: 2, seed: 4 }); // wasm: the shared memory
    before = { bits: bits(bystander), memory: memoryBytes(bystander) };
  });
  afterAll(() => {
    expect(bits(bystander)).toEqual(before.bits);
    expect(memoryBytes(bystander)).toBe(before.memory); // the imports run on js; no refusal touched the wasm memory
    expect(bystander.predict([[[0.1, 0.2, 0.3]]])).toHaveLength(1);
    bystander.dispose();
  });

  it('TF.js artifacts behind getters and Proxies: each value is read once, and the import is the plain one\'s', async () => {
    const clean = await Promise.all(base.map((b) => fromTfjsLayers(b, undefined, { backend: 'js' })));
    const want = clean.map((m) => m.getParams());
    for (const m of clean) m.dispose();
    await fc.assert(
      fc.asyncProperty(fc.nat(1), fc.nat(), fc.boolean(), async (which, seed, manifest) => {
        const b = base[which];
        const plain = manifest
          ? { modelTopology: b.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: b.weightSpecs }] }
          : { modelTopology: b.modelTopology, weightSpecs: b.weightSpecs };
        const reads = new Map<string, number>();
        const art = hostile(structuredClone(plain), new Rng(seed), reads) as TfjsArtifacts;
        const m = await fromTfjsLayers(art, b.weightData, { backend: 'js' });
        try {
          expect(twiceRead(reads)).toEqual([]);
          expect(m.getParams()).toEqual(want[which]);
        } finally {
          m.dispose();
        }
      }),
      { numRuns: 300, seed: SEED },
    );
  });

  it('Keras weights behind getters and Proxies: each value is read once, and the import is the plain one\'s; a Proxy of a typed array is refused', async () => {
    const weights = [[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], [[1, 0], [0, 1]], [0, 0.1], [[0.5, -0.5, 0.1], [0.2, 0.3, 0.4]], [0, 0, 0]];
    const clean = await fromKerasWeights(weights, { backend: 'js' });
    const want = clean.getParams();
    clean.dispose();
    await fc.assert(
      fc.asyncProperty(fc.nat(), async (seed) => {
        const reads = new Map<string, number>();
        const m = await fromKerasWeights(hostile(structuredClone(weights), new Rng(seed), reads) as never, { backend: 'js' });
        try {
          expect(twiceRead(reads)).toEqual([]);
          expect(m.getParams()).toEqual(want);
        } finally {
          m.dispose();
        }
      }),
      { numRuns: 300, seed: SEED },
    );
    const proxied = [...weights.slice(0, 2), new Proxy(new Float32Array([0, 0.1]), {}), ...weights.slice(3)];
    await expect(fromKerasWeights(proxied as never, { backend: 'js' })).rejects.toThrow(/^SimpleRNN\.fromKerasWeights: weights\[2\] \(bias\) must be a nested number array or a Float32Array; got an object/);
  });

  it('weights in a SharedArrayBuffer that another thread writes during the import: each value is read once', async () => {
    // the writer flips three floats (in the kernel, the recurrent kernel, the dense kernel) between their values and
    // NaN until told to stop (the flag is the first int): an import reads each either way, and is refused for a NaN
    const a = base[0];
    const floats = new Float32Array(a.weightData as ArrayBuffer);
    const n = floats.length;
    const sab = new SharedArrayBuffer(4 * (n + 1));
    const shared = new Float32Array(sab, 4, n);
    shared.set(floats);
    const writer = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const flag = new Int32Array(workerData.sab, 0, 1);
       const f = new Float32Array(workerData.sab, 4, workerData.values.length);
       parentPort.postMessage('writing');
       while (Atomics.load(flag, 0) === 0) for (const k of workerData.flip) f[k] = Number.isNaN(f[k]) ? workerData.values[k] : NaN;`,
      { eval: true, workerData: { sab, values: floats, flip: [1, 12 + 5, n - 3] } },
    );
    const clean = await fromTfjsLayers(a, undefined, { backend: 'js' });
    const want = clean.getParams();
    clean.dispose();
    await new Promise((resolve) => writer.once('message', resolve));
    const H = 4;
    const I = 3;
    const O = 2;
    let imported = 0;
    let refused = 0;
    try {
      for (let r = 0; r < 60; r++) {
        const keras = [shared.subarray(0, I * H), shared.subarray(I * H, I * H + H * H), shared.subarray(I * H + H * H, I * H + H * H + H), shared.subarray(n - H * O - O, n - O), shared.subarray(n - O)];
        const tries: [string, Promise<SimpleRNN>][] = [
          ['fromTfjsLayers', fromTfjsLayers(a, shared, { backend: 'js' })], // a Float32Array view of the shared bytes
          ['fromTfjsLayers', fromTfjsLayers(a, new Uint8Array(sab, 4, 4 * n), { backend: 'js' })],
          ['fromTfjsLayers', fromTfjsLayers({ ...a, weightData: undefined }, [sharedCopy(shared) as never], { backend: 'js' })], // a SharedArrayBuffer itself
          ['fromKerasWeights', fromKerasWeights(keras, { backend: 'js' })],
        ];
        // every promise gets its handler now: one that is refused while an earlier one is awaited is not unhandled
        const settled = tries.map(([api, p]) => [api, p.then((m) => ({ m }), (e: unknown) => ({ e }))] as const);
        for (const [api, p] of settled) {
          try {
            const r = await p;
            if ('e' in r) throw r.e;
            const m = r.m;
            imported++;
            // every float was read once: checked and kept are the same read, so the model is the plain one
            expect(m.getParams(), api).toEqual(want);
            expect(m.predict([[[0.1, 0.2, 0.3]]]), api).toHaveLength(1);
            m.dispose();
          } catch (e) {
            if (!(e instanceof RangeError) || !new RegExp(`^SimpleRNN\\.${api}: (weight '.*'|weights\\[\\d\\] \\(.*\\))\\[\\d+\\] = NaN is not finite in float32$`).test(e.message)) throw e;
            refused++;
          }
        }
      }
    } finally {
      Atomics.store(new Int32Array(sab, 0, 1), 0, 1);
      await writer.terminate();
    }
    expect(imported + refused).toBe(240);
    expect(refused).toBeGreaterThan(0); // the writer did run during the imports
    expect(imported).toBeGreaterThan(0);
  });
});
