// A tagging task whose answer lies in the future: what a bidirectional model can learn and a forward one cannot.
//
// A sequence is n symbols drawn uniformly from K (token ids), n uniform in [minLength, maxLength]. The tag of step t
// says whether the symbol x_t occurs again later in the sequence:
//   y_t = 1  if x_t ∈ {x_{t+1}, ..., x_n},  else 0              (so the last step is always 0)
// The symbols are independent, so what a forward model has read (x_1..x_t) says nothing about x_{t+1}..x_n: the best
// it can do is guess from t alone (P(y_t = 1 | t), averaged over the lengths that reach t). unidirectionalCeiling
// computes that accuracy exactly. A bidirectional model's reverse direction has read x_n..x_t at step t: a set of the
// symbols after t, which tanh units can hold, decides y_t exactly (ceiling 100%).
//
// runTagging trains, on the same seeded data and with (nearly) the same number of trainable parameters, a forward
// model, a forward model of 2 layers and a bidirectional one (per-step softmax over 2 tags, returnSequences), and
// reports each one's accuracy per tag on held-out sequences, also by how many steps remain after t.
//
// Platform-neutral (no Node imports).
import { SimpleRNN } from '../model.js';
import { Rng } from '../random.js';

export interface TaggingOptions {
  /** K: symbols. Default 10. */
  symbols?: number;
  /** Shortest sequence. Default 8. */
  minLength?: number;
  /** Longest sequence. Default 24. */
  maxLength?: number;
  /** Training sequences. Default 4000. */
  trainCount?: number;
  /** Held-out sequences. Default 1000. */
  testCount?: number;
  /** Passes over the training sequences. Default 40. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** H per direction of the bidirectional model; the forward models get the H of (nearly) its parameter count. Default 24. */
  hiddenSize?: number;
  /** Adam's learning rate. Default 0.01. */
  learningRate?: number;
  /** Clip the global gradient norm to this. Default 1. */
  clipNorm?: number;
  /** Which models to train. Default all three. */
  variants?: TaggingVariant[];
  /** Seeds the data and every model. Default 1. */
  seed?: number;
  backend?: 'wasm' | 'js';
}

/** 'forward': 1 layer; 'forward-2L': 2 layers; 'bidirectional': 1 layer, both directions, merge concat. */
export type TaggingVariant = 'forward' | 'forward-2L' | 'bidirectional';

export interface TaggingHooks {
  /** After every epoch of every variant. */
  onEpoch?: (variant: TaggingVariant, epoch: number, loss: number) => void;
}

export interface VariantResult {
  variant: TaggingVariant;
  layers: number;
  bidirectional: boolean;
  /** H per layer (per direction). */
  hiddenSize: number;
  /** Trainable parameters. */
  params: number;
  /** Accuracy per tag on the held-out sequences. */
  accuracy: number;
  /** Accuracy per tag, by steps remaining after t (n - t) in the buckets of TaggingResult.buckets. */
  accuracyByRemaining: number[];
  /** Training loss per epoch (nats per tag). */
  loss: number[];
  /** Held-out loss (nats per tag). */
  testLoss: number;
  trainSeconds: number;
}

export interface TaggingResult {
  variants: VariantResult[];
  /** Best accuracy per tag of any model that reads only x_1..x_t (exact, from the distribution of the data). */
  unidirectionalCeiling: number;
  /** Fraction of tags that are 1 in the held-out sequences. */
  positiveRate: number;
  /** [lo, hi] bounds of steps remaining (n - t) of accuracyByRemaining. */
  buckets: [number, number][];
  config: Required<Omit<TaggingOptions, 'backend'>> & { backend: 'wasm' | 'js' };
}

const DEFAULTS = {
  symbols: 10, minLength: 8, maxLength: 24, trainCount: 4000, testCount: 1000, epochs: 40, batchSize: 32,
  hiddenSize: 24, learningRate: 0.01, clipNorm: 1, seed: 1,
  variants: ['forward', 'forward-2L', 'bidirectional'] as TaggingVariant[],
};

/** The tags of one sequence: y_t = 1 if x_t occurs again after t. */
export function tagSequence(x: ArrayLike<number>): number[] {
  const seen = new Set<number>();
  const y = new Array<number>(x.length);
  for (let t = x.length - 1; t >= 0; t--) {
    y[t] = seen.has(x[t]) ? 1 : 0;
    seen.add(x[t]);
  }
  return y;
}

/** count seeded sequences (token ids) and their tags. */
export function makeTaggingSet(rng: Rng, count: number, o: { symbols: number; minLength: number; maxLength: number }): { inputs: Int32Array[]; targets: number[][] } {
  const inputs: Int32Array[] = [];
  const targets: number[][] = [];
  for (let k = 0; k < count; k++) {
    const n = o.minLength + rng.int(o.maxLength - o.minLength + 1);
    const x = new Int32Array(n);
    for (let t = 0; t < n; t++) x[t] = rng.int(o.symbols);
    inputs.push(x);
    targets.push(tagSequence(x));
  }
  return { inputs, targets };
}

