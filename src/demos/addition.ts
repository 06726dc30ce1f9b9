// The seed's claim, shown: an RNN that adds two numbers digit by digit, trained on short numbers, adds long ones.
//
// Encoding, one step per digit pair, least significant digit first:
//   input  i^t = onehot(a_t) | onehot(b_t)      (20 numbers; a_t = b_t = 0 past the end of the numbers)
//   target o^t = (a_t + b_t + carry_{t-1}) mod 10, softmax over 10 digits, at every step (returnSequences)
// A sum of two n-digit numbers has n+1 digits, so a sequence has n+1 steps; the last one emits the final carry.
// The carry is the only thing the state must remember, so what the network learns does not depend on the length:
// trained on at most 8 digits, it is tested on 16, 32, 64 and 100. A number counts as right only if every digit is.
// The model may be deep (layers) or bidirectional: a reverse direction reads the digits most significant first, which
// an adder does not need (the carry flows upwards) but may use; predict reads whole sums, so either can be tested.
//
// Platform-neutral (no Node imports): the CLI draws progress through the hooks.
import { SimpleRNN } from '../model.js';
import { Rng } from '../random.js';

export interface AdditionOptions {
  /** Longest training number, in digits; training lengths are uniform in [1, trainDigits]. Default 8. */
  trainDigits?: number;
  /** Training sums (a fixed set, seen once per epoch). Default 30000. */
  trainCount?: number;
  /** Passes over the training sums. Default 6. */
  epochs?: number;
  /** Lengths tested after training. Default [16, 32, 64, 100]. */
  testLengths?: number[];
  /** Sums tested per length. Default 1000. */
  testCount?: number;
  /** H. Default 64. */
  hiddenSize?: number;
  /** Layers stacked. Default 1. */
  layers?: number;
  /** Each layer also reads the digits most significant first (a reverse direction, concatenated). Default false. */
  bidirectional?: boolean;
  /** Sums per minibatch (grouped by length). Default 32. */
  batchSize?: number;
  /** Default 'adam'. */
  optimizer?: 'sgd' | 'momentum' | 'nesterov' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';
  /** Peak learning rate: a cosine schedule decays it to 0 over the run, after 100 warm-up steps. Default 0.01. */
  learningRate?: number;
  /** Clip the global gradient norm to this. Default 1. */
  clipNorm?: number;
  /** Seeds both the initialisation and the data. Default 1. */
  seed?: number;
  backend?: 'wasm' | 'js';
  /** Loss on held-out numbers every this many steps. Default 250. */
  validateEvery?: number;
}

export interface AdditionHooks {
  /** After every training step. */
  onStep?: (step: number, totalSteps: number, loss: number) => void;
  /** After every validation: loss on held-out <= trainDigits numbers and on long (max test length) numbers. */
  onValidation?: (step: number, loss: number, longLoss: number) => void;
  signal?: AbortSignal;
}

export interface LengthResult {
  digits: number;
  correct: number;
  total: number;
  /** Fraction of single output digits that were right. */
  digitAccuracy: number;
}

export interface AdditionExample {
  a: string;
  b: string;
  predicted: string;
  correct: boolean;
}

export interface AdditionResult {
  /** Loss of every training step (mean cross-entropy per digit, nats). */
  losses: number[];
  /** [step, loss] on held-out numbers of at most trainDigits digits. */
  validation: [number, number][];
  /** [step, loss] on numbers of the longest test length. */
  longValidation: [number, number][];
  accuracy: LengthResult[];
  examples: AdditionExample[];
  steps: number;
  trainSeconds: number;
  aborted: boolean;
  config: Required<AdditionOptions>;
}

export interface Example {
  a: number[]; // digits, least significant first
  b: number[];
}

/** n random digits per number (the leading digit may be 0, so these are n-digit strings of digits). */
export function randomExample(rng: Rng, n: number): Example {
  const a: number[] = [];
  const b: number[] = [];
  for (let t = 0; t < n; t++) {
    a.push(rng.int(10));
    b.push(rng.int(10));
  }
  return { a, b };
}

/** Inputs (n+1 steps x 20, flat) and the n+1 target digits of a + b. */
export function encodeAddition(ex: Example): { x: Float32Array; y: number[] } {
  const n = ex.a.length;
  const x = new Float32Array((n + 1) * 20);
  const y: number[] = [];
  let carry = 0;
  for (let t = 0; t <= n; t++) {
    const da = t < n ? ex.a[t] : 0;
    const db = t < n ? ex.b[t] : 0;
    x[t * 20 + da] = 1;
    x[t * 20 + 10 + db] = 1;
    const s = da + db + carry;
    y.push(s % 10);
    carry = s >= 10 ? 1 : 0;
  }
  return { x, y };
}

/** Digits (least significant first) as the number's usual string, most significant first. */
export const digitsToString = (d: ArrayLike<number>): string => Array.from(d).reverse().join('');

/** The index of the largest entry (the first one on ties): the predicted class. */
export function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
  return best;
}

