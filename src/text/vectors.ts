// Pretrained word vectors in the common text format, as GloVe and word2vec (binary=False) write them:
//   [count dim]            optional header line (word2vec): exactly two integers
//   word f_1 f_2 ... f_dim  one word per line, its dim floats separated by spaces or tabs
// The dimension is taken from the header or from the first vector line; every line must then have it. A word may
// itself contain spaces (GloVe's large vocabularies do): the last dim fields are the floats, the rest is the word.
// Empty lines are skipped. The first occurrence of a word wins.
import { rangeError, typeError, describe as describeValue } from '../errors.js';
import { int, readOptions } from '../options.js';
import { Rng } from '../random.js';
import type { SimpleRNN } from '../model.js';
import { PAD_ID, SPECIAL_TOKENS, Vocabulary } from './vocabulary.js';

/** Pretrained word vectors, as readWordVectors and parseWordVectors return them. */
export interface WordVectors {
  /** Size of every vector. */
  dim: number;
  /** words[k] owns vectors[k*dim .. (k+1)*dim). */
  words: string[];
  /** words.length·dim floats, row-major. */
  vectors: Float32Array;
}

/** Options of readWordVectors and parseWordVectors. An unknown key is refused. */
export interface ReadVectorsOptions {
  /**
   * Keep only the vectors a vocabulary can use (its tokens, or a token equal to the word lower-cased when the
   * vocabulary lower-cases). Saves memory on large files. Default: keep every word.
   */
  vocabulary?: Vocabulary;
  /** Stop after this many vector lines (files are usually sorted by frequency): an integer >= 1. Default: read everything (Infinity). */
  maxWords?: number;
}

/** Word vectors as parseWordVectors makes them: `dim` an integer >= 1, `vectors` of words.length * dim floats. */
export function checkVectors(api: string, field: string, v: unknown): WordVectors {
  const w = v as WordVectors;
  if (
    !w || typeof w !== 'object' || !(w.vectors instanceof Float32Array) || !Array.isArray(w.words) ||
    !Number.isInteger(w.dim) || w.dim < 1 || w.vectors.length !== w.words.length * w.dim
  ) {
    throw typeError(api, field, 'word vectors (from readWordVectors or parseWordVectors)', v);
  }
  return w;
}

/** The text of a vectors file: one string, or its chunks (`fs.createReadStream(path, 'utf8')`, a decoded fetch body). */
export type VectorSource = string | Iterable<string> | AsyncIterable<string>;

class VectorParser {
  dim = 0;
  words: string[] = [];
  private chunks: Float32Array[] = [];
  private cur: Float32Array | null = null;
  private curN = 0;
  private seen = new Set<string>();
  private lineNo = 0;
  private vectorLines = 0;
  done = false;

  constructor(private readonly api: string, private readonly keep: ((w: string) => boolean) | null, private readonly maxWords: number) {}

  line(raw: string): void {
    this.lineNo++;
    if (this.done) return;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const f = line.trim().split(/[ \t]+/);
    const at = `line ${this.lineNo}`;
    if (this.lineNo === 1 && f.length === 2 && /^\d+$/.test(f[0]) && /^\d+$/.test(f[1])) {
      this.dim = Number(f[1]); // word2vec header: count dim
      if (this.dim < 1) throw rangeError(this.api, `${at} (the header "count dim")`, `gives dim = ${this.dim}; expected >= 1`);
      return;
    }
    if (this.dim === 0) this.dim = f.length - 1;
    if (this.dim < 1 || f.length < this.dim + 1) {
      throw rangeError(this.api, at, `has ${f.length - 1} numbers after the word; expected ${this.dim || '>= 1'} (the vector size)`);
    }
    this.vectorLines++;
    if (this.vectorLines >= this.maxWords) this.done = true;
    const word = f.slice(0, f.length - this.dim).join(' ');
    if (this.seen.has(word) || (this.keep && !this.keep(word))) return;
    const vec = new Float32Array(this.dim);
    for (let d = 0; d < this.dim; d++) {
      const s = f[f.length - this.dim + d];
      const x = Number(s);
      if (s === '' || !Number.isFinite(x)) throw rangeError(this.api, `${at} (word ${describeValue(word)}), number ${d + 1}`, `= ${describeValue(s)} is not a finite number`);
      vec[d] = x;
    }
    this.seen.add(word);
    this.words.push(word);
    if (!this.cur || this.curN === this.cur.length / this.dim) {
      this.cur = new Float32Array(this.dim * Math.max(256, this.curN * 2));
      this.chunks.push(this.cur);
      this.curN = 0;
    }
    this.cur.set(vec, this.curN * this.dim);
    this.curN++;
  }

