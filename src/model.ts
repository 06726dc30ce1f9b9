// SimpleRNN, the public API: the model of the seed on either backend. Options are resolved in src/config.ts, the
// memory layout is src/layout.ts, one pass over a batch is src/pass.ts, training loops src/train.ts, the optimizer
// step src/optim.ts, streaming and sampling src/generate.ts, checkpoints src/checkpoint.ts.
//
// The rule of every call: read and check all of the caller's values first (src/batch.ts and src/options.ts copy
// them once), then touch memory. A getter or callback that runs while the arguments are read may call back into the
// library; by the time this call touches memory, that nested call has finished, and a dispose() in it makes this call
// throw 'model was disposed'. During the memory phase no caller code runs; a nested call then would be refused
// (the model is busy) and a dispose() deferred to the end of the call.
import type { Backend, FloatArray, Ptr } from './backend.js';
import { OUT } from './backend.js';
import { JsBackend } from './backends/js.js';
import { relaxedSimdUnavailableAsync, wasmBackend, type SimdMode } from './backends/wasm.js';
import {
  countOf, isFloatArray, packOf, readInputs, readTargets, readVector,
  type DenseSequence, type Inputs, type Target, type TokenSequence, type Sequences, type TargetData, type Targets,
} from './batch.js';
import {
  resolveCreate, resolveSimdOption, resolveThreadSplit, resolveThreads,
  type ModelConfig, type ResolvedCreate, type SimpleRNNOptions, type ThreadSplit,
} from './config.js';
import { rangeError, stateError, typeError } from './errors.js';
import {
  SECTION, allocParams, archOf, paramLayout, paramShape, paramSuffix, sectionPtr,
  type Arch, type ParamLayout, type Params, type Workspace,
} from './layout.js';
import { drawMasks } from './dropout.js';
import { bool, int, oneOf, readOptions } from './options.js';
import { buildLayerTrace, buildTrace, type Trace } from './trace.js';
import { Rng, glorotUniform, orthogonal } from './random.js';
import {
  optimizerStep, resolveTraining, stateSections, trainingOptionsOf, learningRateAt,
  type TrainingConfig, type TrainingOptions, type NonFiniteMode,
} from './optim.js';
import {
  fit, evaluate, evaluateStream, fitStream, countCorrect,
  type TrainHost, type RunOptions, type BatchResult, type FitOptions, type History, type EvaluateOptions,
  type FitStreamOptions, type StreamHistory, type StreamEvaluateOptions, type TrainingState,
} from './train.js';
import { Stepper, readInput, readState, generate, type GenerateOptions } from './generate.js';
import { decodeCheckpoint, encodeCheckpoint, resolveCheckpoint, type Checkpoint } from './checkpoint.js';
import { passFields, runPass, PASS_FORWARD, PASS_LOSS, PASS_BACKWARD } from './pass.js';
import { BatchRunner } from './runner.js';
import { ThreadPool, relaxedThreadsUnavailable, threadedRealm, threadsUnavailable, warnFallback, type ThreadedRealm } from './parallel/index.js';

export type { Activation, OutputActivation, ModelConfig, SimpleRNNOptions } from './config.js';
export type { Params, ParamName } from './layout.js';
export { PARAM_NAMES } from './layout.js';

/** The loss of a batch and the gradient of every parameter. */
export interface Gradients<A extends FloatArray = Float32Array> {
  /** Mean loss over the batch's real positions. */
  loss: number;
  /** ∂loss/∂parameter, one array per parameter (same shapes and names as getParams). */
  grads: Params<A> & Record<string, A>;
  /** With options.initialStates: ∂loss/∂(each sequence's initial state vector). */
  initialStateGrads?: A[];
}

/** Options of predict. */
export interface PredictOptions {
  /**
   * 'nested' (default): number[][] (one vector per sequence), or number[][][] with returnSequences (one per real
   * step). 'typed': one Float32Array per sequence, O floats, or len·O with returnSequences (row-major by step).
   */
  output?: 'nested' | 'typed';
  /** One state vector per sequence (stateSize floats: every layer and direction, PyTorch's h_n order) instead of s^0. */
  initialStates?: ArrayLike<number>[];
  /** true: return { outputs, states }, states[b] the state after sequence b's last real step (every layer and direction). */
  returnState?: boolean;
}

/** What predict returns with returnState: true. */
export interface PredictWithState<O> {
  /** The outputs, as predict returns them without returnState. */
  outputs: O;
  /** Per sequence, the state after its last real step: every layer and direction (stateSize floats, PyTorch's h_n order). */
  states: Float32Array[];
}

/** Options of SimpleRNN.load: what a checkpoint does not hold (it belongs to the machine, not the model). */
export interface LoadOptions {
  /** Backend to load onto. Default: the one the model was saved from. */
  backend?: 'wasm' | 'js' | 'auto';
  /** create's threads option. Default 1. */
  threads?: number | 'auto';
  /** create's threadSplit option. Default 'rows'. */
  threadSplit?: ThreadSplit;
  /** create's simd option. Default 'strict'. */
  simd?: SimdMode;
}

/** Options of computeGradients. */
export interface ComputeGradientsOptions {
  /** One state vector per sequence (stateSize floats) instead of s^0; their gradients come back as initialStateGrads. */
  initialStates?: ArrayLike<number>[];
  /** Apply the model's dropout (training's masks). Default false. */
  dropout?: boolean;
  /** With dropout: the masks come from this seed's own Rng (the same seed, the same masks). Default: the model's Rng. */
  dropoutSeed?: number;
}

/** Options of SimpleRNN.trace. */
export interface TraceOptions {
  /** The sequence's target (as in trainBatch's targets[b]): with it the trace has the loss and the gradients. */
  target?: Target | Target[];
  /** Run the sequence in a batch padded to this many steps (>= its length): the pad steps show the carried state. */
  padTo?: number;
}

