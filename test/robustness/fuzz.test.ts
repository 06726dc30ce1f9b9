// Property-based robustness: thousands of malformed and extreme inputs thrown at create / setParams / getParams /
// predict / computeGradients / trainBatch on both backends. Each bad case has exactly one defect, planted in an
// otherwise valid call, so the test knows the error class and the field path the message must start with.
// After every rejected call the parameters are bit-identical and predict gives the same bits as before.
// Float hyper-parameters around the float32 limits go to create, fit, fitStream, load and generate: each is accepted
// exactly when it is in range as given and as float32, and training on what is accepted never traps.
// (Hostile callers, who change a value between two reads or call back into the model: hostile-fuzz.test.ts.)
// fast-check runs with a fixed seed (reproducible); the number of cases tried is printed at the end.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SimpleRNN, NonFiniteError, crc32, type SimpleRNNOptions } from 'simple-rnn';
import { Rng } from 'simple-rnn';
import { wasmBackend } from '../../src/backends/wasm.js';
import { BACKENDS, denseBatch, tokenBatch } from '../util.js';

const SEED = 20261129;
const RUNS = { create: 600, setParams: 800, inputs: 1500, extremes: 300, hyper: 400, hyperFit: 120 };
const tried: Record<string, number> = {
  create: 0, setParams: 0, predict: 0, computeGradients: 0, trainBatch: 0, extremes: 0, sizes: 0,
  'hyper-parameters on create': 0, 'on fit': 0, 'on fitStream': 0, 'on load': 0, 'temperatures on generate': 0,
};
/** Of the hyper-parameter cases: refused by name, accepted, and training steps on accepted values rolled back. */
const hyper = { refused: 0, accepted: 0, rolledBack: 0 };
afterAll(() => {
  const total = Object.values(tried).reduce((a, b) => a + b, 0);
  console.log(`robustness: ${total} cases tried (${Object.entries(tried).map(([k, v]) => `${k} ${v}`).join(', ')}); `
    + `hyper-parameters: ${hyper.refused} refused, ${hyper.accepted} accepted, ${hyper.rolledBack} steps on them rolled back`);
});

type ErrClass = typeof TypeError | typeof RangeError | typeof Error;

/** Runs f, which must throw cls with a message that starts with `SimpleRNN.<api>: <path>` (then a space or the end). */
function expectFieldError(f: () => unknown, cls: ErrClass, api: string, path: string): void {
  let err: unknown = null;
  try {
    f();
  } catch (e) {
    err = e;
  }
  const what = `${api} ${path}`;
  expect(err, `${what}: did not throw`).not.toBeNull();
  expect(err instanceof WebAssembly.RuntimeError, `${what}: a wasm trap reached the caller: ${String(err)}`).toBe(false);
  expect((err as Error).constructor, `${what}: ${String(err)}`).toBe(cls);
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  expect((err as Error).message).toMatch(new RegExp(`^SimpleRNN\\.${api}: ${escaped}( |$)`));
}

/** Bit pattern of every parameter (Object.is-equal floats, including NaN payloads and -0). */
function snapshot(m: SimpleRNN): Uint8Array[] {
  return Object.values(m.getParams()).map((a) => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));
}

function expectUnchanged(m: SimpleRNN, params: Uint8Array[], probe: unknown, predicted: string): void {
  const now = snapshot(m);
  expect(now.length).toBe(params.length);
  for (let k = 0; k < now.length; k++) expect(Buffer.compare(now[k], params[k]), `param ${k} changed`).toBe(0);
  expect(JSON.stringify(m.predict(probe as never))).toBe(predicted);
}

// ---- values ----

const WRONG_TYPES: unknown[] = [null, undefined, 'abc', '1', true, {}, () => 1, Symbol('s'), 10n];
const NON_FINITE = [NaN, Infinity, -Infinity, 1e39, -3.5e38, Number.MAX_VALUE];

// ---- create ----

const badSize = fc.constantFrom<unknown>(0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 60, 1e300, ...WRONG_TYPES, [], [4]);
const okSize = fc.integer({ min: 1, max: 6 });

