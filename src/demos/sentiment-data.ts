// The sentences of the sentiment demo on real data: the UCI "Sentiment Labelled Sentences" files parsed, and the
// fixed k-fold split both the RNN and the bag-of-words baseline are scored on.
//
// Data: data/sentiment/ (a copy of the UCI set, CC BY 4.0, see data/sentiment/SOURCE.md): three files, amazon, imdb
// and yelp, each 500 positive and 500 negative sentences, one "sentence<TAB>label" per line, label 1 positive, 0
// negative.
//
// Folds: stratified by site and label. The 6 strata (3 sites x 2 labels, 500 sentences each) are each shuffled with
// the seeded xorshift Rng (seed 1 by default) and dealt round-robin into k folds: with k = 5 every fold holds 600
// sentences, 100 of each site and label. Fold f is the test set of run f; the other k-1 folds train it.
//
// Platform-neutral: the caller reads the files (the CLI does it with node:fs) and passes their text.
import { Rng } from '../index.js';

export const SENTIMENT_SOURCES = ['amazon', 'imdb', 'yelp'] as const;
export type SentimentSource = (typeof SENTIMENT_SOURCES)[number];

/** The file of each site in data/sentiment/ (the UCI names). */
export const SENTIMENT_FILES: Record<SentimentSource, string> = {
  amazon: 'amazon_cells_labelled.txt',
  imdb: 'imdb_labelled.txt',
  yelp: 'yelp_labelled.txt',
};

export interface LabelledSentence {
  /** The sentence as written (white space at both ends removed). */
  text: string;
  /** 1 positive, 0 negative. */
  label: number;
  source: SentimentSource;
  /** Line number (from 1) in the source file. */
  line: number;
}

/**
 * Parses one UCI file: "sentence<TAB>label" per line, label 0 or 1; empty lines are skipped. Throws on any other
 * line, naming the file and the line. Only "\n" ends a line (the imdb file holds U+0085 inside sentences).
 */
export function parseLabelledSentences(text: string, source: SentimentSource): LabelledSentence[] {
  const out: LabelledSentence[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, k) => {
    const l = raw.replace(/\r$/, '');
    if (l.trim() === '') return;
    const tab = l.lastIndexOf('\t');
    const label = tab < 0 ? '' : l.slice(tab + 1).trim();
    const sentence = tab < 0 ? '' : l.slice(0, tab).trim();
    if (sentence === '' || (label !== '0' && label !== '1')) {
      throw new Error(`parseLabelledSentences: ${SENTIMENT_FILES[source]} line ${k + 1} = ${JSON.stringify(l.slice(0, 60))}; expected "sentence<TAB>0" or "sentence<TAB>1"`);
    }
    out.push({ text: sentence, label: Number(label), source, line: k + 1 });
  });
  return out;
}

/**
 * Fold of every sentence (fold[n] in [0, k)): stratified by source and label, each stratum shuffled with Rng(seed)
 * and dealt round-robin, so the folds are disjoint, cover everything and differ in size by at most one per stratum.
 */
export function stratifiedFolds(data: readonly LabelledSentence[], k: number, seed: number): Int32Array {
  if (!Number.isInteger(k) || k < 2 || k > data.length) throw new RangeError(`stratifiedFolds: k = ${k}; expected an integer in [2, ${data.length}]`);
  const strata = new Map<string, number[]>();
  data.forEach((s, n) => {
    const key = `${s.source}/${s.label}`;
    let a = strata.get(key);
    if (!a) strata.set(key, (a = []));
    a.push(n);
  });
  const fold = new Int32Array(data.length);
  const rng = new Rng(seed);
  let next = 0; // a stratum starts where the last one stopped, so that the fold sizes stay within one of each other
  for (const key of [...strata.keys()].sort()) {
    const idx = strata.get(key)!;
    rng.shuffle(idx);
    for (const n of idx) {
      fold[n] = next;
      next = (next + 1) % k;
    }
  }
  return fold;
}

/** The sentences of fold f (test) and of the others (train), in file order. */
export function splitFold<T>(data: readonly T[], fold: Int32Array, f: number): { train: T[]; test: T[] } {
  const train: T[] = [];
  const test: T[] = [];
  data.forEach((s, n) => (fold[n] === f ? test : train).push(s));
  return { train, test };
}
