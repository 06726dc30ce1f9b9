// `simple-rnn demo sentiment` on real data: the RNN and a bag-of-words baseline scored on the same k folds of the
// UCI "Sentiment Labelled Sentences" (3,000 review sentences; data/sentiment/, folds in src/demos/sentiment-data.ts).
//
// Per fold, trained on the other k-1 folds only (vocabulary included):
//   RNN       word tokens (lower-cased, punctuation dropped; words seen < minCount times -> <unk>) -> trainable
//             embedding (D) -> Elman RNN (H, relu) -> softmax on the final state. AdamW with strong decoupled weight
//             decay, a cosine learning-rate decay, and word dropout (each epoch every token becomes <unk> with
//             probability wordDropout; the library has no dropout, so the demo corrupts the inputs itself). An
//             ensemble: `members` models reading forwards and `members` reading backwards (different seeds), their
//             probabilities averaged. Every model sees only the tokens in order: no pooling, no pretrained vectors.
//   BoW       logistic regression on word presence with L2 (src/demos/bow.ts), punctuation kept as tokens ("!").
// The settings of both were chosen the same way, on tuning splits (train on 3 folds, score on a 4th), not by nested
// cross-validation: docs/sentiment.md, "How the settings were chosen".
//
// Platform-neutral (no Node imports): the CLI reads the files and draws progress through the hooks, and its --save
// keeps one trained member through onMember (its checkpoint's metadata: sentimentCheckpointMetadata).
import { SimpleRNN, Rng, Vocabulary, tokenizeWords, type Activation, type Punctuation, type VocabularyJSON } from '../index.js';
import { trainBow } from './bow.js';
import { splitFold, stratifiedFolds, SENTIMENT_SOURCES, type LabelledSentence, type SentimentSource } from './sentiment-data.js';

export interface SentimentOptions {
  /** k of the k-fold split. Default 5. */
  folds?: number;
  /** Seed of the split (the shuffle inside each site/label stratum). Default 1. */
  foldSeed?: number;
  /** Run only the first this many folds of the k (the split stays the same). Default: all k. */
  runFolds?: number;
  /** D, size of a word vector. Default 16. */
  embeddingSize?: number;
  /** H. Default 32. */
  hiddenSize?: number;
  /** f_s. Default 'relu' (tanh scored 0.7 points lower on the tuning splits, docs/sentiment.md). */
  activation?: Activation;
  /** Passes over the training folds, per model. Default 10. */
  epochs?: number;
  /** Sentences per minibatch (grouped by length). Default 32. */
  batchSize?: number;
  /** AdamW base learning rate, decayed to 0 by a cosine over the run. Default 0.005. */
  learningRate?: number;
  /** AdamW decoupled weight decay. Default 1 (with 0.01 each model alone scored 1.4 points lower on the tuning splits). */
  weightDecay?: number;
  /** Probability that a training token becomes <unk> in an epoch (fresh each epoch). Default 0.2. */
  wordDropout?: number;
  /** Words seen fewer times in the training folds become <unk>. Default 2. */
  minCount?: number;
  /** Models per reading direction in each fold's ensemble. Default 3. */
  members?: number;
  /** 'both': members read forwards and members backwards; 'forward': only forwards. Default 'both'. */
  directions?: 'both' | 'forward';
  /** Seed of the models' initialisation, shuffling and word dropout. Default 1. */
  seed?: number;
  backend?: 'wasm' | 'js';
  /** Training threads per model (create option threads). Default 1. */
  threads?: number;
  /** L2 strength of the bag-of-words baseline. Default 3e-4. */
  bowL2?: number;
  /** Misclassified sentences reported per group. Default 3. */
  examples?: number;
}

