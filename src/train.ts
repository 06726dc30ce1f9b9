// fit, evaluate and fitStream: the loops around SimpleRNN's one-batch step. Everything random (shuffling, bucketing)
// draws from the model's seeded Rng, so one seed gives the same history run after run on a backend.
// The loops are async and yield to the event loop between batches; an AbortSignal stops them between batches.
import type { FloatArray } from './backend.js';
import { readTokens, selectBatch, type Inputs, type Sequences, type TargetData, type Targets } from './batch.js';
import type { ModelConfig } from './config.js';
import { rangeError, typeError } from './errors.js';
import { bool, fn, int, num, oneOf, readOptions } from './options.js';
import { TRAINING_KEYS, type TrainingOptions, type NonFiniteMode } from './optim.js';
import type { Rng } from './random.js';

// ---- the model side: one batch, run by SimpleRNN (src/model.ts) ----

export interface RunOptions {
  /** true: forward, backward and an optimizer step; false: forward and loss only. */
  train: boolean;
  onNonFinite?: NonFiniteMode;
  /** s^0 per sequence, (B, H) in the caller's order, instead of zeros / s0; the gradient stops there. */
  initialStates?: FloatArray | null;
  /** Return s^T per sequence, (B, H) in the caller's order (the state after its last real step). */
  finalStates?: boolean;
}

export interface BatchResult {
  /** Mean loss over the batch's real positions (sequences, or real steps with returnSequences). */
  loss: number;
  /** Real positions: the loss's denominator. */
  positions: number;
  /** Correct predictions and how many were judged (0 for linear outputs, which have no accuracy). */
  correct: number;
  judged: number;
  skipped: boolean;
  gradNorm: number;
  learningRate: number;
  /** Padded steps (B*T - real steps) and all steps (B*T) of the batch. */
  padSteps: number;
  allSteps: number;
  finalStates?: Float64Array;
}

/** Params, optimizer state and step count of a model at one moment (early stopping's best epoch). */
export interface TrainingState {
  sections: FloatArray;
  steps: number;
}

/** What fit / evaluate / fitStream need of a model (SimpleRNN provides it; this module never imports the model). */
export interface TrainHost {
  config: Readonly<ModelConfig>;
  rng: Rng;
  /** Reads and checks a dataset's inputs / targets once (src/batch.ts readInputs / readTargets with the model's spec). */
  readInputs(api: string, inputs: unknown, field: string): Sequences;
  readTargets(api: string, targets: unknown, lengths: Int32Array, field: string): TargetData;
  /** One batch of already-read data: forward and loss, and with opts.train backward and an optimizer step. */
  run(api: string, seqs: Sequences, tg: TargetData, opts: RunOptions): BatchResult;
  /** Applies training options (optimizer, learningRate, schedule, ...) from now on. */
  configure(api: string, o: TrainingOptions, prefix: string): void;
  saveState(api: string): TrainingState;
  restoreState(api: string, s: TrainingState): void;
}

/**
 * Correct predictions of a batch from its logits: argmax == class (softmax), or per unit (logit > 0) == (target >= 0.5)
 * (sigmoid). Rows with weight 0 (padding) are not judged.
 */
export function countCorrect(kind: string, y: FloatArray, tgtI: Int32Array, tgtF: FloatArray, w: FloatArray, rows: number, O: number): { correct: number; judged: number } {
  let correct = 0;
  let judged = 0;
  if (kind === 'linear') return { correct, judged };
  for (let r = 0; r < rows; r++) {
    if (w[r] === 0) continue;
    const at = r * O;
    if (kind === 'softmax') {
      let best = 0;
      for (let o = 1; o < O; o++) if (y[at + o] > y[at + best]) best = o;
      if (best === tgtI[r]) correct++;
      judged++;
    } else {
      for (let o = 0; o < O; o++) if (y[at + o] > 0 === tgtF[at + o] >= 0.5) correct++;
      judged += O;
    }
  }
  return { correct, judged };
}

// ---- shared helpers ----