const LOAD_KEYS: readonly (keyof LoadOptions)[] = ['backend', 'threads', 'threadSplit', 'simd'];

const simdWarned = new Set<string>();

/** console.warn once per reason per realm. */
function warnSimdFallback(reason: string): void {
  if (simdWarned.has(reason)) return;
  simdWarned.add(reason);
  console.warn(`SimpleRNN: simd: 'relaxed' falls back to the strict build: ${reason}`);
}

/** The build to use for the asked simd mode, and why 'relaxed' was not (null when it was, or was not asked for). */
async function simdBuild(asked: SimdMode, backend: 'wasm' | 'js', threaded: boolean): Promise<{ use: SimdMode; why: string | null }> {
  if (asked === 'strict') return { use: 'strict', why: null };
  if (backend === 'js') return { use: 'strict', why: "backend: 'js' has no wasm build (simd applies to the wasm backend)" };
  // threads > 1: the relaxed threads build (the threads build with the relaxed micro-kernels)
  const why = threaded ? await relaxedThreadsUnavailable() : await relaxedSimdUnavailableAsync();
  return why ? { use: 'strict', why } : { use: 'relaxed', why: null };
}

/**
 * A simple (Elman) recurrent network: s^t = f_s([s^{t-1} i^t] W_s + b_s), o = f_o(s^T W_o + b_o) (or o^t at every
 * step), optionally stacked in layers and run in both directions, trained by backpropagation through time on the
 * wasm SIMD core or the pure-JS reference. Create one with SimpleRNN.create (or load a checkpoint with
 * SimpleRNN.load); dispose() frees its memory.
 */
export class SimpleRNN {
  /** The model's shape and math, resolved from create's options (frozen). */
  readonly config: Readonly<ModelConfig>;
  /** Seeded RNG of this model: initialisation, and whatever else is random (shuffling, sampling). */
  readonly rng: Rng;
  private readonly be: Backend;
  private readonly L: ParamLayout;
  private readonly A: Arch;
  private block: Ptr = 0;
  /** Packs and runs batches (src/runner.ts): owns the workspaces and the training threads. */
  private readonly run: BatchRunner;
  private fallback: string | null = null;
  private simdMode: SimdMode = 'strict';
  private simdWhy: string | null = null;
  private disposed = false;
  /** The API whose memory phase is running (null between calls). */
  private busy: string | null = null;
  private disposeDeferred = false;
  // training state (src/optim.ts): saved by save(), restored by load()
  private train: TrainingConfig;
  private steps = 0;
  private skipped = 0;
  private stepper: Stepper | null = null;
  /** Off-heap copy of params and optimizer state taken before an update, to roll back one that is not finite. */
  private backupArray: FloatArray | null = null;
  /** Dense inputs of the running trainBatch (readInputs with a lease), reused from call to call. */
  private inputBlock: FloatArray | null = null;
  private inputBlockBusy = false;
  /** The metadata of the checkpoint this model was loaded from (save() writes it again unless given another). */
  metadata: unknown = undefined;

  private constructor(be: Backend, cfg: ModelConfig, training: TrainingConfig) {
    this.be = be;
    this.config = Object.freeze({ ...cfg });
    this.train = training;
    this.L = paramLayout(cfg, be.floatBytes);
    this.A = archOf(cfg);
    this.rng = new Rng(cfg.seed);
    this.block = allocParams(be, this.L, 'create');
    this.run = new BatchRunner(be, this.config, this.A, this.L, this.block);
    const Hmax = Math.max(...this.A.H);
    be.reserveScratch?.(Hmax, Hmax); // room for the time loops to keep Wh packed (never throws)
    this.initParams();
  }

  /** Creates a model; the wasm backend is compiled and instantiated once per realm. Unknown option keys are refused. */
  static async create(options: SimpleRNNOptions): Promise<SimpleRNN> {
    return SimpleRNN.build(resolveCreate(options));
  }

  /** Builds a model from resolved options: backend, threads (or why not), simd build (or why not). */
  private static async build(r: ResolvedCreate): Promise<SimpleRNN> {
    const cfg = r.model;
    let reason = r.threads > 1 ? threadsUnavailable(cfg.backend) : null;
    let realm: ThreadedRealm | null = null;
    const simd = await simdBuild(r.simd, cfg.backend, r.threads > 1 && !reason);
    if (r.threads > 1 && !reason) realm = await threadedRealm(simd.use).catch((e: Error) => ((reason = e.message), null));
    const be = cfg.backend === 'js' ? new JsBackend(cfg.precision) : realm ? realm.be : await wasmBackend(simd.use);
    const model = new SimpleRNN(be, cfg, r.training);
    model.simdMode = simd.use;
    if (simd.why) warnSimdFallback((model.simdWhy = simd.why));
    if (realm) await model.startThreads(realm, r.threads, r.threadSplit).catch((e: Error) => (reason = e.message));
    if (reason) warnFallback((model.fallback = reason));
    return model;
  }

  /** The wasm build this model runs on: 'relaxed' only when simd: 'relaxed' was asked for and could run. */
  get simd(): SimdMode {
    return this.simdMode;
  }

  /** Why the model runs on the strict build although simd: 'relaxed' was asked for; null otherwise. */
  get simdFallback(): string | null {
    return this.simdWhy;
  }

  /**
   * Starts threads-1 training threads (all or nothing): split by rows, with their grads buffers; split by columns,
   * with the barrier block.
   */
  private async startThreads(realm: ThreadedRealm, threads: number, split: ThreadSplit): Promise<void> {
    const pool = await ThreadPool.start(realm, threads - 1, Math.max(...this.A.H), passFields(this.A.L, this.A.dirs));
    if (this.disposed) return pool.dispose();
    const bytes = this.L.count * this.L.fb;
    const lanes: { ws: Workspace | null; grads: Ptr }[] = [];
    let bar = 0;
    try {
      if (split === 'rows') for (let k = 1; k < threads; k++) lanes.push({ ws: null, grads: this.be.alloc(bytes) });
      else bar = this.be.alloc(realm.be.exports.barrierBytes!(threads));
    } catch (e) {
      pool.dispose();
      for (const lane of lanes) this.be.free(lane.grads);
      throw e;
    }
    this.run.pool = pool;
    this.run.lanes = lanes;
    this.run.split = split;
    this.run.bar = bar;
    pool.watch(this);
  }

