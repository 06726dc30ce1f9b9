// The data of the worker's jobs: a character vocabulary with random training windows, and the digit-addition task
// (encoded by src/demos/addition.ts, the task `npm start` runs).
import { Rng } from '../random.js';

// ---- text ----

export interface Corpus {
  /** Characters (code points), index = token id, sorted by code point. */
  vocab: string[];
  tokens: Int32Array;
}

/** Splits a text into code points and numbers them; throws on a text too short to train on. */
export function buildCorpus(text: string, seqLength: number): Corpus {
  if (typeof text !== 'string') throw new TypeError(`SimpleRNN.Trainer: text must be a string; got ${typeof text}`);
  const chars = Array.from(text);
  if (chars.length < seqLength + 2) {
    throw new RangeError(`SimpleRNN.Trainer: text has ${chars.length} characters; expected at least seqLength + 2 = ${seqLength + 2}`);
  }
  const vocab = [...new Set(chars)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  if (vocab.length < 2) throw new RangeError('SimpleRNN.Trainer: text has a single distinct character; expected at least 2');
  const id = new Map(vocab.map((c, k) => [c, k]));
  const tokens = new Int32Array(chars.length);
  for (let t = 0; t < chars.length; t++) tokens[t] = id.get(chars[t])!;
  return { vocab, tokens };
}

/** B windows at random offsets: inputs tokens[s .. s+L), targets tokens[s+1 .. s+L]. */
export function textBatch(rng: Rng, tokens: Int32Array, B: number, L: number): { inputs: Int32Array[]; targets: Int32Array[] } {
  const inputs: Int32Array[] = [];
  const targets: Int32Array[] = [];
  const span = tokens.length - L - 1;
  for (let b = 0; b < B; b++) {
    const s = rng.int(span + 1);
    inputs.push(tokens.subarray(s, s + L));
    targets.push(tokens.subarray(s + 1, s + L + 1));
  }
  return { inputs, targets };
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < v.length; k++) if (v[k] > v[best]) best = k;
  return best;
}
