// The sentiment demo's generated option (`simple-rnn demo sentiment --data grammar`): the sentiment of sentences
// from a small grammar, from words represented as vectors (word embeddings).
//
// Sentences come from a small grammar with the traps a bag of words falls into: negation flips the sentiment
// ("the plot was not good"), and after "but" the second clause decides ("the acting was great but the ending was
// dull"). Token ids go through the library's word Vocabulary into a trainable embedding layer (embeddingSize D), the
// RNN reads the whole sentence (many-to-one, variable lengths, fit with bucketByLength) and a softmax gives
// negative / positive. Accuracy is measured on held-out sentences that never occur in training.
// The default of the demo is real data: src/demos/sentiment.ts.
//
// Platform-neutral (no Node imports): the CLI draws progress through the hooks.
import { SimpleRNN, Rng, Vocabulary, nearestNeighbors, type OptimizerType } from '../index.js';

const POSITIVE = ['good', 'great', 'excellent', 'wonderful', 'brilliant', 'superb', 'enjoyable', 'lovely', 'delightful', 'fantastic', 'charming', 'moving'];
const NEGATIVE = ['bad', 'terrible', 'awful', 'boring', 'dull', 'poor', 'horrible', 'weak', 'disappointing', 'tedious', 'clumsy', 'bland'];
const SUBJECTS = ['the movie', 'this film', 'the plot', 'the acting', 'the story', 'the music', 'the ending', 'the cast', 'the dialogue', 'the script', 'the soundtrack', 'the director'];
const VERBS = ['was', 'is', 'felt', 'seemed'];
const INTENSIFIERS = ['very', 'really', 'quite', 'truly', 'so', 'extremely'];
const NEGATIONS = ['not', 'never'];
const OPENERS = ['i thought', 'honestly', 'overall', 'in my opinion', 'i felt that', 'to be fair'];

export interface GrammarSentence {
  text: string;
  /** 1 positive, 0 negative. */
  label: number;
}

function pick<T>(rng: Rng, a: readonly T[]): T {
  return a[rng.int(a.length)];
}

/** "subject verb [not] [very] adjective" and its sentiment. */
function clause(rng: Rng): GrammarSentence {
  const positive = rng.uniform() < 0.5;
  const negated = rng.uniform() < 0.3;
  const words = [pick(rng, SUBJECTS), pick(rng, VERBS)];
  if (negated) words.push(pick(rng, NEGATIONS));
  if (rng.uniform() < 0.4) words.push(pick(rng, INTENSIFIERS));
  words.push(pick(rng, positive ? POSITIVE : NEGATIVE));
  return { text: words.join(' '), label: positive !== negated ? 1 : 0 };
}

/** One generated sentence: a clause, two clauses joined by "but" (the second decides) or by "and" (agreeing). */
export function generateSentence(rng: Rng): GrammarSentence {
  const opener = rng.uniform() < 0.3 ? pick(rng, OPENERS) + ' ' : '';
  const r = rng.uniform();
  const a = clause(rng);
  if (r < 0.5) return { text: opener + a.text, label: a.label };
  let b = clause(rng);
  if (r < 0.8) {
    while (b.label === a.label) b = clause(rng); // "but" joins opposite clauses
    return { text: `${opener}${a.text} but ${b.text}`, label: b.label };
  }
  while (b.label !== a.label) b = clause(rng);
  return { text: `${opener}${a.text} and ${b.text}`, label: a.label };
}

export interface GrammarOptions {
  /** Training sentences. Default 4000. */
  trainCount?: number;
  /** Held-out sentences (none of them occurs in training). Default 1000. */
  testCount?: number;
  /** D, size of a word vector. Default 16. */
  embeddingSize?: number;
  /** H. Default 48. */
  hiddenSize?: number;
  /** Passes over the training sentences. Default 10. */
  epochs?: number;
  /** Sentences per minibatch (grouped by length). Default 32. */
  batchSize?: number;
  /** Default 'adamw'. */
  optimizer?: OptimizerType;
  /** Default 0.01. */
  learningRate?: number;
  /**
   * Weight decay (decoupled with adamw). Default 0.01: it wears away what the task does not use, so that the
   * embedding space keeps the structure the task needs (sentiment, negation) rather than its random start.
   */
  weightDecay?: number;
  seed?: number;
  backend?: 'wasm' | 'js';
  /** Words whose nearest neighbours are reported. */
  probeWords?: string[];
}

export interface GrammarHooks {
  onStep?: (step: number, totalSteps: number, loss: number) => void;
  onEpoch?: (epoch: number, trainLoss: number, testLoss: number, testAccuracy: number) => void;
  signal?: AbortSignal;
}

export interface GrammarResult {
  vocabularySize: number;
  /** [step, loss] of every minibatch. */
  losses: [number, number][];
  /** [step, loss] on the held-out sentences after every epoch. */
  testLosses: [number, number][];
  testAccuracy: number;
  trainAccuracy: number;
  /** Accuracy on held-out sentences of each kind. */
  byKind: { kind: string; correct: number; total: number }[];
  /** Nearest neighbours (cosine) of each probe word in the trained embedding space. */
  neighbours: { word: string; nearest: { word: string; cosine: number }[] }[];
  /** A few held-out sentences with the model's probability of "positive". */
  examples: { text: string; label: number; positive: number }[];
  /** Fraction of the time steps in the minibatches that were padding (close to 0: batches grouped by length). */
  paddingFraction: number;
  steps: number;
  trainSeconds: number;
  aborted: boolean;
  config: Required<GrammarOptions>;
}

