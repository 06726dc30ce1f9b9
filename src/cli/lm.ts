// Language-model pieces shared by train, sample and eval: how train walks the text (segments of carried-state
// chunks), the loss of a model on a token stream, and loading a checkpoint train wrote (its metadata: metadata.ts).
import { SimpleRNN } from '../model.js';
import { UsageError } from './args.js';
import { formatFor, plain, readModel } from './models.js';
import { RUN_MODEL_KEYS, isTrainMetadata, readTrainMetadata, type TrainMetadata } from './metadata.js';
export type { TrainMetadata } from './metadata.js';
import { loadTokenizer, type Tokenizer } from './tokenizer.js';
import { EOS_ID } from '../text/vocabulary.js';

/**
 * The training text as train walks it. It is cut into segments of batchSize x seqLength x chunks tokens; each segment
 * is one call of model.fitStream (batchSize parallel tracks, `chunks` chunks per track, the state carried from chunk
 * to chunk). Segments run in order, an epoch is all of them. Train stops, checkpoints and resumes only between
 * segments, where the whole training state is the model's (weights, optimizer state, step count, RNG) plus the
 * segment index: that is what makes --resume exact.
 */
export class Segments {
  readonly size: number;
  readonly count: number;

  constructor(readonly ids: Int32Array, readonly batchSize: number, readonly seqLength: number, readonly chunks: number) {
    this.size = batchSize * seqLength * chunks;
    const n = ids.length - 1; // inputs with a next token
    const full = Math.floor(n / this.size);
    // a last, shorter segment is kept when it still holds one chunk per track
    this.count = full + (n - full * this.size >= batchSize * seqLength ? 1 : 0);
  }

  /** Tokens of segment k, with the one extra token its last target needs. */
  tokens(k: number): Int32Array {
    const at = k * this.size;
    return this.ids.subarray(at, Math.min(this.ids.length, at + this.size + 1));
  }

  /** Optimizer steps (chunks) in segment k: fitStream's tracks have floor((n - 1) / B) inputs each. */
  steps(k: number): number {
    const L = Math.floor((this.tokens(k).length - 1) / this.batchSize);
    return Math.ceil(L / this.seqLength);
  }

  get stepsPerEpoch(): number {
    let s = 0;
    for (let k = 0; k < this.count; k++) s += this.steps(k);
    return s;
  }
}

/**
 * Mean loss per token (nats) of a model on a token stream, in independent windows of `window` tokens, each from the
 * initial state (model.evaluate, batched): train's validation loss. Not fitStream's validation, which carries the
 * state from window to window (model.evaluateStream). Changes nothing.
 */
export function windowedLoss(model: SimpleRNN, ids: Int32Array, window: number): number {
  const inputs: Int32Array[] = [];
  const targets: Int32Array[] = [];
  for (let at = 0; at + 1 < ids.length; at += window) {
    const n = Math.min(window, ids.length - 1 - at);
    inputs.push(ids.subarray(at, at + n));
    targets.push(ids.subarray(at + 1, at + 1 + n));
  }
  if (inputs.length === 0) return NaN;
  // the logits and their gradient take 2 x window x vocabSize floats per sequence: keep a batch near 64 MB (a word
  // vocabulary of thousands would otherwise ask for a gigabyte)
  const perSequence = 8 * window * (model.config.outputSize + model.stateSize); // stateSize: every layer's and direction's
  const batchSize = Math.max(1, Math.min(64, Math.floor(64 * 2 ** 20 / perSequence)));
  return model.evaluate(inputs, targets as unknown as number[][], { batchSize }).loss;
}

/** How loadCheckpoint reads a model: where it runs, its format (--from), and whether train resumes from it. */
export interface LoadModelOptions {
  backend?: 'wasm' | 'js';
  threads?: number;
  /** train --simd: the wasm build a checkpoint runs on [default: strict]. */
  simd?: 'strict' | 'relaxed';
  /** --from: the format of the file [default: by its extension; other names are checkpoints]. */
  from?: string;
  /** train --resume: a .rnn checkpoint whose optimizer must be the run's. */
  resume?: boolean;
}

