// SimpleRNN: the model of DEVELOPERS.md on either backend. This file orchestrates the kernels (a fixed number of
// kernel calls per batch; the time loops run inside rnnForward / rnnBackward) and owns the model's memory:
// one block for params | grads | optimizer state, and one activation workspace sized for (B, T), grown lazily.
import { ACT, OUT, type Backend, type FloatArray, type Ptr } from './backend.js';
import { JsBackend } from './backends/js.js';
import { relaxedSimdUnavailable, resolveBackend, wasmBackend, type SimdMode } from './backends/wasm.js';
import {
  validateInputs, validateTargets, writeInputs, writeTargets,
  type Inputs, type InputSpec, type Packed, type Targets, type TargetSpec,
} from './batch.js';
import { rangeError, stateError, typeError } from './errors.js';
import { Rng, glorotUniform, orthogonal } from './random.js';
import {
  optimizerStep, resolveTraining, stateSections, trainingOptionsOf, learningRateAt,
  type TrainingConfig, type TrainingOptions, type NonFiniteMode,
} from './optim.js';
import {
  fit, evaluate, fitStream, countCorrect,
  type TrainHost, type RunOptions, type BatchResult, type FitOptions, type History, type EvaluateOptions,
  type FitStreamOptions, type StreamHistory,
} from './train.js';
import { Stepper, checkInput, checkState, generate, type GenerateOptions } from './generate.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from './checkpoint.js';
import { runPass, PASS_FORWARD, PASS_LOSS, PASS_BACKWARD, type PassArgs } from './pass.js';
import { ThreadPool, resolveThreads, splitBatch, threadedRealm, threadsUnavailable, warnFallback, type ThreadedRealm } from './threads/index.js';

export type Activation = keyof typeof ACT;
export type OutputActivation = keyof typeof OUT;

/**
 * Options of SimpleRNN.create. Give exactly one of inputSize (dense inputs) and vocabSize (token ids). The training
 * options (optimizer, learningRate, schedule, weightDecay, clipNorm, clipValue, onNonFinite) are documented in
 * src/optim.ts TrainingOptions; fit and fitStream may change them later.
 */
export interface SimpleRNNOptions extends TrainingOptions {
  /** I: size of each dense input vector. */
  inputSize?: number;
  /** V: token-id inputs in [0, V); id selects row H+id of Ws (an embedding lookup), unless embeddingSize is given. */
  vocabSize?: number;
  /**
   * D: token models only. Gives the model a trainable embedding layer E (V x D): i^t = E[id], and Ws is (H+D) x H.
   * Default: none (the token id selects row H+id of Ws).
   */
  embeddingSize?: number;
  /** With embeddingSize: true keeps E fixed (pretrained vectors); it gets no gradient and no update. Default false. */
  freezeEmbeddings?: boolean;
  /** H: size of the state s^t. */
  hiddenSize: number;
  /** O: size of the output o. */
  outputSize: number;
  /** f_s. Default 'tanh'. */
  activation?: Activation;
  /** f_o, which also picks the loss: softmax → cross-entropy, sigmoid → binary cross-entropy, linear → squared error. Default 'softmax'. */
  outputActivation?: OutputActivation;
  /** false: o from the final state s^T; true: o^t at every real step. Default false. */
  returnSequences?: boolean;
  /** false: s^0 = 0; true: s^0 is a trained vector s0. Default false. */
  learnInitialState?: boolean;
  /**
   * 'wasm' (SIMD, default), 'js' (the pure-JS reference: same API, same math), or 'auto': wasm where WebAssembly SIMD
   * validates, js elsewhere (config.backend says which was chosen).
   */
  backend?: 'wasm' | 'js' | 'auto';
  /** Storage of the js backend: 'float32' (default) or 'float64' (for gradient checks). The wasm backend is float32. */
  precision?: 'float32' | 'float64';
  /** Seed of the initialisation (and of everything random the model does). Default 1. */
  seed?: number;
  /** Base learning rate of every optimizer step (the schedule scales it). Default 0.01. */
  learningRate?: number;
  /**
   * Threads that train data-parallel: trainBatch, computeGradients, fit, fitStream and evaluate split each batch into
   * that many sub-batches, run them at once (this thread + threads-1 Node worker_threads or Web Workers on a shared
   * wasm memory), sum the gradients in a fixed order and take one optimizer step: results equal one thread's up to f32
   * rounding, and the same run gives the same bits every time. 'auto' = the machine's cores. Where threads cannot run
   * (backend 'js'; a browser page that is not crossOriginIsolated, or its main thread: use a worker) the model runs
   * on one thread, warns once, and says why in `threadsFallback`. dispose() ends the threads. Default 1.
   */
  threads?: number | 'auto';
  /**
   * Which build of the wasm core runs the model. 'strict' (default): plain SIMD, a separate multiply and add, the
   * same bits on every CPU. 'relaxed': the GEMM micro-kernels use f32x4.relaxed_madd (a fused multiply-add on CPUs
   * that have one: one rounding instead of two, and 1.0-1.2x faster here; README "Relaxed SIMD"), so results may
   * differ in the last bits between CPUs. The relaxed build is a second wasm instance with its own linear memory.
   * It is used where WebAssembly.validate accepts it; in Node 20, where relaxed SIMD is behind a V8 flag, asking for
   * it turns on --experimental-wasm-relaxed-simd with v8.setFlagsFromString (Node only, once). Elsewhere, with
   * backend 'js', or with threads > 1 (the threads build is plain SIMD), the model runs on the strict build, warns
   * once, and says why in `simdFallback`.
   */
  simd?: SimdMode;
}

