// What train stores in a checkpoint next to the model, and how sample, eval and train --resume read it back: a
// checkpoint is a file like any other input, so every field is checked with the library's validator kit
// (src/options.ts) and, for the run's settings, with the ranges of the flags that set them (RUN_FLAGS, which train's
// option table uses). A bad field is one line naming it: `checkpoint metadata run.batchSize = 0 is out of range; ...`.
import { MAX_LAYERS } from '../config.js';
import { OPTIMIZER_TYPES } from '../optim.js';
import { int, num, oneOf, readOptions, str } from '../options.js';
import { rangeError, typeError } from '../errors.js';
import type { OptionSpec } from './args.js';
import { LEVELS } from './tokenizer.js';

/** train's flags for the settings stored in run: one table, so a stored value is checked as the flag was. */
export const RUN_FLAGS = {
  seqLength: { kind: 'int', min: 1, max: 100000, help: 'tokens per chunk: BPTT is truncated there [default: 64]' },
  batchSize: { kind: 'int', min: 1, max: 4096, help: 'parallel tracks through the text [default: 32]' },
  chunks: { kind: 'int', min: 1, max: 100000, help: 'chunks per segment: the state is carried across them [default: 8]' },
  valSplit: { kind: 'float', min: 0, max: 0.5, help: 'fraction of the text held out for validation [default: 0.1]' },
  seed: { kind: 'int', min: -(2 ** 53), max: 2 ** 53, help: 'seed of the initialisation [default: 1]' },
  layers: { kind: 'int', min: 1, max: MAX_LAYERS, help: 'L, layers stacked: layer l reads the states of layer l-1 [default: 1, or one per --hidden-size]' },
  hiddenSize: { kind: 'ints', min: 1, max: 4096, help: 'H, size of the state: one for every layer, or one per layer (128,64) [default: 128]' },
  dropout: { kind: 'float', min: 0, max: 1, maxOpen: true, help: 'dropout on the states passed between layers, in training (needs --layers 2+) [default: 0]' },
  inputDropout: { kind: 'float', min: 0, max: 1, maxOpen: true, help: 'dropout on the token vectors, one mask per track and chunk (needs an embedding layer) [default: 0]' },
  recurrentDropout: { kind: 'float', min: 0, max: 1, maxOpen: true, help: 'dropout on s^{t-1} in every layer, one mask per track and chunk [default: 0]' },
} as const satisfies Record<string, OptionSpec>;

/** The model settings of a run as stored (they are also the model's; loadCheckpoint checks that they agree). */
export interface RunModel {
  /** L. */
  layers: number;
  /** H: one for every layer, or one per layer. */
  hiddenSize: number | number[];
  /** Dropout rates in training: between layers, on the token vectors, on s^{t-1}. */
  dropout: number;
  inputDropout: number;
  recurrentDropout: number;
}

/**
 * A run's cosine decay: each segment trains at lr·(floor + (1 - floor)·(1 + cos(π f))/2), f = the fraction of the run
 * done, the larger of steps / maxSteps and seconds / maxSeconds (a bound the run does not have is Infinity, stored
 * as 0). Past f = 1 the rate stays at lr·floor.
 */
export interface Decay {
  type: 'cosine';
  /** The rate at f = 0. */
  lr: number;
  /** The rate at f >= 1 is lr·floor. */
  floor: number;
  /** The run's bounds when it started: steps (0: none) and seconds of training (0: none). */
  maxSteps: number;
  maxSeconds: number;
}

/** The learning rate of a decayed run at `steps` steps and `seconds` seconds of training. */
export function decayedRate(d: Decay, steps: number, seconds: number): number {
  const f = Math.min(1, Math.max(d.maxSteps > 0 ? steps / d.maxSteps : 0, d.maxSeconds > 0 ? seconds / d.maxSeconds : 0));
  return d.lr * (d.floor + ((1 - d.floor) * (1 + Math.cos(Math.PI * f))) / 2);
}

