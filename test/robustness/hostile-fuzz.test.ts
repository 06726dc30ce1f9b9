// Property-based fuzzing of a hostile caller on every model entry point, both backends: arguments behind getters and
// Proxies that answer differently on a second read, typed arrays on a SharedArrayBuffer that a worker_thread rewrites
// while the library reads them, and getters and training callbacks that call back into this model or another one.
// Each case runs on two identical models ("worlds"): once hostile, once with a plain caller that answers every read as
// the hostile one answered the first, with the same side effects. The two must agree exactly (the same result, or the
// same library error, which therefore names the first read's value); both worlds' models, and a bystander that nobody
// calls, stay bit-identical to their twins. fast-check runs with a fixed seed; the count of cases is printed at the end.
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NonFiniteError, Rng, SimpleRNN, type SimpleRNNOptions } from 'simple-rnn';
import { BACKENDS } from '../util.js';

const SEED = 20261130;
const RUNS = 240; // per entry point, backend and hostility class
const SHARED_RUNS = 40;
const tried: Record<string, number> = {};
const count = (k: string) => void (tried[k] = (tried[k] ?? 0) + 1);
const seen = { refused: 0, nested: 0, sharedRefused: 0, sharedEqual: 0 };
afterAll(() => {
  const total = Object.values(tried).reduce((a, b) => a + b, 0);
  console.log(`hostile fuzz: ${total} cases tried (${Object.entries(tried).map(([k, v]) => `${k} ${v}`).join(', ')}); `
    + `${seen.refused} refused and ${seen.nested} with a nested call from a getter; on shared arrays ${seen.sharedRefused} refused, ${seen.sharedEqual} equal to the plain call`);
});

type Backend = (typeof BACKENDS)[number];
const APIS = ['create', 'setParams', 'predict', 'computeGradients', 'trainBatch', 'step', 'generate', 'fit', 'fitStream',
  'evaluate', 'evaluateStream', 'save', 'load', 'trace'] as const;
type Api = (typeof APIS)[number];

// ---- models under test ----

interface Subject {
  name: 'dense' | 'deep' | 'lm';
  opts: SimpleRNNOptions;
  V: number;
  I: number;
  O: number;
  /** stateSize (every layer). */
  S: number;
  softmax: boolean;
  rs: boolean;
}
const SUBJECTS: Subject[] = [
  { name: 'dense', opts: { inputSize: 3, hiddenSize: 4, outputSize: 3, learnInitialState: true, optimizer: 'momentum', learningRate: 0.05 }, V: 0, I: 3, O: 3, S: 4, softmax: true, rs: false },
  {
    name: 'deep', V: 6, I: 0, O: 2, S: 7, softmax: false, rs: true,
    opts: { vocabSize: 6, embeddingSize: 3, hiddenSize: [4, 3], layers: 2, dropout: 0.25, recurrentDropout: 0.1, outputSize: 2, outputActivation: 'linear', returnSequences: true, optimizer: 'adam' },
  },
  { name: 'lm', opts: { vocabSize: 5, hiddenSize: 5, outputSize: 5, returnSequences: true, optimizer: 'rmsprop', learningRate: 0.05 }, V: 5, I: 0, O: 5, S: 5, softmax: true, rs: true },
];
const ALL = ['dense', 'deep', 'lm'] as const;
const WHERE: Record<Api, readonly Subject['name'][]> = {
  create: ALL, setParams: ALL, predict: ALL, computeGradients: ALL, trainBatch: ALL, step: ALL, generate: ['lm'], fit: ALL,
  fitStream: ['lm'], evaluate: ALL, evaluateStream: ['lm'], save: ALL, load: ALL, trace: ['dense', 'lm'],
};

/** One side of a case: its models, what its callbacks saw, and the error its 'throw' action throws. */
interface World {
  backend: Backend;
  s: Subject;
  m: SimpleRNN;
  other: SimpleRNN;
  log: string[];
  pending: Promise<unknown>[];
  sentinel: Error;
  /** A mutating action ran on m during this case. */
  mutated: boolean;
}
const modelOf = (w: { backend: Backend; s: Subject }, seed: number) => SimpleRNN.create({ ...structuredClone(w.s.opts), backend: w.backend, seed });
async function makeWorld(backend: Backend, s: Subject): Promise<World> {
  const w = { backend, s, log: [], pending: [], sentinel: new Error('a hostile getter threw'), mutated: false } as unknown as World;
  w.m = await modelOf(w, 7);
  w.other = await modelOf(w, 8);
  return w;
}

// ---- comparing results ----