describe('SimpleRNN.create', () => {
  it('bad options are TypeError / RangeError naming options or options.<field>; valid ones give a model', async () => {
    const fields = ['inputSize', 'vocabSize', 'hiddenSize', 'outputSize', 'embeddingSize', 'activation', 'outputActivation',
      'returnSequences', 'learnInitialState', 'backend', 'precision', 'seed', 'learningRate', 'freezeEmbeddings'] as const;
    const anyValue = fc.oneof(
      okSize.map((v) => v as unknown), badSize,
      fc.constantFrom<unknown>('tanh', 'relu', 'softmax', 'linear', 'sigmoid', 'gelu', 'wasm', 'js', 'gpu', 'float32', 'float64', true, false, 0.01, -0.5),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom(...fields), anyValue, { maxKeys: 7 }),
        fc.constantFrom('inputSize', 'vocabSize'), okSize, okSize, fc.integer({ min: 2, max: 6 }), fc.constantFrom(...BACKENDS),
        async (extra, kind, n, H, O, backend) => {
          tried.create++;
          const opts = { [kind]: n, hiddenSize: H, outputSize: O, backend, ...extra } as SimpleRNNOptions;
          let m: SimpleRNN | null = null;
          try {
            m = await SimpleRNN.create(opts);
          } catch (e) {
            expect(e instanceof TypeError || e instanceof RangeError, String(e)).toBe(true);
            expect((e as Error).message).toMatch(/^SimpleRNN\.create: options(\.[a-zA-Z]+)?( |$)/);
            const f = /^SimpleRNN\.create: options\.([a-zA-Z]+)/.exec((e as Error).message)?.[1];
            if (f) expect(Object.keys(opts)).toContain(f);
            return;
          }
          // accepted: the config is what was asked for, and the model works
          for (const f of ['inputSize', 'vocabSize', 'hiddenSize', 'outputSize'] as const) if (opts[f] !== undefined) expect(m.config[f]).toBe(opts[f]);
          const x = m.config.vocabSize ? [[0]] : [[new Array<number>(m.config.inputSize).fill(0.5)]];
          expect(m.predict(x)).toHaveLength(1);
          m.dispose();
        },
      ),
      { numRuns: RUNS.create, seed: SEED },
    );
  });

  it.each(BACKENDS)('sizes that cannot be allocated are a RangeError up front, not a crash or a hang (%s)', async (backend) => {
    const cases: [Partial<SimpleRNNOptions>, RegExp][] = [
      [{ inputSize: 1, hiddenSize: 60000, outputSize: 2 }, /options describe a model of \d+ parameters .*limit is 2147483648/],
      [{ inputSize: 1 << 20, hiddenSize: 1 << 16, outputSize: 2 }, /limit is/],
      [{ inputSize: 1, hiddenSize: 1 << 16, outputSize: 1 << 24 }, /limit is/],
      [{ vocabSize: 1 << 24, hiddenSize: 1 << 10, outputSize: 2 }, /limit is/],
      [{ vocabSize: 1 << 24, embeddingSize: 1 << 16, hiddenSize: 4, outputSize: 2 }, /limit is/],
      [{ inputSize: 1, hiddenSize: 1 << 17, outputSize: 2 }, /options\.hiddenSize = 131072 is out of range/],
      [{ inputSize: 1, hiddenSize: 4, outputSize: 2 ** 25 }, /options\.outputSize = 33554432 is out of range/],
    ];
    if (backend === 'wasm') {
      // under the 2 GiB model limit, over the wasm allocator's 1 GiB block: the allocator would trap
      cases.push([{ inputSize: 1 << 20, hiddenSize: 100, outputSize: 2 }, /options describe a model of 104868004 parameters .*cannot allocate.*largest block is 1 GiB/]);
    }
    for (const [o, re] of cases) {
      tried.sizes++;
      const wasmBefore = (await wasmBackend()).memoryBytes();
      const abBefore = process.memoryUsage().arrayBuffers;
      const err = await SimpleRNN.create({ ...o, backend } as SimpleRNNOptions).then(() => null, (e: unknown) => e);
      expect(err, JSON.stringify(o)).toBeInstanceOf(RangeError);
      expect((err as Error).message).toMatch(/^SimpleRNN\.create: options/);
      expect((err as Error).message).toMatch(re);
      // refused before allocating: wasm memory did not grow, no large ArrayBuffer is alive
      expect((await wasmBackend()).memoryBytes()).toBe(wasmBefore);
      expect(process.memoryUsage().arrayBuffers - abBefore).toBeLessThan(64 * 2 ** 20);
    }
    // a batch whose activations need more than 2 GiB: refused before any allocation, and the model still works
    const m = await SimpleRNN.create({ inputSize: 1, hiddenSize: 4, outputSize: 1 << 18, returnSequences: true, backend });
    const params = snapshot(m);
    const long = [Array.from({ length: 2400 }, () => [0.5])];
    for (const api of ['predict', 'computeGradients', 'trainBatch'] as const) {
      tried.sizes++;
      const targets = [long[0].map(() => 7)];
      expectFieldError(() => (api === 'predict' ? m.predict(long) : m[api](long, targets)), RangeError, api, 'inputs (a batch of B=1 sequences x T=2400 steps)');
    }
    if (backend === 'wasm') {
      // ~1.5 GiB of activations: under the 2 GiB limit, over the wasm allocator's 1 GiB block; refused, not a trap
      const mid = [Array.from({ length: 480 }, () => [0.5])];
      tried.sizes++;
      expectFieldError(() => m.predict(mid), RangeError, 'predict', 'inputs (a batch of B=1 sequences x T=480 steps)');
      expect(() => m.predict(mid)).toThrow(/cannot allocate.*largest block is 1 GiB/);
    }
    const now = snapshot(m);
    for (let k = 0; k < now.length; k++) expect(Buffer.compare(now[k], params[k])).toBe(0);
    expect((m.predict([[[0.5]]]) as number[][][])[0][0]).toHaveLength(1 << 18);
    m.dispose();
  });
});

describe.each(BACKENDS)('training calls without targets (%s)', (backend) => {
  it('computeGradients(inputs) / trainBatch(inputs) are a TypeError naming targets, not a run on stale target rows', async () => {
    const m = await SimpleRNN.create({ vocabSize: 5, hiddenSize: 4, outputSize: 3, backend });
    const params = snapshot(m);
    const predicted = JSON.stringify(m.predict([[1, 2]]));
    m.computeGradients([[1, 2, 3]], [2]); // leaves target rows in the workspace
    for (const api of ['computeGradients', 'trainBatch'] as const) {
      tried[api]++;
      expectFieldError(() => (m[api] as (x: unknown) => unknown)([[1, 2]]), TypeError, api, 'targets');
    }
    expectUnchanged(m, params, [[1, 2]], predicted);
    m.dispose();
  });
});