export const SENTIMENT_DEFAULTS: Required<SentimentOptions> = {
  folds: 5,
  foldSeed: 1,
  runFolds: 5,
  embeddingSize: 16,
  hiddenSize: 32,
  activation: 'relu',
  epochs: 10,
  batchSize: 32,
  learningRate: 0.005,
  weightDecay: 1,
  wordDropout: 0.2,
  minCount: 2,
  members: 3,
  directions: 'both',
  seed: 1,
  backend: 'wasm',
  threads: 1,
  bowL2: 3e-4,
  examples: 3,
};

/** How each model splits a sentence into words (src/text/tokenize.ts rules; lower-cased). */
export const RNN_PUNCTUATION: Punctuation = 'drop';
export const BOW_PUNCTUATION: Punctuation = 'separate';

/** Sentences with a negation (not, no, never, n't, nothing, ...): where word order should matter most. */
export const NEGATION = /\b(not|no|never|nothing|nobody|none|nor|neither|without|cannot)\b|n't\b/i;

export interface FoldResult {
  /** From 0. */
  fold: number;
  trainCount: number;
  testCount: number;
  /** Accuracy of the RNN ensemble and of the baseline on the fold. */
  rnn: number;
  bow: number;
  /** Accuracy of each RNN of the ensemble alone (forward members first). */
  members: number[];
  /** Ids of the fold's vocabulary (the training folds' words, and <pad> <unk> <eos>). */
  vocabularySize: number;
  /** Mean training loss per epoch, over the members. */
  epochLoss: number[];
  rnnSeconds: number;
  bowSeconds: number;
}

export interface Spread {
  mean: number;
  /** Sample standard deviation over the folds (0 for one fold). */
  std: number;
  min: number;
  max: number;
}

export interface Prediction {
  text: string;
  source: SentimentSource;
  /** Line in the source file (from 1). */
  line: number;
  label: number;
  fold: number;
  /** Probability of positive: the RNN ensemble's and the baseline's. */
  rnn: number;
  bow: number;
}

export interface SentimentResult {
  folds: FoldResult[];
  rnn: Spread;
  bow: Spread;
  /** Per-fold rnn - bow. */
  difference: Spread;
  /** One RNN alone: per fold the mean accuracy of the ensemble's members. */
  single: Spread;
  /** Over every scored sentence: both right, only the RNN, only the baseline, neither. */
  agreement: { both: number; rnnOnly: number; bowOnly: number; neither: number };
  /** Two-sided exact sign test on rnnOnly vs bowOnly (McNemar): how likely a split this uneven is by chance. */
  signTestP: number;
  bySource: { source: SentimentSource; total: number; rnn: number; bow: number }[];
  /** Sentences with a negation (NEGATION). */
  negated: { total: number; rnn: number; bow: number };
  /** A few sentences to look at: with a negation, right by one model and wrong by the other; and errors of both. */
  examples: { rnnRightBowWrong: Prediction[]; bowRightRnnWrong: Prediction[]; bothWrong: Prediction[] };
  /** Every scored sentence. */
  predictions: Prediction[];
  steps: number;
  seconds: number;
  aborted: boolean;
  config: Required<SentimentOptions>;
}

/** One trained RNN of a fold's ensemble, handed to SentimentHooks.onMember before it is disposed. */
export interface TrainedMember {
  /** From 0. */
  fold: number;
  /** 'backward' members read the token ids reversed. */
  reading: 'forward' | 'backward';
  /** From 0, within its reading direction. */
  member: number;
  seed: number;
  /** Its accuracy alone on the fold's testCount test sentences. */
  accuracy: number;
  testCount: number;
  /** Disposed after the hook returns: save it there (model.save(sentimentCheckpointMetadata(m))). */
  model: SimpleRNN;
  /** The fold's vocabulary (the training folds' words), tokenized as RNN_PUNCTUATION says. */
  vocabulary: Vocabulary;
  config: Required<SentimentOptions>;
}