/** Lets the event loop run (timers, I/O, a page's input): a macrotask, not a microtask. */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  if (typeof g.setImmediate === 'function') return new Promise((r) => g.setImmediate!(r)); // Node: no 1 ms clamp
  if (typeof MessageChannel === 'function') {
    return new Promise((r) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        r();
      };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw signal.reason ?? new DOMException('SimpleRNN: training was aborted', 'AbortError');
  }
}

/** options.callbacks: an object whose onBatchEnd / onEpochEnd, when given, are functions (read once). */
function readCallbacks<C extends { onBatchEnd?: unknown; onEpochEnd?: unknown }>(api: string, callbacks: unknown): C {
  const cb = readOptions(api, callbacks, ['onBatchEnd', 'onEpochEnd'], 'options.callbacks');
  return {
    onBatchEnd: fn(api, 'options.callbacks.onBatchEnd', cb.onBatchEnd),
    onEpochEnd: fn(api, 'options.callbacks.onEpochEnd', cb.onEpochEnd),
  } as C;
}

function checkSignal(api: string, signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (typeof AbortSignal !== 'undefined' && signal instanceof AbortSignal) return signal;
  if (signal !== null && typeof signal === 'object' && 'aborted' in signal) return signal as AbortSignal;
  throw typeError(api, 'options.signal', 'an AbortSignal', signal);
}

const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'bucketByLength', 'validationData', 'validationSplit', 'earlyStopping', 'callbacks', 'signal', ...TRAINING_KEYS];
const STREAM_KEYS = ['seqLength', 'batchSize', 'epochs', 'validationTokens', 'callbacks', 'signal', ...TRAINING_KEYS];

function pickTraining(o: Partial<Record<string, unknown>>): TrainingOptions | null {
  const t: Record<string, unknown> = {};
  let any = false;
  for (const k of TRAINING_KEYS) {
    if (o[k] !== undefined) {
      t[k] = o[k];
      any = true;
    }
  }
  return any ? (t as TrainingOptions) : null;
}

// ---- fit ----

/** Logs of one batch, passed to callbacks.onBatchEnd. */
export interface BatchLogs {
  /** Epoch index, from 0. */
  epoch: number;
  /** Batch index within the epoch. */
  batch: number;
  /** Indices (into fit's inputs) of the sequences in this batch. */
  indices: number[];
  /** Mean loss of the batch before the step (NaN when skipped with a non-finite loss). */
  loss: number;
  /** Accuracy of the batch before the step (softmax / sigmoid outputs). */
  accuracy?: number;
  /** true when the step was skipped (onNonFinite: 'skip'). */
  skipped: boolean;
  /** ‖g‖₂ before clipping. */
  gradNorm: number;
  /** The learning rate of the step. */
  learningRate: number;
}

/** Logs of one epoch, passed to callbacks.onEpochEnd. */
export interface EpochLogs {
  /** Mean training loss of the epoch (each batch's loss before its step, weighted by its real positions; skipped batches left out). */
  loss: number;
  /** Training accuracy of the epoch (softmax and sigmoid outputs only). */
  accuracy?: number;
  /** Loss on the validation data after the epoch (with validationData or validationSplit). */
  valLoss?: number;
  /** Accuracy on the validation data after the epoch (softmax and sigmoid outputs, with validation data). */
  valAccuracy?: number;
  /** Padded steps / all steps over the epoch's batches (B*T per batch). */
  paddingFraction: number;
  /** Batches of the epoch whose step was skipped because the loss or gradient was not finite (onNonFinite: 'skip'). */
  skippedBatches: number;
}

/** Options of fit's earlyStopping: what to watch and when to stop. An unknown key is refused. */
export interface EarlyStoppingOptions {
  /** Quantity watched: 'valLoss' (default when there is validation data) or 'loss'. */
  monitor?: 'loss' | 'valLoss';
  /** Epochs without improvement before stopping. Default 0 (stop at the first epoch that does not improve). */
  patience?: number;
  /** An improvement must lower the monitored loss by more than this. Default 0. */
  minDelta?: number;
  /**
   * On stopping, put back the best epoch's parameters, optimizer state and step count (the Rng keeps running, so
   * later shuffles and dropout masks differ from a run that stopped there). Default false.
   */
  restoreBestWeights?: boolean;
}