describe.each(BACKENDS)('wrong top-level arguments and absurd batch sizes (%s)', (backend) => {
  it('create(non-object) names options; a batch claiming 2^32-1 sequences is refused before allocating', async () => {
    for (const bad of [undefined, null, 5, 'x', true]) {
      tried.create++;
      const err = await SimpleRNN.create(bad as never).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toMatch(/^SimpleRNN\.create: options must be/);
    }
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 3, outputSize: 2, backend });
    const params = snapshot(m);
    const predicted = JSON.stringify(m.predict([[[1, 2]]]));
    for (const n of [2 ** 32 - 1, 2 ** 26 + 1]) {
      const sparse: unknown[] = [];
      sparse.length = n;
      for (const api of ['predict', 'computeGradients', 'trainBatch'] as const) {
        tried.sizes++;
        expectFieldError(() => (api === 'predict' ? m.predict(sparse as never) : m[api](sparse as never, [0] as never)), RangeError, api, 'inputs');
      }
    }
    expectUnchanged(m, params, [[[1, 2]]], predicted);
    m.dispose();
  });
});

// ---- models under test ----

interface Subject {
  name: string;
  opts: SimpleRNNOptions;
  /** A valid batch and targets of the given lengths. */
  batch(rng: Rng, lengths: number[]): { inputs: unknown[]; targets: unknown[] };
}

const I = 3;
const SUBJECTS: Subject[] = [
  {
    name: 'dense, softmax',
    opts: { inputSize: I, hiddenSize: 5, outputSize: 3 },
    batch: (rng, lengths) => ({ inputs: denseBatch(rng, lengths, I), targets: lengths.map(() => rng.int(3)) }),
  },
  {
    name: 'dense, linear, returnSequences, learnInitialState',
    opts: { inputSize: I, hiddenSize: 6, outputSize: 2, outputActivation: 'linear', returnSequences: true, learnInitialState: true },
    batch: (rng, lengths) => ({
      inputs: denseBatch(rng, lengths, I),
      targets: lengths.map((T) => Array.from({ length: T }, () => [rng.uniform(), rng.uniform() - 2])),
    }),
  },
  {
    name: 'tokens, sigmoid, returnSequences',
    opts: { vocabSize: 7, hiddenSize: 4, outputSize: 3, outputActivation: 'sigmoid', returnSequences: true },
    batch: (rng, lengths) => ({
      inputs: tokenBatch(rng, lengths, 7),
      targets: lengths.map((T) => Array.from({ length: T }, () => [rng.uniform(), 1, 0])),
    }),
  },
  {
    name: 'tokens with an embedding layer, softmax',
    opts: { vocabSize: 9, embeddingSize: 3, hiddenSize: 5, outputSize: 4 },
    batch: (rng, lengths) => ({ inputs: tokenBatch(rng, lengths, 9), targets: lengths.map(() => rng.int(4)) }),
  },
];

/** One planted defect: where it goes and what the call must answer. */
interface Defect {
  inputs: unknown;
  targets: unknown;
  cls: ErrClass;
  path: string;
  /** true when the defect is in the targets (predict, which takes none, is not called). */
  inTargets: boolean;
}

const clone = <T>(v: T): T => (Array.isArray(v) ? (v.map(clone) as T) : ArrayBuffer.isView(v) ? ((v as unknown as Float32Array).slice() as T) : v);