  /** Threads this model trains on (1 unless the threads option asked for more and they started). */
  get threads(): number {
    return this.run.threadCount;
  }

  /**
   * How batches are split across the threads (the threadSplit option): 'rows' (each thread trains on a share of the
   * batch's sequences) or 'columns' (each thread computes a share of the columns of every product over the whole
   * batch); null on one thread.
   */
  get threadSplit(): ThreadSplit | null {
    return this.run.pool ? this.run.split : null;
  }

  /** Why the model runs on one thread although the threads option asked for more; null otherwise. */
  get threadsFallback(): string | null {
    return this.fallback;
  }

  // ---- the call rule ----

  private live(api: string): void {
    if (this.disposed) throw stateError(api, 'model was disposed');
  }

  /** Runs the memory phase of a call: the model must be live and not busy; no caller code may run inside `f`. */
  private guarded<T>(api: string, f: () => T): T {
    this.live(api);
    if (this.busy) throw stateError(api, `the model is busy in ${this.busy} (a getter or callback called back into it); call it after that call returns`);
    this.busy = api;
    try {
      return f();
    } finally {
      this.busy = null;
      const stopped = this.run.pool?.stopped;
      if (stopped) {
        warnFallback((this.fallback = stopped)); // a training thread stopped: the others end, batches run on this thread
        this.run.endThreads();
      }
      if (this.disposeDeferred) this.release();
    }
  }

  // ---- parameters ----

  /** Floats per section of the model block (alignment padding included): the checkpoint's paramCount. */
  get paramCount(): number {
    return this.L.count;
  }

  /**
   * Floats of the params section that the optimizer updates: all of it, or the prefix before E when embeddings are
   * frozen (E is the last parameter in the block). Its grads are zero then too.
   */
  get trainableCount(): number {
    return this.L.trainable;
  }

  private ptr(name: string, section: number = SECTION.params): Ptr {
    return sectionPtr(this.block, this.L, section, name);
  }

  private view(name: string, section: number = SECTION.params): FloatArray {
    return this.be.floats(this.ptr(name, section), this.L.size[name]);
  }

  /** Every parameter's name, in block order: Ws, bs, Wo, bo, s0, the other layers' and directions' (Ws_l1, ...), E. */
  get paramNames(): readonly string[] {
    return this.L.names;
  }

  /** Floats of one sequence's state: all layers and directions (PyTorch's h_n order), what initialState() returns. */
  get stateSize(): number {
    return this.A.stateSize;
  }

  private initParams(): void {
    const { rng, A } = this;
    const O = this.config.outputSize;
    const size = this.L.size;
    const cell = (l: number, d: number) => {
      const name = `Ws${paramSuffix(l, d)}`;
      const H = A.H[l];
      const Ws = this.config.precision === 'float64' ? new Float64Array(size[name]) : new Float32Array(size[name]);
      orthogonal(rng, Ws.subarray(0, H * H), H); // recurrent rows
      glorotUniform(rng, Ws.subarray(H * H), A.In[l], H); // input rows
      this.view(name).set(Ws);
    };
    // drawn in this order so that a one-layer model keeps its initialisation: Ws, Wo, the other cells, E
    cell(0, 0);
    const Wo = new Float64Array(size.Wo);
    glorotUniform(rng, Wo, A.headIn, O);
    this.view('Wo').set(Wo);
    for (let l = 0; l < A.L; l++) for (let d = 0; d < A.dirs; d++) if (l || d) cell(l, d);
    // E ~ U(-0.1, 0.1) (as word LMs since Zaremba et al. 2014): small next to what training writes into it, so the
    // trained neighbours are readable. Drawn last, so models without E keep their initialisation.
    const E = this.view('E');
    for (let k = 0; k < E.length; k++) E[k] = 0.1 * (2 * rng.uniform() - 1);
  }

  /** Copies of the parameters (Float64Array for a float64 js model). */
  getParams(): Params<FloatArray> & Params & Record<string, FloatArray> {
    return this.guarded('getParams', () => {
      const out = {} as Record<string, FloatArray>;
      for (const k of this.L.names) out[k] = this.view(k).slice();
      return out as Params<FloatArray> & Params & Record<string, FloatArray>;
    });
  }

  /**
   * Replaces the given parameters (any subset of the keys). Every array is read once and checked (length, finite
   * float32 values) before any is written.
   */
  setParams(params: Partial<Params<FloatArray>> | Record<string, ArrayLike<number>>): void {
    const api = 'setParams';
    this.live(api);
    const names = this.L.names;
    if (params === undefined) throw typeError(api, 'params', `an object { ${names.join(', ')} }`, params);
    const p = readOptions(api, params, names, 'params', 'a parameter');
    const copies: [string, FloatArray][] = [];
    for (const k of names) {
      const v = p[k];
      if (v === undefined) continue; // a subset of the keys replaces just those
      const n = this.L.size[k];
      if (!Array.isArray(v) && !isFloatArray(v)) {
        throw typeError(api, `params.${k}`, `a Float32Array or number[] of ${n} numbers (a Proxy around a typed array is not one: copy it first)`, v);
      }
      const a = v as ArrayLike<unknown>;
      const len = countOf(api, `params.${k}`, a);
      if (len !== n) throw rangeError(api, `params.${k}`, `has length ${len}; expected ${paramShape(this.config, k)} = ${n}`);
      const copy = this.L.fb === 8 ? new Float64Array(n) : new Float32Array(n);
      for (let j = 0; j < n; j++) {
        const x = a[j];
        if (typeof x !== 'number') throw typeError(api, `params.${k}[${j}]`, 'a number', x);
        if (!Number.isFinite(Math.fround(x))) throw rangeError(api, `params.${k}[${j}]`, `= ${x} is not a finite float32 number`);
        if (k.startsWith('s0') && !this.config.learnInitialState && x !== 0) {
          throw rangeError(api, `params.${k}[${j}]`, `= ${x}; ${k} is fixed at 0 unless the model has learnInitialState: true`);
        }
        copy[j] = x;
      }
      copies.push([k, copy]);
    }
    this.guarded(api, () => {
      for (const [k, copy] of copies) this.view(k).set(copy);
    });
  }