export const GRAMMAR_DEFAULTS: Required<GrammarOptions> = {
  trainCount: 4000,
  testCount: 1000,
  embeddingSize: 16,
  hiddenSize: 48,
  epochs: 10,
  batchSize: 32,
  optimizer: 'adamw',
  learningRate: 0.01,
  weightDecay: 0.01,
  seed: 1,
  backend: 'wasm',
  probeWords: ['good', 'terrible', 'movie', 'not'],
};

function kindOf(text: string): string {
  if (text.includes(' but ')) return 'contrast (… but …)';
  if (/\b(not|never)\b/.test(text)) return 'negated';
  return 'plain';
}

export async function runGrammarSentiment(options: GrammarOptions = {}, hooks: GrammarHooks = {}): Promise<GrammarResult> {
  const cfg: Required<GrammarOptions> = { ...GRAMMAR_DEFAULTS, ...options };
  const rng = new Rng(cfg.seed * 104729 + 3);
  // held-out sentences first, then training sentences that are not among them
  const seen = new Set<string>();
  const test: GrammarSentence[] = [];
  while (test.length < cfg.testCount) {
    const s = generateSentence(rng);
    if (!seen.has(s.text)) {
      seen.add(s.text);
      test.push(s);
    }
  }
  const heldOut = new Set(seen);
  const train: GrammarSentence[] = [];
  while (train.length < cfg.trainCount) {
    const s = generateSentence(rng);
    if (!heldOut.has(s.text)) train.push(s);
  }
  const vocab = Vocabulary.fromText(train.map((s) => s.text), { level: 'word' });
  const encode = (ss: GrammarSentence[]) => ss.map((s) => vocab.encode(s.text));
  const trainX = encode(train);
  const testX = encode(test);
  const trainY = train.map((s) => s.label);
  const testY = test.map((s) => s.label);

  const model = await SimpleRNN.create({
    vocabSize: vocab.size,
    embeddingSize: cfg.embeddingSize,
    hiddenSize: cfg.hiddenSize,
    outputSize: 2,
    outputActivation: 'softmax',
    seed: cfg.seed,
    backend: cfg.backend,
    optimizer: cfg.optimizer,
    learningRate: cfg.learningRate,
    weightDecay: cfg.weightDecay,
  });
  try {
    const accuracy = (X: Int32Array[], Y: number[]) => {
      const p = model.predict(X) as number[][];
      let ok = 0;
      p.forEach((q, k) => {
        if ((q[1] > q[0] ? 1 : 0) === Y[k]) ok++;
      });
      return { ok, p };
    };
    const losses: [number, number][] = [];
    const testLosses: [number, number][] = [];
    const totalSteps = Math.ceil(train.length / cfg.batchSize) * cfg.epochs;
    let step = 0;
    let aborted = false;
    let history: { paddingFraction: number[] } = { paddingFraction: [] };
    const t0 = performance.now();
    try {
      history = await model.fit(trainX, trainY, {
        epochs: cfg.epochs,
        batchSize: cfg.batchSize,
        shuffle: true,
        bucketByLength: true,
        validationData: [testX, testY],
        signal: hooks.signal,
        callbacks: {
          onBatchEnd: (_batch, logs) => {
            step++;
            losses.push([step, logs.loss]);
            hooks.onStep?.(step, totalSteps, logs.loss);
          },
          onEpochEnd: (epoch, logs) => {
            testLosses.push([step, logs.valLoss!]);
            hooks.onEpoch?.(epoch + 1, logs.loss, logs.valLoss!, logs.valAccuracy!);
          },
        },
      });
    } catch (e) {
      if (!hooks.signal?.aborted) throw e;
      aborted = true;
    }
    const trainSeconds = (performance.now() - t0) / 1000;
    const { ok, p } = accuracy(testX, testY);
    const kinds = new Map<string, { correct: number; total: number }>();
    test.forEach((s, k) => {
      const kind = kindOf(s.text);
      const e = kinds.get(kind) ?? { correct: 0, total: 0 };
      e.total++;
      if ((p[k][1] > p[k][0] ? 1 : 0) === s.label) e.correct++;
      kinds.set(kind, e);
    });
    const neighbours = cfg.probeWords
      .filter((w) => vocab.has(w))
      .map((word) => ({ word, nearest: nearestNeighbors(model, vocab, word, { k: 5 }).map((n) => ({ word: n.token, cosine: n.similarity })) }));
    const examples = [0, 1, 2, 3, 4, 5].map((k) => ({ text: test[k].text, label: test[k].label, positive: p[k][1] }));
    return {
      vocabularySize: vocab.size,
      losses,
      testLosses,
      testAccuracy: ok / test.length,
      trainAccuracy: accuracy(trainX, trainY).ok / train.length,
      byKind: [...kinds].map(([kind, e]) => ({ kind, ...e })).sort((a, b) => a.kind.localeCompare(b.kind)),
      neighbours,
      examples,
      paddingFraction: history.paddingFraction.length ? history.paddingFraction.reduce((x, y) => x + y) / history.paddingFraction.length : NaN,
      steps: step,
      trainSeconds,
      aborted,
      config: cfg,
    };
  } finally {
    model.dispose();
  }
}