/** Plants defect number `kind` at positions chosen by `pick` into a valid (inputs, targets). */
function plant(s: Subject, inputs0: unknown[], targets0: unknown[], kind: number, pick: number[], bad: unknown): Defect | null {
  const inputs = clone(inputs0) as unknown[];
  const targets = clone(targets0) as unknown[];
  const c = s.opts;
  const tokens = c.vocabSize !== undefined;
  const B = inputs.length;
  const b = pick[0] % B;
  const seq = inputs[b] as unknown[];
  const t = pick[1] % seq.length;
  const k = pick[2] % I;
  const isType = (v: unknown) => typeof v !== 'number';
  const d = (cls: ErrClass, path: string, inTargets = false): Defect => ({ inputs, targets, cls, path, inTargets });
  switch (kind) {
    case 0: // the whole batch is not an array
      return Array.isArray(bad) ? null : d(TypeError, 'inputs');
    case 1: // empty batch
      return d(RangeError, 'inputs');
    case 2: // empty sequence
      inputs[b] = [];
      return d(RangeError, `inputs[${b}]`);
    case 3: // a sequence of the wrong type
      if (Array.isArray(bad) || (!tokens && ArrayBuffer.isView(bad))) return null;
      inputs[b] = bad;
      return d(TypeError, `inputs[${b}]`);
    case 4: // a step of the wrong type (dense) / an id of the wrong type (tokens)
      if ((Array.isArray(bad) || ArrayBuffer.isView(bad) || !isType(bad)) && !tokens) return null;
      seq[t] = bad;
      if (tokens && typeof bad === 'number') return Number.isInteger(bad) && bad >= 0 && bad < c.vocabSize! ? null : d(RangeError, `inputs[${b}][${t}]`);
      return d(TypeError, `inputs[${b}][${t}]`);
    case 5: // ragged inner dimension: a step of the wrong width (dense); an out-of-range id (tokens)
      if (tokens) {
        seq[t] = [-1, c.vocabSize!, 1.5, 2 ** 31, -0.5, 1e20][pick[3] % 6];
        return d(RangeError, `inputs[${b}][${t}]`);
      }
      seq[t] = new Array<number>([0, I - 1, I + 1, 2 * I][pick[3] % 4]).fill(0.25);
      return d(RangeError, `inputs[${b}][${t}]`);
    case 6: // a non-finite or float32-overflowing element (dense); a Float32Array sequence (tokens)
      if (tokens) {
        inputs[b] = new Float32Array(seq as number[]);
        return d(TypeError, `inputs[${b}]`);
      }
      (seq[t] as number[])[k] = NON_FINITE[pick[3] % NON_FINITE.length];
      return d(RangeError, `inputs[${b}][${t}][${k}]`);
    case 7: // an element of the wrong type, or a hole (dense); a hole in a token sequence
      if (tokens) {
        delete seq[t];
        return d(TypeError, `inputs[${b}][${t}]`);
      }
      if (!isType(bad)) return null;
      if (bad === undefined && pick[3] % 2) delete (seq[t] as number[])[k];
      else (seq[t] as unknown[])[k] = bad;
      return d(TypeError, `inputs[${b}][${t}][${k}]`);
    case 8: { // a flat typed-array sequence (dense): wrong length, or NaN inside
      if (tokens) return null;
      const flat = Float64Array.from((seq as number[][]).flat());
      if (pick[3] % 2) {
        inputs[b] = flat.subarray(0, flat.length - 1 - (pick[4] % (I - 1)));
        return d(RangeError, `inputs[${b}]`);
      }
      flat[t * I + k] = NaN;
      inputs[b] = flat;
      return d(RangeError, `inputs[${b}][${t}][${k}]`);
    }
    // ---- targets ----
    case 9: // not an array
      return Array.isArray(bad) ? null : d(TypeError, 'targets', true);
    case 10: // the wrong count
      if (pick[3] % 2) targets.push(clone(targets[0]));
      else targets.pop();
      return d(RangeError, 'targets', true);
    case 11: { // a bad target value, per sequence or per step
      const rs = c.returnSequences;
      const softmax = (c.outputActivation ?? 'softmax') === 'softmax';
      const O = c.outputSize;
      const path = rs ? `targets[${b}][${t}]` : `targets[${b}]`;
      const set = (v: unknown) => (rs ? ((targets[b] as unknown[])[t] = v) : (targets[b] = v));
      if (softmax) {
        const vs = [-1, O, 1.5, NaN, Infinity, ...WRONG_TYPES, [0]];
        const v = vs[pick[3] % vs.length];
        set(v);
        return d(typeof v === 'number' ? RangeError : TypeError, path, true);
      }
      const mode = pick[3] % 4;
      if (mode === 0) {
        set(new Array<number>(O + 1).fill(0.5));
        return d(RangeError, path, true);
      }
      if (mode === 1 && !isType(bad)) return null;
      const vec = rs ? ((targets[b] as unknown[])[t] as unknown[]) : (targets[b] as unknown[]);
      const o = pick[4] % O;
      if (mode === 1) vec[o] = bad;
      else if (mode === 2) vec[o] = NON_FINITE[pick[4] % NON_FINITE.length];
      else {
        if (c.outputActivation !== 'sigmoid') return null;
        vec[o] = [1.5, -0.1, 2][pick[4] % 3];
      }
      return d(mode === 1 ? TypeError : RangeError, `${path}[${o}]`, true);
    }
    case 12: { // returnSequences: a sequence of targets of the wrong length or type
      if (!c.returnSequences) return null;
      if (pick[3] % 2) {
        (targets[b] as unknown[]).push(clone((targets[b] as unknown[])[0]));
        return d(RangeError, `targets[${b}]`, true);
      }
      if (Array.isArray(bad) || ArrayBuffer.isView(bad)) return null;
      targets[b] = bad;
      return d(TypeError, `targets[${b}]`, true);
    }
  }
  return null;
}

const KINDS = 13;

