// Word-level language models: a text becomes a stream of word ids with EOS after every sentence; the model reads
// ids (through its embedding layer) and predicts the next id at every step (returnSequences, softmax over the
// vocabulary). These are the library functions `simple-rnn train/sample/eval --level word` and the README use.
import { rangeError, typeError } from '../errors.js';
import { bool, fn, int, num, readOptions } from '../options.js';
import { CREATE_KEYS } from '../config.js';
import { Rng } from '../random.js';
import { SimpleRNN, type SimpleRNNOptions } from '../model.js';
import {
  EOS_ID, PAD_ID, UNK_ID, VOCABULARY_KEYS, Vocabulary, resolveVocabularyOptions, type VocabularyJSON, type VocabularyOptions,
} from './vocabulary.js';
import { checkVectors, loadPretrainedEmbeddings, type Coverage, type WordVectors } from './vectors.js';

const SEED_RANGE = [-(2 ** 53), 2 ** 53] as const;

/** Ids of a text for a language model: tokens by the vocabulary's rules, EOS after every sentence (word level). */
export function encodeText(vocab: Vocabulary, text: string): Int32Array {
  if (typeof text !== 'string') throw typeError('encodeText', 'text', 'a string', text);
  return vocab.encode(text, { eos: true });
}

export interface WordLMOptions extends VocabularyOptions {
  /** H. Default 64. */
  hiddenSize?: number;
  /** D, the size of the word vectors. Default 32, or the pretrained vectors' dim. */
  embeddingSize?: number;
  /** Pretrained word vectors (readWordVectors) to start E from; add model: { freezeEmbeddings: true } to keep them. */
  vectors?: WordVectors;
  /**
   * Any other SimpleRNN.create option (backend, seed, activation, optimizer, learningRate, freezeEmbeddings, ...),
   * checked by create. Not the ones buildWordLM sets (inputSize, vocabSize, outputSize, outputActivation,
   * returnSequences; hiddenSize and embeddingSize are its own options above): those are refused, not overridden.
   */
  model?: Partial<SimpleRNNOptions>;
}

const WORD_LM_KEYS = [...VOCABULARY_KEYS, 'hiddenSize', 'embeddingSize', 'vectors', 'model'] as const;
/** create options that buildWordLM sets itself, refused in options.model rather than silently overridden. */
const LM_FIXED_KEYS = ['inputSize', 'vocabSize', 'embeddingSize', 'hiddenSize', 'outputSize', 'outputActivation', 'returnSequences'] as const;

/**
 * A vocabulary built from the text (default: words, lower-cased, punctuation as tokens, minCount 1) and a fresh
 * model over it: vocabSize = vocab.size, embeddingSize D, returnSequences, softmax over the vocabulary. Also returns
 * the text's ids (encodeText), and with `vectors` the coverage of the vocabulary by them.
 */