/** Hooks that fit calls during training (options.callbacks); each is optional. */
export interface FitCallbacks {
  /** After every batch; may return a promise, which fit awaits. */
  onBatchEnd?: (batch: number, logs: BatchLogs) => void | Promise<void>;
  /** After every epoch (after validation); may return a promise, which fit awaits. */
  onEpochEnd?: (epoch: number, logs: EpochLogs) => void | Promise<void>;
}

/** Options of SimpleRNN.fit. Training options (optimizer, learningRate, ...) given here apply from now on. */
export interface FitOptions extends TrainingOptions {
  /** Passes over the data. Default 1. */
  epochs?: number;
  /** Sequences per batch (the last batch of an epoch may be smaller). Default 32. */
  batchSize?: number;
  /** Shuffle the sequences every epoch (seeded by the model's Rng). Default true. */
  shuffle?: boolean;
  /**
   * Group sequences of similar length into the same batch, so little work goes to padding: the (shuffled) sequences
   * are sorted by length, cut into batches, and the batch order is shuffled. history.paddingFraction reports the effect.
   * Default false.
   */
  bucketByLength?: boolean;
  /** Held-out [inputs, targets], evaluated after every epoch (valLoss, valAccuracy). */
  validationData?: [Inputs, Targets];
  /** Fraction in (0, 1) of the data, taken from the end (not shuffled, as Keras does), held out for validation. */
  validationSplit?: number;
  /** Stop when the monitored loss stops improving; true uses the defaults. Default: off. */
  earlyStopping?: boolean | EarlyStoppingOptions;
  /** Functions called after every batch and every epoch. Default: none. */
  callbacks?: FitCallbacks;
  /** Stops training between batches: fit rejects with signal.reason (an AbortError by default). */
  signal?: AbortSignal;
}

/** What fit resolves with: one entry per completed epoch in each array. */
export interface History {
  /** Epochs completed. */
  epochs: number;
  /** Mean training loss per epoch (each batch's loss before its step, weighted by its real positions). */
  loss: number[];
  /** Training accuracy per epoch (softmax and sigmoid outputs). */
  accuracy?: number[];
  /** Validation loss per epoch (with validationData or validationSplit). */
  valLoss?: number[];
  /** Validation accuracy per epoch (softmax and sigmoid outputs, with validation data). */
  valAccuracy?: number[];
  /** Padded steps / all steps of the epoch's batches. */
  paddingFraction: number[];
  /** Steps skipped per epoch because the loss or gradient was not finite (onNonFinite: 'skip'). */
  skippedBatches: number[];
  /** Learning rate of the last step of each epoch. */
  learningRate: number[];
  /** true when earlyStopping ended the run before `epochs`. */
  stoppedEarly: boolean;
  /** With earlyStopping: the epoch (from 0) with the best monitored loss. */
  bestEpoch?: number;
}

/** A dataset read and checked once: batches select from these copies and are never checked again. */
interface Dataset {
  seqs: Sequences;
  tg: TargetData;
}

const range = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, k) => a + k);

function select(d: Dataset, idx: ArrayLike<number>): Dataset {
  const r = selectBatch(d.seqs, d.tg, idx);
  return { seqs: r.seqs, tg: r.tg! };
}

/**
 * The batches of one epoch, as index lists. Without bucketing: a shuffled (or identity) order cut into batchSize
 * pieces. With bucketing: the shuffled order stably sorted by length (so equal lengths stay in random order), cut,
 * and the batch order shuffled. Every index appears exactly once.
 */
