// The model's configuration: the options of SimpleRNN.create and their one resolution into a ResolvedCreate (model
// shape, training, threads, simd). The engine rooms (pass, batch, optim, generate, checkpoint, parallel) take their
// types from here, never from the API room (src/model.ts).
import { ACT, OUT } from './backend.js';
import { resolveBackend, type SimdMode } from './backends/wasm.js';
import { rangeError, typeError } from './errors.js';
import { bool, f32, int, oneOf, readOptions } from './options.js';
import { resolveTraining, TRAINING_KEYS, type TrainingConfig, type TrainingOptions } from './optim.js';

export type { SimdMode } from './backends/wasm.js';

/** How a bidirectional layer joins its directions. */
export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';
/** MERGE codes, shared with assembly/layers.ts. */
export const MERGE: Record<MergeMode, number> = { concat: 0, sum: 1, mul: 2, ave: 3 };

/** f_s: the state activation: 'tanh', 'relu', 'sigmoid' or 'linear'. @useDeclaredType */
export type Activation = keyof typeof ACT;
/** f_o: the output activation, which also picks the loss: 'softmax', 'sigmoid' or 'linear'. @useDeclaredType */
export type OutputActivation = keyof typeof OUT;

/**
 * Options of SimpleRNN.create. Give exactly one of inputSize (dense inputs) and vocabSize (token ids). The training
 * options (optimizer, learningRate, schedule, weightDecay, clipNorm, clipValue, onNonFinite) are documented in
 * TrainingOptions; fit and fitStream may change them later. An unknown key is refused.
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
  /** H: size of the state s^t; one number for every layer, or one per layer (e.g. [64, 32]). */
  hiddenSize: number | number[];
  /** O: size of the output o. */
  outputSize: number;
  /** L: layers of the cell stacked; layer l > 0 reads layer l-1's per-step output. Default 1. */
  layers?: number;
  /** Each layer also runs a reverse direction (own weights) over the real steps last to first. Default false. */
  bidirectional?: boolean;
  /** How a bidirectional layer joins its two directions: 'concat' (default), 'sum', 'mul' or 'ave'. */
  merge?: MergeMode;
  /** The model reads each sequence's real steps last to first (Keras go_backwards on the first layer). Default false. */
  goBackwards?: boolean;
  /** Dropout on the output of every layer but the top one, in training (PyTorch's dropout). Default 0. */
  dropout?: number;
  /** Dropout on the first layer's inputs, in training: one mask per sequence, the same at every step. Default 0. */
  inputDropout?: number;
  /** Dropout on s^{t-1} in every layer, in training: one mask per sequence, the same at every step (Keras). Default 0. */
  recurrentDropout?: number;
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
   * How threads > 1 share the work of a batch. 'rows' (default): each thread trains on a share of the batch's
   * sequences, and the gradients are summed (equal to one thread's up to float32 rounding). 'columns': every thread
   * runs the whole batch and computes a share of the columns of every product, meeting the others at a barrier after
   * each time step: the one thread's bits, no per-thread workspace or gradient buffer, and batches of fewer sequences
   * than threads split too; it needs its threads on free cores more than 'rows' does (docs/threads.md has the
   * measurements). With one thread it changes nothing.
   */
  threadSplit?: ThreadSplit;
  /**
   * Which build of the wasm core runs the model. 'strict' (default): plain SIMD, a separate multiply and add, the
   * same bits on every CPU. 'relaxed': the GEMM micro-kernels use f32x4.relaxed_madd (a fused multiply-add on CPUs
   * that have one: one rounding instead of two, and 1.0-1.2x faster), so results may differ in the last bits between
   * CPUs. The relaxed build is a second wasm instance with its own linear memory. It is used where
   * WebAssembly.validate accepts it; in Node 20, where relaxed SIMD is behind a V8 flag, asking for it turns on
   * --experimental-wasm-relaxed-simd with v8.setFlagsFromString (Node only, once). With threads > 1 it runs on the
   * relaxed threads build (its own shared memory). Elsewhere, or with backend 'js', the model runs on the strict
   * build, warns once, and says why in `simdFallback`.
   */
  simd?: SimdMode;
}

/** The resolved shape of a model: what its parameters and its math are (create's options after defaults). */
export interface ModelConfig {
  /** I of dense models (0 for token models). */
  inputSize: number;
  /** V of token models (0 for dense models). */
  vocabSize: number;
  /** D, or 0 when the model has no embedding layer. */
  embeddingSize: number;
  /** E gets no gradient and no update. */
  freezeEmbeddings: boolean;
  /** H: one number for every layer, or one per layer. */
  hiddenSize: number | readonly number[];
  /** O. */
  outputSize: number;
  /** L. */
  layers: number;
  /** Two directions per layer. */
  bidirectional: boolean;
  /** The merge of a bidirectional layer's directions. */
  merge: MergeMode;
  /** The model reads the real steps last to first. */
  goBackwards: boolean;
  /** Dropout rate on the output of every layer but the top one (training only). */
  dropout: number;
  /** Dropout rate on the first layer's inputs (training only). */
  inputDropout: number;
  /** Dropout rate on s^{t-1} in every layer (training only). */
  recurrentDropout: number;
  /** f_s. */
  activation: Activation;
  /** f_o. */
  outputActivation: OutputActivation;
  /** Outputs at every real step (true) or from the final state (false). */
  returnSequences: boolean;
  /** s^0 is the trained vector s0. */
  learnInitialState: boolean;
  /** The backend chosen ('auto' resolved). */
  backend: 'wasm' | 'js';
  /** Float storage of the backend. */
  precision: 'float32' | 'float64';
  /** Seed of the model's Rng at creation. */
  seed: number;
}

