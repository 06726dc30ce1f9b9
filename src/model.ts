// SimpleRNN: the model of DEVELOPERS.md on either backend. This file orchestrates the kernels (a fixed number of
// kernel calls per batch; the time loops run inside rnnForward / rnnBackward) and owns the model's memory:
// one block for params | grads | optimizer state, and one activation workspace sized for (B, T), grown lazily.
import { ACT, OUT, type Backend, type FloatArray, type Ptr } from './backend.js';
import { JsBackend } from './backends/js.js';
import { wasmBackend } from './backends/wasm.js';
import {
  validateInputs, validateTargets, writeInputs, writeTargets,
  type Inputs, type InputSpec, type Packed, type Targets, type TargetSpec,
} from './batch.js';
import { NonFiniteError, rangeError, stateError, typeError } from './errors.js';
import { Rng, glorotUniform, orthogonal } from './random.js';

export type Activation = keyof typeof ACT;
export type OutputActivation = keyof typeof OUT;

/** Options of SimpleRNN.create. Give exactly one of inputSize (dense inputs) and vocabSize (token ids). */
export interface SimpleRNNOptions {
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
  /** 'wasm' (SIMD, default) or 'js' (the pure-JS reference: same API, same math). */
  backend?: 'wasm' | 'js';
  /** Storage of the js backend: 'float32' (default) or 'float64' (for gradient checks). The wasm backend is float32. */
  precision?: 'float32' | 'float64';
  /** Seed of the initialisation (and of everything random the model does). Default 1. */
  seed?: number;
  /** Learning rate of trainBatch's SGD step. Default 0.01. */
  learningRate?: number;
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

// plain arithmetic, not bit operations: sizes may exceed 2^31 before the limit check refuses them
const align4 = (n: number) => Math.ceil(n / 4) * 4;
const align16 = (n: number) => Math.ceil(n / 16) * 16;
const MAX_BYTES = 2 ** 31; // a single model block or workspace above this is refused up front

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
    backend: oneOf('backend', ['wasm', 'js'] as const, 'wasm'),
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
  private disposed = false;

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
    this.block = be.alloc(bytes);
    be.zero(this.block, bytes);
    this.initParams();
  }

  /** Creates a model; the wasm backend is compiled and instantiated once per realm. */
  static async create(options: SimpleRNNOptions): Promise<SimpleRNN> {
    const cfg = resolveOptions(options);
    const be = cfg.backend === 'js' ? new JsBackend(cfg.precision) : await wasmBackend();
    return new SimpleRNN(be, cfg);
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
    // E ~ N(0, 1) (PyTorch nn.Embedding), drawn last so models without E keep their initialisation
    const E = this.view('E');
    for (let k = 0; k < E.length; k++) E[k] = rng.normal();
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
        if (typeof a[j] !== 'number' || !Number.isFinite(a[j])) throw rangeError(api, `params.${k}[${j}]`, `= ${a[j]} is not a finite number`);
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

  private workspace(B: number, T: number): Workspace {
    const cur = this.ws;
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
      throw rangeError('workspace', `a batch of B=${B} sequences x T=${T} steps`, `needs ${total} bytes of activations; the limit is ${MAX_BYTES} (use smaller batches)`);
    }
    const block = this.be.alloc(total); // may grow memory: no view is held across it
    if (cur) this.be.free(cur.block);
    const ws = { capB, capT, block } as Workspace;
    let at = block;
    for (const [name, n] of parts) {
      (ws[name] as number) = at;
      at += align16(n);
    }
    this.ws = ws;
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

  /** Validates and packs inputs into the workspace. */
  private load(api: string, inputs: Inputs, targets?: Targets): { p: Packed; ws: Workspace } {
    this.live(api);
    const p = validateInputs(api, inputs, this.inputSpec());
    const tspec = this.targetSpec();
    if (targets !== undefined) validateTargets(api, targets, p, tspec);
    const ws = this.workspace(p.B, p.T);
    const be = this.be;
    be.ints(ws.len, p.B).set(p.lenSorted);
    const n = p.T * p.B;
    writeInputs(inputs, p, this.inputSpec(), this.config.vocabSize ? be.ints(ws.x, n) : be.floats(ws.x, n * this.config.inputSize));
    if (targets !== undefined) {
      const rows = this.config.returnSequences ? n : p.B;
      writeTargets(targets, p, tspec, be.floats(ws.tgt, rows * this.O), be.ints(ws.tgt, rows), be.floats(ws.w, rows));
    }
    return { p, ws };
  }

  /** Runs the recurrence and the output layer up to the logits (y). */
  private forward(p: Packed, ws: Workspace): void {
    const { be, H, O, fb } = this;
    const { B, T } = p;
    const c = this.config;
    const step = B * H * fb;
    if (c.learnInitialState) be.broadcastRows(ws.s, this.ptr('s0'), B, H);
    else be.zero(ws.s, step);
    const Wi = this.ptr('Ws') + H * H * fb;
    const s1 = ws.s + step;
    if (c.embeddingSize) {
      const D = c.embeddingSize;
      be.embeddingForward(ws.xe, ws.x, this.ptr('E'), T * B, D); // xe = E[id], zeros on padding
      be.matmulForward(s1, ws.xe, Wi, 0, T * B, D, H, D, 1, 0);
    } else if (c.vocabSize) be.embeddingForward(s1, ws.x, Wi, T * B, H);
    else be.matmulForward(s1, ws.x, Wi, 0, T * B, c.inputSize, H, c.inputSize, 1, 0);
    be.rnnForward(ws.s, this.ptr('Ws'), this.ptr('bs'), ws.len, T, B, H, ACT[c.activation]);
    if (c.returnSequences) be.matmulForward(ws.y, s1, this.ptr('Wo'), this.ptr('bo'), T * B, H, O, H, 1, 0);
    else be.matmulForward(ws.y, ws.s + T * step, this.ptr('Wo'), this.ptr('bo'), B, H, O, H, 1, 0);
  }

  /** Loss of the packed batch and its gradients in the grads section. Reads params, writes only grads and workspace. */
  private forwardBackward(p: Packed, ws: Workspace): number {
    const { be, H, O, fb } = this;
    const { B, T } = p;
    const c = this.config;
    const rows = c.returnSequences ? T * B : B;
    this.forward(p, ws);
    be.lossForwardBackward(ws.loss, ws.dy, ws.y, ws.tgt, ws.w, rows, O, OUT[c.outputActivation]);
    const losses = be.floats(ws.loss, rows);
    const w = be.floats(ws.w, rows);
    let loss = 0;
    for (let r = 0; r < rows; r++) loss += w[r] * losses[r];

    be.zero(this.ptr('Ws', 1), this.paramCount * fb);
    const step = B * H * fb;
    const s1 = ws.s + step;
    // output layer, forward y = S Wo + bo:  dWo += Sᵀ dy,  dbo += Σ dy,  dS = dy Woᵀ
    const S = c.returnSequences ? s1 : ws.s + T * step;
    be.matmulForward(this.ptr('Wo', 1), S, ws.dy, 0, H, rows, O, 1, H, 1);
    be.biasBackward(this.ptr('bo', 1), ws.dy, rows, O);
    be.transpose(ws.WoT, this.ptr('Wo'), H, O);
    if (c.returnSequences) be.matmulForward(ws.dz, ws.dy, ws.WoT, 0, rows, O, H, O, 1, 0);
    else {
      be.zero(ws.dz, (T - 1) * step);
      be.matmulForward(ws.dz + (T - 1) * step, ws.dy, ws.WoT, 0, B, O, H, O, 1, 0);
    }
    // recurrence, forward z^t = s^{t-1} Wh + x^t Wi + bs
    be.transpose(ws.WhT, this.ptr('Ws'), H, H);
    be.rnnBackward(ws.dz, ws.ds0, ws.s, ws.WhT, ws.len, T, B, H, ACT[c.activation]);
    be.matmulForward(this.ptr('Ws', 1), ws.s, ws.dz, 0, H, T * B, H, 1, H, 1); // dWh += S[0..T-1]ᵀ dz
    const dWi = this.ptr('Ws', 1) + H * H * fb;
    if (c.embeddingSize) {
      // forward: z = xe Wi + ...,  xe = E[id]  =>  dWi += xeᵀ dz,  dxe = dz Wiᵀ,  dE[id] += dxe rows
      const D = c.embeddingSize;
      be.matmulForward(dWi, ws.xe, ws.dz, 0, D, T * B, H, 1, D, 1);
      if (!c.freezeEmbeddings) {
        be.transpose(ws.WiT, this.ptr('Ws') + H * H * fb, D, H);
        be.matmulForward(ws.dxe, ws.dz, ws.WiT, 0, T * B, H, D, H, 1, 0);
        be.embeddingBackward(this.ptr('E', 1), ws.x, ws.dxe, T * B, D);
      }
    } else if (c.vocabSize) be.embeddingBackward(dWi, ws.x, ws.dz, T * B, H); // dWi[id] += dz rows
    else be.matmulForward(dWi, ws.x, ws.dz, 0, c.inputSize, T * B, H, 1, c.inputSize, 1); // dWi += Xᵀ dz
    be.biasBackward(this.ptr('bs', 1), ws.dz, T * B, H);
    if (c.learnInitialState) be.biasBackward(this.ptr('s0', 1), ws.ds0, B, H); // s^0 = s0 for every row
    return loss;
  }

  // ---- public API ----

  /**
   * Outputs after f_o, in the caller's order: one vector per sequence, or with returnSequences one per real step.
   */
  predict(inputs: Inputs): number[][] | number[][][] {
    const { p, ws } = this.load('predict', inputs);
    this.forward(p, ws);
    const c = this.config;
    const O = this.O;
    const rows = c.returnSequences ? p.T * p.B : p.B;
    this.be.outputForward(ws.y, rows, O, OUT[c.outputActivation]);
    const y = this.be.floats(ws.y, rows * O);
    const row = (r: number) => Array.from(y.subarray(r * O, (r + 1) * O));
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
    const { p, ws } = this.load('computeGradients', inputs, targets);
    const loss = this.forwardBackward(p, ws);
    const grads = {} as Record<ParamName, FloatArray>;
    for (const k of PARAM_NAMES) grads[k] = this.view(k, 1).slice();
    return { loss, grads } as Gradients<FloatArray> & Gradients;
  }

  /**
   * One SGD step (learningRate) on the batch; returns the loss before the step. A transaction: when the loss or the
   * gradient norm is not finite it throws NonFiniteError and the parameters are exactly as before.
   */
  trainBatch(inputs: Inputs, targets: Targets): number {
    const api = 'trainBatch';
    const { p, ws } = this.load(api, inputs, targets);
    const loss = this.forwardBackward(p, ws);
    if (!Number.isFinite(loss)) throw new NonFiniteError(api, `the loss (${loss})`);
    const gg = this.be.sumSquares(this.ptr('Ws', 1), this.paramCount);
    if (!Number.isFinite(gg)) throw new NonFiniteError(api, 'the gradient norm');
    this.be.sgdUpdate(this.ptr('Ws'), this.ptr('Ws', 1), this.trainableCount, this.config.learningRate);
    return loss;
  }

  /** Frees the model's memory. Safe to call twice; afterwards every method throws. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.ws) this.be.free(this.ws.block);
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