export interface ModelConfig {
  inputSize: number;
  vocabSize: number;
  /** D, or 0 when the model has no embedding layer. */
  embeddingSize: number;
  freezeEmbeddings: boolean;
  hiddenSize: number;
  outputSize: number;
  activation: Activation;
  outputActivation: OutputActivation;
  returnSequences: boolean;
  learnInitialState: boolean;
  backend: 'wasm' | 'js';
  precision: 'float32' | 'float64';
  seed: number;
  learningRate: number;
}

/**
 * The parameters, row-major: Ws (H+I, H), bs (H), Wo (H, O), bo (O), s0 (H; zeros unless learned), and with
 * embeddingSize E (V, D), where I = D. Without an embedding layer E is empty (length 0).
 */
export interface Params<A extends FloatArray = Float32Array> {
  Ws: A;
  bs: A;
  Wo: A;
  bo: A;
  s0: A;
  E: A;
}

export type ParamName = keyof Params;
/** Block order. E is last, so the trainable parameters of a model with frozen embeddings are a prefix. */
export const PARAM_NAMES: readonly ParamName[] = ['Ws', 'bs', 'Wo', 'bo', 's0', 'E'];

export interface Gradients<A extends FloatArray = Float32Array> {
  loss: number;
  grads: Params<A>;
}

/** Options of predict. */
export interface PredictOptions {
  /**
   * 'nested' (default): number[][] (one vector per sequence), or number[][][] with returnSequences (one per real
   * step). 'typed': one Float32Array per sequence, O floats, or len·O with returnSequences (row-major by step).
   */
  output?: 'nested' | 'typed';
}

// plain arithmetic, not bit operations: sizes may exceed 2^31 before the limit check refuses them
const align4 = (n: number) => Math.ceil(n / 4) * 4;
const align16 = (n: number) => Math.ceil(n / 16) * 16;
const MAX_BYTES = 2 ** 31; // a single model block or workspace above this is refused up front

/** be.alloc, with an allocation failure (a RangeError) rethrown as the caller's error, which names the API and field. */
function allocOr(be: Backend, bytes: number, error: () => RangeError): Ptr {
  try {
    return be.alloc(bytes);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const err = error();
    err.message += ` (${e.message})`;
    throw err;
  }
}

interface Workspace {
  capB: number;
  capT: number;
  block: Ptr;
  len: Ptr;
  x: Ptr; // dense (T, B, I) floats, or tokens (T, B) int32
  xe: Ptr; // (T, B, D) gathered embedding rows E[id] (embedding models only)
  dxe: Ptr; // (T, B, D) dL/d(E[id]) per row (embedding models only)
  WiT: Ptr; // (H, D) Ws[H:]ᵀ (embedding models only)
  s: Ptr; // (T+1, B, H)
  dz: Ptr; // (T, B, H)
  ds0: Ptr; // (B, H)
  y: Ptr; // (N, O) logits, N = T*B or B
  dy: Ptr; // (N, O)
  tgt: Ptr; // (N) int32 classes or (N, O) floats
  w: Ptr; // (N)
  loss: Ptr; // (N)
  WhT: Ptr; // (H, H)
  WoT: Ptr; // (O, H)
}

const simdWarned = new Set<string>();

/** console.warn once per reason per realm. */
function warnSimdFallback(reason: string): void {
  if (simdWarned.has(reason)) return;
  simdWarned.add(reason);
  console.warn(`SimpleRNN: simd: 'relaxed' falls back to the strict build: ${reason}`);
}

/** The simd option: the build to use, and why 'relaxed' was not (null when it was, or was not asked for). */
function resolveSimd(v: unknown, backend: 'wasm' | 'js', threaded: boolean): { use: SimdMode; why: string | null } {
  if (v === undefined || v === 'strict') return { use: 'strict', why: null };
  if (v !== 'relaxed') throw typeError('create', 'options.simd', "'strict' or 'relaxed'", v);
  if (backend === 'js') return { use: 'strict', why: "backend: 'js' has no wasm build (simd applies to the wasm backend)" };
  if (threaded) return { use: 'strict', why: 'threads > 1 run on the threads build, which is plain SIMD' };
  const why = relaxedSimdUnavailable();
  return why ? { use: 'strict', why } : { use: 'relaxed', why: null };
}