describe.each(BACKENDS)('malformed calls on %s', (backend) => {
  describe.each(SUBJECTS)('$name', (s) => {
    it('predict / computeGradients / trainBatch: one planted defect → its error class and field path; nothing changes', async () => {
      const m = await SimpleRNN.create({ ...s.opts, backend, seed: 3 });
      const probe = s.batch(new Rng(1), [3, 1, 2]).inputs;
      const predicted = JSON.stringify(m.predict(probe as never));
      const params = snapshot(m);
      const badValue = fc.constantFrom<unknown>(...WRONG_TYPES, 0, -1, 7, 1.5, [], [1, 2], new Float32Array(2), { length: 2 });
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }), fc.nat(), fc.integer({ min: 0, max: KINDS - 1 }),
          fc.array(fc.nat(), { minLength: 5, maxLength: 5 }), badValue,
          (lengths, seed, kind, pick, bad) => {
            const { inputs, targets } = s.batch(new Rng(seed), lengths);
            let defect = plant(s, inputs, targets, kind, pick, bad);
            if (defect && kind === 0) defect = { ...defect, inputs: bad };
            if (defect && kind === 1) defect = { ...defect, inputs: [] };
            if (defect && kind === 9) defect = { ...defect, targets: bad };
            fc.pre(defect !== null);
            const df = defect!;
            const apis = df.inTargets ? (['computeGradients', 'trainBatch'] as const) : (['predict', 'computeGradients', 'trainBatch'] as const);
            for (const api of apis) {
              tried[api]++;
              expectFieldError(() => (api === 'predict' ? m.predict(df.inputs as never) : m[api](df.inputs as never, df.targets as never)), df.cls, api, df.path);
            }
            expectUnchanged(m, params, probe, predicted);
          },
        ),
        { numRuns: RUNS.inputs, seed: SEED },
      );
      m.dispose();
    });

    it('setParams: wrong keys, lengths, types and values → error naming params.<key>[<j>]; nothing changes', async () => {
      const m = await SimpleRNN.create({ ...s.opts, backend, seed: 4 });
      const probe = s.batch(new Rng(2), [2, 4]).inputs;
      const predicted = JSON.stringify(m.predict(probe as never));
      const params = snapshot(m);
      const base = m.getParams();
      const keys = (Object.keys(base) as (keyof typeof base)[]).filter((k) => base[k].length > 0);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 6 }), fc.constantFrom(...keys), fc.nat(), fc.constantFrom<unknown>(...WRONG_TYPES, ...NON_FINITE), fc.boolean(), (kind, key, j0, bad, asArray) => {
          const p: Record<string, unknown> = {};
          for (const k of keys) p[k] = asArray ? Array.from(base[k]) : base[k].slice();
          const arr = p[key] as number[] | Float32Array;
          const j = j0 % arr.length;
          let cls: ErrClass = RangeError;
          let path = `params.${key}`;
          let call: unknown = p;
          switch (kind) {
            case 0: // an unknown key
              p[`W${j0 % 5}x`] = arr;
              path = `params.W${j0 % 5}x`;
              break;
            case 1: // the wrong length
              p[key] = j0 % 2 ? Array.from(arr).concat([0]) : Array.from(arr).slice(0, arr.length - 1);
              break;
            case 2: // the wrong container type
              p[key] = [null, 'x', 5, {}, new Int32Array(arr.length), true][j0 % 6];
              cls = TypeError;
              break;
            case 3: // a non-finite or float32-overflowing value, or the wrong element type
              fc.pre(asArray || typeof bad === 'number');
              (arr as unknown[])[j] = bad;
              path = `params.${key}[${j}]`;
              if (typeof bad !== 'number') cls = TypeError;
              break;
            case 4: // a hole in a plain array
              fc.pre(asArray);
              delete (arr as number[])[j];
              path = `params.${key}[${j}]`;
              cls = TypeError;
              break;
            case 5: // s0 set on a model that does not learn it
              fc.pre(!m.config.learnInitialState);
              p.s0 = new Float32Array(m.stateSize).fill(0);
              (p.s0 as Float32Array)[j % m.stateSize] = 0.5;
              path = `params.s0[${j % m.stateSize}]`;
              break;
            case 6: // not an object at all
              call = [null, undefined, 'params', 3, true][j0 % 5];
              cls = TypeError;
              path = 'params';
              break;
          }
          tried.setParams++;
          expectFieldError(() => m.setParams(call as never), cls, 'setParams', path);
          expectUnchanged(m, params, probe, predicted);
        }),
        { numRuns: RUNS.setParams, seed: SEED },
      );
      // getParams hands out copies: writing into them changes nothing
      const copy = m.getParams();
      copy.Ws.fill(NaN);
      expectUnchanged(m, params, probe, predicted);
      m.dispose();
      for (const api of ['getParams', 'setParams', 'predict', 'computeGradients', 'trainBatch'] as const) {
        expect(() => (m[api] as (...a: unknown[]) => unknown)(base, [0]), api).toThrow(new Error(`SimpleRNN.${api}: model was disposed`));
      }
      m.dispose(); // twice is safe
    });

    it('extreme but valid values: predict answers; trainBatch returns a finite loss or throws NonFiniteError with the weights untouched', async () => {
      const m = await SimpleRNN.create({ ...s.opts, backend, seed: 5 });
      const extremes = [3.4028234663852886e38, -3.4e38, 1e38, -1e30, 1e-45, -0, 5e-324, 65504, -1e6];
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }), fc.nat(), fc.array(fc.constantFrom(...extremes), { minLength: 1, maxLength: 8 }), (lengths, seed, vals) => {
          tried.extremes++;
          const { inputs, targets } = s.batch(new Rng(seed), lengths);
          if (s.opts.inputSize) {
            let v = 0;
            for (const seq of inputs as number[][][]) for (const step of seq) for (let k = 0; k < I; k++) if ((v++ + seed) % 3 === 0) step[k] = vals[v % vals.length];
          } else if (s.opts.outputActivation === 'linear') {
            for (const seq of targets as number[][][]) for (const tv of seq) tv[0] = vals[0];
          }
          const out = m.predict(inputs as never);
          expect(out).toHaveLength(lengths.length);
          const before = snapshot(m);
          let loss: number | null = null;
          try {
            loss = m.trainBatch(inputs as never, targets as never);
          } catch (e) {
            expect(e, String(e)).toBeInstanceOf(NonFiniteError);
            const after = snapshot(m);
            for (let k = 0; k < after.length; k++) expect(Buffer.compare(after[k], before[k])).toBe(0);
          }
          if (loss !== null) expect(Number.isFinite(loss)).toBe(true);
          // the model stays usable, whatever the step did: reset it for the next case
          m.setParams(Object.fromEntries(Object.entries(m.getParams()).map(([k, a]) => [k, a.map((x: number) => (Number.isFinite(x) ? Math.max(-1, Math.min(1, x)) : 0))])) as never);
        }),
        { numRuns: RUNS.extremes, seed: SEED },
      );
      m.dispose();
    });
  });
});