/** The settings of a layer stack that an importer reads from another framework's model (beside its sizes). */
export type StackSettings = Pick<
  ModelConfig,
  'activation' | 'outputActivation' | 'returnSequences' | 'bidirectional' | 'merge' | 'goBackwards' | 'dropout' | 'inputDropout' | 'recurrentDropout'
>;

/** The keys of ModelConfig, which are also create's model options. */
export const MODEL_KEYS: readonly (keyof ModelConfig)[] = [
  'inputSize', 'vocabSize', 'embeddingSize', 'freezeEmbeddings', 'hiddenSize', 'outputSize', 'activation',
  'outputActivation', 'returnSequences', 'learnInitialState', 'backend', 'precision', 'seed',
  'layers', 'bidirectional', 'merge', 'goBackwards', 'dropout', 'inputDropout', 'recurrentDropout',
];

/** Most layers of a model. */
export const MAX_LAYERS = 16;

/** Every key SimpleRNN.create accepts. */
export const CREATE_KEYS: readonly (keyof SimpleRNNOptions)[] = [...MODEL_KEYS, ...TRAINING_KEYS, 'threads', 'threadSplit', 'simd'];

/** How a model's batches are split across its threads: by rows of the batch, or by columns of every product. */
export type ThreadSplit = 'rows' | 'columns';

/** create's options, resolved once. */
export interface ResolvedCreate {
  model: ModelConfig;
  training: TrainingConfig;
  /** Threads asked for (1 = none); whether they can start is decided when the model is built. */
  threads: number;
  /** How the threads split a batch. */
  threadSplit: ThreadSplit;
  /** The wasm build asked for; whether 'relaxed' can run is decided when the model is built. */
  simd: SimdMode;
}

/** The threadSplit option. */
export function resolveThreadSplit(api: string, v: unknown, field = 'options.threadSplit'): ThreadSplit {
  return oneOf(api, field, v, ['rows', 'columns'] as const, 'rows');
}

/** The simd option. */
export function resolveSimdOption(api: string, v: unknown, field = 'options.simd'): SimdMode {
  return oneOf(api, field, v, ['strict', 'relaxed'] as const, 'strict');
}

/** Most threads a model starts ('auto' takes the cores, up to this). */
export const MAX_THREADS = 64;

type Global = { process?: { getBuiltinModule?: (id: string) => unknown }; navigator?: { hardwareConcurrency?: number } };