export function epochBatches(lengths: Int32Array, batchSize: number, shuffle: boolean, bucket: boolean, rng: Rng): Int32Array[] {
  const n = lengths.length;
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  if (shuffle) rng.shuffle(order);
  if (bucket) {
    const rank = new Int32Array(n);
    for (let k = 0; k < n; k++) rank[order[k]] = k;
    order.sort((a, b) => lengths[b] - lengths[a] || rank[a] - rank[b]);
  }
  const batches: Int32Array[] = [];
  for (let k = 0; k < n; k += batchSize) batches.push(order.slice(k, Math.min(n, k + batchSize)));
  if (bucket && shuffle) rng.shuffle(batches);
  return batches;
}

function dataset(host: TrainHost, api: string, inputs: unknown, targets: unknown, field: string): Dataset {
  const seqs = host.readInputs(api, inputs, `${field}inputs`);
  return { seqs, tg: host.readTargets(api, targets, seqs.lengths, `${field}targets`) };
}

interface EvalResult {
  loss: number;
  accuracy?: number;
}

function evaluateData(host: TrainHost, api: string, d: Dataset, batchSize: number): EvalResult {
  let lossSum = 0;
  let positions = 0;
  let correct = 0;
  let judged = 0;
  const lengths = d.seqs.lengths;
  const n = lengths.length;
  // by length, so that evaluation spends little on padding; the result does not depend on the order beyond rounding
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  order.sort((a, b) => lengths[b] - lengths[a] || a - b);
  for (let k = 0; k < n; k += batchSize) {
    const part = select(d, order.subarray(k, Math.min(n, k + batchSize)));
    const r = host.run(api, part.seqs, part.tg, { train: false });
    lossSum += r.loss * r.positions;
    positions += r.positions;
    correct += r.correct;
    judged += r.judged;
  }
  const out: EvalResult = { loss: lossSum / positions };
  if (judged > 0) out.accuracy = correct / judged;
  return out;
}

/** Options of SimpleRNN.evaluate. */
export interface EvaluateOptions {
  /** Sequences per forward pass (bounds the workspace). Default 256. */
  batchSize?: number;
}

/** Loss (mean over real positions) and accuracy (softmax / sigmoid outputs) on a dataset; changes nothing. */
export function evaluate(host: TrainHost, inputs: Inputs, targets: Targets, options?: EvaluateOptions): EvalResult {
  const api = 'evaluate';
  const o = readOptions(api, options, ['batchSize']);
  const batchSize = int(api, 'options.batchSize', o.batchSize, 1, Infinity, 256);
  return evaluateData(host, api, dataset(host, api, inputs, targets, ''), batchSize);
}