export interface LoadedModel {
  model: SimpleRNN;
  tokenizer: Tokenizer;
  meta: TrainMetadata;
}


/**
 * Loads a checkpoint written by train (read with the checkpoint's size limit, named by `flag`, e.g. --model). Its
 * metadata is checked field by field (readTrainMetadata), and against the model: a forged or damaged file is one line
 * naming the field, never a run that loops or a TypeError deep in the training loop.
 */
export async function loadCheckpoint(flag: string, path: string, opts: LoadModelOptions = {}): Promise<LoadedModel> {
  const { backend, threads, simd, from, resume = false } = opts;
  const format = resume ? 'rnn' : formatFor(flag, path, from, 'rnn');
  const model = await readModel(flag, path, format, {}, { backend, threads, simd });
  try {
    if (!isTrainMetadata(model.metadata)) {
      throw new UsageError(format === 'rnn'
        ? `${path} is a model checkpoint, but not one written by simple-rnn train (no vocabulary or training state in it)`
        : `${path} holds a model, but not the vocabulary and training settings of simple-rnn train (convert keeps them when it converts a checkpoint of train)`, 1);
    }
    let meta: TrainMetadata;
    try {
      meta = readTrainMetadata(model.metadata);
    } catch (e) {
      throw new UsageError(`cannot load model ${path}: ${plain(e)}`, 1);
    }
    const tokenizer = loadTokenizer(meta.vocabulary, path);
    const mismatch = (field: string, stored: unknown, model: string, actual: unknown) =>
      new UsageError(`cannot load model ${path}: checkpoint metadata ${field} = ${JSON.stringify(stored)} does not match the model's ${model} (${JSON.stringify(actual)})`, 1);
    if (tokenizer.vocabSize !== model.config.vocabSize) throw mismatch('vocabulary size', tokenizer.vocabSize, 'vocabSize', model.config.vocabSize);
    if (tokenizer.vocabSize !== model.config.outputSize) throw mismatch('vocabulary size', tokenizer.vocabSize, 'outputSize', model.config.outputSize);
    if (meta.run.level !== tokenizer.level) throw mismatch('run.level', meta.run.level, 'vocabulary level', tokenizer.level);
    // resuming continues the optimizer's state: it must be the run's (sampling and scoring do not use it, and the
    // other formats carry the weights, not how they were trained)
    if (resume && meta.run.optimizer !== model.training.optimizer.type) throw mismatch('run.optimizer', meta.run.optimizer, 'optimizer', model.training.optimizer.type);
    const c = model.config;
    const perLayer = (h: number | readonly number[], L: number) => JSON.stringify(typeof h === 'number' ? Array(L).fill(h) : h);
    for (const k of RUN_MODEL_KEYS) {
      const stored = meta.run[k];
      if (stored === undefined) continue; // a checkpoint of train before --layers: the model's own settings stand
      const same = k === 'hiddenSize' ? perLayer(stored as number | number[], c.layers) === perLayer(c.hiddenSize, c.layers) : stored === c[k];
      if (!same) throw mismatch(`run.${k}`, stored, k, c[k]);
    }
    return { model, tokenizer, meta };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Where generation starts without a prompt: a line break when the vocabulary has one, else its most frequent token. */
export function defaultPrompt(tok: Tokenizer): Int32Array {
  if (tok.level === 'word') return Int32Array.of(EOS_ID); // the start of a sentence
  const nl = tok.encode('\n');
  if (nl.length === 1 && tok.countUnknown(nl) === 0) return nl;
  return Int32Array.of(Math.min(3, tok.vocabSize - 1)); // ids 0-2 are reserved; 3 is the most frequent token
}