  // ---- batches: read once, pack, run ----

  /**
   * The caller's inputs, read and checked once. With a lease, dense values go into the model's input block, kept
   * from call to call (a new array of a few KB costs microseconds, a few percent of a small model's training step):
   * the caller holds it until `releaseInputs(lease)`, and a call made meanwhile (an input getter calling back into this
   * model) gets a new array instead.
   */
  private readInputs(api: string, inputs: Inputs, lease?: { took: boolean }): Sequences {
    this.live(api);
    const fresh = (n: number): FloatArray => (this.L.fb === 8 ? new Float64Array(n) : new Float32Array(n));
    const block = (n: number): FloatArray => {
      if (!lease || this.inputBlockBusy) return fresh(n);
      this.inputBlockBusy = lease.took = true;
      if (!this.inputBlock || this.inputBlock.length < n) this.inputBlock = fresh(n);
      return this.inputBlock.subarray(0, n);
    };
    return readInputs(api, inputs, this.run.inputSpec(), 'inputs', block);
  }

  /** Gives the input block back when this call's lease took it. */
  private releaseInputs(lease: { took: boolean }): void {
    if (lease.took) this.inputBlockBusy = lease.took = false;
  }

  /** The caller's targets for those inputs, read and checked once (a missing argument is a TypeError). */
  private readTargets(api: string, seqs: Sequences, targets: Targets): TargetData {
    return readTargets(api, targets, seqs.lengths, this.run.targetSpec());
  }

  // ---- predict, gradients, one training step ----

  /**
   * Outputs after f_o, in the caller's order: one vector per sequence, or with returnSequences one per real step.
   * `options.output` (default 'nested'): 'nested' returns number arrays; 'typed' returns one Float32Array per
   * sequence (O floats, or len·O with returnSequences, row-major by step): the same values without building
   * nested arrays (on the f64 JS reference the values are rounded to f32).
   */
  predict(inputs: Inputs, options: PredictOptions & { returnState: true; output: 'typed' }): PredictWithState<Float32Array[]>;
  predict(inputs: Inputs, options: PredictOptions & { returnState: true }): PredictWithState<number[][] | number[][][]>;
  predict(inputs: Inputs): number[][] | number[][][];
  predict(inputs: Inputs, options: PredictOptions & { output?: 'nested' }): number[][] | number[][][];
  predict(inputs: Inputs, options: PredictOptions & { output: 'typed' }): Float32Array[];
  predict(inputs: Inputs, options?: PredictOptions): number[][] | number[][][] | Float32Array[];
  predict(inputs: Inputs, options?: PredictOptions): number[][] | number[][][] | Float32Array[] | PredictWithState<unknown> {
    const api = 'predict';
    this.live(api);
    const o = readOptions(api, options, ['output', 'initialStates', 'returnState']);
    const typed = oneOf(api, 'options.output', o.output, ['nested', 'typed'] as const, 'nested') === 'typed';
    const returnState = bool(api, 'options.returnState', o.returnState, false);
    const seqs = this.readInputs(api, inputs);
    const s0Rows = this.readInitialStates(api, o.initialStates, seqs.lengths.length);
    let states: Float64Array | null = null;
    const result = this.guarded(api, () => {
      const { parts } = this.run.runParts(api, seqs, null, PASS_FORWARD, s0Rows);
      const [{ p, ws }] = parts;
      if (returnState) states = this.run.finalStates(parts, seqs.lengths.length);
      const c = this.config;
      const O = c.outputSize;
      const rows = c.returnSequences ? p.T * p.B : p.B;
      this.be.outputForward(ws.y, rows, O, OUT[c.outputActivation]);
      const y = this.be.floats(ws.y, rows * O);
      if (typed) {
        const res: Float32Array[] = new Array(p.B);
        for (let q = 0; q < p.B; q++) {
          if (!c.returnSequences) {
            res[p.order[q]] = Float32Array.from(y.subarray(q * O, (q + 1) * O));
            continue;
          }
          const n = p.lenSorted[q];
          const a = new Float32Array(n * O);
          for (let t = 0; t < n; t++) a.set(y.subarray((t * p.B + q) * O, (t * p.B + q + 1) * O), t * O);
          res[p.order[q]] = a;
        }
        return res;
      }
      // a plain copy loop: Array.from on a typed array goes through its iterator, 14x slower
      const row = (r: number) => {
        const a = new Array<number>(O);
        for (let k = 0, at = r * O; k < O; k++) a[k] = y[at + k];
        return a;
      };
      const out: (number[] | number[][])[] = new Array(p.B);
      for (let q = 0; q < p.B; q++) {
        const b = p.order[q];
        if (!c.returnSequences) out[b] = row(q);
        else out[b] = Array.from({ length: p.lenSorted[q] }, (_, t) => row(t * p.B + q));
      }
      return out as number[][] | number[][][];
    });
    if (!returnState) return result;
    const S = this.A.stateSize;
    // the backend's precision (Float64Array on the float64 reference), as getParams
    const copy = (a: Float64Array) => (this.L.fb === 8 ? a.slice() : Float32Array.from(a));
    return { outputs: result, states: Array.from({ length: seqs.lengths.length }, (_, b) => copy(states!.subarray(b * S, (b + 1) * S))) } as never;
  }