export async function buildWordLM(text: string, options?: WordLMOptions): Promise<{
  /** The vocabulary built from the text. */
  vocab: Vocabulary;
  /** The new language model over it (dispose() it when done). */
  model: SimpleRNN;
  /** The text's ids (encodeText). */
  ids: Int32Array;
  /** With options.vectors: how many tokens got a pretrained vector. */
  coverage?: Coverage;
}> {
  const api = 'buildWordLM';
  if (typeof text !== 'string') throw typeError(api, 'text', 'a string', text);
  const o = readOptions(api, options, WORD_LM_KEYS);
  const vectors = o.vectors === undefined ? undefined : checkVectors(api, 'options.vectors', o.vectors);
  // sizes: an integer >= 1 here; create checks the upper bounds
  const hiddenSize = int(api, 'options.hiddenSize', o.hiddenSize, 1, Infinity, 64);
  const embeddingSize = int(api, 'options.embeddingSize', o.embeddingSize, 1, Infinity, vectors?.dim ?? 32);
  if (vectors && vectors.dim !== embeddingSize) {
    throw rangeError(api, 'options.embeddingSize', `= ${embeddingSize}; expected the vectors' dim ${vectors.dim} (or leave it out)`);
  }
  const vocabOptions = resolveVocabularyOptions(api, o);
  const extra = readOptions(api, o.model, CREATE_KEYS, 'options.model');
  for (const k of LM_FIXED_KEYS) {
    if (extra[k] === undefined) continue;
    const own = k === 'hiddenSize' || k === 'embeddingSize';
    throw rangeError(api, `options.model.${k}`, own ? `is an option of buildWordLM itself; give it as options.${k}` : 'is set by buildWordLM (a language model over the vocabulary); leave it out');
  }
  const vocab = Vocabulary.fromText(text, vocabOptions);
  const model = await SimpleRNN.create({
    ...(extra as Partial<SimpleRNNOptions>),
    vocabSize: vocab.size,
    embeddingSize,
    hiddenSize,
    outputSize: vocab.size,
    outputActivation: 'softmax',
    returnSequences: true,
  });
  try {
    const coverage = vectors ? loadPretrainedEmbeddings(model, vocab, vectors) : undefined;
    return { vocab, model, ids: encodeText(vocab, text), ...(coverage ? { coverage } : {}) };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * Next-token windows of an id stream: inputs ids[s .. s+L), targets ids[s+1 .. s+L], for s = 0, stride, 2*stride, ...
 * (stride defaults to L: windows that do not overlap). The last window may be shorter. Each window starts from s^0.
 */
export function lmWindows(ids: ArrayLike<number>, seqLength: number, stride = seqLength): {
  /** One window of input ids per sequence, ids[s .. s+L). */
  inputs: Int32Array[];
  /** The next token of each input step, ids[s+1 .. s+L]. */
  targets: number[][];
} {
  const api = 'lmWindows';
  int(api, 'seqLength', seqLength, 1, Infinity);
  int(api, 'stride', stride, 1, Infinity);
  if (ids === null || typeof ids !== 'object' || typeof ids.length !== 'number') throw typeError(api, 'ids', 'an array of token ids', ids);
  if (ids.length < 2) throw rangeError(api, 'ids', `has ${ids.length} tokens; a language model needs at least 2 (an input and its next token)`);
  const inputs: Int32Array[] = [];
  const targets: number[][] = [];
  for (let s = 0; s + 1 < ids.length; s += stride) {
    const n = Math.min(seqLength, ids.length - 1 - s);
    const x = new Int32Array(n);
    const y = new Array<number>(n);
    for (let t = 0; t < n; t++) {
      x[t] = ids[s + t];
      y[t] = ids[s + t + 1];
    }
    inputs.push(x);
    targets.push(y);
  }
  return { inputs, targets };
}

/** Options of trainLanguageModel. An unknown key is refused. */
export interface TrainLMOptions {
  /** Passes over the windows. Default 1. */
  epochs?: number;
  /** Steps per window (BPTT length). Default 20. */
  seqLength?: number;
  /** Windows per trainBatch. Default 16. */
  batchSize?: number;
  /** Seed of the window order. Default: the model's seed. */
  seed?: number;
  /** Called after every epoch with its mean loss (nats per token). */
  onEpochEnd?: (epoch: number, loss: number) => void;
}

/**
 * Trains a language model on an id stream with the model's own trainBatch (windows shuffled each epoch, seeded).
 * Returns the mean loss of each epoch in nats per token. Async: yields to the event loop between batches.
 */
export async function trainLanguageModel(model: SimpleRNN, ids: ArrayLike<number>, options?: TrainLMOptions): Promise<number[]> {
  const api = 'trainLanguageModel';
  const o = readOptions(api, options, ['epochs', 'seqLength', 'batchSize', 'seed', 'onEpochEnd'] as const);
  const epochs = int(api, 'options.epochs', o.epochs, 1, Infinity, 1);
  const seqLength = int(api, 'options.seqLength', o.seqLength, 1, Infinity, 20);
  const batchSize = int(api, 'options.batchSize', o.batchSize, 1, Infinity, 16);
  const seed = int(api, 'options.seed', o.seed, ...SEED_RANGE, model.config.seed);
  const onEpochEnd = fn<(epoch: number, loss: number) => void>(api, 'options.onEpochEnd', o.onEpochEnd);
  const { inputs, targets } = lmWindows(ids, seqLength);
  const rng = new Rng(seed);
  const order = Array.from(inputs, (_, k) => k);
  const history: number[] = [];
  for (let e = 0; e < epochs; e++) {
    rng.shuffle(order);
    let sum = 0;
    let steps = 0;
    for (let b = 0; b < order.length; b += batchSize) {
      const idx = order.slice(b, b + batchSize);
      const x = idx.map((k) => inputs[k]);
      const n = x.reduce((a, s) => a + s.length, 0);
      sum += model.trainBatch(x, idx.map((k) => targets[k])) * n;
      steps += n;
      await new Promise<void>((r) => setTimeout(r, 0));
    }
    history.push(sum / steps);
    onEpochEnd?.(e, sum / steps);
  }
  return history;
}

/** Options of perplexity. An unknown key is refused. */
export interface PerplexityOptions {
  /** Windows of this many steps, each from s^0 (an integer >= 1). Default: the text as one stream. */
  seqLength?: number;
  /** Windows per evaluate call (with seqLength). Default 32. */
  batchSize?: number;
}

/** What perplexity returns. */
export interface PerplexityResult {
  /** Mean cross-entropy per predicted token, in nats (EOS tokens count as tokens). */
  loss: number;
  /** exp(loss): the perplexity per word (per character for a char vocabulary). */
  perplexity: number;
  /** Predicted tokens. */
  tokens: number;
  /** Predicted tokens that were UNK in the text. */
  unknown: number;
}

/**
 * Perplexity of a language model on a text (or its ids). Default (`seqLength` not given): the text is read as one
 * stream, the state carried from token to token with model.step, as fitStream evaluates its validationTokens. With
 * `seqLength`: windows of that length that do not overlap, each from s^0 (batched, faster; the first words of a window
 * have less context, so the perplexity is higher). Changes nothing in the model.
 */
export function perplexity(model: SimpleRNN, vocab: Vocabulary, text: string | ArrayLike<number>, options?: PerplexityOptions): PerplexityResult {
  const api = 'perplexity';
  checkLM(api, model, vocab);
  const o = readOptions(api, options, ['seqLength', 'batchSize'] as const);
  const seqLength = o.seqLength === undefined ? undefined : int(api, 'options.seqLength', o.seqLength, 1, Infinity);
  const batchSize = int(api, 'options.batchSize', o.batchSize, 1, Infinity, 32);
  const ids = typeof text === 'string' ? encodeText(vocab, text) : text;
  if (ids.length < 2) throw rangeError(api, 'text', `has ${ids.length} tokens; a perplexity needs at least 2 (an input and its next token)`);
  let sum = 0;
  let tokens = 0;
  let unknown = 0;
  for (let k = 1; k < ids.length; k++) if (ids[k] === UNK_ID) unknown++;
  if (seqLength === undefined) {
    let state: ArrayLike<number> = model.initialState();
    for (let k = 0; k + 1 < ids.length; k++) {
      const r = model.step(state, ids[k]);
      state = r.state;
      sum -= Math.log(Math.max(r.output[ids[k + 1]], 1e-38));
    }
    tokens = ids.length - 1;
  } else {
    const { inputs, targets } = lmWindows(ids, seqLength);
    for (let b = 0; b < inputs.length; b += batchSize) {
      const x = inputs.slice(b, b + batchSize);
      const y = targets.slice(b, b + batchSize);
      const n = x.reduce((a, s) => a + s.length, 0);
      sum += model.evaluate(x, y).loss * n; // the mean over real steps, times their count
      tokens += n;
    }
  }
  const loss = sum / tokens;
  return { loss, perplexity: Math.exp(loss), tokens, unknown };
}

function checkLM(api: string, model: SimpleRNN, vocab: Vocabulary): void {
  const c = model.config;
  if (!(vocab instanceof Vocabulary)) throw typeError(api, 'vocab', 'a Vocabulary', vocab);
  if (c.vocabSize !== vocab.size || c.outputSize !== vocab.size || c.outputActivation !== 'softmax' || !c.returnSequences) {
    throw rangeError(api, 'model', `is not a language model over this vocabulary; expected vocabSize = outputSize = ${vocab.size}, softmax, returnSequences (got vocabSize ${c.vocabSize}, outputSize ${c.outputSize}, ${c.outputActivation}, returnSequences ${c.returnSequences})`);
  }
}

/** Options of continueSentence. An unknown key is refused. */
export interface ContinueOptions {
  /** At most this many new tokens. Default 20. */
  maxTokens?: number;
  /** 0: always the most likely token; 1: the model's distribution; > 1 flatter. Default 1. */
  temperature?: number;
  /** Sample among the k most likely tokens only (0: all). Default 0. */
  topK?: number;
  /** Seed of the sampling. Default 1. */
  seed?: number;
  /** Stop at the end of the sentence (EOS, not included in the text). Default true. */
  stopAtEos?: boolean;
}

/** What continueSentence returns. */
export interface Continuation {
  /** The prompt and the continuation, as readable text (detokenized by the vocabulary's rules). */
  text: string;
  /** The continuation alone. */
  continuation: string;
  /** Ids of the new tokens (EOS included when it stopped the sentence). */
  ids: number[];
}

/**
 * Continues a partial sentence token by token with model.step (one step per token, no recomputation of the prefix).
 * The model reads EOS (start of a sentence, as after every sentence in training) and the prompt's tokens, then each
 * new token is drawn from its output (never PAD or UNK). Temperature 0 gives the most likely continuation.
 */
export function continueSentence(model: SimpleRNN, vocab: Vocabulary, prompt: string, options?: ContinueOptions): Continuation {
  const api = 'continueSentence';
  checkLM(api, model, vocab);
  if (typeof prompt !== 'string') throw typeError(api, 'prompt', 'a string', prompt);
  const o = readOptions(api, options, ['maxTokens', 'temperature', 'topK', 'seed', 'stopAtEos'] as const);
  const maxTokens = int(api, 'options.maxTokens', o.maxTokens, 0, Infinity, 20);
  const temperature = num(api, 'options.temperature', o.temperature, { min: 0, max: Infinity }, 1);
  const topK = int(api, 'options.topK', o.topK, 0, Infinity, 0);
  const stopAtEos = bool(api, 'options.stopAtEos', o.stopAtEos, true);
  const rng = new Rng(int(api, 'options.seed', o.seed, ...SEED_RANGE, 1));
  const seq = [EOS_ID, ...vocab.encode(prompt)];
  const start = seq.length;
  let state: ArrayLike<number> = model.initialState();
  let probs: ArrayLike<number> = [];
  for (const id of seq) ({ state, output: probs } = model.step(state, id));
  for (let n = 0; n < maxTokens; n++) {
    const id = sampleId(probs, temperature, topK, rng);
    seq.push(id);
    if (stopAtEos && id === EOS_ID) break;
    if (n + 1 < maxTokens) ({ state, output: probs } = model.step(state, id));
  }
  const ids = seq.slice(start);
  const shown = ids.filter((id) => !(stopAtEos && id === EOS_ID));
  const continuation = vocab.decodeText(shown).trimEnd();
  const text = vocab.decodeText(seq.slice(1, start + shown.length)).trimEnd();
  return { text, continuation, ids };
}

/** Draws an id from probabilities: temperature 0 is argmax; PAD and UNK are never drawn. */
export function sampleId(probs: ArrayLike<number>, temperature: number, topK: number, rng: Rng): number {
  const V = probs.length;
  const allowed = (id: number) => id !== PAD_ID && id !== UNK_ID;
  if (temperature === 0) {
    let best = -1;
    for (let id = 0; id < V; id++) if (allowed(id) && (best < 0 || probs[id] > probs[best])) best = id;
    return best;
  }
  // p^(1/T), renormalised, over the allowed ids (the topK most likely when topK > 0); logs keep small p finite
  let ids = Array.from({ length: V }, (_, id) => id).filter(allowed);
  if (topK > 0 && topK < ids.length) ids = ids.sort((a, b) => probs[b] - probs[a] || a - b).slice(0, topK);
  const logits = ids.map((id) => Math.log(Math.max(probs[id], 1e-38)) / temperature);
  const mx = Math.max(...logits);
  const w = logits.map((l) => Math.exp(l - mx));
  const total = w.reduce((a, x) => a + x, 0);
  let u = rng.uniform() * total;
  for (let k = 0; k < ids.length; k++) {
    u -= w[k];
    if (u < 0) return ids[k];
  }
  return ids[ids.length - 1];
}

/**
 * The vocabulary stored in a checkpoint's metadata, so a loaded model decodes its own ids. Save with
 * `model.save({ vocabulary: vocab.toJSON() })` (or with the vocabulary JSON as the whole metadata, as the CLI does);
 * after `SimpleRNN.load(bytes)`, `vocabularyFromMetadata(model.metadata)` reads either form back.
 */
export function vocabularyFromMetadata(metadata: unknown): Vocabulary {
  const api = 'vocabularyFromMetadata';
  if (metadata === null || typeof metadata !== 'object') throw typeError(api, 'metadata', 'an object holding a vocabulary (save it with model.save({ vocabulary: vocab.toJSON() }))', metadata);
  const m = metadata as { format?: unknown; vocabulary?: unknown };
  if (m.format === 'simple-rnn/vocabulary') return Vocabulary.fromJSON(m as VocabularyJSON);
  if (m.vocabulary !== undefined) return Vocabulary.fromJSON(m.vocabulary as VocabularyJSON);
  throw rangeError(api, 'metadata', 'holds no vocabulary; expected { vocabulary: vocab.toJSON() } or the vocabulary JSON itself');
}