export interface SentimentHooks {
  onStep?: (step: number, totalSteps: number, loss: number) => void;
  onFold?: (result: FoldResult) => void;
  /** Each RNN once it is trained and scored, before it is disposed. */
  onMember?: (member: TrainedMember) => void;
  signal?: AbortSignal;
}

/** The class names of the models' two outputs (label 0, label 1). */
export const SENTIMENT_CLASSES = ['negative', 'positive'] as const;

/** What a saved member's checkpoint stores next to the model. */
export interface SentimentCheckpointMetadata {
  format: 'simple-rnn/demo-sentiment';
  version: 1;
  /** Vocabulary.toJSON() of the fold's vocabulary: its words and tokenizer rules, so a loaded model reads text. */
  vocabulary: VocabularyJSON;
  /** Output k is the probability of classes[k]. */
  classes: string[];
  /** Which model of the run this is, and how it scored alone on its fold's test sentences. */
  member: { fold: number; reading: 'forward' | 'backward'; member: number; seed: number; testAccuracy: number; testCount: number };
  /** The run's settings. */
  config: Required<SentimentOptions>;
}

/** The metadata of a member's checkpoint: `simple-rnn inspect --model FILE --text "..."` reads its vocabulary and classes. */
export function sentimentCheckpointMetadata(m: TrainedMember): SentimentCheckpointMetadata {
  return {
    format: 'simple-rnn/demo-sentiment',
    version: 1,
    vocabulary: m.vocabulary.toJSON(),
    classes: [...SENTIMENT_CLASSES],
    member: { fold: m.fold, reading: m.reading, member: m.member, seed: m.seed, testAccuracy: m.accuracy, testCount: m.testCount },
    config: { ...m.config },
  };
}

export function spread(values: readonly number[]): Spread {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN, min: NaN, max: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, min: Math.min(...values), max: Math.max(...values) };
}

/** Two-sided exact binomial test of a vs b successes at p = 1/2. */
export function signTest(a: number, b: number): number {
  const n = a + b;
  if (n === 0) return 1;
  const k = Math.min(a, b);
  let logC = 0; // log C(n, 0)
  let sum = 0;
  for (let j = 0; j <= k; j++) {
    if (j > 0) logC += Math.log(n - j + 1) - Math.log(j);
    sum += Math.exp(logC - n * Math.LN2);
  }
  return Math.min(1, 2 * sum);
}

const rnnTokens = (text: string) => tokenizeWords(text, { punctuation: RNN_PUNCTUATION });
const bowTokens = (text: string) => tokenizeWords(text, { punctuation: BOW_PUNCTUATION });

class Aborted extends Error {}