  /**
   * The caller's initial states: one state vector (stateSize floats: every layer and direction, PyTorch's h_n
   * order) per sequence, read once; null when not given.
   */
  private readInitialStates(api: string, v: unknown, B: number): FloatArray | null {
    if (v === undefined) return null;
    const field = 'options.initialStates';
    if (!Array.isArray(v)) throw typeError(api, field, `an array of ${B} state vectors (stateSize = ${this.A.stateSize} floats each)`, v);
    const n = v.length;
    if (n !== B) throw rangeError(api, field, `has ${n} states; expected one per sequence (${B})`);
    const S = this.A.stateSize;
    const out = this.L.fb === 8 ? new Float64Array(B * S) : new Float32Array(B * S);
    for (let b = 0; b < B; b++) readVector(api, `${field}[${b}]`, (v as unknown[])[b], S, out, b * S, 'a state vector');
    return out;
  }


  /**
   * Loss (mean over real positions) and its gradients, as copies. Changes no parameter. Options:
   * `initialStates` (one state vector per sequence; their gradients come back as `initialStateGrads`), and
   * `dropout: true` to apply the model's dropout masks (drawn from `dropoutSeed`'s own Rng, so the same seed gives
   * the same masks; default: no dropout, the model's inference function).
   */
  computeGradients(inputs: Inputs, targets: Targets, options?: ComputeGradientsOptions): Gradients<FloatArray> & Gradients {
    const api = 'computeGradients';
    this.live(api);
    const o = readOptions(api, options, ['initialStates', 'dropout', 'dropoutSeed']);
    const dropout = bool(api, 'options.dropout', o.dropout, false);
    const seed = o.dropoutSeed === undefined ? undefined : int(api, 'options.dropoutSeed', o.dropoutSeed, -(2 ** 53), 2 ** 53);
    const seqs = this.readInputs(api, inputs);
    const tg = this.readTargets(api, seqs, targets);
    const s0Rows = this.readInitialStates(api, o.initialStates, seqs.lengths.length);
    return this.guarded(api, () => {
      const masks = dropout ? drawMasks(this.config, this.A, seqs.lengths, seed === undefined ? this.rng : new Rng(seed), this.L.fb) : null;
      const { loss, parts } = this.run.runParts(api, seqs, tg, PASS_BACKWARD, s0Rows, masks);
      const grads = {} as Record<string, FloatArray>;
      for (const k of this.L.names) grads[k] = this.view(k, SECTION.grads).slice();
      const out = { loss, grads } as unknown as Gradients<FloatArray> & Gradients;
      if (s0Rows) out.initialStateGrads = this.run.initialStateGrads(parts, seqs.lengths.length) as Float32Array[];
      return out;
    });
  }


  /**
   * One optimizer step on the batch (clipping, schedule, weight decay as configured); returns the loss before the
   * step. A transaction: when the loss or a gradient is not finite, or the update would leave a parameter or an
   * optimizer state that is not finite, the parameters, optimizer state, step count and RNG stay exactly as they
   * were, and it throws NonFiniteError, or with onNonFinite: 'skip' returns NaN and counts the step in skippedSteps.
   * `options.onNonFinite` overrides the model's setting for this call.
   */
  trainBatch(inputs: Inputs, targets: Targets, options?: { onNonFinite?: NonFiniteMode; initialStates?: ArrayLike<number>[] }): number {
    const api = 'trainBatch';
    this.live(api);
    const o = readOptions(api, options, ['onNonFinite', 'initialStates']);
    const mode = oneOf(api, 'options.onNonFinite', o.onNonFinite, ['throw', 'skip'] as const, this.train.onNonFinite);
    const lease = { took: false };
    try {
      const seqs = this.readInputs(api, inputs, lease);
      const tg = this.readTargets(api, seqs, targets);
      const s0Rows = this.readInitialStates(api, o.initialStates, seqs.lengths.length);
      return this.guarded(api, () => {
        const rng = this.rng.state; // the masks' draws are part of the step: rolled back with it
        const masks = drawMasks(this.config, this.A, seqs.lengths, this.rng, this.L.fb);
        let loss: number;
        try {
          ({ loss } = this.run.runParts(api, seqs, tg, PASS_BACKWARD, s0Rows, masks));
        } catch (e) {
          this.rng.state = rng; // a step that did not run drew no masks
          throw e;
        }
        return this.applyStep(api, loss, mode, rng).applied ? loss : NaN;
      });
    } finally {
      this.releaseInputs(lease);
    }
  }

  /** The optimizer step on the grads section (src/optim.ts): checks, clips, updates (or rolls back), counts. */
  private applyStep(api: string, loss: number, mode: NonFiniteMode, rngBefore = this.rng.state) {
    const S = stateSections(this.train.optimizer.type);
    const sec = {
      params: this.ptr('Ws', SECTION.params), grads: this.ptr('Ws', SECTION.grads),
      s1: this.ptr('Ws', SECTION.state1), s2: this.ptr('Ws', SECTION.state2), n: this.L.trainable, stateSections: S,
      backup: this.backup((1 + S) * this.L.trainable),
    };
    const rng = rngBefore;
    let r;
    try {
      r = optimizerStep(this.be, sec, this.train, this.steps, loss, api, mode);
    } catch (e) {
      this.rng.state = rng;
      throw e;
    }
    if (r.applied) this.steps++;
    else {
      this.rng.state = rng;
      this.skipped++;
    }
    return r;
  }

  private backup(n: number): FloatArray {
    if (!this.backupArray || this.backupArray.length < n) this.backupArray = this.L.fb === 8 ? new Float64Array(n) : new Float32Array(n);
    return this.backupArray;
  }