export async function fit(host: TrainHost, inputs: Inputs, targets: Targets, options?: FitOptions): Promise<History> {
  const api = 'fit';
  const o = readOptions(api, options, FIT_KEYS) as Partial<Record<(typeof FIT_KEYS)[number], unknown>>;
  const epochs = int(api, 'options.epochs', o.epochs, 0, Infinity, 1);
  const batchSize = int(api, 'options.batchSize', o.batchSize, 1, Infinity, 32);
  const shuffle = bool(api, 'options.shuffle', o.shuffle, true);
  const bucket = bool(api, 'options.bucketByLength', o.bucketByLength, false);
  const signal = checkSignal(api, o.signal);
  const cb = readCallbacks<FitCallbacks>(api, o.callbacks);
  if (o.validationData !== undefined && o.validationSplit !== undefined) {
    throw rangeError(api, 'options.validationSplit', 'cannot be given together with options.validationData; expected one of them');
  }
  let train = dataset(host, api, inputs, targets, '');
  let val: Dataset | null = null;
  if (o.validationSplit !== undefined) {
    const f = num(api, 'options.validationSplit', o.validationSplit, { min: 0, max: 1, minOpen: true, maxOpen: true });
    const n = train.seqs.lengths.length;
    const nVal = Math.floor(n * f);
    if (nVal < 1 || nVal >= n) {
      throw rangeError(api, 'options.validationSplit', `= ${f} of ${n} sequences leaves ${nVal} for validation and ${n - nVal} for training; expected at least 1 of each`);
    }
    const all = train;
    train = select(all, range(0, n - nVal));
    val = select(all, range(n - nVal, n));
  } else if (o.validationData !== undefined) {
    const vd = o.validationData;
    if (!Array.isArray(vd)) throw typeError(api, 'options.validationData', 'a pair [inputs, targets]', vd);
    const n = vd.length; // read once, then the two entries by index (no iterator)
    if (n !== 2) throw typeError(api, 'options.validationData', 'a pair [inputs, targets]', vd);
    const vi: unknown = vd[0];
    const vt: unknown = vd[1];
    val = dataset(host, api, vi, vt, 'validationData.');
  }
  let es: Required<EarlyStoppingOptions> | null = null;
  if (o.earlyStopping !== undefined && o.earlyStopping !== false) {
    const field = 'options.earlyStopping';
    if (o.earlyStopping !== true && (o.earlyStopping === null || typeof o.earlyStopping !== 'object')) {
      throw typeError(api, field, 'true or { monitor, patience, minDelta, restoreBestWeights }', o.earlyStopping);
    }
    const e = readOptions(api, o.earlyStopping === true ? {} : o.earlyStopping, ['monitor', 'patience', 'minDelta', 'restoreBestWeights'], field);
    const monitor = oneOf(api, `${field}.monitor`, e.monitor, ['loss', 'valLoss'] as const, val ? 'valLoss' : 'loss');
    if (monitor === 'valLoss' && !val) throw rangeError(api, `${field}.monitor`, "= 'valLoss' needs validationData or validationSplit");
    es = {
      monitor,
      patience: int(api, `${field}.patience`, e.patience, 0, Infinity, 0),
      minDelta: num(api, `${field}.minDelta`, e.minDelta, { min: 0, max: Infinity }, 0),
      restoreBestWeights: bool(api, `${field}.restoreBestWeights`, e.restoreBestWeights, false),
    };
  }
  const mode = o.onNonFinite === undefined ? undefined : oneOf(api, 'options.onNonFinite', o.onNonFinite, ['throw', 'skip'] as const);
  throwIfAborted(signal); // before anything changes
  const t = pickTraining(o);
  if (t) host.configure(api, t, 'options');


  const kind = host.config.outputActivation;
  const hasAcc = kind !== 'linear';
  const h: History = { epochs: 0, loss: [], paddingFraction: [], skippedBatches: [], learningRate: [], stoppedEarly: false };
  if (hasAcc) h.accuracy = [];
  if (val) {
    h.valLoss = [];
    if (hasAcc) h.valAccuracy = [];
  }
  let best = Infinity;
  let bestState: TrainingState | null = null;
  let wait = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const batches = epochBatches(train.seqs.lengths, batchSize, shuffle, bucket, host.rng);
    let lossSum = 0;
    let positions = 0;
    let correct = 0;
    let judged = 0;
    let pad = 0;
    let all = 0;
    let skipped = 0;
    let lr = NaN;
    for (let b = 0; b < batches.length; b++) {
      await yieldToEventLoop();
      throwIfAborted(signal);
      const idx = batches[b];
      const sel = select(train, idx);
      const r = host.run(api, sel.seqs, sel.tg, { train: true, onNonFinite: mode });
      pad += r.padSteps;
      all += r.allSteps;
      if (r.skipped) skipped++;
      else {
        lossSum += r.loss * r.positions;
        positions += r.positions;
        correct += r.correct;
        judged += r.judged;
        lr = r.learningRate;
      }
      if (cb.onBatchEnd) {
        const logs: BatchLogs = { epoch, batch: b, indices: Array.from(idx), loss: r.loss, skipped: r.skipped, gradNorm: r.gradNorm, learningRate: r.learningRate };
        if (hasAcc) logs.accuracy = r.judged ? r.correct / r.judged : NaN;
        await cb.onBatchEnd(b, logs);
      }
    }
    const logs: EpochLogs = { loss: positions ? lossSum / positions : NaN, paddingFraction: all ? pad / all : 0, skippedBatches: skipped };
    if (hasAcc) logs.accuracy = judged ? correct / judged : NaN;
    if (val) {
      const v = evaluateData(host, api, val, Math.max(batchSize, 256));
      logs.valLoss = v.loss;
      if (hasAcc) logs.valAccuracy = v.accuracy;
    }
    h.epochs = epoch + 1;
    h.loss.push(logs.loss);
    h.accuracy?.push(logs.accuracy!);
    h.valLoss?.push(logs.valLoss!);
    h.valAccuracy?.push(logs.valAccuracy!);
    h.paddingFraction.push(logs.paddingFraction);
    h.skippedBatches.push(skipped);
    h.learningRate.push(lr);
    if (cb.onEpochEnd) await cb.onEpochEnd(epoch, logs);
    if (es) {
      const cur = es.monitor === 'valLoss' ? logs.valLoss! : logs.loss;
      if (cur < best - es.minDelta) {
        best = cur;
        h.bestEpoch = epoch;
        wait = 0;
        if (es.restoreBestWeights) bestState = host.saveState(api);
      } else if (++wait > es.patience) {
        h.stoppedEarly = epoch + 1 < epochs;
        if (bestState) host.restoreState(api, bestState);
        break;
      }
    }
  }
  return h;
}