/** One fold: the RNN ensemble and the baseline, trained on `train`, scored on `test`. */
async function runFold(
  fold: number, train: LabelledSentence[], test: LabelledSentence[], cfg: Required<SentimentOptions>,
  progress: { step: number; total: number }, hooks: SentimentHooks,
): Promise<{ result: FoldResult; rnnP: Float64Array; bowP: number[] }> {
  const y = train.map((s) => s.label);
  const yTest = test.map((s) => s.label);
  const accuracy = (p: ArrayLike<number>) => {
    let ok = 0;
    for (let k = 0; k < yTest.length; k++) if ((p[k] > 0.5 ? 1 : 0) === yTest[k]) ok++;
    return ok / yTest.length;
  };

  const t0 = performance.now();
  const bow = trainBow(train.map((s) => bowTokens(s.text)), y, { l2: cfg.bowL2 });
  const bowP = bow.predict(test.map((s) => bowTokens(s.text)));
  const bowSeconds = (performance.now() - t0) / 1000;

  const t1 = performance.now();
  const trainTokens = train.map((s) => rnnTokens(s.text));
  const vocab = Vocabulary.fromTokens(trainTokens, { level: 'word', punctuation: RNN_PUNCTUATION, minCount: cfg.minCount });
  const forward = { train: trainTokens.map((t) => vocab.encode(t)), test: test.map((s) => vocab.encode(rnnTokens(s.text))) };
  const reversed = { train: forward.train.map((x) => x.slice().reverse()), test: forward.test.map((x) => x.slice().reverse()) };
  const readings = cfg.directions === 'both' ? [forward, reversed] : [forward];
  const stepsPerEpoch = Math.ceil(train.length / cfg.batchSize);
  const rnnP = new Float64Array(test.length);
  const members: number[] = [];
  const epochLoss = new Array<number>(cfg.epochs).fill(0);
  for (let d = 0; d < readings.length; d++) {
    for (let m = 0; m < cfg.members; m++) {
      const seed = cfg.seed + 1000 * fold + 100 * d + m;
      const model = await SimpleRNN.create({
        vocabSize: vocab.size,
        embeddingSize: cfg.embeddingSize,
        hiddenSize: cfg.hiddenSize,
        outputSize: 2,
        activation: cfg.activation,
        outputActivation: 'softmax',
        learnInitialState: true,
        seed,
        backend: cfg.backend,
        threads: cfg.threads,
        optimizer: 'adamw',
        learningRate: cfg.learningRate,
        weightDecay: cfg.weightDecay,
        clipNorm: 5,
        schedule: { type: 'cosine', decaySteps: stepsPerEpoch * cfg.epochs },
      });
      try {
        const rng = new Rng(seed * 7919 + 17); // word dropout
        const x = readings[d].train;
        for (let e = 0; e < cfg.epochs; e++) {
          const xe = cfg.wordDropout > 0 ? x.map((ids) => ids.map((id) => (rng.uniform() < cfg.wordDropout ? vocab.unkId : id))) : x;
          const h = await model.fit(xe, y, {
            epochs: 1,
            batchSize: cfg.batchSize,
            bucketByLength: true,
            shuffle: true,
            signal: hooks.signal,
            callbacks: {
              onBatchEnd: (_b, logs) => {
                progress.step++;
                hooks.onStep?.(progress.step, progress.total, logs.loss);
              },
            },
          });
          epochLoss[e] += h.loss[0] / (readings.length * cfg.members);
        }
        const p = model.predict(readings[d].test, { output: 'typed' });
        const q = p.map((v) => v[1]);
        members.push(accuracy(q));
        hooks.onMember?.({ fold, reading: d === 0 ? 'forward' : 'backward', member: m, seed, accuracy: accuracy(q), testCount: test.length, model, vocabulary: vocab, config: cfg });
        for (let k = 0; k < q.length; k++) rnnP[k] += q[k] / (readings.length * cfg.members);
      } catch (e) {
        if (hooks.signal?.aborted) throw new Aborted();
        throw e;
      } finally {
        model.dispose();
      }
    }
  }
  return {
    result: {
      fold, trainCount: train.length, testCount: test.length, rnn: accuracy(rnnP), bow: accuracy(bowP), members,
      vocabularySize: vocab.size, epochLoss, rnnSeconds: (performance.now() - t1) / 1000, bowSeconds,
    },
    rnnP,
    bowP,
  };
}