  // ---- a look inside (src/trace.ts) ----

  /**
   * One sequence, step by step, computed by the training kernels (one forward and, given a target, one backward
   * pass; no update): the states s^t, the pre-activations z^t, the outputs, and with `options.target` the loss, the
   * gradient norms ‖∂L/∂s^t‖ and ‖∂L/∂z^t‖ through time and each step's term of dW_s (what BPTT sums), for every
   * layer and direction (trace.layers; layer 0 forward's also at the top level). With
   * `options.padTo` the sequence runs in a batch padded to that many steps: the pad steps carry the state. Changes
   * nothing in the model.
   */
  trace(sequence: DenseSequence | TokenSequence, options?: TraceOptions): Trace {
    const api = 'trace';
    this.live(api);
    const o = readOptions(api, options, ['target', 'padTo']);
    const c = this.config;
    const A = this.A;
    const one = readInputs(api, [sequence], this.run.inputSpec(), 'sequence');
    const len = one.lengths[0];
    const padTo = int(api, 'options.padTo', o.padTo, len, 1 << 20, len);
    const O = c.outputSize;
    // a second, longer sequence makes the kernels run pad steps for ours; its rows get weight 0
    const dummy = padTo > len;
    const seqs: Sequences = dummy
      ? { data: [one.data[0], c.vocabSize ? new Int32Array(padTo) : new Float32Array(padTo * c.inputSize)], lengths: Int32Array.of(len, padTo) }
      : one;
    let tg: TargetData | null = null;
    if (o.target !== undefined) {
      const mine = readTargets(api, [o.target], one.lengths, this.run.targetSpec(), 'options.target');
      if (dummy) {
        const n = c.returnSequences ? padTo : 1;
        mine.data.push(c.outputActivation === 'softmax' ? new Int32Array(n) : new Float32Array(n * O));
      }
      tg = mine;
    }
    return this.guarded(api, () => {
      const be = this.be;
      const fb = this.L.fb;
      const p = packOf(seqs.lengths);
      const ws = this.run.workspace(p.B, p.T, api);
      this.run.packBatch(p, ws, seqs, tg, null, null);
      const q = p.order[0] === 0 ? 0 : 1;
      const N = p.T * p.B;
      const rows = c.returnSequences ? N : p.B;
      if (tg) {
        const w = be.floats(ws.w, rows);
        for (let r = 0; r < rows; r++) w[r] = r % p.B === q && w[r] > 0 ? 1 / (c.returnSequences ? len : 1) : 0;
      }
      const K = A.L * A.dirs;
      const H = (k: number) => A.H[Math.floor(k / A.dirs)];
      const args = { ...this.run.passArgs(p, ws, tg ? PASS_BACKWARD : PASS_FORWARD, this.run.s0Mode(null), false) }; // a copy: dsin is set below
      // with a target: room for the gradient each state receives from above, copied by the pass before BPTT
      let dsin = 0;
      if (tg) {
        let bytes = 0;
        for (let k = 0; k < K; k++) bytes += Math.ceil((N * H(k) * fb) / 16) * 16;
        dsin = be.alloc(bytes);
        for (let k = 0, at = dsin; k < K; at += Math.ceil((N * H(k) * fb) / 16) * 16, k++) args['dsin' + k] = at;
      }
      try {
        const loss = runPass(be, args, 0);
        be.outputForward(ws.y, rows, O, OUT[c.outputActivation]);
        const y = be.floats(ws.y, rows * O);
        const outputs = c.returnSequences
          ? Array.from({ length: len }, (_, t) => Float32Array.from(y.subarray((t * p.B + q) * O, (t * p.B + q + 1) * O)))
          : [Float32Array.from(y.subarray(q * O, (q + 1) * O))];
        const tokens = c.vocabSize > 0 && !c.embeddingSize;
        const layers = Array.from({ length: K }, (_, k) => {
          const l = Math.floor(k / A.dirs);
          const d = k % A.dirs;
          const g = ws.ld[k];
          const In = A.In[l];
          const src = d === 1 ? g.xr : l > 0 ? ws.layer[l - 1].y : c.embeddingSize ? ws.xe : ws.x;
          const ids = l === 0 && tokens;
          return buildLayerTrace({
            layer: l, reverse: d === 1, T: p.T, B: p.B, H: H(k), In: ids ? 0 : In, q, length: len, readsBackwards: c.goBackwards,
            s: be.floats(g.s, (p.T + 1) * p.B * H(k)).slice(),
            inputs: ids ? null : be.floats(src, N * In).slice(),
            tokens: ids ? be.ints(src, N).slice() : null,
            Ws: this.view(`Ws${paramSuffix(l, d)}`).slice(), bs: this.view(`bs${paramSuffix(l, d)}`).slice(),
            ...(tg ? { dz: be.floats(g.dz, N * H(k)).slice(), dsin: be.floats(args['dsin' + k], N * H(k)).slice() } : {}),
          });
        });
        return buildTrace(layers, { steps: p.T, length: len, outputs, ...(tg ? { loss } : {}) });
      } finally {
        if (dsin) be.free(dsin);
      }
    });
  }

  // ---- training: fit, evaluate, fitStream (src/train.ts) ----

  /** Optimizer updates applied so far (the schedule's t and Adam's bias correction use it). */
  get stepCount(): number {
    return this.steps;
  }

  /** Steps skipped because their loss, gradient or update was not finite (onNonFinite: 'skip'). */
  get skippedSteps(): number {
    return this.skipped;
  }

  /** The current training configuration (optimizer with every hyper-parameter, schedule, clipping, ...). */
  get training(): Readonly<TrainingConfig> {
    const c = this.train;
    return Object.freeze({ ...c, optimizer: Object.freeze({ ...c.optimizer }), schedule: Object.freeze({ ...c.schedule }) });
  }