/** Cores of this machine: os.availableParallelism() in Node, navigator.hardwareConcurrency in browsers; 1 if unknown. */
export function coreCount(): number {
  const g = globalThis as Global;
  const os = typeof g.process?.getBuiltinModule === 'function' ? (g.process.getBuiltinModule('node:os') as { availableParallelism?: () => number }) : null;
  const n = os?.availableParallelism?.() ?? g.navigator?.hardwareConcurrency ?? 1;
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/** The threads option as a count: default 1, 'auto' = the cores (at most MAX_THREADS). */
export function resolveThreads(api: string, v: unknown, field = 'options.threads'): number {
  if (v === 'auto') return Math.min(coreCount(), MAX_THREADS);
  if (v !== undefined && typeof v !== 'number') throw typeError(api, field, `an integer in [1, ${MAX_THREADS}] or 'auto'`, v);
  return int(api, field, v, 1, MAX_THREADS, 1);
}

/** The model part of create's options (already read once into `o`), with `api` naming the caller in errors. */
export function resolveModel(api: string, o: Partial<Record<keyof SimpleRNNOptions, unknown>>): ModelConfig {
  const field = (k: string) => `options.${k}`;
  const hasI = o.inputSize !== undefined;
  const hasV = o.vocabSize !== undefined;
  if (hasI === hasV) {
    throw typeError(api, 'options', 'given exactly one of inputSize (dense inputs) and vocabSize (token ids)', o);
  }
  if (o.embeddingSize !== undefined && !hasV) {
    throw typeError(api, 'options.embeddingSize', 'given only with vocabSize (an embedding layer maps token ids)', o.embeddingSize);
  }
  if (o.hiddenSize === undefined) throw typeError(api, 'options.hiddenSize', 'an integer in [1, 65536] (or one per layer)', undefined);
  const layers = int(api, field('layers'), o.layers, 1, MAX_LAYERS, 1);
  if (o.outputSize === undefined) throw typeError(api, 'options.outputSize', 'an integer in [1, 16777216]', undefined);
  const cfg: ModelConfig = {
    inputSize: hasI ? int(api, field('inputSize'), o.inputSize, 1, 1 << 20) : 0,
    vocabSize: hasV ? int(api, field('vocabSize'), o.vocabSize, 1, 1 << 24) : 0,
    embeddingSize: o.embeddingSize === undefined ? 0 : int(api, field('embeddingSize'), o.embeddingSize, 1, 1 << 16),
    freezeEmbeddings: bool(api, field('freezeEmbeddings'), o.freezeEmbeddings, false),
    hiddenSize: resolveHidden(api, o.hiddenSize, layers),
    outputSize: int(api, field('outputSize'), o.outputSize, 1, 1 << 24),
    activation: oneOf(api, field('activation'), o.activation, Object.keys(ACT) as Activation[], 'tanh'),
    outputActivation: oneOf(api, field('outputActivation'), o.outputActivation, Object.keys(OUT) as OutputActivation[], 'softmax'),
    returnSequences: bool(api, field('returnSequences'), o.returnSequences, false),
    learnInitialState: bool(api, field('learnInitialState'), o.learnInitialState, false),
    // 'auto' is 'wasm' where WebAssembly SIMD validates, else 'js'; config.backend holds the resolved choice
    backend: resolveBackend(oneOf(api, field('backend'), o.backend, ['wasm', 'js', 'auto'] as const, 'wasm')).backend,
    precision: oneOf(api, field('precision'), o.precision, ['float32', 'float64'] as const, 'float32'),
    seed: int(api, field('seed'), o.seed, -(2 ** 53), 2 ** 53, 1),
    layers,
    bidirectional: bool(api, field('bidirectional'), o.bidirectional, false),
    merge: oneOf(api, field('merge'), o.merge, ['concat', 'sum', 'mul', 'ave'] as const, 'concat'),
    goBackwards: bool(api, field('goBackwards'), o.goBackwards, false),
    dropout: f32(api, field('dropout'), o.dropout, RATE, 0),
    inputDropout: f32(api, field('inputDropout'), o.inputDropout, RATE, 0),
    recurrentDropout: f32(api, field('recurrentDropout'), o.recurrentDropout, RATE, 0),
  };
  if (cfg.merge !== 'concat' && !cfg.bidirectional) {
    throw rangeError(api, 'options.merge', `= '${cfg.merge}' needs bidirectional: true (a one-direction layer has nothing to merge)`);
  }
  if (cfg.goBackwards && cfg.bidirectional) {
    throw rangeError(api, 'options.goBackwards', '= true with bidirectional: true; a bidirectional layer reads both ways already');
  }
  if (cfg.dropout > 0 && layers === 1) {
    throw rangeError(api, 'options.dropout', `= ${cfg.dropout} needs layers >= 2 (it drops the outputs between layers); use inputDropout or recurrentDropout`);
  }
  if (cfg.inputDropout > 0 && cfg.vocabSize && !cfg.embeddingSize) {
    throw rangeError(api, 'options.inputDropout', `= ${cfg.inputDropout} needs dense inputs or an embedding layer (embeddingSize)`);
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

const RATE = { min: 0, max: 1, maxOpen: true };

/** hiddenSize: one integer, or one per layer (an array of `layers` integers). */
function resolveHidden(api: string, v: unknown, layers: number): number | readonly number[] {
  if (!Array.isArray(v)) return int(api, 'options.hiddenSize', v, 1, 1 << 16);
  const n = v.length;
  if (n !== layers) throw rangeError(api, 'options.hiddenSize', `has ${n} sizes; expected one per layer (layers = ${layers})`);
  const out: number[] = [];
  for (let l = 0; l < n; l++) out.push(int(api, `options.hiddenSize[${l}]`, v[l], 1, 1 << 16));
  return Object.freeze(out);
}

/** SimpleRNN.create's options, read once and resolved once. */
export function resolveCreate(options: unknown): ResolvedCreate {
  const api = 'create';
  if (options === undefined) throw typeError(api, 'options', 'an options object { inputSize | vocabSize, hiddenSize, outputSize, ... }', options);
  const o = readOptions(api, options, CREATE_KEYS);
  const training: TrainingOptions = {};
  for (const k of TRAINING_KEYS) if (o[k] !== undefined) (training as Record<string, unknown>)[k] = o[k];
  return {
    model: resolveModel(api, o),
    training: resolveTraining(api, training),
    threads: resolveThreads(api, o.threads),
    threadSplit: resolveThreadSplit(api, o.threadSplit),
    simd: resolveSimdOption(api, o.simd),
  };
}

/**
 * A checkpoint's model config (its ModelConfig as stored: 0 for an absent inputSize / vocabSize / embeddingSize) as
 * create's model options. Version-1 files also stored a copy of the learning rate here; the training options hold it.
 */
export function storedModelOptions(m: Record<string, unknown>): Partial<Record<keyof SimpleRNNOptions, unknown>> {
  const out: Record<string, unknown> = {};
  for (const k of MODEL_KEYS) if (m[k] !== undefined) out[k] = Array.isArray(m[k]) ? [...(m[k] as unknown[])] : m[k];
  for (const k of ['inputSize', 'vocabSize', 'embeddingSize']) if (out[k] === 0) delete out[k];
  return out;
}