/** A string that is equal for equal results, bit for bit (typed arrays, NaN, -0 and Infinity included). */
function canon(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'number') return Number.isFinite(x) && !Object.is(x, -0) ? x : String(Object.is(x, -0) ? '-0' : x);
    if (x instanceof Uint8Array) return Buffer.from(x).toString('base64');
    if (ArrayBuffer.isView(x)) return { [x.constructor.name]: Array.from(x as unknown as ArrayLike<number>) };
    if (x instanceof SimpleRNN) return { config: x.config, training: x.training, bytes: x.save() };
    if (typeof x === 'bigint' || typeof x === 'symbol' || typeof x === 'function') return `${typeof x} ${String(x)}`;
    return x;
  }) ?? 'undefined';
}
const errCanon = (w: World, e: unknown) => (e === w.sentinel ? 'the sentinel' : `${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(a, b) === 0;

/** The error is the library's own: its classes, `SimpleRNN.<api>: <field> ...`, never a trap. */
function expectOwn(api: string, e: unknown, what: string): void {
  expect(e instanceof WebAssembly.RuntimeError, `${what}: a wasm trap reached the caller: ${String(e)}`).toBe(false);
  const cls = (e as Error)?.constructor;
  expect([TypeError, RangeError, Error, NonFiniteError].includes(cls as never), `${what}: ${String(e)}`).toBe(true);
  const re = new RegExp(`^SimpleRNN\\.${api}: (model was disposed$|the model is busy|the (loss|gradient|update) |[a-zA-Z]+[\\w.\\[\\]]* )`);
  expect((e as Error).message, what).toMatch(re);
}

// ---- the calls ----

/** A small fixed batch per subject (the probe, and what nested actions train on). */
function fixed(s: Subject): { inputs: never; targets: never } {
  const inputs = s.V ? [[1, 2, 0], [3]] : [[[0.1, -0.2, 0.3], [0.5, 0.5, -0.5]], [[1, 0, -1]]];
  const targets = s.rs ? inputs.map((x) => x.map((_, t) => (s.softmax ? t % s.O : [0.5, -0.25]))) : [1, 2];
  return { inputs: inputs as never, targets: targets as never };
}

function invoke(api: Api, w: World, a: unknown[]): unknown {
  const m = w.m as unknown as Record<string, (...x: unknown[]) => unknown>;
  if (api === 'create') return SimpleRNN.create(a[0] as never);
  if (api === 'load') return SimpleRNN.load(a[0] as never, a[1] as never);
  return m[api](...a);
}

/** The call's outcome as a string; models it creates are described, then disposed. */
async function call(api: Api, w: World, a: unknown[]): Promise<{ out: string; err: unknown }> {
  try {
    const r = await invoke(api, w, a);
    const out = canon(r);
    if (r instanceof SimpleRNN) r.dispose();
    return { out, err: null };
  } catch (e) {
    return { out: errCanon(w, e), err: e };
  }
}

// ---- nested actions: what a getter or a training callback does to a model ----

const ACTIONS = ['predict', 'trainBatch', 'computeGradients', 'getParams', 'setParams', 'save', 'evaluate', 'step', 'generate', 'fit', 'dispose', 'throw'] as const;
type Action = (typeof ACTIONS)[number];
const MUTATES: readonly Action[] = ['trainBatch', 'setParams', 'generate', 'fit', 'dispose'];

function act(w: World, name: Action, self: boolean): unknown {
  if (name === 'throw') throw w.sentinel;
  const X = self ? w.m : w.other;
  if (self && MUTATES.includes(name)) w.mutated = true;
  const d = fixed(w.s);
  const rec = (f: () => unknown) => {
    try {
      w.log.push(canon(f()));
    } catch (e) {
      w.log.push(errCanon(w, e));
    }
  };
  switch (name) {
    case 'predict': return rec(() => X.predict(d.inputs));
    case 'trainBatch': return rec(() => X.trainBatch(d.inputs, d.targets));
    case 'computeGradients': return rec(() => X.computeGradients(d.inputs, d.targets));
    case 'getParams': return rec(() => X.getParams());
    case 'setParams': return rec(() => X.setParams({ bo: X.getParams().bo.map((v) => v * 0.5 + 0.01) }));
    case 'save': return rec(() => X.save());
    case 'evaluate': return rec(() => X.evaluate(d.inputs, d.targets));
    case 'step': return rec(() => X.step(X.initialState(), w.s.V ? 1 : [0.1, -0.2, 0.3]));
    case 'generate': return rec(() => (w.s.name === 'lm' ? X.generate({ prompt: [1, 2], length: 3 }) : X.predict(d.inputs)));
    case 'dispose': return rec(() => X.dispose());
    case 'fit': {
      const p = X.fit(d.inputs, d.targets, { epochs: 1, batchSize: 1 }).then((h) => void w.log.push(canon(h)), (e) => void w.log.push(errCanon(w, e)));
      w.pending.push(p);
      return p;
    }
  }
}

// ---- building a valid call ----

/** Leaves of numbers: plain arrays or typed arrays ('mixed'), typed arrays ('copy'), typed arrays on the shared buffer. */
class Alloc {
  constructor(readonly mode: 'mixed' | 'copy' | 'shared', private readonly sh: Shared | null = null) {}
  vec(rng: Rng, kind: 'f32' | 'i32', v: number[], mustType = false): ArrayLike<number> {
    const typed = rng.uniform() < 0.3 || mustType;
    if (this.mode === 'shared') return this.sh!.alloc(kind, v);
    if (this.mode === 'mixed' && !typed) return v;
    return kind === 'f32' ? Float32Array.from(v) : Int32Array.from(v);
  }
  bytes(b: Uint8Array): Uint8Array {
    return this.mode === 'shared' ? this.sh!.allocBytes(b) : b.slice();
  }
}

const ids = (rng: Rng, n: number, V: number) => Array.from({ length: n }, () => rng.int(V));
const floats = (rng: Rng, n: number, scale = 1) => Array.from({ length: n }, () => scale * (2 * rng.uniform() - 1));

function sequence(s: Subject, rng: Rng, T: number, A: Alloc): unknown {
  if (s.V) return A.vec(rng, 'i32', ids(rng, T, s.V));
  const steps = Array.from({ length: T }, () => floats(rng, s.I));
  if (rng.uniform() < 0.3) return A.vec(rng, 'f32', steps.flat(), true);
  return steps.map((st) => A.vec(rng, 'f32', st));
}

function target(s: Subject, rng: Rng, T: number, A: Alloc): unknown {
  if (!s.rs) return rng.int(s.O);
  if (s.softmax) return A.vec(rng, 'i32', ids(rng, T, s.O));
  return Array.from({ length: T }, () => A.vec(rng, 'f32', floats(rng, s.O)));
}

function batch(s: Subject, rng: Rng, A: Alloc, B = 1 + rng.int(3)) {
  const lengths = Array.from({ length: B }, () => 1 + rng.int(4));
  return { inputs: lengths.map((T) => sequence(s, rng, T, A)), targets: lengths.map((T) => target(s, rng, T, A)), B };
}

/** onBatchEnd or onEpochEnd: logs what it sees and runs an action at one call (sync, or after a macrotask). */
function callbacks(w: World, rng: Rng, A: Alloc): object | undefined {
  const [skip, at, name, self, later, where] = [rng.uniform() < 0.3, rng.int(4), ACTIONS[rng.int(ACTIONS.length)], rng.int(2) === 0, rng.int(2) === 0, rng.int(2)];
  if (skip || A.mode !== 'mixed') return undefined;
  const f = (k: number, logs: unknown) => {
    w.log.push(canon(logs));
    if (k !== at) return undefined;
    return later ? new Promise((r) => setImmediate(r)).then(() => act(w, name, self)) : act(w, name, self);
  };
  return where ? { onBatchEnd: f } : { onEpochEnd: f };
}

/** A valid call of `api` for world w, drawn from rng (the same draws give the same call in every world). */
function build(api: Api, w: World, rng: Rng, A: Alloc): unknown[] {
  const s = w.s;
  const { inputs, targets, B } = batch(s, rng, A);
  const maybe = (p: number) => rng.uniform() < p;
  const states = () => Array.from({ length: B }, () => A.vec(rng, 'f32', floats(rng, s.S, 0.5)));
  const withOpts = (args: unknown[], o: object, p = 0.6) => (maybe(p) ? [...args, o] : args);
  switch (api) {
    case 'create': {
      const o: Record<string, unknown> = { ...structuredClone(s.opts), backend: w.backend, seed: 1 + rng.int(3) };
      if (maybe(0.5)) o.optimizer = { type: 'adam', beta1: 0.8, epsilon: 1e-7 };
      if (maybe(0.5)) o.schedule = maybe(0.5) ? { type: 'step', stepSize: 3, gamma: 0.5 } : { type: 'cosine', decaySteps: 5, warmupSteps: 1 };
      if (maybe(0.3)) o.clipNorm = 1;
      return [o];
    }
    case 'setParams': {
      const p = w.m.getParams() as unknown as Record<string, Float32Array>;
      const out: Record<string, unknown> = {};
      for (let k = 1 + rng.int(2); k > 0; k--) {
        const name = w.m.paramNames[rng.int(w.m.paramNames.length)];
        out[name] = A.vec(rng, 'f32', Array.from(p[name], (v) => v * 0.75));
      }
      return [out];
    }
    case 'predict':
      return withOpts([inputs], { output: maybe(0.5) ? 'typed' : 'nested', returnState: maybe(0.5), ...(maybe(0.5) ? { initialStates: states() } : {}) });
    case 'computeGradients':
      return withOpts([inputs, targets], { dropout: maybe(0.5), dropoutSeed: rng.int(9), ...(maybe(0.5) ? { initialStates: states() } : {}) });
    case 'trainBatch':
      return withOpts([inputs, targets], { onNonFinite: maybe(0.5) ? 'skip' : 'throw', ...(maybe(0.5) ? { initialStates: states() } : {}) });
    case 'step':
      return [A.vec(rng, 'f32', floats(rng, s.S, 0.5)), s.V ? rng.int(s.V) : A.vec(rng, 'f32', floats(rng, s.I))];
    case 'generate':
      return [{ prompt: A.vec(rng, 'i32', ids(rng, 1 + rng.int(3), s.V)), length: rng.int(5), temperature: [0, 0.7, 1][rng.int(3)], topK: rng.int(3), ...(maybe(0.5) ? { seed: rng.int(9) } : {}) }];
    case 'fit': {
      const more = batch(s, rng, A, 2);
      const held = batch(s, rng, A, 2);
      const o: Record<string, unknown> = { epochs: 1 + rng.int(2), batchSize: 1 + rng.int(3), shuffle: maybe(0.5) };
      const v = rng.int(4);
      if (v === 1) o.validationData = [held.inputs, held.targets];
      if (v === 2) o.validationSplit = 0.34;
      if (v && maybe(0.5)) o.earlyStopping = { patience: rng.int(2), restoreBestWeights: maybe(0.5) };
      if (maybe(0.3)) o.learningRate = 0.02;
      if (maybe(0.3)) o.optimizer = { type: 'nesterov', momentum: 0.5 };
      const cb = callbacks(w, rng, A);
      if (cb) o.callbacks = cb;
      return [[...inputs, ...more.inputs], [...targets, ...more.targets], o];
    }
    case 'fitStream': {
      const o: Record<string, unknown> = { seqLength: 2 + rng.int(3), batchSize: 1 + rng.int(2), epochs: 1 };
      if (maybe(0.4)) o.validationTokens = A.vec(rng, 'i32', ids(rng, 4, s.V));
      if (maybe(0.3)) o.learningRate = 0.02;
      const cb = callbacks(w, rng, A);
      if (cb) o.callbacks = cb;
      return [A.vec(rng, 'i32', ids(rng, 8 + rng.int(8), s.V)), o];
    }
    case 'evaluate':
      return withOpts([inputs, targets], { batchSize: 1 + rng.int(3) });
    case 'evaluateStream':
      return withOpts([A.vec(rng, 'i32', ids(rng, 3 + rng.int(8), s.V))], { seqLength: 1 + rng.int(4) });
    case 'save':
      return [{ name: 'run', step: rng.int(100), tags: ['a', 'b'], nested: { lr: 0.5, ids: [1, 2, 3] } }];
    case 'load':
      return withOpts([A.bytes(w.m.save())], { backend: [w.backend, 'js', 'auto'][rng.int(3)], threads: 1, simd: 'strict' });
    case 'trace': {
      const T = 1 + rng.int(4);
      const seq = sequence(s, rng, T, A);
      return withOpts([seq], { target: target(s, rng, T, A), padTo: T + rng.int(3) });
    }
  }
}

// ---- hostile sites: a key of a node whose reads are counted and answered first with v1, then with v2 ----

type Key = string | number;
interface Node {
  path: Key[];
  kind: 'array' | 'object' | 'typed';
  /** Indices or property names, 'length' (arrays, typed arrays) and '#keys' (an object's key list). */
  keys: Key[];
}

const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

function nodesOf(args: unknown[]): Node[] {
  const out: Node[] = [];
  const walk = (v: unknown, path: Key[]) => {
    if (Array.isArray(v)) {
      out.push({ path, kind: 'array', keys: ['length', ...v.keys()] });
      v.forEach((x, k) => walk(x, [...path, k]));
    } else if (ArrayBuffer.isView(v)) out.push({ path, kind: 'typed', keys: ['length'] });
    else if (isPlain(v)) {
      out.push({ path, kind: 'object', keys: ['#keys', ...Object.keys(v)] });
      for (const k of Object.keys(v)) walk(v[k], [...path, k]);
    }
  };
  args.forEach((a, k) => walk(a, [k]));
  return out;
}

const LITERALS: unknown[] = [
  undefined, null, NaN, Infinity, -Infinity, -1, 0, 1, 2, 0.5, 1.5, 1e39, 3.5e38, 3.4e38, 2 ** 31, 1e6, -0, 'x', '1', true,
  {}, [], [0.5, 0.5, 0.5], [1, 2], new Float32Array(3), new Int32Array(2), 10n, Symbol.for('hostile'), () => 1,
  Object.create(null), new Proxy(new Float32Array(3), {}),
];
const SWAP: Record<string, string> = { typed: 'nested', nested: 'typed', skip: 'throw', throw: 'skip', js: 'wasm', wasm: 'js', auto: 'js', strict: 'relaxed', adam: 'sgd', step: 'cosine', cosine: 'step', nesterov: 'adam' };
/** A valid-looking neighbour of v: another id, half the number, the array reversed. */
function shift(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? (v >= 1 ? v - 1 : v + 1) : v / 2;
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'string') return SWAP[v] ?? v;
  if (Array.isArray(v)) return v.slice().reverse();
  return v;
}

/** What key answers for choice n: the original, its neighbour, or a literal; lengths and key lists have their own. */
function answer(api: Api, node: Node, key: Key, orig: unknown, n: number): unknown {
  const size = node.kind === 'array' && typeof key === 'number' ? node.path[node.path.length - 1] : key;
  const huge = api === 'save' ? [] : [2 ** 32 - 1, 2 ** 28 + 1]; // JSON.stringify would walk a huge metadata array
  if (key === 'length') return [orig, (orig as number) - 1, (orig as number) + 1, 0, -1, 1.5, NaN, 'x', ...huge][n % (8 + huge.length)];
  if (key === '#keys') {
    const keys = orig as string[];
    return [keys, [...keys, 'bogus'], keys.slice(0, -1), [...keys].reverse(), []][n % 5];
  }
  const k = n % (2 + LITERALS.length);
  const v = k === 0 ? orig : k === 1 ? shift(orig) : LITERALS[k - 2];
  // a valid but long run or a large model is the caller's choice, not a hostile one: those sizes stay small
  if (typeof v === 'number' && v > 8 && (key === 'epochs' || (SIZES.includes(String(size)) && v <= 2 ** 26))) return 8;
  return v;
}
const SIZES = ['length', 'padTo', 'inputSize', 'vocabSize', 'outputSize', 'embeddingSize', 'hiddenSize', 'layers'];

interface Reads {
  n: number;
}

/**
 * Replaces the node at `path` in args (in place): hostile, key answers v1 on its first read (running `first` then)
 * and v2 after; plain, key answers v1 every time (with the same `first`), or is simply v1 when there is no action.
 */
function plant(args: unknown[], node: Node, key: Key, v1: unknown, v2: unknown, how: 'getter' | 'proxy' | 'plain', first: (() => void) | null, reads: Reads): void {
  // copies along the path, so that a node reachable twice (the same array in two places) is hostile at one of them
  let parent: Record<Key, unknown> = args as never;
  for (const k of node.path.slice(0, -1)) {
    const next = parent[k] as Record<Key, unknown>;
    parent = parent[k] = (Array.isArray(next) ? next.slice() : { ...next }) as never;
  }
  const at = node.path[node.path.length - 1];
  const old = parent[at] as Record<Key, unknown>;
  const read = () => {
    reads.n++;
    if (reads.n === 1) first?.();
    return reads.n === 1 || how === 'plain' ? v1 : v2;
  };
  if (node.kind === 'typed') {
    const ta = old as unknown as Float32Array;
    const view = new (ta.constructor as Float32ArrayConstructor)(ta.buffer, ta.byteOffset, ta.length);
    Object.defineProperty(view, 'length', { get: read });
    parent[at] = view;
    return;
  }
  if (key === '#keys') {
    const all = { ...old, bogus: 1 } as Record<string, unknown>;
    const k1 = v1 as string[];
    if (how === 'plain' && !first) {
      parent[at] = Object.fromEntries(k1.map((k) => [k, all[k]]));
      return;
    }
    parent[at] = new Proxy(all, { ownKeys: () => read() as string[] });
    return;
  }
  const copy = (Array.isArray(old) ? old.slice() : { ...old }) as Record<Key, unknown>;
  if (how === 'plain' && !first && key !== 'length') {
    copy[key] = v1;
    parent[at] = copy;
    return;
  }
  if (how === 'getter' && key !== 'length') {
    Object.defineProperty(copy, key, { get: read, enumerable: true, configurable: true });
    parent[at] = copy;
    return;
  }
  parent[at] = new Proxy(copy, { get: (t, k, r) => (k === String(key) ? read() : Reflect.get(t, k, r)) });
}

// ---- the worlds, and the bystander nobody calls ----

const worlds = new Map<string, [World, World]>();
/** The two worlds of a subject; made again after a failed case (fast-check's shrinking then starts from twins). */
async function pair(backend: Backend, s: Subject, fresh: boolean): Promise<[World, World]> {
  const id = `${backend} ${s.name}`;
  if (fresh || !worlds.has(id)) {
    for (const w of worlds.get(id) ?? []) for (const m of [w.m, w.other]) m.dispose();
    worlds.set(id, [await makeWorld(backend, s), await makeWorld(backend, s)]);
  }
  return worlds.get(id)!;
}
let dirty = false;
const bystanders = new Map<Backend, { m: SimpleRNN; bytes: Uint8Array }>();
async function bystander(backend: Backend) {
  if (!bystanders.has(backend)) {
    const m = await SimpleRNN.create({ inputSize: 2, hiddenSize: 3, outputSize: 2, backend, seed: 99 });
    bystanders.set(backend, { m, bytes: m.save() });
  }
  return bystanders.get(backend)!;
}

/** Both worlds agree model for model; disposed models are made again, in both. */
async function lockstep(h: World, p: World, what: string): Promise<void> {
  await Promise.all(h.pending.splice(0));
  await Promise.all(p.pending.splice(0));
  expect(h.log, `${what}: what the callbacks and nested calls saw`).toEqual(p.log);
  h.log.length = 0;
  p.log.length = 0;
  for (const k of ['m', 'other'] as const) {
    expect(h[k].isDisposed, `${what}: ${k} disposed`).toBe(p[k].isDisposed);
    if (h[k].isDisposed) {
      h[k] = await modelOf(h, k === 'm' ? 7 : 8);
      p[k] = await modelOf(p, k === 'm' ? 7 : 8);
    }
    expect(same(h[k].save(), p[k].save()), `${what}: ${k} differs from its twin (params, optimizer state, step count or RNG)`).toBe(true);
  }
  const b = await bystander(h.backend);
  expect(same(b.m.save(), b.bytes), `${what}: the bystander changed`).toBe(true);
}

async function hostileCase(api: Api, backend: Backend, c: Case): Promise<void> {
  const subjects = WHERE[api].map((n) => SUBJECTS.find((s) => s.name === n)!);
  const s = subjects[c.subject % subjects.length];
  const [h, p] = await pair(backend, s, dirty);
  dirty = true;
  const argsH = build(api, h, new Rng(c.seed), new Alloc('mixed'));
  const argsP = build(api, p, new Rng(c.seed), new Alloc('mixed'));
  const nodes = nodesOf(argsH);
  const node = nodes[c.node % nodes.length];
  const key = node.keys[c.key % node.keys.length];
  // the original value in each world (a callback closes over its own world)
  const origOf = (args: unknown[]) => {
    let v: Record<Key, unknown> = args as never;
    for (const k of node.path) v = v[k] as never;
    return key === '#keys' ? Object.keys(v) : v[key];
  };
  const [origH, origP] = [origOf(argsH), origOf(argsP)];
  const v1 = answer(api, node, key, origH, c.firstOrig ? 0 : c.first);
  const v2 = answer(api, node, key, origH, c.later);
  const v1P = answer(api, node, key, origP, c.firstOrig ? 0 : c.first);
  const action = c.action < ACTIONS.length ? ACTIONS[c.action] : null;
  const firstOf = (w: World) => (action ? () => void act(w, action, c.self) : null);
  const reads: Reads = { n: 0 };
  plant(argsH, node, key, v1, v2, c.proxy ? 'proxy' : 'getter', firstOf(h), reads);
  plant(argsP, node, key, v1P, v1P, 'plain', firstOf(p), { n: 0 });
  const what = `${api} on ${backend} ${s.name}: ${c.proxy ? 'Proxy' : 'getter'} at args${node.path.map((k) => `[${JSON.stringify(k)}]`).join('')}.${String(key)} = ${canon(v1)} then ${canon(v2)}${action ? `, first read runs ${action} on ${c.self ? 'the model' : 'another model'}` : ''}`;
  const before = h.m.save();
  const probe = canon(h.m.predict(fixed(s).inputs));
  h.mutated = false;
  const rh = await call(api, h, argsH);
  const rp = await call(api, p, argsP);
  count(api);
  if (rp.err) seen.refused++;
  if (action && reads.n > 0) seen.nested++;
  expect(reads.n, `${what}: the hostile value was read ${reads.n} times`).toBeLessThanOrEqual(1);
  if (rp.err && rp.err !== p.sentinel) expectOwn(api, rp.err, what);
  expect(rh.out, what).toBe(rp.out);
  if (rp.err instanceof TypeError || rp.err instanceof RangeError || (rp.err instanceof NonFiniteError && api === 'trainBatch')) {
    if (!h.mutated && !h.m.isDisposed) {
      expect(same(h.m.save(), before), `${what}: a refused call changed the model`).toBe(true);
      expect(canon(h.m.predict(fixed(s).inputs)), `${what}: a refused call changed what the model predicts`).toBe(probe);
    }
  }
  await lockstep(h, p, what);
  expect(canon(h.m.predict(fixed(s).inputs)), `${what}: the model is usable after`).toBe(canon(p.m.predict(fixed(s).inputs)));
  dirty = false;
}

interface Case {
  subject: number;
  seed: number;
  node: number;
  key: number;
  proxy: boolean;
  firstOrig: boolean;
  first: number;
  later: number;
  action: number;
  self: boolean;
}
const caseArb: fc.Arbitrary<Case> = fc.record({
  subject: fc.nat(), seed: fc.nat(), node: fc.nat(), key: fc.nat(), proxy: fc.boolean(), firstOrig: fc.boolean(),
  first: fc.nat(), later: fc.nat(), action: fc.nat({ max: 3 * ACTIONS.length }), self: fc.boolean(),
});

describe.each(BACKENDS)('values that change between reads, and getters that call back (%s)', (backend) => {
  it.each(APIS)('%s: a hostile read equals the plain call of its first answer; nothing else changes', async (api) => {
    dirty = true;
    await fc.assert(fc.asyncProperty(caseArb, (c) => hostileCase(api, backend, c)), { numRuns: RUNS, seed: SEED });
  });
});

// ---- typed arrays on a SharedArrayBuffer that a worker_thread rewrites during the call ----

/**
 * Words that a worker_thread keeps rewriting: word k of `live` is image A's (the valid call) or, at a few poisoned
 * words, image B's (an invalid value) at any moment. A call that succeeds can only have read A everywhere, so it
 * must equal the plain call on A; one that fails must name a poisoned field. The writer stops itself (a deadline).
 */
class Shared {
  static readonly WORDS = 1 << 14;
  private readonly sab = new SharedArrayBuffer(4 * (8 + 3 * Shared.WORDS));
  private readonly ctrl = new Int32Array(this.sab, 0, 8); // stop, run, words, acknowledged, sequence, exited, passes
  private readonly img = [1, 2, 3].map((k) => new Int32Array(this.sab, 32 + 4 * (k - 1) * Shared.WORDS, Shared.WORDS)); // live, A, B
  private kinds: number[] = [];
  private worker: Worker | null = null;
  used = 0;

  start(): void {
    const W = Shared.WORDS;
    this.worker = new Worker(
      `const { workerData: d } = require('node:worker_threads');
       const c = new Int32Array(d.sab, 0, 8);
       const [live, a, b] = [0, 1, 2].map((k) => new Int32Array(d.sab, 32 + 4 * k * ${W}, ${W}));
       const end = Date.now() + 120000;
       let it = 0;
       while (Atomics.load(c, 0) === 0 && Date.now() < end) {
         if (Atomics.load(c, 1) !== 1) {
           const g = Atomics.load(c, 4);
           Atomics.store(c, 3, g);
           Atomics.notify(c, 3);
           Atomics.wait(c, 4, g, 20); // until the next pause or resume
           continue;
         }
         const n = c[2];
         it++;
         for (let k = 0; k < n; k++) live[k] = ((it + k) & 3) === 0 ? b[k] : a[k];
         Atomics.store(c, 6, it);
         Atomics.notify(c, 6);
       }
       Atomics.store(c, 5, 1);`,
      { eval: true, workerData: { sab: this.sab } },
    );
  }

  /** Stops the writer (bounded wait for its acknowledgement) and empties the buffer for the next call. */
  pause(): void {
    Atomics.store(this.ctrl, 1, 0);
    const g = Atomics.add(this.ctrl, 4, 1) + 1;
    Atomics.notify(this.ctrl, 4);
    for (let k = 0; Atomics.load(this.ctrl, 3) !== g; k++) {
      if (k > 500) throw new Error('the writer thread did not pause within 5 s');
      Atomics.wait(this.ctrl, 3, Atomics.load(this.ctrl, 3), 10);
    }
    this.used = 0;
    this.kinds = [];
  }

  /** Lets the writer run, and returns once it is writing (a woken thread takes longer than a small call). */
  resume(): void {
    const passes = Atomics.load(this.ctrl, 6);
    Atomics.store(this.ctrl, 2, this.used);
    Atomics.store(this.ctrl, 1, 1);
    Atomics.add(this.ctrl, 4, 1);
    Atomics.notify(this.ctrl, 4);
    for (let k = 0; Atomics.load(this.ctrl, 6) < passes + 2; k++) {
      if (k > 1000) throw new Error('the writer thread did not start within 5 s');
      Atomics.wait(this.ctrl, 6, Atomics.load(this.ctrl, 6), 5);
    }
  }

  private take(words: number, kind: number): number {
    const at = this.used;
    if (at + words > Shared.WORDS) throw new Error('the shared buffer is full');
    this.used += words;
    for (let k = 0; k < words; k++) this.kinds.push(kind);
    return at;
  }

  private images(at: number, words: number): void {
    this.img[1].set(this.img[0].subarray(at, at + words), at);
    this.img[2].set(this.img[0].subarray(at, at + words), at);
  }

  alloc(kind: 'f32' | 'i32', v: number[]): Float32Array | Int32Array {
    const at = this.take(v.length, kind === 'f32' ? 0 : 1);
    const view = kind === 'f32' ? new Float32Array(this.sab, 32 + 4 * at, v.length) : new Int32Array(this.sab, 32 + 4 * at, v.length);
    view.set(v);
    this.images(at, v.length);
    return view;
  }

  allocBytes(b: Uint8Array): Uint8Array {
    const words = Math.ceil(b.length / 4);
    const at = this.take(words, 2);
    const view = new Uint8Array(this.sab, 32 + 4 * at, b.length);
    view.set(b);
    this.images(at, words);
    return view;
  }

  /** n words of image B become invalid: NaN or ±Infinity (floats), -1 or 1e6 + k (ids), one flipped bit (bytes). */
  poison(rng: Rng, n: number): void {
    const f = new Float32Array(1);
    const bits = new Int32Array(f.buffer);
    for (let j = 0; j < n && this.used > 0; j++) {
      const k = rng.int(this.used);
      const kind = this.kinds[k];
      if (kind === 0) {
        f[0] = [NaN, Infinity, -Infinity][rng.int(3)];
        this.img[2][k] = bits[0];
      } else if (kind === 1) this.img[2][k] = rng.int(2) ? -1 : 1e6 + k;
      else this.img[2][k] = this.img[1][k] ^ (1 << rng.int(32));
    }
  }

  get passes(): number {
    return Atomics.load(this.ctrl, 6);
  }

  async stop(): Promise<void> {
    Atomics.store(this.ctrl, 0, 1);
    Atomics.add(this.ctrl, 4, 1);
    Atomics.notify(this.ctrl, 4);
    for (let k = 0; k < 500 && Atomics.load(this.ctrl, 5) !== 1; k++) await new Promise((r) => setTimeout(r, 10));
    const exited = Atomics.load(this.ctrl, 5) === 1;
    await this.worker?.terminate();
    expect(exited, 'the writer thread stopped itself').toBe(true);
  }
}

const SHARED_APIS = APIS.filter((a) => a !== 'create' && a !== 'save'); // the others take no typed array

async function sharedCase(sh: Shared, api: Api, backend: Backend, c: { subject: number; seed: number; poison: number }): Promise<void> {
  const subjects = WHERE[api].map((n) => SUBJECTS.find((s) => s.name === n)!);
  const s = subjects[c.subject % subjects.length];
  const [h, p] = await pair(backend, s, dirty);
  dirty = true;
  sh.pause();
  const argsH = build(api, h, new Rng(c.seed), new Alloc('shared', sh));
  const argsP = build(api, p, new Rng(c.seed), new Alloc('copy'));
  sh.poison(new Rng(c.poison), (api === 'load' ? 2 : 1) + (c.poison % 3)); // a checkpoint's words are mostly config text
  const what = `${api} on ${backend} ${s.name}, shared arrays (seed ${c.seed}, poison ${c.poison})`;
  const before = h.m.save();
  const probe = canon(h.m.predict(fixed(s).inputs));
  sh.resume();
  const rh = await call(api, h, argsH);
  sh.pause();
  count(`shared ${api}`);
  if (rh.err) {
    seen.sharedRefused++;
    expectOwn(api, rh.err, what);
    expect(rh.err instanceof TypeError || rh.err instanceof RangeError, `${what}: ${String(rh.err)}`).toBe(true);
    // it names a poisoned value: NaN, ±Infinity, -1 or 1e6 + k where the field is read, a bad file as bytes
    expect((rh.err as Error).message, what).toMatch(api === 'load' ? /^SimpleRNN\.load: bytes / : /= (NaN|-?Infinity|-1|10\d{5}) /);
    expect(same(h.m.save(), before), `${what}: a refused call changed the model`).toBe(true);
    expect(canon(h.m.predict(fixed(s).inputs)), `${what}: a refused call changed what the model predicts`).toBe(probe);
  } else {
    seen.sharedEqual++;
    const rp = await call(api, p, argsP);
    expect(rh.out, `${what}: a call that read only valid values differs from the plain call`).toBe(rp.out);
  }
  await lockstep(h, p, what);
  dirty = false;
}

describe('typed arrays on a SharedArrayBuffer that a worker_thread rewrites while the library reads them', () => {
  const sh = new Shared();
  beforeAll(() => sh.start());
  afterAll(() => sh.stop());
  describe.each(BACKENDS)('%s', (backend) => {
    it.each(SHARED_APIS)('%s: refused by the name of a poisoned field, or equal to the call on the valid values', async (api) => {
      dirty = true;
      const arb = fc.record({ subject: fc.nat(), seed: fc.nat(), poison: fc.nat() });
      await fc.assert(fc.asyncProperty(arb, (c) => sharedCase(sh, api, backend, c)), { numRuns: api === 'load' ? 4 * SHARED_RUNS : SHARED_RUNS, seed: SEED });
    });
  });
  it('the writer ran, and both outcomes occurred', () => {
    expect(sh.passes).toBeGreaterThan(0);
    expect(seen.sharedRefused).toBeGreaterThan(0);
    expect(seen.sharedEqual).toBeGreaterThan(0);
  });
});

// ---- one minimal case of each hole the fuzz found (they pin the fix) ----

describe.each(BACKENDS)('minimal cases of what the fuzz found (%s)', (backend) => {
  const make = (o: object) => SimpleRNN.create({ backend, seed: 3, ...o } as SimpleRNNOptions);
  const refused = async (api: string, f: () => unknown, cls?: typeof TypeError) => {
    const e = await Promise.resolve().then(f).then(() => null, (x: unknown) => x);
    expect(e, `${api}: accepted`).not.toBeNull();
    expectOwn(api, e, api);
    if (cls) expect(e).toBeInstanceOf(cls);
  };
  const lying = <T extends object>(a: T, n: unknown) => new Proxy(a, { get: (t, k, r) => (k === 'length' ? n : Reflect.get(t, k, r)) });

  it('a typed array behind a Proxy (a reactive store wraps them so) is refused with the library\'s TypeError', async () => {
    const m = await make({ inputSize: 2, hiddenSize: 3, outputSize: 2 });
    const px = <T extends object>(a: T) => new Proxy(a, {}) as never;
    await refused('predict', () => m.predict([px(new Float32Array(4))]), TypeError);
    await refused('trace', () => m.trace(px(new Float32Array(4))), TypeError);
    await refused('setParams', () => m.setParams({ bs: px(new Float32Array(3)) }), TypeError);
    await refused('step', () => m.step(px(new Float32Array(3)), [1, 2]), TypeError);
    await refused('step', () => m.step(m.initialState(), px(new Float32Array(2))), TypeError);
    await refused('load', () => SimpleRNN.load(px(m.save())), TypeError);
    m.dispose();
  });

  it('load does not take bytes its checksum did not cover (index reads and the buffer disagree)', async () => {
    const m = await make({ inputSize: 2, hiddenSize: 3, outputSize: 2 });
    const good = m.save();
    const forged = good.slice();
    const dv = new DataView(forged.buffer);
    const at = 48 + dv.getUint32(12, true) + dv.getUint32(16, true);
    dv.setFloat32(at + ((8 - (at % 8)) % 8), 12345, true); // the first parameter; the CRC is not updated
    const bind = (v: unknown, t: object) => (typeof v === 'function' ? v.bind(t) : v);
    const p = new Proxy(forged, { get: (t, k) => (typeof k === 'string' && /^\d+$/.test(k) ? good[Number(k)] : bind(Reflect.get(t, k), t)) });
    const loaded = await SimpleRNN.load(p).catch((e: unknown) => (expectOwn('load', e, 'load'), null));
    if (loaded) expect(loaded.getParams().Ws[0]).toBe(m.getParams().Ws[0]);
    loaded?.dispose();
    m.dispose();
  });

  it('load sizes by the bytes it holds: a length property longer than the buffer is refused by name', async () => {
    const m = await make({ inputSize: 2, hiddenSize: 3, outputSize: 2 });
    const good = m.save();
    const short = good.slice(0, 100);
    Object.defineProperty(short, 'length', { value: good.length });
    await refused('load', () => SimpleRNN.load(short), RangeError);
    m.dispose();
  });

  it('a batch or prompt length that is not a count (a Proxy answers what it likes) is refused by name', async () => {
    const m = await make({ inputSize: 2, hiddenSize: 3, outputSize: 2 });
    const lm = await make({ vocabSize: 5, hiddenSize: 3, outputSize: 5, returnSequences: true });
    for (const n of ['x', '1', -1, 1.5, NaN, null, true]) {
      const x = () => lying([[[1, 2]]], n) as never;
      await refused('predict', () => m.predict(x()));
      await refused('computeGradients', () => m.computeGradients(x(), [0]));
      await refused('trainBatch', () => m.trainBatch(x(), [0]));
      await refused('evaluate', () => m.evaluate(x(), [0]));
      await refused('fit', () => m.fit(x(), [0]));
      await refused('generate', () => lm.generate({ prompt: lying([1, 2], n) as never, length: 2 }));
    }
    m.dispose();
    lm.dispose();
  });

  it('step names a value it cannot print (an object without a prototype)', async () => {
    const m = await make({ inputSize: 2, hiddenSize: 3, outputSize: 2 });
    await refused('step', () => m.step([Object.create(null), 0, 0] as never, [1, 2]), TypeError);
    await refused('step', () => m.step(m.initialState(), [Object.create(null), 0] as never), TypeError);
    m.dispose();
  });

  it('optimizer.type and schedule.type are read once, with the rest of their object', async () => {
    let reads = 0;
    const m = await make({ inputSize: 2, hiddenSize: 3, outputSize: 2, optimizer: { get type() { return reads++ ? 'sgd' : 'adam'; }, beta1: 0.8 } });
    expect(reads).toBe(1);
    expect(m.training.optimizer).toMatchObject({ type: 'adam', beta1: 0.8 });
    let k = 0;
    const n = await make({ inputSize: 2, hiddenSize: 3, outputSize: 2, schedule: { stepSize: 2, get type() { return k++ ? 'cosine' : 'step'; } } as never });
    expect(k).toBe(1);
    expect(n.training.schedule).toMatchObject({ type: 'step', stepSize: 2 });
    // the key list is the snapshot's: an object that lists no keys has no type, whatever `type` answers
    const hidden = new Proxy({ type: 'adam' }, { ownKeys: () => [] });
    await refused('create', () => make({ inputSize: 2, hiddenSize: 3, outputSize: 2, optimizer: hidden }), TypeError);
    m.dispose();
    n.dispose();
  });

  it('fit reads validationData once, and not through its iterator', async () => {
    const opts = { inputSize: 2, hiddenSize: 3, outputSize: 2 };
    const [a, b, c] = [await make(opts), await make(opts), await make(opts)];
    const x = [[[1, 2]], [[0, 1], [1, 1]]];
    const y = [0, 1];
    const plain = await a.fit(x, y, { epochs: 1, validationData: [x, y] });
    let n = 0;
    const flips = new Proxy([x, y], { get: (t, k, r) => (k === 'length' ? (n++ ? 1 : 2) : Reflect.get(t, k, r)) });
    expect(await b.fit(x, y, { epochs: 1, validationData: flips as never })).toEqual(plain);
    expect(n).toBe(1);
    const pair = [x, y];
    Object.defineProperty(pair, Symbol.iterator, { value: function* () { yield 1; yield 2; } });
    expect(await c.fit(x, y, { epochs: 1, validationData: pair as never })).toEqual(plain);
    for (const m of [a, b, c]) m.dispose();
  });
});