// ---- float hyper-parameters around the float32 limits ----

const F32_MAX = 3.4028234663852886e38;
/** Each side of every float32 limit: 0 and the smallest denormal, the smallest normal, the largest float, and 1. */
const LIMITS = [
  0, -0, 5e-324, 2 ** -150, 7e-46, 1e-46, -1e-46, 1e-45, 2 ** -149, 1.17e-38, 1.1754943508222875e-38, 3.4e38, F32_MAX,
  3.4028235677973362e38 /* rounds to F32_MAX */, 3.4028235677973366e38 /* rounds to Infinity */, 3.5e38, 1e39,
  1 - 2 ** -24 /* the largest float32 below 1 */, 1 - 2 ** -25, 1 - 1e-9, 0.99999999 /* these round to 1 */, 1, 1 + 2 ** -23, 2,
];

interface Span {
  min: number;
  max: number;
  minOpen?: boolean;
  maxOpen?: boolean;
}
const POSITIVE: Span = { min: 0, max: Infinity, minOpen: true };
const NON_NEGATIVE: Span = { min: 0, max: Infinity };
const DECAY: Span = { min: 0, max: 1, maxOpen: true };
const inSpan = (v: number, r: Span) => Number.isFinite(v) && (r.minOpen ? v > r.min : v >= r.min) && (r.maxOpen ? v < r.max : v <= r.max);
/** The rule the library must apply: in range as given and after rounding to float32. */
const f32ok = (v: number, r: Span) => inSpan(v, r) && inSpan(Math.fround(v), r);