/** The keys of RunModel: absent in checkpoints of train before deep models (read as 1 layer, no dropout). */
export const RUN_MODEL_KEYS = ['layers', 'hiddenSize', 'dropout', 'inputDropout', 'recurrentDropout'] as const;

/** What train stores in a checkpoint next to the model (model.save(metadata)). */
export interface TrainMetadata {
  format: 'simple-rnn/cli-train';
  version: 1;
  /** The tokenizer's vocabulary (tokenizer.toJSON()). */
  vocabulary: unknown;
  /** Where training stands: the next segment to run, counted over all epochs. */
  cursor: { segment: number; steps: number; seconds: number };
  /**
   * Settings that must not change on --resume (they define the model, the segments and the split). The RunModel
   * fields are absent in checkpoints written before train had --layers.
   */
  run: Partial<RunModel> & {
    text: string;
    /** CRC-32 of the text's bytes: --resume refuses another text. */
    textCrc: number;
    textTokens: number;
    level: string;
    valSplit: number;
    seqLength: number;
    batchSize: number;
    chunks: number;
    seed: number;
    optimizer: string;
    /** --decay cosine: the learning-rate curve of the whole run (absent: a constant rate). */
    decay?: Decay;
  };
  /** [step, mean training loss of the segment] and [step, validation loss]. */
  history: { train: [number, number][]; val: [number, number][] };
}

const API = 'cli';
const FIELD = 'checkpoint metadata';
const COUNT = Number.MAX_SAFE_INTEGER;
const KEYS = ['format', 'version', 'vocabulary', 'cursor', 'run', 'history'] as const;
const CURSOR_KEYS = ['segment', 'steps', 'seconds'] as const;
const RUN_KEYS = ['text', 'textCrc', 'textTokens', 'level', 'valSplit', 'seqLength', 'batchSize', 'chunks', 'seed', 'optimizer', 'decay', ...RUN_MODEL_KEYS] as const;
const DECAY_KEYS = ['type', 'lr', 'floor', 'maxSteps', 'maxSeconds'] as const;

/** The stored decay (absent in checkpoints of runs without --decay, and of train before it had the flag). */
function decayOf(v: unknown): Decay | undefined {
  if (v === undefined) return undefined;
  const d = section('run.decay', v, DECAY_KEYS);
  const f = (k: string) => `${FIELD} run.decay.${k}`;
  return {
    type: oneOf(API, f('type'), d.type, ['cosine'] as const),
    lr: num(API, f('lr'), d.lr, { min: 0, max: 1e6 }),
    floor: num(API, f('floor'), d.floor, { min: 0, max: 1 }),
    maxSteps: int(API, f('maxSteps'), d.maxSteps, 0, COUNT),
    maxSeconds: num(API, f('maxSeconds'), d.maxSeconds, { min: 0, max: 1e9 }),
  };
}
const HISTORY_KEYS = ['train', 'val'] as const;

/** A nested object of the metadata, read once with its keys checked. */
function section<K extends string>(name: string, v: unknown, keys: readonly K[]): Partial<Record<K, unknown>> {
  const field = `${FIELD} ${name}`;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw typeError(API, field, `an object { ${keys.join(', ')} }`, v);
  return readOptions(API, v, keys, field, 'a field');
}

/** A stored run setting, checked against its flag's kind and range. */
function setting(key: 'valSplit' | 'seqLength' | 'batchSize' | 'chunks' | 'seed' | 'layers' | 'dropout' | 'inputDropout' | 'recurrentDropout', v: unknown): number {
  const spec: OptionSpec = RUN_FLAGS[key];
  const field = `${FIELD} run.${key}`;
  return spec.kind === 'int' ? int(API, field, v, spec.min!, spec.max!) : num(API, field, v, { min: spec.min!, max: spec.max!, maxOpen: spec.maxOpen });
}