// ---- fitStream: truncated BPTT over one long token stream ----

/** Logs of one fitStream epoch, passed to callbacks.onEpochEnd. */
export interface StreamLogs {
  /** Mean loss per character of the epoch so far / of the epoch, in nats. */
  loss: number;
  /** exp(loss): the training perplexity of the epoch. */
  perplexity: number;
  /** Loss per token on validationTokens after the epoch, in nats (one track with carried state). */
  valLoss?: number;
  /** exp(valLoss): the validation perplexity (with validationTokens). */
  valPerplexity?: number;
  /** Chunks of the epoch whose step was skipped because the loss or gradient was not finite (onNonFinite: 'skip'). */
  skippedBatches: number;
}

/** Options of SimpleRNN.fitStream. Training options (optimizer, learningRate, ...) given here apply from now on. */
export interface FitStreamOptions extends TrainingOptions {
  /** Steps per chunk: the gradient is truncated at chunk boundaries (BPTT length). Default 25 (min-char-rnn). */
  seqLength?: number;
  /**
   * Parallel tracks: the stream is cut into batchSize contiguous tracks of equal length, trained side by side; each
   * track's final state is carried into its next chunk. Default 1.
   */
  batchSize?: number;
  /** Passes over the stream; every epoch restarts the tracks from s^0. Default 1. */
  epochs?: number;
  /** A held-out token stream, evaluated after every epoch as one track with carried state (valLoss, valPerplexity). */
  validationTokens?: ArrayLike<number>;
  /** Functions called after every chunk and every epoch. Default: none. */
  callbacks?: {
    /** After every chunk (all tracks): loss is that chunk's nats per character. */
    onBatchEnd?: (batch: number, logs: { epoch: number; batch: number; loss: number; skipped: boolean; gradNorm: number; learningRate: number }) => void | Promise<void>;
    /** After every epoch (after validation); may return a promise, which fitStream awaits. */
    onEpochEnd?: (epoch: number, logs: StreamLogs) => void | Promise<void>;
  };
  /** Stops training between chunks: fitStream rejects with signal.reason. */
  signal?: AbortSignal;
}

/** What fitStream resolves with: one entry per completed epoch in each array. */
export interface StreamHistory {
  /** Epochs completed. */
  epochs: number;
  /** Mean loss per character per epoch, in nats. */
  loss: number[];
  /** exp(loss) per epoch. */
  perplexity: number[];
  /** Validation loss per token per epoch, in nats (with validationTokens). */
  valLoss?: number[];
  /** exp(valLoss) per epoch (with validationTokens). */
  valPerplexity?: number[];
  /** Chunks skipped per epoch because the loss or gradient was not finite (onNonFinite: 'skip'). */
  skippedBatches: number[];
  /** Learning rate of the last step of each epoch (NaN when every step of the epoch was skipped). */
  learningRate: number[];
}