/** A float hyper-parameter: its field, its range, an ordinary value, and the optimizers or schedule that have it. */
interface Hyper {
  field: string;
  r: Span;
  ordinary: number;
  types?: readonly string[];
  schedule?: 'step' | 'cosine';
}
/** Every float hyper-parameter of every optimizer and schedule. */
const HYPERS: Hyper[] = [
  { field: 'learningRate', r: POSITIVE, ordinary: 0.05 },
  { field: 'weightDecay', r: NON_NEGATIVE, ordinary: 1e-3 },
  { field: 'clipNorm', r: POSITIVE, ordinary: 1 },
  { field: 'clipValue', r: POSITIVE, ordinary: 0.5 },
  { field: 'optimizer.momentum', r: DECAY, ordinary: 0.5, types: ['momentum', 'nesterov'] },
  { field: 'optimizer.beta1', r: DECAY, ordinary: 0.8, types: ['adam', 'adamw'] },
  { field: 'optimizer.beta2', r: DECAY, ordinary: 0.99, types: ['adam', 'adamw'] },
  { field: 'optimizer.epsilon', r: POSITIVE, ordinary: 1e-6, types: ['adam', 'adamw', 'rmsprop', 'adagrad'] },
  { field: 'optimizer.rho', r: DECAY, ordinary: 0.8, types: ['rmsprop'] },
  { field: 'schedule.gamma', r: { min: 0, max: 1, minOpen: true }, ordinary: 0.5, schedule: 'step' },
  { field: 'schedule.minLearningRate', r: NON_NEGATIVE, ordinary: 1e-4, schedule: 'cosine' },
];
/** create only: the dropout rates (a two-layer dense model takes all three). */
const RATES: Hyper[] = ['dropout', 'inputDropout', 'recurrentDropout'].map((field) => ({ field, r: DECAY, ordinary: 0.2 }));
const TYPES = ['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const;
const SCHEDULES = ['constant', 'step', 'cosine'] as const;

interface HyperCase {
  options: Record<string, unknown>;
  /** The fields whose value breaks the rule, and the value given to each. */
  bad: Map<string, number>;
  /** The values given, by field. */
  given: Map<string, number>;
}

/** Training options (and dropout rates): one float at a limit, each other absent, ordinary or (1 in 10) at a limit too. */
function hyperCase(type: number, schedule: number, picks: number[], rates: boolean): HyperCase {
  const t = TYPES[type % TYPES.length];
  const sch = SCHEDULES[schedule % SCHEDULES.length];
  const options: Record<string, unknown> = {};
  const optimizer: Record<string, unknown> = { type: t };
  const sched: Record<string, unknown> = sch === 'step' ? { type: 'step', stepSize: 2 } : { type: 'cosine', decaySteps: 3 };
  const bad = new Map<string, number>();
  const given = new Map<string, number>();
  const all = (rates ? [...HYPERS, ...RATES] : HYPERS).filter((h) => (!h.types || h.types.includes(t)) && (!h.schedule || h.schedule === sch));
  const focus = picks[0] % all.length;
  all.forEach((h, k) => {
    const p = picks[(k + 1) % picks.length];
    const choice = k === focus ? 2 : p % 20 < 9 ? 0 : p % 20 < 18 ? 1 : 2;
    if (choice === 0) return;
    const v = choice === 1 ? h.ordinary : LIMITS[(p + k) % LIMITS.length];
    const [where, key] = h.field.includes('.') ? h.field.split('.') : ['', h.field];
    (where === 'optimizer' ? optimizer : where === 'schedule' ? sched : options)[key] = v;
    given.set(h.field, v);
    if (!f32ok(v, h.r)) bad.set(h.field, v);
  });
  options.optimizer = optimizer;
  options.schedule = sch === 'constant' ? 'constant' : sched;
  return { options, bad, given };
}

/** Refused (RangeError naming a bad field and its value, or minLearningRate above learningRate) or accepted, as the rule says. */
function expectRule(c: HyperCase, err: unknown, api: string, lr: number, prefix = `SimpleRNN.${api}: `, options = 'options'): void {
  const cosine = (c.options.schedule as { type?: string }).type === 'cosine';
  const exceeds = cosine && (c.given.get('schedule.minLearningRate') ?? 0) > (c.given.get('learningRate') ?? lr);
  const what = `${api} ${JSON.stringify(c.options)}`;
  if (c.bad.size === 0 && !exceeds) {
    expect(err, `${what}: refused: ${String(err)}`).toBeNull();
    hyper.accepted++;
    return;
  }
  hyper.refused++;
  expect(err, `${what}: accepted`).toBeInstanceOf(RangeError);
  const msg = (err as Error).message;
  const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (c.bad.size === 0) {
    expect(msg).toMatch(new RegExp(`^${esc(prefix)}${esc(options)}\\.schedule\\.minLearningRate = \\S+ exceeds learningRate`));
    return;
  }
  const field = new RegExp(`^${esc(prefix)}${esc(options)}\\.(${[...c.bad.keys()].map(esc).join('|')}) = (\\S+) is out of range`).exec(msg);
  expect(field, `${what}: ${msg}`).not.toBeNull();
  expect(field![2], msg).toBe(String(c.bad.get(field![1])));
}

/** Three steps on what was accepted: a finite loss, or NonFiniteError / a skip with nothing changed. Never a trap. */
function trainOn(m: SimpleRNN, x: unknown, y: unknown): void {
  for (let k = 0; k < 3; k++) {
    const before = snapshot(m);
    const steps = m.stepCount;
    let loss: number;
    try {
      loss = m.trainBatch(x as never, y as never);
    } catch (e) {
      expect(e, String(e)).toBeInstanceOf(NonFiniteError);
      loss = NaN;
    }
    if (Number.isNaN(loss)) {
      hyper.rolledBack++;
      const after = snapshot(m);
      for (let j = 0; j < after.length; j++) expect(Buffer.compare(after[j], before[j]), 'a refused step changed a parameter').toBe(0);
      expect(m.stepCount).toBe(steps);
    } else {
      expect(Number.isFinite(loss)).toBe(true);
      expect(m.stepCount).toBe(steps + 1);
      for (const v of Object.values(m.getParams())) expect(v.every(Number.isFinite), 'an applied step left a non-finite parameter').toBe(true);
    }
  }
}

/** A checkpoint with its training config replaced, its lengths and CRC made valid again. */
function withTraining(bytes: Uint8Array, training: unknown): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const C = dv.getUint32(12, true);
  const M = dv.getUint32(16, true);
  const config = JSON.parse(new TextDecoder().decode(bytes.subarray(48, 48 + C)));
  const json = new TextEncoder().encode(JSON.stringify({ ...config, training }));
  const oldAt = 48 + C + M + ((8 - ((48 + C + M) % 8)) % 8);
  const floats = bytes.subarray(oldAt, bytes.length - 4);
  const at = 48 + json.length + M;
  const out = new Uint8Array(at + ((8 - (at % 8)) % 8) + floats.length + 4);
  out.set(bytes.subarray(0, 48));
  out.set(json, 48);
  out.set(bytes.subarray(48 + C, 48 + C + M), 48 + json.length);
  out.set(floats, out.length - 4 - floats.length);
  const o = new DataView(out.buffer);
  o.setUint32(8, out.length, true);
  o.setUint32(12, json.length, true);
  o.setUint32(out.length - 4, crc32(out, 0, out.length - 4), true);
  return out;
}