  /** The learning rate the next step will use. */
  get currentLearningRate(): number {
    return learningRateAt(this.train, this.steps);
  }

  private host(): TrainHost {
    return {
      config: this.config,
      rng: this.rng,
      readInputs: (api, inputs, field) => readInputs(api, inputs, this.run.inputSpec(), field),
      readTargets: (api, targets, lengths, field) => readTargets(api, targets, lengths, this.run.targetSpec(), field),
      run: (api, seqs, tg, opts) => this.guarded(api, () => this.runBatch(api, seqs, tg, opts)),
      configure: (api, o, prefix) => this.guarded(api, () => this.configureTraining(api, o, prefix)),
      saveState: (api) => this.guarded(api, () => this.saveState()),
      restoreState: (api, s) => this.guarded(api, () => this.restoreState(s)),
    };
  }

  /** Training options from now on; a change of optimizer type starts it fresh (zero state, step count 0). */
  private configureTraining(api: string, o: TrainingOptions, prefix: string): void {
    const next = resolveTraining(api, o, this.train, prefix);
    if (next.optimizer.type !== this.train.optimizer.type) {
      this.be.zero(this.ptr('Ws', SECTION.state1), 2 * this.L.count * this.L.fb);
      this.steps = 0;
    }
    this.train = next;
  }

  /** Params, optimizer state and step count: what belongs to the current weights (early stopping's best epoch). */
  private saveState(): TrainingState {
    const n = (SECTION.state2 + 1) * this.L.count;
    return { sections: this.be.floats(this.block, n).slice(), steps: this.steps };
  }

  private restoreState(s: TrainingState): void {
    // the grads section is scratch: restoring it too keeps this one copy
    this.be.floats(this.block, s.sections.length).set(s.sections);
    this.steps = s.steps;
  }

  private runBatch(api: string, seqs: Sequences, tg: TargetData, opts: RunOptions): BatchResult {
    const be = this.be;
    const c = this.config;
    const O = c.outputSize;
    const rng = this.rng.state;
    const masks = opts.train ? drawMasks(c, this.A, seqs.lengths, this.rng, this.L.fb) : null;
    let run: ReturnType<BatchRunner['runParts']>;
    try {
      run = this.run.runParts(api, seqs, tg, opts.train ? PASS_BACKWARD : PASS_LOSS, opts.initialStates ?? null, masks);
    } catch (e) {
      this.rng.state = rng; // a step that did not run drew no masks
      throw e;
    }
    const { loss, parts } = run;
    const report = opts.train
      ? this.applyStep(api, loss, opts.onNonFinite ?? this.train.onNonFinite, rng)
      : { applied: true, gradNorm: NaN, learningRate: NaN };
    const out: BatchResult = {
      loss, positions: 0, correct: 0, judged: 0, skipped: !report.applied,
      gradNorm: report.gradNorm, learningRate: report.learningRate, padSteps: 0, allSteps: 0,
    };
    for (const { p, ws } of parts) {
      const rows = c.returnSequences ? p.T * p.B : p.B;
      const w = be.floats(ws.w, rows);
      for (let r = 0; r < rows; r++) if (w[r] > 0) out.positions++;
      const acc = countCorrect(c.outputActivation, be.floats(ws.y, rows * O), be.ints(ws.tgt, rows), be.floats(ws.tgt, rows * O), w, rows, O);
      out.correct += acc.correct;
      out.judged += acc.judged;
      out.padSteps += p.T * p.B - p.steps;
      out.allSteps += p.T * p.B;
    }
    if (opts.finalStates) out.finalStates = this.run.finalStates(parts, seqs.lengths.length);
    return out;
  }

  /**
   * Trains on a dataset for some epochs (async: it yields to the event loop between batches). The dataset is read
   * and checked once, before the first batch. Options and the history it returns: FitOptions, History.
   */
  fit(inputs: Inputs, targets: Targets, options?: FitOptions): Promise<History> {
    try {
      this.live('fit');
    } catch (e) {
      return Promise.reject(e);
    }
    return fit(this.host(), inputs, targets, options);
  }

  /** Loss (mean over real positions) and accuracy (softmax / sigmoid outputs) on a dataset. Changes nothing. */
  evaluate(
    inputs: Inputs, targets: Targets, options?: EvaluateOptions,
  ): {
    /** Mean loss over the real positions. */
    loss: number;
    /** Fraction of correct predictions (softmax and sigmoid outputs). */
    accuracy?: number;
  } {
    this.live('evaluate');
    return evaluate(this.host(), inputs, targets, options);
  }

  /**
   * Truncated BPTT over one long token stream (char-rnn): batchSize parallel tracks, chunks of seqLength steps, each
   * track's final state carried into its next chunk. Reports loss per character (nats) and perplexity.
   */
  fitStream(tokens: ArrayLike<number>, options?: FitStreamOptions): Promise<StreamHistory> {
    try {
      this.live('fitStream');
    } catch (e) {
      return Promise.reject(e);
    }
    return fitStream(this.host(), tokens, options);
  }

  /**
   * Loss per token (nats) and perplexity over one token stream read as one track with carried state, in chunks of
   * seqLength steps: what fitStream reports as valLoss for its validationTokens. Changes nothing.
   */
  evaluateStream(
    tokens: ArrayLike<number>, options?: StreamEvaluateOptions,
  ): {
    /** Mean loss per token, in nats. */
    loss: number;
    /** exp(loss). */
    perplexity: number;
  } {
    this.live('evaluateStream');
    return evaluateStream(this.host(), tokens, options);
  }

  // ---- streaming inference and generation (src/generate.ts) ----

  /** Streaming runs one direction forward: refused for models that read the sequence backwards. */
  private checkStreamable(api: string): void {
    if (this.A.dirs > 1) throw rangeError(api, 'model', 'is bidirectional; its reverse direction reads the sequence from its end, which a stream has not reached (use predict)');
    if (this.config.goBackwards) throw rangeError(api, 'model', 'has goBackwards: it reads the sequence from its end, which a stream has not reached (use predict)');
  }

