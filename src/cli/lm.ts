// Language-model pieces shared by train, sample and eval: how train walks the text (segments of carried-state
// chunks), the loss of a model on a token stream, and the metadata train stores in its checkpoints.
import { SimpleRNN } from '../model.js';
import { UsageError } from './args.js';
import { readBytes } from './files.js';
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
 * Mean loss per token (nats) of a model on a token stream, in windows of `window` tokens, each from the initial
 * state (model.evaluate, batched). Changes nothing.
 */
export function streamLoss(model: SimpleRNN, ids: Int32Array, window: number): number {
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
  const perSequence = 8 * window * (model.config.outputSize + model.config.hiddenSize);
  const batchSize = Math.max(1, Math.min(64, Math.floor(64 * 2 ** 20 / perSequence)));
  return model.evaluate(inputs, targets as unknown as number[][], { batchSize }).loss;
}

/** What train stores in a checkpoint next to the model (model.save(metadata)). */
export interface TrainMetadata {
  format: 'simple-rnn/cli-train';
  version: 1;
  /** The tokenizer's vocabulary (tokenizer.toJSON()). */
  vocabulary: unknown;
  /** Where training stands: the next segment to run, counted over all epochs. */
  cursor: { segment: number; steps: number; seconds: number };
  /** Settings that must not change on --resume (they define the segments and the split). */
  run: {
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
  };
  /** [step, mean training loss of the segment] and [step, validation loss]. */
  history: { train: [number, number][]; val: [number, number][] };
}

export interface LoadedModel {
  model: SimpleRNN;
  tokenizer: Tokenizer;
  meta: TrainMetadata;
}

/** Loads a checkpoint written by train; every failure is one line naming the file. */
export async function loadCheckpoint(path: string, backend?: 'wasm' | 'js', threads?: number): Promise<LoadedModel> {
  const bytes = readBytes('model', path);
  let model: SimpleRNN;
  try {
    model = await SimpleRNN.load(bytes, { ...(backend ? { backend } : {}), ...(threads ? { threads } : {}) });
  } catch (e) {
    throw new UsageError(`cannot load model ${path}: ${(e as Error).message.replace(/^SimpleRNN\.load: /, '')}`, 1);
  }
  const meta = model.metadata as Partial<TrainMetadata> | undefined;
  if (!meta || meta.format !== 'simple-rnn/cli-train' || meta.version !== 1 || !meta.run || !meta.cursor || !meta.history) {
    model.dispose();
    throw new UsageError(`${path} is a model checkpoint, but not one written by simple-rnn train (no vocabulary or training state in it)`, 1);
  }
  let tokenizer: Tokenizer;
  try {
    tokenizer = loadTokenizer(meta.vocabulary, path);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, tokenizer, meta: meta as TrainMetadata };
}

/** Where generation starts without a prompt: a line break when the vocabulary has one, else its most frequent token. */
export function defaultPrompt(tok: Tokenizer): Int32Array {
  if (tok.level === 'word') return Int32Array.of(EOS_ID); // the start of a sentence
  const nl = tok.encode('\n');
  if (nl.length === 1 && tok.countUnknown(nl) === 0) return nl;
  return Int32Array.of(Math.min(3, tok.vocabSize - 1)); // ids 0-2 are reserved; 3 is the most frequent token
}