describe.each(BACKENDS)('float hyper-parameters around the float32 limits (%s)', (backend) => {
  const dense = { inputSize: 2, hiddenSize: 4, outputSize: 3, layers: 2, backend, seed: 2 } as const;
  const lm = { vocabSize: 5, hiddenSize: 4, outputSize: 5, returnSequences: true, backend, seed: 2 } as const;
  const x = [[[1e3, -1e3], [0.5, 0.25]], [[-1, 1]]];
  const y = [2, 0];
  const tokens = [1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1];
  const pick = fc.array(fc.nat(), { minLength: 14, maxLength: 14 });
  let bystander: SimpleRNN;
  let bystanderBits: Uint8Array[];
  const expectBystander = () => {
    const now = snapshot(bystander);
    for (let k = 0; k < now.length; k++) expect(Buffer.compare(now[k], bystanderBits[k]), 'the bystander changed').toBe(0);
  };

  it('create: every hyper-parameter of every optimizer and schedule, and the dropout rates', async () => {
    bystander = await SimpleRNN.create({ inputSize: 2, hiddenSize: 3, outputSize: 2, backend, seed: 9 });
    bystanderBits = snapshot(bystander);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), pick, fc.boolean(), async (type, schedule, picks, skip) => {
        tried['hyper-parameters on create']++;
        const c = hyperCase(type, schedule, picks, true);
        const opts = { ...dense, ...c.options, onNonFinite: skip ? 'skip' : 'throw' } as SimpleRNNOptions;
        const m = await SimpleRNN.create(opts).catch((e: unknown) => (expectRule(c, e, 'create', 0.01), null));
        if (!m) return expectBystander();
        expectRule(c, null, 'create', 0.01);
        const tr = m.training as unknown as Record<string, Record<string, number>>;
        const cfg = m.config as unknown as Record<string, number>;
        for (const [f, v] of c.given) {
          const [where, key] = f.split('.');
          expect(key ? tr[where][key] : RATES.some((r) => r.field === f) ? cfg[f] : tr[f], f).toBe(v); // as given
        }
        trainOn(m, x, y);
        expect(m.predict(x as never)).toHaveLength(2);
        m.dispose();
        expectBystander();
      }),
      { numRuns: RUNS.hyper, seed: SEED },
    );
  });

  it('fit and fitStream: the same rule; a refusal changes nothing, an accepted run never traps', async () => {
    for (const api of ['fit', 'fitStream'] as const) {
      await fc.assert(
        fc.asyncProperty(fc.nat(), fc.nat(), pick, async (type, schedule, picks) => {
          tried[api === 'fit' ? 'on fit' : 'on fitStream']++;
          const m = await SimpleRNN.create(api === 'fit' ? dense : lm);
          const c = hyperCase(type, schedule, picks, false);
          const before = m.save();
          const probe = api === 'fit' ? (x as never) : [[1, 2]];
          const predicted = JSON.stringify(m.predict(probe));
          const run = api === 'fit' ? m.fit(x as never, y, { epochs: 1, batchSize: 1, ...c.options }) : m.fitStream(tokens, { seqLength: 3, ...c.options });
          const err = await run.then(() => null, (e: unknown) => e);
          if (err instanceof NonFiniteError) expectRule(c, null, api, 0.01); // accepted; a later step overflowed and was rolled back
          else {
            expectRule(c, err, api, 0.01);
            if (err) {
              expect(Array.from(m.save())).toEqual(Array.from(before));
              expect(JSON.stringify(m.predict(probe))).toBe(predicted);
            }
          }
          expect(() => m.predict(probe)).not.toThrow();
          m.dispose();
          expectBystander();
        }),
        { numRuns: RUNS.hyperFit, seed: SEED },
      );
    }
  });

  it('load: a checkpoint whose training config holds the value is refused by name, or loads and trains', async () => {
    // one checkpoint per number of optimizer state sections (the forged optimizer must keep the file's sections)
    const bases = await Promise.all(['sgd', 'momentum', 'adam'].map((optimizer) => SimpleRNN.create({ ...dense, optimizer } as SimpleRNNOptions)));
    const files = bases.map((m) => m.save());
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), pick, async (type, schedule, picks) => {
        tried['on load']++;
        const c = hyperCase(type, schedule, picks, false);
        const t = TYPES[type % TYPES.length];
        const file = files[t === 'sgd' ? 0 : t === 'adam' || t === 'adamw' ? 2 : 1];
        // a JSON file holds what JSON can: -0 is stored as 0
        const training = JSON.parse(JSON.stringify(c.options));
        for (const [f, v] of c.given) if (Object.is(v, -0)) c.given.set(f, 0);
        for (const [f, v] of c.bad) if (Object.is(v, -0)) c.bad.set(f, 0);
        const wasm = (await wasmBackend()).memoryBytes();
        let err: unknown = null;
        const m = await SimpleRNN.load(withTraining(file, training)).catch((e: unknown) => ((err = e), null));
        expectRule(c, err, 'load', 0.01, 'SimpleRNN.load: bytes holds a config this library cannot build: SimpleRNN.load: ', 'config.training'); // the file's field
        if (err) expect((await wasmBackend()).memoryBytes()).toBe(wasm);
        if (m) {
          trainOn(m, x, y);
          m.dispose();
        }
        expectBystander();
      }),
      { numRuns: RUNS.hyper, seed: SEED },
    );
    for (const m of bases) m.dispose();
  });

  it('generate: a temperature at a float32 limit is refused unless finite and >= 0; sampling never leaves [0, V)', async () => {
    const m = await SimpleRNN.create(lm);
    const before = m.save();
    for (const t of [...LIMITS, -1e-46, -F32_MAX, 1e300, Number.MAX_VALUE, Infinity, NaN]) {
      for (const topK of [0, 2]) {
        tried['temperatures on generate']++;
        let out: number[] | null = null;
        try {
          out = m.generate({ prompt: [1, 2], length: 8, temperature: t, topK, seed: 5 });
        } catch (e) {
          expect(Number.isFinite(t) && t >= 0, `temperature ${t} refused: ${String(e)}`).toBe(false);
          expect(e).toBeInstanceOf(RangeError);
          expect((e as Error).message).toMatch(/^SimpleRNN\.generate: options\.temperature = /);
          continue;
        }
        expect(Number.isFinite(t) && t >= 0, `temperature ${t} accepted`).toBe(true);
        expect(out).toHaveLength(8);
        for (const id of out) expect(Number.isInteger(id) && id >= 0 && id < 5, `temperature ${t}: token ${id}`).toBe(true);
        expect(m.generate({ prompt: [1, 2], length: 8, temperature: t, topK, seed: 5 })).toEqual(out); // seeded: the same tokens
      }
    }
    expect(Array.from(m.save())).toEqual(Array.from(before)); // a seeded generate changes nothing
    m.dispose();
    expectBystander();
    bystander.dispose();
  });
});