  private getStepper(): Stepper {
    if (!this.stepper) {
      const A = this.A;
      this.stepper = new Stepper(this.be, this.config, A.H, {
        Ws: A.H.map((_, l) => this.ptr(`Ws${paramSuffix(l, 0)}`)), bs: A.H.map((_, l) => this.ptr(`bs${paramSuffix(l, 0)}`)),
        Wo: this.ptr('Wo'), bo: this.ptr('bo'), E: this.ptr('E'),
      });
    }
    return this.stepper;
  }

  /** The initial state vector (stateSize floats: every layer and direction): the learned s0s, or zeros. */
  private s0Vector(): FloatArray {
    const A = this.A;
    const out = this.L.fb === 8 ? new Float64Array(A.stateSize) : new Float32Array(A.stateSize);
    let at = 0;
    for (let l = 0; l < A.L; l++) {
      for (let d = 0; d < A.dirs; d++) {
        out.set(this.view(`s0${paramSuffix(l, d)}`), at);
        at += A.H[l];
      }
    }
    return out;
  }

  /** s^0 for step(): the learned s0 (every layer's, concatenated: stateSize floats), or zeros. */
  initialState(): Float32Array {
    return this.guarded('initialState', () => this.s0Vector() as Float32Array);
  }

  /**
   * One step of the recurrence from `state` with one input (a token id, or a vector of inputSize numbers):
   * the next state and the output f_o(s^t Wo + bo). Stepping through a sequence gives what predict gives on each prefix.
   */
  step(
    state: ArrayLike<number>, input: number | ArrayLike<number>,
  ): {
    /** s^t: the state after this step (stateSize floats). */
    state: Float32Array;
    /** f_o(s^t W_o + b_o). */
    output: Float32Array;
  } {
    const api = 'step';
    this.live(api);
    this.checkStreamable(api);
    const s = readState(api, state, this.A.stateSize, this.A.L > 1 ? 'stateSize' : 'hiddenSize');
    const x = readInput(api, input, this.config);
    return this.guarded(api, () => {
      const st = this.getStepper();
      st.setState(s);
      st.advance(x);
      return { state: st.stateCopy() as Float32Array, output: st.outputsCopy() as Float32Array };
    });
  }

  /** Generates tokens after a prompt (token models predicting the next token). See GenerateOptions. */
  generate(options: GenerateOptions): number[] {
    const api = 'generate';
    this.live(api);
    this.checkStreamable(api);
    const run = generate(this.config, options);
    return this.guarded(api, () => run(this.getStepper(), this.s0Vector(), this.rng));
  }

  // ---- checkpoints (src/checkpoint.ts) ----

  /**
   * The whole training state as bytes (docs/checkpoints.md): config, parameters, optimizer state, step count, RNG
   * state, the optional metadata (any JSON value; default: this.metadata) and a CRC-32.
   */
  save(metadata: unknown = this.metadata): Uint8Array {
    const api = 'save';
    this.live(api);
    const sections = this.guarded(api, () => {
      const S = stateSections(this.train.optimizer.type);
      const out: FloatArray[] = [];
      for (let k = 0; k <= S; k++) out.push(this.be.floats(sectionPtr(this.block, this.L, k === 0 ? SECTION.params : SECTION.grads + k), this.L.count).slice());
      return out;
    });
    return encodeCheckpoint({
      model: { ...this.config }, training: trainingOptionsOf(this.train), metadata, floatBytes: this.L.fb as 4 | 8,
      paramCount: this.L.count, sections, stepCount: this.steps, rngState: this.rng.state, skippedSteps: this.skipped,
    });
  }

  /**
   * Restores a model from save()'s bytes, exactly: training continues as if uninterrupted. A truncated, corrupted,
   * wrong-version or mismatched file throws before any memory is allocated; nothing half-loads. Options: LoadOptions.
   */
  static async load(bytes: Uint8Array | ArrayBuffer, options?: LoadOptions): Promise<SimpleRNN> {
    const api = 'load';
    // the caller's options are the caller's errors, the file's config the file's
    const o = readOptions(api, options, LOAD_KEYS);
    const backend = o.backend === undefined ? undefined : oneOf(api, 'options.backend', o.backend, ['wasm', 'js', 'auto'] as const);
    const threads = resolveThreads(api, o.threads);
    const threadSplit = resolveThreadSplit(api, o.threadSplit);
    const simd = resolveSimdOption(api, o.simd);
    const ck = decodeCheckpoint(bytes);
    const r = resolveCheckpoint(ck, backend);
    const model = await SimpleRNN.build({ ...r, threads, threadSplit, simd });
    try {
      model.restore(ck);
    } catch (e) {
      model.dispose();
      throw e;
    }
    return model;
  }

  private restore(ck: Checkpoint): void {
    for (let k = 0; k < ck.sections.length; k++) {
      this.be.floats(sectionPtr(this.block, this.L, k === 0 ? SECTION.params : SECTION.grads + k), this.L.count).set(ck.sections[k]);
    }
    this.steps = ck.stepCount;
    this.skipped = ck.skippedSteps;
    this.rng.state = ck.rngState;
    this.metadata = ck.metadata;
  }

  /** Frees the model's memory. Safe to call twice; afterwards every method throws. During a call it is deferred to the call's end. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.busy) {
      this.disposeDeferred = true;
      return;
    }
    this.release();
  }

  private release(): void {
    this.disposeDeferred = false;
    this.run.free();
    this.stepper?.free();
    this.stepper = null;
    this.be.free(this.block);
    this.block = 0;
  }

  /** true after dispose(). */
  get isDisposed(): boolean {
    return this.disposed;
  }
}