  result(): WordVectors {
    if (this.words.length === 0 && this.dim === 0) throw rangeError(this.api, 'source', 'holds no word vectors; expected lines "word f1 f2 ..."');
    const out = new Float32Array(this.words.length * this.dim);
    let at = 0;
    for (const c of this.chunks) {
      const n = Math.min(c.length, out.length - at);
      out.set(c.subarray(0, n), at);
      at += n;
    }
    return { dim: this.dim, words: this.words, vectors: out };
  }
}

function keepFor(vocab: Vocabulary | undefined): ((w: string) => boolean) | null {
  if (!vocab) return null;
  const lower = vocab.tokenizer.lowercase;
  return (w) => vocab.has(w) || (lower && vocab.has(w.toLowerCase()));
}

/** ReadVectorsOptions read once: a parser that keeps what they ask for. */
function parserFor(api: string, options: unknown): VectorParser {
  const r = readOptions(api, options, ['vocabulary', 'maxWords'] as const);
  if (r.vocabulary !== undefined && !(r.vocabulary instanceof Vocabulary)) throw typeError(api, 'options.vocabulary', 'a Vocabulary', r.vocabulary);
  const max = r.maxWords === Infinity ? Infinity : int(api, 'options.maxWords', r.maxWords, 1, Infinity, Infinity);
  return new VectorParser(api, keepFor(r.vocabulary as Vocabulary | undefined), max);
}

function parseText(p: VectorParser, text: string): WordVectors {
  for (const line of text.split('\n')) {
    if (p.done) break;
    p.line(line);
  }
  return p.result();
}

/** Parses a vectors file held in one string (see the format at the top of this file). */
export function parseWordVectors(text: string, options?: ReadVectorsOptions): WordVectors {
  const api = 'parseWordVectors';
  if (typeof text !== 'string') throw typeError(api, 'text', 'a string (the contents of a vectors file)', text);
  return parseText(parserFor(api, options), text);
}

/** Reads a vectors file from a string or from its text chunks (sync or async), line by line. */
export async function readWordVectors(source: VectorSource, options?: ReadVectorsOptions): Promise<WordVectors> {
  const api = 'readWordVectors';
  const isIter = source !== null && typeof source === 'object' && (Symbol.asyncIterator in source || Symbol.iterator in source);
  if (typeof source !== 'string' && !isIter) throw typeError(api, 'source', 'a string, or an (async) iterable of text chunks', source);
  const p = parserFor(api, options);
  if (typeof source === 'string') return parseText(p, source);
  let rest = '';
  for await (const chunk of source as AsyncIterable<string>) {
    if (typeof chunk !== 'string') throw typeError(api, 'source', 'chunks of text (strings; open files with an encoding such as "utf8")', chunk);
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) p.line(line);
    if (p.done) break;
  }
  if (!p.done) p.line(rest);
  return p.result();
}

/** How many vocabulary tokens got a pretrained vector. */
export interface Coverage {
  /** Tokens (the reserved ids not counted) that got a vector. */
  found: number;
  /** Tokens in the vocabulary, the reserved ids not counted. */
  total: number;
  /** found / total (0 for an empty vocabulary). */
  fraction: number;
  /** The first (most frequent) tokens without a vector, at most 20. */
  missing: string[];
}

/** Options of embeddingMatrix and loadPretrainedEmbeddings. An unknown key is refused. */
export interface EmbeddingMatrixOptions {
  /** Seed of the random rows given to tokens without a vector, an integer. Default 1 (loadPretrainedEmbeddings: the model's seed). */
  seed?: number;
}

/**
 * An embedding matrix E (V x dim) for a vocabulary from pretrained vectors. A token's row is its vector, or, when the
 * vocabulary lower-cases, the vector of the word whose lower-cased form it is (an exact match wins). Tokens without
 * a vector, UNK and EOS get N(0, σ²) rows with σ the standard deviation of the pretrained entries used, so they sit
 * on the same scale; PAD's row is 0 (the model never reads it).
 */