/** The stored model settings that are present, checked (hiddenSize: one size, or one per layer). */
function runModel(r: Partial<Record<(typeof RUN_MODEL_KEYS)[number], unknown>>): Partial<RunModel> {
  const out: Partial<RunModel> = {};
  if (r.layers !== undefined) out.layers = setting('layers', r.layers);
  if (r.hiddenSize !== undefined) {
    const { min, max } = RUN_FLAGS.hiddenSize;
    const field = `${FIELD} run.hiddenSize`;
    if (Array.isArray(r.hiddenSize)) {
      const L = out.layers ?? 1;
      if (r.hiddenSize.length !== L) throw rangeError(API, field, `has ${r.hiddenSize.length} sizes; expected one per layer (run.layers = ${L})`);
      out.hiddenSize = r.hiddenSize.map((h: unknown, l) => int(API, `${field}[${l}]`, h, min, max));
    } else {
      out.hiddenSize = int(API, field, r.hiddenSize, min, max);
    }
  }
  for (const k of ['dropout', 'inputDropout', 'recurrentDropout'] as const) if (r[k] !== undefined) out[k] = setting(k, r[k]);
  return out;
}

/** [step, loss] pairs: steps are counts, losses (mean cross-entropy) finite and >= 0. */
function curve(key: string, v: unknown): [number, number][] {
  const field = `${FIELD} history.${key}`;
  if (!Array.isArray(v)) throw typeError(API, field, 'an array of [step, loss] pairs', v);
  return v.map((p: unknown, k) => {
    if (!Array.isArray(p) || p.length !== 2) throw typeError(API, `${field}[${k}]`, 'a [step, loss] pair', p);
    return [int(API, `${field}[${k}][0]`, p[0], 0, COUNT), num(API, `${field}[${k}][1]`, p[1], { min: 0, max: Infinity })];
  });
}

/** Is this the metadata of a checkpoint written by train (its format tag), whatever the state of its fields? */
export function isTrainMetadata(meta: unknown): boolean {
  return meta !== null && typeof meta === 'object' && (meta as { format?: unknown }).format === 'simple-rnn/cli-train';
}

/**
 * Reads train's metadata into a fresh, checked object (the vocabulary is left to the tokenizer, which checks it).
 * Throws the library's TypeError / RangeError naming the field, `SimpleRNN.cli: checkpoint metadata run.chunks ...`.
 */
export function readTrainMetadata(meta: unknown): TrainMetadata {
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) throw typeError(API, FIELD, `an object { ${KEYS.join(', ')} }`, meta);
  const o = readOptions(API, meta, KEYS, FIELD, 'a field');
  if (o.version !== 1) throw typeError(API, `${FIELD} version`, '1 (this version of simple-rnn reads no other)', o.version);
  const c = section('cursor', o.cursor, CURSOR_KEYS);
  const r = section('run', o.run, RUN_KEYS);
  const h = section('history', o.history, HISTORY_KEYS);
  return {
    format: 'simple-rnn/cli-train',
    version: 1,
    vocabulary: o.vocabulary,
    cursor: {
      segment: int(API, `${FIELD} cursor.segment`, c.segment, 0, COUNT),
      steps: int(API, `${FIELD} cursor.steps`, c.steps, 0, COUNT),
      seconds: num(API, `${FIELD} cursor.seconds`, c.seconds, { min: 0, max: Infinity }),
    },
    run: {
      text: str(API, `${FIELD} run.text`, r.text),
      textCrc: int(API, `${FIELD} run.textCrc`, r.textCrc, 0, 2 ** 32 - 1),
      textTokens: int(API, `${FIELD} run.textTokens`, r.textTokens, 0, COUNT),
      level: oneOf(API, `${FIELD} run.level`, r.level, LEVELS),
      valSplit: setting('valSplit', r.valSplit),
      seqLength: setting('seqLength', r.seqLength),
      batchSize: setting('batchSize', r.batchSize),
      chunks: setting('chunks', r.chunks),
      seed: setting('seed', r.seed),
      optimizer: oneOf(API, `${FIELD} run.optimizer`, r.optimizer, OPTIMIZER_TYPES),
      ...(r.decay !== undefined ? { decay: decayOf(r.decay) } : {}),
      ...runModel(r),
    },
    history: { train: curve('train', h.train), val: curve('val', h.val) },
  };
}