function resolveOptions(o: SimpleRNNOptions): ModelConfig {
  const api = 'create';
  if (o === null || typeof o !== 'object') throw typeError(api, 'options', 'an options object', o);
  const int = (field: keyof SimpleRNNOptions, lo: number, hi: number): number => {
    const v = o[field];
    if (typeof v !== 'number') throw typeError(api, `options.${field}`, `an integer in [${lo}, ${hi}]`, v);
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw rangeError(api, `options.${field}`, `= ${v} is out of range; expected an integer in [${lo}, ${hi}]`);
    }
    return v;
  };
  const oneOf = <T extends string>(field: keyof SimpleRNNOptions, values: readonly T[], dflt: T): T => {
    const v = o[field] ?? dflt;
    if (!values.includes(v as T)) throw typeError(api, `options.${field}`, `one of ${values.map((x) => `'${x}'`).join(', ')}`, v);
    return v as T;
  };
  const bool = (field: keyof SimpleRNNOptions): boolean => {
    const v = o[field] ?? false;
    if (typeof v !== 'boolean') throw typeError(api, `options.${field}`, 'a boolean', v);
    return v;
  };
  const hasI = o.inputSize !== undefined;
  const hasV = o.vocabSize !== undefined;
  if (hasI === hasV) {
    throw typeError(api, 'options', 'given exactly one of inputSize (dense inputs) and vocabSize (token ids)', o);
  }
  if (o.embeddingSize !== undefined && !hasV) {
    throw typeError(api, 'options.embeddingSize', 'given only with vocabSize (an embedding layer maps token ids)', o.embeddingSize);
  }
  const cfg: ModelConfig = {
    inputSize: hasI ? int('inputSize', 1, 1 << 20) : 0,
    vocabSize: hasV ? int('vocabSize', 1, 1 << 24) : 0,
    embeddingSize: o.embeddingSize === undefined ? 0 : int('embeddingSize', 1, 1 << 16),
    freezeEmbeddings: bool('freezeEmbeddings'),
    hiddenSize: int('hiddenSize', 1, 1 << 16),
    outputSize: int('outputSize', 1, 1 << 24),
    activation: oneOf('activation', Object.keys(ACT) as Activation[], 'tanh'),
    outputActivation: oneOf('outputActivation', Object.keys(OUT) as OutputActivation[], 'softmax'),
    returnSequences: bool('returnSequences'),
    learnInitialState: bool('learnInitialState'),
    // 'auto' is 'wasm' where WebAssembly SIMD validates, else 'js'; config.backend holds the resolved choice
    backend: resolveBackend(oneOf('backend', ['wasm', 'js', 'auto'] as const, 'wasm')).backend,
    precision: oneOf('precision', ['float32', 'float64'] as const, 'float32'),
    seed: o.seed === undefined ? 1 : int('seed', -(2 ** 53), 2 ** 53),
    learningRate: o.learningRate === undefined ? 0.01 : (o.learningRate as number),
  };
  if (typeof cfg.learningRate !== 'number' || !(cfg.learningRate > 0) || !Number.isFinite(cfg.learningRate)) {
    throw rangeError(api, 'options.learningRate', `= ${String(o.learningRate)} is invalid; expected a finite number > 0`);
  }
  if (cfg.outputActivation === 'softmax' && cfg.outputSize < 2) {
    throw rangeError(api, 'options.outputSize', `= ${cfg.outputSize} is too small for softmax; expected >= 2 classes`);
  }
  if (cfg.backend === 'wasm' && cfg.precision === 'float64') {
    throw rangeError(api, 'options.precision', "= 'float64' needs backend: 'js' (the wasm backend computes in float32)");
  }
  if (cfg.freezeEmbeddings && !cfg.embeddingSize) {
    throw rangeError(api, 'options.freezeEmbeddings', '= true needs an embedding layer; expected embeddingSize to be given');
  }
  return cfg;
}

export class SimpleRNN {
  readonly config: Readonly<ModelConfig>;
  /** Seeded RNG of this model: initialisation, and whatever else is random (shuffling, sampling). */
  readonly rng: Rng;
  private be: Backend;
  private fb: number;
  private H: number;
  private I: number; // rows of the input part of Ws: inputSize, vocabSize for token models, or D with embeddings
  private O: number;
  /** Float offsets of each parameter inside a P-float section; the block is params | grads | 2P optimizer state. */
  private readonly off: Record<ParamName, number>;
  private readonly size: Record<ParamName, number>;
  readonly paramCount: number;
  private block: Ptr = 0;
  private ws: Workspace | null = null;
  /** Training threads (threads > 1), and the workspace and grads buffer of each thread's sub-batch (1..n-1). */
  private pool: ThreadPool | null = null;
  private lanes: { ws: Workspace | null; grads: Ptr }[] = [];
  private fallback: string | null = null;
  private simdMode: SimdMode = 'strict';
  private simdWhy: string | null = null;
  private disposed = false;
  // training state (src/optim.ts): saved by save(), restored by load()
  private train: TrainingConfig = resolveTraining('create', {});
  private steps = 0;
  private skipped = 0;
  /** s^0 per sequence (B, H) in the caller's order for the next forward, instead of zeros / s0 (fitStream's carry). */
  private s0Rows: FloatArray | null = null;
  private stepper: Stepper | null = null;
  /** The metadata of the checkpoint this model was loaded from (save() writes it again unless given another). */
  metadata: unknown = undefined;

  private constructor(be: Backend, cfg: ModelConfig) {
    this.be = be;
    this.fb = be.floatBytes;
    this.config = Object.freeze({ ...cfg });
    this.H = cfg.hiddenSize;
    this.I = cfg.embeddingSize || cfg.vocabSize || cfg.inputSize;
    this.O = cfg.outputSize;
    const { H, I, O } = this;
    this.size = { Ws: (H + I) * H, bs: H, Wo: H * O, bo: O, s0: H, E: cfg.vocabSize * cfg.embeddingSize };
    let at = 0;
    const off = {} as Record<ParamName, number>;
    for (const k of PARAM_NAMES) {
      off[k] = at;
      at += align4(this.size[k]);
    }
    this.off = off;
    this.paramCount = at;
    const bytes = 4 * at * this.fb;
    if (bytes > MAX_BYTES) {
      throw rangeError('create', 'options', `describe a model of ${at} parameters (${bytes} bytes with gradients and optimizer state); the limit is ${MAX_BYTES} bytes`);
    }
    this.rng = new Rng(cfg.seed);
    this.block = allocOr(be, bytes, () => rangeError('create', 'options', `describe a model of ${at} parameters (${bytes} bytes with gradients and optimizer state) that this backend cannot allocate`));
    be.zero(this.block, bytes);
    be.reserveScratch?.(H, H); // room for the time loops to keep Wh packed (wasm GEMM scratch; never throws)
    this.initParams();
  }

