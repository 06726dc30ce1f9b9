// The committed copy of the UCI sentences (data/sentiment/) and the fixed folds every score of the demo uses.
// Reads only data/sentiment/ in this repository.
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseLabelledSentences, SENTIMENT_FILES, SENTIMENT_SOURCES, splitFold, stratifiedFolds, type LabelledSentence,
} from '../../src/demos/sentiment-data.js';
import { findSentimentDir, loadSentimentData } from '../../src/cli/demo-sentiment.js';

const DIR = resolve(import.meta.dirname, '../../data/sentiment');
const data: LabelledSentence[] = SENTIMENT_SOURCES.flatMap((s) => parseLabelledSentences(readFileSync(join(DIR, SENTIMENT_FILES[s]), 'utf8'), s));

describe('data/sentiment (the committed UCI copy)', () => {
  it('is small: three files under 100 KB each, 205 KB in all, plus the attribution', () => {
    const sizes = SENTIMENT_SOURCES.map((s) => statSync(join(DIR, SENTIMENT_FILES[s])).size);
    expect(sizes).toEqual([58226, 85276, 61320]); // the UCI files byte for byte
    const source = readFileSync(join(DIR, 'SOURCE.md'), 'utf8');
    expect(source).toMatch(/CC BY 4\.0/);
    expect(source).toMatch(/Kotzias/);
    expect(source).toMatch(/From Group to Individual Labels using Deep Features/);
  });

  it('parses into 3,000 sentences: 1,000 per site, 500 positive and 500 negative each', () => {
    expect(data.length).toBe(3000);
    for (const source of SENTIMENT_SOURCES) {
      const site = data.filter((s) => s.source === source);
      expect(site.length, source).toBe(1000);
      expect(site.filter((s) => s.label === 1).length, source).toBe(500);
      expect(site.filter((s) => s.label === 0).length, source).toBe(500);
      expect(site.map((s) => s.line)).toEqual(Array.from({ length: 1000 }, (_, k) => k + 1));
    }
    for (const s of data) {
      expect(s.text.length).toBeGreaterThan(0);
      expect(s.text).not.toMatch(/\t|^\s|\s$/);
    }
    expect(data[0]).toEqual({ text: 'So there is no way for me to plug it in here in the US unless I go by a converter.', label: 0, source: 'amazon', line: 1 });
  });

  it('the CLI finds the copy in the repository and loads the same sentences', () => {
    expect(findSentimentDir()).toBe(DIR);
    expect(loadSentimentData(DIR)).toEqual(data);
  });

  it('refuses a malformed line, naming the file and the line', () => {
    expect(parseLabelledSentences('good\t1\n\nbad\t0\n', 'yelp').map((s) => [s.text, s.label, s.line])).toEqual([['good', 1, 1], ['bad', 0, 3]]);
    expect(() => parseLabelledSentences('good\t1\nno label here\n', 'yelp')).toThrow(/yelp_labelled\.txt line 2/);
    expect(() => parseLabelledSentences('good\t2\n', 'imdb')).toThrow(/imdb_labelled\.txt line 1/);
    expect(() => parseLabelledSentences('\t1\n', 'amazon')).toThrow(/amazon_cells_labelled\.txt line 1/);
  });
});

describe('stratifiedFolds (5 folds, seed 1: the split of the demo)', () => {
  const fold = stratifiedFolds(data, 5, 1);

  it('puts every sentence in exactly one fold, 600 per fold, 100 of each site and label', () => {
    expect(fold.length).toBe(3000);
    expect(fold.every((f) => f >= 0 && f < 5)).toBe(true);
    for (let f = 0; f < 5; f++) {
      const { train, test } = splitFold(data, fold, f);
      expect(test.length).toBe(600);
      expect(train.length).toBe(2400);
      for (const source of SENTIMENT_SOURCES) {
        for (const label of [0, 1]) expect(test.filter((s) => s.source === source && s.label === label).length).toBe(100);
      }
      // disjoint and covering: train and test partition the data
      const inTest = new Set(test);
      expect(train.some((s) => inTest.has(s))).toBe(false);
      expect(new Set([...train, ...test]).size).toBe(3000);
    }
    const tests = Array.from({ length: 5 }, (_, f) => splitFold(data, fold, f).test);
    expect(new Set(tests.flat()).size).toBe(3000); // the 5 test folds cover everything once
  });

  it('is fixed by the seed, and another seed gives another split', () => {
    expect(stratifiedFolds(data, 5, 1)).toEqual(fold);
    const other = stratifiedFolds(data, 5, 2);
    expect(other).not.toEqual(fold);
    // pinned: a change of the shuffle or the dealing would change every reported number
    expect(Array.from(fold.subarray(0, 12))).toEqual([0, 3, 1, 0, 0, 3, 3, 3, 3, 3, 3, 4]);
    expect(fold.reduce((a, f, n) => (a * 31 + f * (n + 1)) % 1000003, 7)).toBe(448765);
  });

  it('keeps uneven sizes within one per stratum', () => {
    const f7 = stratifiedFolds(data, 7, 1);
    const sizes = Array.from({ length: 7 }, (_, f) => f7.filter((x) => x === f).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(() => stratifiedFolds(data, 1, 1)).toThrow(RangeError);
  });
});