function batchOf(examples: Example[]): { xs: Float32Array[]; ys: number[][] } {
  const xs: Float32Array[] = [];
  const ys: number[][] = [];
  for (const ex of examples) {
    const { x, y } = encodeAddition(ex);
    xs.push(x);
    ys.push(y);
  }
  return { xs, ys };
}

export const ADDITION_DEFAULTS: Required<AdditionOptions> = {
  trainDigits: 8,
  trainCount: 30000,
  epochs: 6,
  testLengths: [16, 32, 64, 100],
  testCount: 1000,
  hiddenSize: 64,
  layers: 1,
  bidirectional: false,
  batchSize: 32,
  optimizer: 'adam',
  learningRate: 0.01,
  clipNorm: 1,
  seed: 1,
  backend: 'wasm',
  validateEvery: 250,
};

/** Trains the adder with fit (Adam, cosine schedule, batches grouped by length), then tests every length. */
export async function runAddition(options: AdditionOptions = {}, hooks: AdditionHooks = {}): Promise<AdditionResult> {
  const cfg: Required<AdditionOptions> = { ...ADDITION_DEFAULTS, ...options };
  const totalSteps = Math.ceil(cfg.trainCount / cfg.batchSize) * cfg.epochs;
  const model = await SimpleRNN.create({
    inputSize: 20,
    hiddenSize: cfg.hiddenSize,
    ...(cfg.layers > 1 ? { layers: cfg.layers } : {}),
    ...(cfg.bidirectional ? { bidirectional: true } : {}),
    outputSize: 10,
    outputActivation: 'softmax',
    returnSequences: true,
    backend: cfg.backend,
    seed: cfg.seed,
    optimizer: cfg.optimizer,
    learningRate: cfg.learningRate,
    schedule: { type: 'cosine', decaySteps: Math.max(1, totalSteps - 100), warmupSteps: Math.min(100, totalSteps) },
    clipNorm: cfg.clipNorm,
  });
  try {
    const rng = new Rng(cfg.seed * 7919 + 17); // data, independent of the initialisation's stream
    const longest = Math.max(...cfg.testLengths, cfg.trainDigits);
    const train = batchOf(Array.from({ length: cfg.trainCount }, () => randomExample(rng, 1 + rng.int(cfg.trainDigits))));
    const heldOut = batchOf(Array.from({ length: 256 }, () => randomExample(rng, 1 + rng.int(cfg.trainDigits))));
    const heldOutLong = batchOf(Array.from({ length: 64 }, () => randomExample(rng, longest)));

    const losses: number[] = [];
    const validation: [number, number][] = [];
    const longValidation: [number, number][] = [];
    const validate = (step: number) => {
      const v = model.evaluate(heldOut.xs, heldOut.ys).loss;
      const l = model.evaluate(heldOutLong.xs, heldOutLong.ys).loss;
      validation.push([step, v]);
      longValidation.push([step, l]);
      hooks.onValidation?.(step, v, l);
    };
    const t0 = performance.now();
    let step = 0;
    let aborted = false;
    validate(0);
    try {
      await model.fit(train.xs, train.ys, {
        epochs: cfg.epochs,
        batchSize: cfg.batchSize,
        shuffle: true,
        bucketByLength: true,
        signal: hooks.signal,
        callbacks: {
          onBatchEnd: (_batch, logs) => {
            step++;
            losses.push(logs.loss);
            hooks.onStep?.(step, totalSteps, logs.loss);
            if (step % cfg.validateEvery === 0) validate(step);
          },
        },
      });
    } catch (e) {
      if (!hooks.signal?.aborted) throw e;
      aborted = true;
    }
    if (step % cfg.validateEvery !== 0) validate(step);
    const trainSeconds = (performance.now() - t0) / 1000;

    const accuracy: LengthResult[] = [];
    const examples: AdditionExample[] = [];
    for (const n of cfg.testLengths) {
      const tests = Array.from({ length: cfg.testCount }, () => randomExample(rng, n));
      let correct = 0;
      let digitsRight = 0;
      let digits = 0;
      for (let at = 0; at < tests.length; at += 250) {
        const chunk = tests.slice(at, at + 250);
        const { xs, ys } = batchOf(chunk);
        const out = model.predict(xs) as number[][][];
        chunk.forEach((ex, k) => {
          const got = out[k].map(argmax);
          let ok = true;
          got.forEach((d, t) => {
            digits++;
            if (d === ys[k][t]) digitsRight++;
            else ok = false;
          });
          if (ok) correct++;
          if (at === 0 && k === 0) {
            examples.push({ a: digitsToString(ex.a), b: digitsToString(ex.b), predicted: digitsToString(got), correct: ok });
          }
        });
      }
      accuracy.push({ digits: n, correct, total: tests.length, digitAccuracy: digitsRight / digits });
    }
    return { losses, validation, longValidation, accuracy, examples, steps: step, trainSeconds, aborted, config: cfg };
  } finally {
    model.dispose();
  }
}