/** Scores the RNN ensemble and the bag-of-words baseline on the same folds of `data` (parseLabelledSentences). */
export async function runSentiment(data: readonly LabelledSentence[], options: SentimentOptions = {}, hooks: SentimentHooks = {}): Promise<SentimentResult> {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as SentimentOptions;
  const cfg: Required<SentimentOptions> = { ...SENTIMENT_DEFAULTS, runFolds: given.folds ?? SENTIMENT_DEFAULTS.folds, ...given };
  if (!Number.isInteger(cfg.runFolds) || cfg.runFolds < 1 || cfg.runFolds > cfg.folds) {
    throw new RangeError(`runSentiment: options.runFolds = ${cfg.runFolds}; expected an integer in [1, folds=${cfg.folds}]`);
  }
  if (!(cfg.wordDropout >= 0 && cfg.wordDropout < 1)) throw new RangeError(`runSentiment: options.wordDropout = ${cfg.wordDropout}; expected a number in [0, 1)`);
  const fold = stratifiedFolds(data, cfg.folds, cfg.foldSeed);
  const splits = Array.from({ length: cfg.runFolds }, (_, f) => splitFold(data, fold, f));
  const dirs = cfg.directions === 'both' ? 2 : 1;
  const progress = {
    step: 0,
    total: splits.reduce((a, s) => a + Math.ceil(s.train.length / cfg.batchSize) * cfg.epochs * cfg.members * dirs, 0),
  };
  const t0 = performance.now();
  const folds: FoldResult[] = [];
  const predictions: Prediction[] = [];
  let aborted = false;
  for (let f = 0; f < splits.length; f++) {
    const { train, test } = splits[f];
    let r: Awaited<ReturnType<typeof runFold>>;
    try {
      r = await runFold(f, train, test, cfg, progress, hooks);
    } catch (e) {
      if (!(e instanceof Aborted)) throw e;
      aborted = true;
      break;
    }
    folds.push(r.result);
    test.forEach((s, k) => predictions.push({ text: s.text, source: s.source, line: s.line, label: s.label, fold: f, rnn: r.rnnP[k], bow: r.bowP[k] }));
    hooks.onFold?.(r.result);
  }

  const right = (p: number, label: number) => (p > 0.5 ? 1 : 0) === label;
  const agreement = { both: 0, rnnOnly: 0, bowOnly: 0, neither: 0 };
  const negated = { total: 0, rnn: 0, bow: 0 };
  const bySource = SENTIMENT_SOURCES.map((source) => ({ source, total: 0, rnn: 0, bow: 0 }));
  for (const p of predictions) {
    const r = right(p.rnn, p.label);
    const b = right(p.bow, p.label);
    if (r && b) agreement.both++;
    else if (r) agreement.rnnOnly++;
    else if (b) agreement.bowOnly++;
    else agreement.neither++;
    const s = bySource.find((x) => x.source === p.source)!;
    s.total++;
    s.rnn += r ? 1 : 0;
    s.bow += b ? 1 : 0;
    if (NEGATION.test(p.text)) {
      negated.total++;
      negated.rnn += r ? 1 : 0;
      negated.bow += b ? 1 : 0;
    }
  }
  // the most confident ones first (both models' distances from 1/2, summed), ties in fold order
  const pick = (keep: (p: Prediction) => boolean, by: (p: Prediction) => number) =>
    predictions.filter(keep).sort((a, b) => by(b) - by(a)).slice(0, cfg.examples);
  const conf = (v: number) => Math.abs(v - 0.5);
  const examples = {
    rnnRightBowWrong: pick((p) => NEGATION.test(p.text) && right(p.rnn, p.label) && !right(p.bow, p.label), (p) => conf(p.rnn) + conf(p.bow)),
    bowRightRnnWrong: pick((p) => NEGATION.test(p.text) && !right(p.rnn, p.label) && right(p.bow, p.label), (p) => conf(p.rnn) + conf(p.bow)),
    bothWrong: pick((p) => !right(p.rnn, p.label) && !right(p.bow, p.label), (p) => conf(p.rnn) + conf(p.bow)),
  };
  return {
    folds,
    rnn: spread(folds.map((f) => f.rnn)),
    bow: spread(folds.map((f) => f.bow)),
    difference: spread(folds.map((f) => f.rnn - f.bow)),
    single: spread(folds.map((f) => f.members.reduce((a, b) => a + b, 0) / f.members.length)),
    agreement,
    signTestP: signTest(agreement.rnnOnly, agreement.bowOnly),
    bySource,
    negated,
    examples,
    predictions,
    steps: progress.step,
    seconds: (performance.now() - t0) / 1000,
    aborted,
    config: cfg,
  };
}
