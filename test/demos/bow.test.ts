// The bag-of-words baseline of the sentiment demo: it converges, gives the same bits every time, beats chance
// clearly on a real fold, and (by construction) cannot see word order.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainBow } from '../../src/demos/bow.js';
import { parseLabelledSentences, SENTIMENT_FILES, SENTIMENT_SOURCES, splitFold, stratifiedFolds } from '../../src/demos/sentiment-data.js';
import { BOW_PUNCTUATION } from '../../src/demos/sentiment.js';
import { tokenizeWords } from '../../src/index.js';

const DIR = resolve(import.meta.dirname, '../../data/sentiment');
const data = SENTIMENT_SOURCES.flatMap((s) => parseLabelledSentences(readFileSync(join(DIR, SENTIMENT_FILES[s]), 'utf8'), s));
const tok = (t: string) => tokenizeWords(t, { punctuation: BOW_PUNCTUATION });

describe('trainBow (logistic regression on word presence, L2)', () => {
  const { train, test } = splitFold(data, stratifiedFolds(data, 5, 1), 0);
  const docs = train.map((s) => tok(s.text));
  const labels = train.map((s) => s.label);
  const m = trainBow(docs, labels, { l2: 3e-4 });

  it('beats chance clearly on fold 1 of the demo (600 held-out sentences; chance is 50%)', () => {
    const p = m.predict(test.map((s) => tok(s.text)));
    const acc = p.filter((q, k) => (q > 0.5 ? 1 : 0) === test[k].label).length / test.length;
    expect(acc).toBeGreaterThan(0.78); // 82.2% in docs/sentiment.md
    expect(acc).toBeLessThan(0.9);
  });

  it('reaches the minimum: the gradient vanishes, and more iterations do not change the answer', () => {
    expect(m.finalGradNorm).toBeLessThan(1e-6);
    const longer = trainBow(docs, labels, { l2: 3e-4, iterations: 3000 });
    expect(longer.finalLoss).toBeLessThanOrEqual(m.finalLoss + 1e-9);
    expect(m.finalLoss - longer.finalLoss).toBeLessThan(1e-10);
  });

  it('is deterministic: the same sentences give the same bits', () => {
    const again = trainBow(docs, labels, { l2: 3e-4 });
    expect(again.weights).toEqual(m.weights);
    expect(again.bias).toBe(m.bias);
  });

  it('learns polarity words, and stronger L2 gives smaller weights', () => {
    const w = (model: typeof m, word: string) => model.weights[model.words.indexOf(word)];
    expect(w(m, 'great')).toBeGreaterThan(1);
    expect(w(m, 'bad')).toBeLessThan(-1);
    const norm = (model: typeof m) => Math.hypot(...model.weights);
    expect(norm(trainBow(docs, labels, { l2: 1e-2 }))).toBeLessThan(norm(m) / 2);
  });

  it('sees words, not their order: a sentence and its reversal score the same', () => {
    const a = tok('The food was not good, it was bad.');
    const [pa, pb] = m.predict([a, [...a].reverse()]);
    expect(pa).toBe(pb);
    // and presence, not counts: a repeated word counts once
    const [p1, p2] = m.predict([['great'], ['great', 'great', 'great']]);
    expect(p1).toBe(p2);
  });

  it('a tiny separable set is learned exactly; unseen words are ignored', () => {
    const tiny = trainBow([['good'], ['bad'], ['good', 'film'], ['bad', 'film']], [1, 0, 1, 0], { l2: 1e-3 });
    const [g, b, u] = tiny.predict([['good'], ['bad'], ['unseen']]);
    expect(g).toBeGreaterThan(0.9);
    expect(b).toBeLessThan(0.1);
    expect(u).toBeCloseTo(1 / (1 + Math.exp(-tiny.bias)), 12);
    expect(() => trainBow([['a']], [1, 0])).toThrow(RangeError);
  });
});