  /** Creates a model; the wasm backend is compiled and instantiated once per realm. */
  static async create(options: SimpleRNNOptions): Promise<SimpleRNN> {
    const cfg = resolveOptions(options);
    const train = resolveTraining('create', options);
    const threads = resolveThreads('create', options.threads);
    let reason = threads > 1 ? threadsUnavailable(cfg.backend) : null;
    let realm: ThreadedRealm | null = null;
    const simd = resolveSimd(options.simd, cfg.backend, threads > 1 && !reason);
    if (threads > 1 && !reason) realm = await threadedRealm().catch((e: Error) => ((reason = e.message), null));
    const be = cfg.backend === 'js' ? new JsBackend(cfg.precision) : realm ? realm.be : await wasmBackend(simd.use);
    const model = new SimpleRNN(be, cfg);
    model.train = train;
    model.simdMode = simd.use;
    if (simd.why) warnSimdFallback((model.simdWhy = simd.why));
    if (realm) await model.startThreads(realm, threads).catch((e: Error) => (reason = e.message));
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

  /** Starts threads-1 training threads and their grads buffers (all or nothing). */
  private async startThreads(realm: ThreadedRealm, threads: number): Promise<void> {
    const pool = await ThreadPool.start(realm, threads - 1, this.H);
    if (this.disposed) return pool.dispose();
    const bytes = this.paramCount * this.fb;
    try {
      for (let k = 1; k < threads; k++) this.lanes.push({ ws: null, grads: this.be.alloc(bytes) });
    } catch (e) {
      pool.dispose();
      for (const lane of this.lanes) this.be.free(lane.grads);
      this.lanes = [];
      throw e;
    }
    this.pool = pool;
    pool.watch(this);
  }

  /** Threads this model trains on (1 unless the threads option asked for more and they started). */
  get threads(): number {
    return this.pool ? this.pool.size + 1 : 1;
  }

  /** Why the model runs on one thread although the threads option asked for more; null otherwise. */
  get threadsFallback(): string | null {
    return this.fallback;
  }

  // ---- parameters ----

  private ptr(name: ParamName, section = 0): Ptr {
    return this.block + (section * this.paramCount + this.off[name]) * this.fb;
  }

  private view(name: ParamName, section = 0): FloatArray {
    return this.be.floats(this.ptr(name, section), this.size[name]);
  }

  private initParams(): void {
    const { H, I, O, rng } = this;
    const Ws = this.config.precision === 'float64' ? new Float64Array(this.size.Ws) : new Float32Array(this.size.Ws);
    orthogonal(rng, Ws.subarray(0, H * H), H); // recurrent rows
    glorotUniform(rng, Ws.subarray(H * H), I, H); // input rows
    const Wo = new Float64Array(this.size.Wo);
    glorotUniform(rng, Wo, H, O);
    this.view('Ws').set(Ws);
    this.view('Wo').set(Wo);
    // E ~ U(-0.1, 0.1) (as word LMs since Zaremba et al. 2014): small next to what training writes into it, so the
    // trained neighbours are readable. Drawn last, so models without E keep their initialisation.
    const E = this.view('E');
    for (let k = 0; k < E.length; k++) E[k] = 0.1 * (2 * rng.uniform() - 1);
  }

  /**
   * Floats of the params section that the optimizer updates: all of it, or the prefix before E when embeddings are
   * frozen (E is the last parameter in the block). Its grads are zero then too.
   */
  get trainableCount(): number {
    return this.config.freezeEmbeddings ? this.off.E : this.paramCount;
  }

  /** Copies of the parameters (Float64Array for a float64 js model). */
  getParams(): Params<FloatArray> & Params {
    this.live('getParams');
    const out = {} as Record<ParamName, FloatArray>;
    for (const k of PARAM_NAMES) out[k] = this.view(k).slice();
    return out as Params<FloatArray> & Params;
  }

  /** Replaces the given parameters (any subset of the keys); every array is validated (length, finiteness) before any is written. */
  setParams(params: Partial<Params<FloatArray>> | Record<string, ArrayLike<number>>): void {
    const api = 'setParams';
    this.live(api);
    if (params === null || typeof params !== 'object') throw typeError(api, 'params', 'an object { Ws, bs, Wo, bo, s0 }', params);
    const p = params as Record<string, unknown>;
    for (const key of Object.keys(p)) {
      if (!(PARAM_NAMES as readonly string[]).includes(key)) {
        throw rangeError(api, `params.${key}`, `is not a parameter; expected keys ${PARAM_NAMES.join(', ')}`);
      }
    }
    for (const k of PARAM_NAMES) {
      const v = p[k];
      if (v === undefined) continue; // a subset of the keys replaces just those
      if (!Array.isArray(v) && !(v instanceof Float32Array) && !(v instanceof Float64Array)) {
        throw typeError(api, `params.${k}`, `a Float32Array or number[] of ${this.size[k]} numbers`, v);
      }
      const a = v as ArrayLike<number>;
      if (a.length !== this.size[k]) throw rangeError(api, `params.${k}`, `has length ${a.length}; expected ${this.shape(k)} = ${this.size[k]}`);
      for (let j = 0; j < a.length; j++) {
        if (typeof a[j] !== 'number') throw typeError(api, `params.${k}[${j}]`, 'a number', a[j]);
        if (!Number.isFinite(Math.fround(a[j]))) throw rangeError(api, `params.${k}[${j}]`, `= ${a[j]} is not a finite float32 number`);
        if (k === 's0' && !this.config.learnInitialState && a[j] !== 0) {
          throw rangeError(api, `params.s0[${j}]`, `= ${a[j]}; s0 is fixed at 0 unless the model has learnInitialState: true`);
        }
      }
    }
    for (const k of PARAM_NAMES) if (p[k] !== undefined) this.view(k).set(p[k] as ArrayLike<number>);
  }

  private shape(k: ParamName): string {
    const { H, I, O } = this;
    const { vocabSize: V, embeddingSize: D } = this.config;
    return { Ws: `(H+I)*H = (${H}+${I})*${H}`, bs: `H`, Wo: `H*O = ${H}*${O}`, bo: `O`, s0: `H`, E: `V*D = ${V}*${D}` }[k];
  }

  // ---- workspace ----

  private workspace(B: number, T: number, api = 'workspace'): Workspace {
    return (this.ws = this.grownWorkspace(this.ws, B, T, api));
  }

  /** cur when it holds (B, T), otherwise a bigger one (cur freed). */
  private grownWorkspace(cur: Workspace | null, B: number, T: number, api: string): Workspace {
    if (cur && B <= cur.capB && T <= cur.capT) return cur;
    const capB = Math.max(B, cur?.capB ?? 0);
    const capT = Math.max(T, cur?.capT ?? 0);
    const { H, O, fb } = this;
    const I = this.config.inputSize;
    const N = capT * capB;
    const parts: [keyof Workspace, number][] = [
      ['len', capB * 4],
      ['x', this.config.vocabSize ? N * 4 : N * I * fb],
      ['xe', N * this.config.embeddingSize * fb],
      ['dxe', N * this.config.embeddingSize * fb],
      ['WiT', H * this.config.embeddingSize * fb],
      ['s', (capT + 1) * capB * H * fb],
      ['dz', N * H * fb],
      ['ds0', capB * H * fb],
      ['y', N * O * fb],
      ['dy', N * O * fb],
      ['tgt', Math.max(N * 4, N * O * fb)],
      ['w', N * fb],
      ['loss', N * fb],
      ['WhT', H * H * fb],
      ['WoT', O * H * fb],
    ];
    const total = parts.reduce((a, [, n]) => a + align16(n), 0);
    if (total > MAX_BYTES) {
      throw rangeError(api, `inputs (a batch of B=${B} sequences x T=${T} steps)`, `needs ${total} bytes of activations; the limit is ${MAX_BYTES} (use smaller batches)`);
    }
    // may grow memory: no view is held across it
    const block = allocOr(this.be, total, () => rangeError(api, `inputs (a batch of B=${B} sequences x T=${T} steps)`, `need ${total} bytes of activations that this backend cannot allocate (use smaller batches)`));
    if (cur) this.be.free(cur.block);
    const ws = { capB, capT, block } as Workspace;
    let at = block;
    for (const [name, n] of parts) {
      (ws[name] as number) = at;
      at += align16(n);
    }
    return ws;
  }

  // ---- forward / backward ----

  private inputSpec(): InputSpec {
    return { inputSize: this.config.inputSize, vocabSize: this.config.vocabSize };
  }

  private targetSpec(): TargetSpec {
    const c = this.config;
    return { outputSize: c.outputSize, softmax: c.outputActivation === 'softmax', sigmoid: c.outputActivation === 'sigmoid', returnSequences: c.returnSequences };
  }

  /**
   * Validates and packs inputs into the workspace, and the targets when the caller passes that argument: a training
   * call with targets undefined is a TypeError, not a run on the stale target rows of the last batch.
   */
  private load(api: string, inputs: Inputs, ...withTargets: [targets?: Targets]): { p: Packed; ws: Workspace } {
    const p = this.check(api, inputs, ...withTargets);
    const ws = this.workspace(p.B, p.T, api);
    this.pack(p, ws, inputs, withTargets[0]);
    return { p, ws };
  }

  /** Validates inputs, and the targets when the caller passes that argument (see load). */
  private check(api: string, inputs: Inputs, ...withTargets: [targets?: Targets]): Packed {
    this.live(api);
    const p = validateInputs(api, inputs, this.inputSpec());
    if (withTargets.length > 0) validateTargets(api, withTargets[0] as Targets, p, this.targetSpec());
    return p;
  }

  /**
   * Writes a validated (sub-)batch into ws: lengths, inputs, and the targets unless undefined, with row weight `inv`
   * on real rows (default: this batch's own 1/B or 1/steps; a sub-batch gets the whole batch's).
   */
  private pack(p: Packed, ws: Workspace, inputs: Inputs, targets?: Targets, inv?: number): void {
    const be = this.be;
    be.ints(ws.len, p.B).set(p.lenSorted);
    const n = p.T * p.B;
    writeInputs(inputs, p, this.inputSpec(), this.config.vocabSize ? be.ints(ws.x, n) : be.floats(ws.x, n * this.config.inputSize));
    if (targets !== undefined) {
      const rows = this.config.returnSequences ? n : p.B;
      writeTargets(targets, p, this.targetSpec(), be.floats(ws.tgt, rows * this.O), be.ints(ws.tgt, rows), be.floats(ws.w, rows));
      if (inv !== undefined) {
        const w = be.floats(ws.w, rows);
        for (let r = 0; r < rows; r++) if (w[r] > 0) w[r] = inv;
      }
    }
    if (this.s0Rows) {
      const { H } = this;
      const s = be.floats(ws.s, p.B * H);
      for (let q = 0; q < p.B; q++) s.set(this.s0Rows.subarray(p.order[q] * H, (p.order[q] + 1) * H), q * H);
    }
  }

  /** The pointers and sizes of one pass (src/pass.ts) over a packed (B, T) batch in ws, grads into `grads`. */
  private passArgs(p: Packed, ws: Workspace, mode: number, grads: Ptr = this.ptr('Ws', 1)): PassArgs {
    const c = this.config;
    const d = (k: ParamName) => grads + this.off[k] * this.fb;
    return {
      mode, B: p.B, T: p.T, H: this.H, I: c.inputSize, V: c.vocabSize, D: c.embeddingSize, O: this.O, fb: this.fb,
      act: ACT[c.activation], out: OUT[c.outputActivation], returnSequences: c.returnSequences ? 1 : 0,
      freezeEmbeddings: c.freezeEmbeddings ? 1 : 0, s0Mode: this.s0Rows ? 2 : c.learnInitialState ? 1 : 0,
      Ws: this.ptr('Ws'), bs: this.ptr('bs'), Wo: this.ptr('Wo'), bo: this.ptr('bo'), s0: this.ptr('s0'), E: this.ptr('E'),
      grads, gradBytes: this.paramCount * this.fb,
      dWs: d('Ws'), dbs: d('bs'), dWo: d('Wo'), dbo: d('bo'), ds0p: d('s0'), dE: d('E'),
      len: ws.len, x: ws.x, xe: ws.xe, dxe: ws.dxe, WiT: ws.WiT, s: ws.s, dz: ws.dz, ds0: ws.ds0,
      y: ws.y, dy: ws.dy, tgt: ws.tgt, w: ws.w, loss: ws.loss, WhT: ws.WhT, WoT: ws.WoT,
    };
  }

  /**
   * Validates and packs a batch and runs one pass over it (PASS_LOSS or PASS_BACKWARD; grads land in the grads
   * section): on this thread, or split across the training threads. Returns the parts with their workspaces.
   */
  private runParts(api: string, inputs: Inputs, targets: Targets, mode: number): { loss: number; parts: { p: Packed; ws: Workspace }[] } {
    if (!this.pool) {
      const { p, ws } = this.load(api, inputs, targets);
      return { loss: runPass(this.be, this.passArgs(p, ws, mode)), parts: [{ p, ws }] };
    }
    const whole = this.check(api, inputs, targets);
    const inv = 1 / (this.config.returnSequences ? whole.steps : whole.B);
    const parts = splitBatch(whole, this.threads).map((p, k) => {
      // workspaces first (allocation may grow memory), then the writes
      const ws = k === 0 ? this.workspace(p.B, p.T, api) : (this.lanes[k - 1].ws = this.grownWorkspace(this.lanes[k - 1].ws, p.B, p.T, api));
      return { p, ws };
    });
    // the threads' shares first, so that packing share 0 overlaps their work
    for (const { p, ws } of parts.slice(1)) this.pack(p, ws, inputs, targets, inv);
    this.pool.dispatch(parts.slice(1).map(({ p, ws }, k) => this.passArgs(p, ws, mode, this.lanes[k].grads)));
    let loss = NaN;
    let theirs: number[];
    try {
      this.pack(parts[0].p, parts[0].ws, inputs, targets, inv);
      loss = runPass(this.be, this.passArgs(parts[0].p, parts[0].ws, mode));
    } finally {
      theirs = this.pool.join(); // the threads finish before anything else touches memory, also when this share threw
    }
    for (const l of theirs) loss += l; // fixed order: share 0, 1, ...
    if (mode === PASS_BACKWARD) {
      for (let k = 1; k < parts.length; k++) this.be.addScaled(this.ptr('Ws', 1), this.lanes[k - 1].grads, this.paramCount, 1);
    }
    return { loss, parts };
  }

  /** Runs the recurrence and the output layer up to the logits (y). */
  private forward(p: Packed, ws: Workspace): void {
    runPass(this.be, this.passArgs(p, ws, PASS_FORWARD));
  }

  // ---- public API ----

  /**
   * Outputs after f_o, in the caller's order: one vector per sequence, or with returnSequences one per real step.
   * `options.output` (default 'nested'): 'nested' returns number arrays; 'typed' returns one Float32Array per
   * sequence (O floats, or len·O with returnSequences, row-major by step): the same values without building
   * nested arrays (on the f64 JS reference the values are rounded to f32).
   */
  predict(inputs: Inputs): number[][] | number[][][];
  predict(inputs: Inputs, options: PredictOptions & { output?: 'nested' }): number[][] | number[][][];
  predict(inputs: Inputs, options: PredictOptions & { output: 'typed' }): Float32Array[];
  predict(inputs: Inputs, options?: PredictOptions): number[][] | number[][][] | Float32Array[];
  predict(inputs: Inputs, options?: PredictOptions): number[][] | number[][][] | Float32Array[] {
    let typed = false;
    if (options !== undefined) {
      this.live('predict');
      if (options === null || typeof options !== 'object') throw typeError('predict', 'options', "an options object { output }", options);
      const o = options.output;
      if (o !== undefined && o !== 'nested' && o !== 'typed') throw typeError('predict', 'options.output', "'nested' or 'typed'", o);
      typed = o === 'typed';
    }
    const { p, ws } = this.load('predict', inputs);
    this.forward(p, ws);
    const c = this.config;
    const O = this.O;
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
    // a plain copy loop: Array.from on a typed array goes through its iterator, 14x slower (bench/README Performance)
    const row = (r: number) => {
      const a = new Array<number>(O);
      for (let o = 0, at = r * O; o < O; o++) a[o] = y[at + o];
      return a;
    };
    const out: (number[] | number[][])[] = new Array(p.B);
    for (let q = 0; q < p.B; q++) {
      const b = p.order[q];
      if (!c.returnSequences) out[b] = row(q);
      else out[b] = Array.from({ length: p.lenSorted[q] }, (_, t) => row(t * p.B + q));
    }
    return out as number[][] | number[][][];
  }

  /** Loss (mean over real positions) and its gradients, as copies. Changes no parameter. */
  computeGradients(inputs: Inputs, targets: Targets): Gradients<FloatArray> & Gradients {
    const { loss } = this.runParts('computeGradients', inputs, targets, PASS_BACKWARD);
    const grads = {} as Record<ParamName, FloatArray>;
    for (const k of PARAM_NAMES) grads[k] = this.view(k, 1).slice();
    return { loss, grads } as Gradients<FloatArray> & Gradients;
  }

  /**
   * One optimizer step on the batch (clipping, schedule, weight decay as configured); returns the loss before the
   * step. A transaction: when the loss or a gradient is not finite, the parameters, optimizer state, step count and
   * RNG stay exactly as they were, and it throws NonFiniteError, or with onNonFinite: 'skip' returns NaN and counts
   * the step in skippedSteps. `options.onNonFinite` overrides the model's setting for this call (default: the
   * model's onNonFinite, 'throw' unless configured).
   */
  trainBatch(inputs: Inputs, targets: Targets, options?: { onNonFinite?: NonFiniteMode }): number {
    const api = 'trainBatch';
    const mode = this.nonFiniteMode(api, options);
    const { loss } = this.runParts(api, inputs, targets, PASS_BACKWARD);
    return this.applyStep(api, loss, mode).applied ? loss : NaN;
  }

  private nonFiniteMode(api: string, options?: { onNonFinite?: NonFiniteMode }): NonFiniteMode {
    if (options === undefined) return this.train.onNonFinite;
    if (options === null || typeof options !== 'object') throw typeError(api, 'options', 'an options object { onNonFinite }', options);
    const m = options.onNonFinite ?? this.train.onNonFinite;
    if (m !== 'throw' && m !== 'skip') throw typeError(api, 'options.onNonFinite', "'throw' or 'skip'", m);
    return m;
  }

  /** The optimizer step on the grads section (src/optim.ts): checks, clips, updates, counts. */
  private applyStep(api: string, loss: number, mode: NonFiniteMode) {
    const P = this.paramCount * this.fb;
    const sec = { params: this.block, grads: this.block + P, s1: this.block + 2 * P, s2: this.block + 3 * P, n: this.trainableCount };
    const r = optimizerStep(this.be, sec, this.train, this.steps, loss, api, mode);
    if (r.applied) this.steps++;
    else this.skipped++;
    return r;
  }

  // ---- training: fit, evaluate, fitStream (src/train.ts) ----

  /** Optimizer updates applied so far (the schedule's t and Adam's bias correction use it). */
  get stepCount(): number {
    return this.steps;
  }

  /** Steps skipped because their loss or gradient was not finite (onNonFinite: 'skip'). */
  get skippedSteps(): number {
    return this.skipped;
  }

  /** The current training configuration (optimizer with every hyper-parameter, schedule, clipping, ...). */
  get training(): Readonly<TrainingConfig> {
    return structuredCloneConfig(this.train);
  }

  /** The learning rate the next step will use. */
  get currentLearningRate(): number {
    return learningRateAt(this.train, this.steps);
  }

  private host(): TrainHost {
    return {
      model: this,
      run: (api, inputs, targets, opts) => this.runBatch(api, inputs, targets, opts),
      configure: (api, o, prefix) => this.configureTraining(api, o, prefix),
    };
  }

  /** Training options from now on; a change of optimizer type starts it fresh (zero state, step count 0). */
  private configureTraining(api: string, o: TrainingOptions, prefix: string): void {
    const next = resolveTraining(api, o, this.train, prefix);
    if (next.optimizer.type !== this.train.optimizer.type) {
      this.be.zero(this.block + 2 * this.paramCount * this.fb, 2 * this.paramCount * this.fb);
      this.steps = 0;
    }
    this.train = next;
  }

  private runBatch(api: string, inputs: Inputs, targets: Targets, opts: RunOptions): BatchResult {
    const { be, H, O } = this;
    this.s0Rows = opts.initialStates ?? null;
    try {
      const { loss, parts } = this.runParts(api, inputs, targets, opts.train ? PASS_BACKWARD : PASS_LOSS);
      const report = opts.train
        ? this.applyStep(api, loss, opts.onNonFinite ?? this.train.onNonFinite)
        : { applied: true, gradNorm: NaN, learningRate: NaN };
      const out: BatchResult = {
        loss, positions: 0, correct: 0, judged: 0, skipped: !report.applied,
        gradNorm: report.gradNorm, learningRate: report.learningRate, padSteps: 0, allSteps: 0,
      };
      const fs = opts.finalStates ? new Float64Array(inputs.length * H) : null;
      for (const { p, ws } of parts) {
        const rows = this.config.returnSequences ? p.T * p.B : p.B;
        const w = be.floats(ws.w, rows);
        for (let r = 0; r < rows; r++) if (w[r] > 0) out.positions++;
        const acc = countCorrect(this.config.outputActivation, be.floats(ws.y, rows * O), be.ints(ws.tgt, rows), be.floats(ws.tgt, rows * O), w, rows, O);
        out.correct += acc.correct;
        out.judged += acc.judged;
        out.padSteps += p.T * p.B - p.steps;
        out.allSteps += p.T * p.B;
        if (fs) {
          const sT = be.floats(ws.s + p.T * p.B * H * this.fb, p.B * H);
          for (let q = 0; q < p.B; q++) fs.set(sT.subarray(q * H, (q + 1) * H), p.order[q] * H);
        }
      }
      if (fs) out.finalStates = fs;
      return out;
    } finally {
      this.s0Rows = null;
    }
  }

  /**
   * Trains on a dataset for some epochs (async: it yields to the event loop between batches). Options and the history
   * it returns are documented in src/train.ts (FitOptions, History).
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
  evaluate(inputs: Inputs, targets: Targets, options?: EvaluateOptions): { loss: number; accuracy?: number } {
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

  // ---- streaming inference and generation (src/generate.ts) ----

  private getStepper(): Stepper {
    if (!this.stepper) {
      this.stepper = new Stepper(this.be, this.config, { Ws: this.ptr('Ws'), bs: this.ptr('bs'), Wo: this.ptr('Wo'), bo: this.ptr('bo'), E: this.ptr('E') });
    }
    return this.stepper;
  }

  /** s^0 for step(): the learned s0, or zeros. */
  initialState(): Float32Array {
    this.live('initialState');
    return this.view('s0').slice() as Float32Array;
  }

  /**
   * One step of the recurrence from `state` with one input (a token id, or a vector of inputSize numbers):
   * the next state and the output f_o(s^t Wo + bo). Stepping through a sequence gives what predict gives on each prefix.
   */
  step(state: ArrayLike<number>, input: number | ArrayLike<number>): { state: Float32Array; output: Float32Array } {
    const api = 'step';
    this.live(api);
    const s = checkState(api, state, this.H);
    const x = checkInput(api, input, this.config);
    const st = this.getStepper();
    st.setState(s);
    st.advance(x);
    return { state: st.stateCopy() as Float32Array, output: st.outputsCopy() as Float32Array };
  }

  /** Generates tokens after a prompt (token models predicting the next token). See src/generate.ts GenerateOptions. */
  generate(options: GenerateOptions): number[] {
    this.live('generate');
    return generate(this.config, this.getStepper(), this.view('s0').slice(), this.rng, options);
  }

  // ---- checkpoints (src/checkpoint.ts) ----

  /**
   * The whole training state as bytes (README "Checkpoint format"): config, parameters, optimizer state, step count,
   * RNG state, the optional metadata (any JSON value; default: this.metadata) and a CRC-32.
   */
  save(metadata: unknown = this.metadata): Uint8Array {
    this.live('save');
    const S = stateSections(this.train.optimizer.type);
    const sections: FloatArray[] = [];
    for (let k = 0; k <= S; k++) sections.push(this.be.floats(this.block + (k === 0 ? 0 : k + 1) * this.paramCount * this.fb, this.paramCount).slice());
    const model = { ...this.config } as ModelConfig;
    return encodeCheckpoint({
      model, training: trainingOptionsOf(this.train), metadata, floatBytes: this.fb as 4 | 8, paramCount: this.paramCount,
      sections, stepCount: this.steps, rngState: this.rng.state, skippedSteps: this.skipped,
    });
  }

  /**
   * Restores a model from save()'s bytes, exactly: training continues as if uninterrupted. `backend` defaults to the
   * one the model was saved from. A truncated, corrupted, wrong-version or mismatched file throws; nothing half-loads.
   * `threads` is create's option (default 1; a checkpoint does not hold it: it belongs to the machine, not the model).
   */
  static async load(
    bytes: Uint8Array | ArrayBuffer, options: { backend?: 'wasm' | 'js'; threads?: number | 'auto'; simd?: SimdMode } = {},
  ): Promise<SimpleRNN> {
    const api = 'load';
    if (options === null || typeof options !== 'object') throw typeError(api, 'options', 'an options object { backend, threads, simd }', options);
    const ck = decodeCheckpoint(bytes);
    const m = ck.model as unknown as Record<string, unknown>;
    const backend = options.backend ?? (m.backend as 'wasm' | 'js');
    if (backend !== 'wasm' && backend !== 'js') throw typeError(api, 'options.backend', "'wasm' or 'js'", backend);
    const precision = ck.floatBytes === 8 ? 'float64' : 'float32';
    if (m.precision !== precision) {
      throw rangeError(api, 'bytes', `is inconsistent: config precision is ${String(m.precision)} but the floats are ${ck.floatBytes}-byte`);
    }
    if (backend === 'wasm' && precision === 'float64') {
      throw rangeError(api, 'options.backend', "= 'wasm' cannot hold a float64 checkpoint (saved from a js float64 model); use backend: 'js'");
    }
    resolveThreads(api, options.threads); // a bad threads or simd option is the caller's error, not the file's
    if (options.simd !== undefined && options.simd !== 'strict' && options.simd !== 'relaxed') {
      throw typeError(api, 'options.simd', "'strict' or 'relaxed'", options.simd);
    }
    const opts: Record<string, unknown> = { ...m, ...ck.training, backend, threads: options.threads, simd: options.simd };
    for (const k of ['inputSize', 'vocabSize', 'embeddingSize']) if (opts[k] === 0) delete opts[k];
    let model: SimpleRNN;
    try {
      model = await SimpleRNN.create(opts as unknown as SimpleRNNOptions);
    } catch (e) {
      throw rangeError(api, 'bytes', `holds a config this library cannot build: ${(e as Error).message}`);
    }
    try {
      model.restore(ck);
    } catch (e) {
      model.dispose();
      throw e;
    }
    return model;
  }

  private restore(ck: Checkpoint): void {
    const api = 'load';
    if (ck.paramCount !== this.paramCount) {
      throw rangeError(api, 'bytes', `is mismatched: its config describes ${this.paramCount} floats per section, the file holds ${ck.paramCount}`);
    }
    const S = stateSections(this.train.optimizer.type);
    if (ck.sections.length !== S + 1) {
      throw rangeError(api, 'bytes', `is mismatched: optimizer '${this.train.optimizer.type}' keeps ${S} state sections, the file holds ${ck.sections.length - 1}`);
    }
    if (!Number.isInteger(ck.stepCount) || ck.stepCount < 0) throw rangeError(api, 'bytes', `has step count ${ck.stepCount}; expected an integer >= 0`);
    for (let k = 0; k < ck.paramCount; k++) {
      if (!Number.isFinite(ck.sections[0][k])) throw rangeError(api, 'bytes', `has a non-finite parameter (${ck.sections[0][k]}) at float ${k}`);
    }
    for (let k = 0; k <= S; k++) this.be.floats(this.block + (k === 0 ? 0 : k + 1) * this.paramCount * this.fb, this.paramCount).set(ck.sections[k]);
    this.steps = ck.stepCount;
    this.skipped = ck.skippedSteps;
    this.rng.state = ck.rngState;
    this.metadata = ck.metadata;
  }

  /** Frees the model's memory. Safe to call twice; afterwards every method throws. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pool?.dispose(); // the threads are idle between calls: their workspaces and grads are free to reuse
    this.pool = null;
    for (const lane of this.lanes) {
      if (lane.ws) this.be.free(lane.ws.block);
      this.be.free(lane.grads);
    }
    this.lanes = [];
    if (this.ws) this.be.free(this.ws.block);
    this.stepper?.free();
    this.stepper = null;
    this.be.free(this.block);
    this.ws = null;
    this.block = 0;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private live(api: string): void {
    if (this.disposed) throw stateError(api, 'model was disposed');
  }
}

function structuredCloneConfig(c: TrainingConfig): Readonly<TrainingConfig> {
  return Object.freeze({ ...c, optimizer: Object.freeze({ ...c.optimizer }), schedule: Object.freeze({ ...c.schedule }) });
}
