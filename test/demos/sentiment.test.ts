// The sentiment demo on real data, small: one fold, one forward RNN, a few epochs (the full run and its table are in
// docs/sentiment.md). The RNN must learn well above chance, and the report must add up.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NEGATION, runSentiment, signTest, spread } from '../../src/demos/sentiment.js';
import { parseLabelledSentences, SENTIMENT_FILES, SENTIMENT_SOURCES } from '../../src/demos/sentiment-data.js';

const DIR = resolve(import.meta.dirname, '../../data/sentiment');
const data = SENTIMENT_SOURCES.flatMap((s) => parseLabelledSentences(readFileSync(join(DIR, SENTIMENT_FILES[s]), 'utf8'), s));

describe('runSentiment (quick: fold 1, one forward model, 4 epochs)', () => {
  it('the RNN learns well above chance, beside the baseline on the same fold', async () => {
    const steps: number[] = [];
    const folds: number[] = [];
    const t0 = performance.now();
    const r = await runSentiment(data, { runFolds: 1, members: 1, directions: 'forward', epochs: 4 }, {
      onStep: (step) => steps.push(step),
      onFold: (f) => folds.push(f.fold),
    });
    const seconds = (performance.now() - t0) / 1000;
    expect(r.aborted).toBe(false);
    expect(r.folds).toHaveLength(1);
    const f = r.folds[0];
    expect(f).toMatchObject({ fold: 0, trainCount: 2400, testCount: 600 });
    expect(f.rnn).toBeGreaterThan(0.72); // chance is 0.5; about 0.80 with these settings
    expect(f.bow).toBeGreaterThan(0.78);
    expect(f.members).toEqual([f.rnn]); // one model: the ensemble is that model
    expect(f.epochLoss).toHaveLength(4);
    expect(f.epochLoss[3]).toBeLessThan(f.epochLoss[0]);
    expect(steps.length).toBe(Math.ceil(2400 / 32) * 4);
    expect(r.steps).toBe(steps.length);
    expect(folds).toEqual([0]);
    expect(seconds).toBeLessThan(60); // about 3 s on a quiet 2-core machine

    // the report adds up
    expect(r.predictions).toHaveLength(600);
    const a = r.agreement;
    expect(a.both + a.rnnOnly + a.bowOnly + a.neither).toBe(600);
    expect(a.both + a.rnnOnly).toBe(Math.round(f.rnn * 600));
    expect(a.both + a.bowOnly).toBe(Math.round(f.bow * 600));
    expect(r.bySource.map((s) => s.total)).toEqual([200, 200, 200]);
    expect(r.negated.total).toBe(r.predictions.filter((p) => NEGATION.test(p.text)).length);
    for (const p of r.examples.rnnRightBowWrong) {
      expect(NEGATION.test(p.text)).toBe(true);
      expect((p.rnn > 0.5 ? 1 : 0) === p.label && (p.bow > 0.5 ? 1 : 0) !== p.label).toBe(true);
    }
    expect(r.examples.bothWrong.length).toBeGreaterThan(0);
    expect(r.rnn).toEqual({ mean: f.rnn, std: 0, min: f.rnn, max: f.rnn });
    expect(r.single.mean).toBe(f.rnn);
  });

  it('stops between batches when the signal aborts, and reports the folds that finished (none here)', async () => {
    const abort = new AbortController();
    const r = await runSentiment(data, { runFolds: 1, members: 1, directions: 'forward', epochs: 2 }, {
      onStep: (step) => {
        if (step === 10) abort.abort();
      },
      signal: abort.signal,
    });
    expect(r.aborted).toBe(true);
    expect(r.folds).toEqual([]);
    expect(r.predictions).toEqual([]);
    expect(r.steps).toBe(10);
  });

  it('refuses a fold count outside the split', async () => {
    await expect(runSentiment(data, { runFolds: 6 })).rejects.toThrow(/runFolds = 6/);
    await expect(runSentiment(data, { wordDropout: 1 })).rejects.toThrow(/wordDropout/);
  });
});

describe('the statistics of the report', () => {
  it('spread: mean, sample standard deviation, range', () => {
    const s = spread([0.8, 0.82, 0.84]);
    expect(s.mean).toBeCloseTo(0.82, 12);
    expect(s.std).toBeCloseTo(0.02, 12);
    expect([s.min, s.max]).toEqual([0.8, 0.84]);
  });

  it('signTest: the two-sided exact binomial test', () => {
    expect(signTest(0, 0)).toBe(1);
    expect(signTest(5, 5)).toBe(1);
    expect(signTest(10, 0)).toBeCloseTo(2 / 1024, 12);
    expect(signTest(3, 9)).toBeCloseTo(signTest(9, 3), 12);
    expect(signTest(3, 9)).toBeCloseTo(0.146, 3); // 2 * P(X <= 3), X ~ Bin(12, 1/2) = 2 * 299/4096
    expect(signTest(166, 154)).toBeGreaterThan(0.4); // the full run's split: no clear difference
  });
});