/**
 * The best accuracy per tag of a model that has read only x_1..x_t: at step t it knows t but not n, and
 * P(y_t = 1 | n) = 1 - (1 - 1/K)^(n-t); it says 1 where the mean of that over the n >= t is above 1/2.
 */
export function unidirectionalCeiling(o: { symbols: number; minLength: number; maxLength: number }): number {
  const r = 1 - 1 / o.symbols;
  let right = 0;
  let tags = 0;
  for (let t = 1; t <= o.maxLength; t++) {
    const ns: number[] = [];
    for (let n = Math.max(o.minLength, t); n <= o.maxLength; n++) ns.push(n);
    const p = ns.map((n) => 1 - r ** (n - t));
    const sayOne = p.reduce((a, b) => a + b, 0) / p.length > 0.5;
    for (const q of p) right += sayOne ? q : 1 - q;
    tags += p.length;
  }
  return right / tags;
}

function createOptions(v: TaggingVariant, H: number, c: Required<Omit<TaggingOptions, 'backend'>>, backend: 'wasm' | 'js') {
  return {
    vocabSize: c.symbols, hiddenSize: H, outputSize: 2, returnSequences: true, seed: c.seed, backend,
    layers: v === 'forward-2L' ? 2 : 1, bidirectional: v === 'bidirectional',
    optimizer: 'adam' as const, learningRate: c.learningRate, clipNorm: c.clipNorm,
  };
}

/** H of a variant: the bidirectional model's hiddenSize, or the H whose parameter count is nearest to that model's. */
async function matchHidden(v: TaggingVariant, c: Required<Omit<TaggingOptions, 'backend'>>, backend: 'wasm' | 'js', target: number): Promise<number> {
  if (v === 'bidirectional') return c.hiddenSize;
  let best = 1;
  let bestGap = Infinity;
  for (let H = 1; H <= 4 * c.hiddenSize + 8; H++) {
    const m = await SimpleRNN.create(createOptions(v, H, c, backend));
    const gap = Math.abs(m.trainableCount - target);
    m.dispose();
    if (gap < bestGap) [best, bestGap] = [H, gap];
  }
  return best;
}

/** Trains the variants on the same data and tests them on the same held-out sequences. */
export async function runTagging(options: TaggingOptions = {}, hooks: TaggingHooks = {}): Promise<TaggingResult> {
  const c = { ...DEFAULTS, ...options } as Required<Omit<TaggingOptions, 'backend'>>;
  const backend = options.backend ?? 'wasm';
  const rng = new Rng(c.seed);
  const train = makeTaggingSet(rng, c.trainCount, c);
  const test = makeTaggingSet(rng, c.testCount, c);
  const buckets: [number, number][] = [[0, 0], [1, 3], [4, 9], [10, c.maxLength]];
  const bucketOf = (rem: number) => buckets.findIndex(([lo, hi]) => rem >= lo && rem <= hi);

  const bi = await SimpleRNN.create(createOptions('bidirectional', c.hiddenSize, c, backend));
  const budget = bi.trainableCount;
  bi.dispose();

  const variants: VariantResult[] = [];
  for (const v of c.variants) {
    const H = await matchHidden(v, c, backend, budget);
    const model = await SimpleRNN.create(createOptions(v, H, c, backend));
    try {
      const t0 = performance.now();
      const history = await model.fit(train.inputs, train.targets, {
        epochs: c.epochs, batchSize: c.batchSize, bucketByLength: true,
        callbacks: { onEpochEnd: (epoch: number, logs: { loss: number }) => hooks.onEpoch?.(v, epoch, logs.loss) },
      });
      const trainSeconds = (performance.now() - t0) / 1000;
      const out = model.predict(test.inputs, { output: 'typed' });
      let right = 0;
      let tags = 0;
      const bRight = buckets.map(() => 0);
      const bTags = buckets.map(() => 0);
      test.targets.forEach((y, s) => {
        const p = out[s];
        for (let t = 0; t < y.length; t++) {
          const ok = (p[2 * t + 1] > p[2 * t] ? 1 : 0) === y[t] ? 1 : 0;
          const b = bucketOf(y.length - 1 - t);
          right += ok;
          tags++;
          bRight[b] += ok;
          bTags[b]++;
        }
      });
      variants.push({
        variant: v, layers: v === 'forward-2L' ? 2 : 1, bidirectional: v === 'bidirectional', hiddenSize: H,
        params: model.trainableCount, accuracy: right / tags, accuracyByRemaining: bRight.map((r, k) => r / bTags[k]),
        loss: history.loss, testLoss: model.evaluate(test.inputs, test.targets).loss, trainSeconds,
      });
    } finally {
      model.dispose();
    }
  }
  let ones = 0;
  let all = 0;
  for (const y of test.targets) for (const v of y) (ones += v), all++;
  return { variants, unidirectionalCeiling: unidirectionalCeiling(c), positiveRate: ones / all, buckets, config: { ...c, backend } };
}