export function embeddingMatrix(vocab: Vocabulary, vectors: WordVectors, options?: EmbeddingMatrixOptions): {
  /** V·dim floats, row-major: row id is the embedding of token id (create's E, for setParams). */
  E: Float32Array;
  /** Size of each row (the vectors' dim). */
  dim: number;
  /** How many tokens got a pretrained vector. */
  coverage: Coverage;
} {
  const api = 'embeddingMatrix';
  const seed = seedOption(api, options, 1);
  checkVocab(api, vocab);
  return matrixOf(vocab, checkVectors(api, 'vectors', vectors), seed);
}

/** The seed of EmbeddingMatrixOptions, read once. */
function seedOption(api: string, options: unknown, dflt: number): number {
  return int(api, 'options.seed', readOptions(api, options, ['seed'] as const).seed, -(2 ** 53), 2 ** 53, dflt);
}

function checkVocab(api: string, vocab: unknown): void {
  if (!(vocab instanceof Vocabulary)) throw typeError(api, 'vocab', 'a Vocabulary', vocab);
}

function matrixOf(vocab: Vocabulary, vectors: WordVectors, seed: number): { E: Float32Array; dim: number; coverage: Coverage } {
  const { dim } = vectors;
  const V = vocab.size;
  const E = new Float32Array(V * dim);
  const row = new Int32Array(V).fill(-1); // row of vectors used for each id
  const exact = new Uint8Array(V);
  vectors.words.forEach((w, k) => {
    let id = vocab.has(w) ? vocab.idOf(w) : -1;
    if (id >= SPECIAL_TOKENS.length) {
      if (!exact[id]) {
        row[id] = k;
        exact[id] = 1;
      }
      return;
    }
    if (vocab.tokenizer.lowercase) {
      const lw = w.toLowerCase();
      id = vocab.has(lw) ? vocab.idOf(lw) : -1;
      if (id >= SPECIAL_TOKENS.length && row[id] < 0) row[id] = k;
    }
  });
  let found = 0;
  let sum = 0;
  let sumSq = 0;
  const missing: string[] = [];
  for (let id = SPECIAL_TOKENS.length; id < V; id++) {
    const k = row[id];
    if (k < 0) {
      if (missing.length < 20) missing.push(vocab.tokenOf(id));
      continue;
    }
    found++;
    for (let d = 0; d < dim; d++) {
      const x = vectors.vectors[k * dim + d];
      E[id * dim + d] = x;
      sum += x;
      sumSq += x * x;
    }
  }
  const n = found * dim;
  const sigma = n > 1 ? Math.sqrt(Math.max(0, sumSq / n - (sum / n) ** 2)) : 1;
  const rng = new Rng(seed);
  for (let id = 0; id < V; id++) {
    if (id === PAD_ID || row[id] >= 0) continue;
    for (let d = 0; d < dim; d++) E[id * dim + d] = sigma * rng.normal();
  }
  const total = V - SPECIAL_TOKENS.length;
  return { E, dim, coverage: { found, total, fraction: total > 0 ? found / total : 0, missing } };
}

/**
 * Puts pretrained vectors into a model's embedding layer (created with vocabSize: vocab.size and embeddingSize equal
 * to the vectors' dim; add freezeEmbeddings: true to keep them fixed). Returns the coverage.
 */
export function loadPretrainedEmbeddings(model: SimpleRNN, vocab: Vocabulary, vectors: WordVectors, options?: EmbeddingMatrixOptions): Coverage {
  const api = 'loadPretrainedEmbeddings';
  const c = model.config;
  const seed = seedOption(api, options, c.seed);
  checkVocab(api, vocab);
  checkVectors(api, 'vectors', vectors);
  if (c.vocabSize !== vocab.size) throw rangeError(api, 'model.config.vocabSize', `= ${c.vocabSize}; expected the vocabulary's size ${vocab.size}`);
  if (c.embeddingSize !== vectors.dim) {
    throw rangeError(api, 'model.config.embeddingSize', `= ${c.embeddingSize}; expected the vectors' dim ${vectors.dim} (create the model with embeddingSize: ${vectors.dim})`);
  }
  const { E, coverage } = matrixOf(vocab, vectors, seed);
  model.setParams({ E });
  return coverage;
}