/** Reads a token stream once, checking every id (src/batch.ts readTokens). */
function tokenStream(host: TrainHost, api: string, tokens: unknown, field: string): Int32Array {
  if (!Array.isArray(tokens) && !(ArrayBuffer.isView(tokens) && !(tokens instanceof Float32Array) && !(tokens instanceof Float64Array) && !(tokens instanceof DataView))) {
    throw typeError(api, field, 'a token stream (number[] or an integer typed array)', tokens);
  }
  return readTokens(api, field, tokens, host.config.vocabSize);
}

/** Cuts a stream into B tracks of L = floor((n - 1) / B) inputs each; track b reads tokens[b L .. b L + L]. */
function tracks(stream: Int32Array, B: number): number {
  return Math.floor((stream.length - 1) / B);
}

/** A chunk of tracks as an already-checked batch: inputs stream[start .. start+len), targets shifted by one. */
function chunk(stream: Int32Array, starts: number[], len: number): { seqs: Sequences; tg: TargetData } {
  const data = starts.map((at) => stream.subarray(at, at + len));
  const lengths = new Int32Array(starts.length).fill(len);
  return { seqs: { data, lengths }, tg: { data: starts.map((at) => stream.subarray(at + 1, at + 1 + len)) } };
}

/**
 * Loss per token over a stream read as one track with carried state, chunks of seqLength steps, no gradient:
 * fitStream's validation loss (and evaluateStream's). Each chunk starts from the state the previous one ended in.
 */
function carriedStreamLoss(host: TrainHost, api: string, stream: Int32Array, seqLength: number): number {
  const L = stream.length - 1;
  let states: Float64Array | null = null;
  let sum = 0;
  for (let at = 0; at < L; at += seqLength) {
    const len = Math.min(seqLength, L - at);
    const { seqs, tg } = chunk(stream, [at], len);
    const r = host.run(api, seqs, tg, { train: false, initialStates: states, finalStates: true });
    sum += r.loss * len;
    states = r.finalStates!;
  }
  return sum / L;
}

function checkNextToken(api: string, c: Readonly<ModelConfig>): void {
  if (c.bidirectional || c.goBackwards) {
    throw rangeError(api, 'model', `is ${c.bidirectional ? 'bidirectional' : 'goBackwards'}: it reads each chunk from its end, so a carried state cannot continue a stream (train it with fit on windows)`);
  }
  if (!c.vocabSize || !c.returnSequences || c.outputActivation !== 'softmax' || c.outputSize !== c.vocabSize) {
    throw rangeError(api, 'model', `must be a next-token model: vocabSize, returnSequences: true, outputActivation: 'softmax' and outputSize = vocabSize; got vocabSize=${c.vocabSize}, returnSequences=${c.returnSequences}, outputActivation='${c.outputActivation}', outputSize=${c.outputSize}`);
  }
}

/** Options of SimpleRNN.evaluateStream. */
export interface StreamEvaluateOptions {
  /** Steps per chunk (the state is carried across chunks, so this only bounds the workspace). Default 25. */
  seqLength?: number;
}

/** Loss per token and perplexity of a stream, one track with carried state (fitStream's validation). */
export function evaluateStream(host: TrainHost, tokens: ArrayLike<number>, options?: StreamEvaluateOptions): { loss: number; perplexity: number } {
  const api = 'evaluateStream';
  checkNextToken(api, host.config);
  const o = readOptions(api, options, ['seqLength']);
  const seqLength = int(api, 'options.seqLength', o.seqLength, 1, Infinity, 25);
  const stream = tokenStream(host, api, tokens, 'tokens');
  if (stream.length < 2) throw rangeError(api, 'tokens', `has ${stream.length} tokens; expected at least 2`);
  const loss = carriedStreamLoss(host, api, stream, seqLength);
  return { loss, perplexity: Math.exp(loss) };
}

export async function fitStream(host: TrainHost, tokens: ArrayLike<number>, options?: FitStreamOptions): Promise<StreamHistory> {
  const api = 'fitStream';
  const c = host.config;
  checkNextToken(api, c);
  const o = readOptions(api, options, STREAM_KEYS) as Partial<Record<(typeof STREAM_KEYS)[number], unknown>>;
  const seqLength = int(api, 'options.seqLength', o.seqLength, 1, Infinity, 25);
  const B = int(api, 'options.batchSize', o.batchSize, 1, Infinity, 1);
  const epochs = int(api, 'options.epochs', o.epochs, 0, Infinity, 1);
  const signal = checkSignal(api, o.signal);
  const cb = readCallbacks<NonNullable<FitStreamOptions['callbacks']>>(api, o.callbacks);
  const stream = tokenStream(host, api, tokens, 'tokens');
  const L = tracks(stream, B);
  if (L < 1) {
    throw rangeError(api, 'tokens', `has ${stream.length} tokens; batchSize=${B} tracks need at least ${B + 1} (each track needs an input and its next token)`);
  }
  const valStream = o.validationTokens === undefined ? null : tokenStream(host, api, o.validationTokens, 'options.validationTokens');
  if (valStream && valStream.length < 2) throw rangeError(api, 'options.validationTokens', `has ${valStream.length} tokens; expected at least 2`);
  const mode = o.onNonFinite === undefined ? undefined : oneOf(api, 'options.onNonFinite', o.onNonFinite, ['throw', 'skip'] as const);
  throwIfAborted(signal); // before anything changes
  const t = pickTraining(o);
  if (t) host.configure(api, t, 'options');

  const h: StreamHistory = { epochs: 0, loss: [], perplexity: [], skippedBatches: [], learningRate: [] };
  if (valStream) {
    h.valLoss = [];
    h.valPerplexity = [];
  }
  for (let epoch = 0; epoch < epochs; epoch++) {
    let states: Float64Array | null = null; // null: the model's s^0 (zeros, or the learned s0, which then gets its gradient)
    let sum = 0;
    let count = 0;
    let skipped = 0;
    let lr = NaN;
    let batch = 0;
    for (let at = 0; at < L; at += seqLength, batch++) {
      await yieldToEventLoop();
      throwIfAborted(signal);
      const len = Math.min(seqLength, L - at);
      const { seqs, tg } = chunk(stream, Array.from({ length: B }, (_, b) => b * L + at), len);
      const r = host.run(api, seqs, tg, { train: true, onNonFinite: mode, initialStates: states, finalStates: true });
      if (r.skipped) {
        skipped++;
        states = null; // the carried states of a non-finite chunk are not kept: the tracks restart from s^0
      } else {
        sum += r.loss * len * B;
        count += len * B;
        lr = r.learningRate;
        const fs = r.finalStates!;
        let finite = true;
        for (let k = 0; k < fs.length; k++) if (!Number.isFinite(fs[k])) finite = false;
        states = finite ? fs : null;
      }
      if (cb.onBatchEnd) await cb.onBatchEnd(batch, { epoch, batch, loss: r.loss, skipped: r.skipped, gradNorm: r.gradNorm, learningRate: r.learningRate });
    }
    const loss = count ? sum / count : NaN;
    const logs: StreamLogs = { loss, perplexity: Math.exp(loss), skippedBatches: skipped };
    if (valStream) {
      logs.valLoss = carriedStreamLoss(host, api, valStream, seqLength);
      logs.valPerplexity = Math.exp(logs.valLoss);
      h.valLoss!.push(logs.valLoss);
      h.valPerplexity!.push(logs.valPerplexity);
    }
    h.epochs = epoch + 1;
    h.loss.push(loss);
    h.perplexity.push(logs.perplexity);
    h.skippedBatches.push(skipped);
    h.learningRate.push(lr);
    if (cb.onEpochEnd) await cb.onEpochEnd(epoch, logs);
  }
  return h;
}
