// The demo page's two Trainer tasks (src/trainer/task.ts is the interface they implement): a character-level
// language model on a text (its vocabulary is the library's char Vocabulary, src/text/), and the digit-addition task
// of `npm start` (encoded by src/demos/addition.ts). The package's worker scripts serve these two (demoTasks).
// Either may be deep (job.modelOptions.layers, a job.hiddenSize per layer, dropout). The text task predicts each next
// character and samples step by step (stateSize floats of state: every layer's), so it refuses a model that reads
// backwards; the addition task reads whole sums with predict, so it may be bidirectional.
import { rangeError, typeError } from '../errors.js';
import type { SimpleRNN, SimpleRNNOptions } from '../model.js';
import { int, num, readOptions, str } from '../options.js';
import { Rng } from '../random.js';
import { sampleId, vocabularyFromMetadata } from '../text/lm.js';
import { EOS_ID, PAD_ID, UNK_ID, Vocabulary } from '../text/vocabulary.js';
import type { EvaluationEvent, JobBase, SampleEvent, SampleRequest } from '../trainer/protocol.js';
import { SAMPLE_KEYS } from '../trainer/protocol.js';
import type { TaskBatch, TaskSession, TrainerTask } from '../trainer/task.js';
import { argmax, digitsToString, encodeAddition, randomExample } from './addition.js';

// ---- text ----

/** A character-level language model on a text (the second argument of Trainer.start): predicts each next character. */
export interface TextJob extends JobBase {
  /** The text task. */
  task: 'text';
  /** Characters per training window (truncated BPTT length). Default 32. */
  seqLength?: number;
  /** Post a generated sample every this many steps (0: never). Default 0. */
  sampleEvery?: number;
  /** Characters per sample (periodic ones, and the default of Trainer.sample). Default 200. */
  sampleLength?: number;
  /** Temperature of samples (periodic ones, and the default of Trainer.sample). Default 0.8. */
  temperature?: number;
}

/** A text job's own options, resolved (the defaults of TextJob filled in). */
export interface TextOptions {
  /** Characters per training window. */
  seqLength: number;
  /** Steps between periodic samples (0: none). */
  sampleEvery: number;
  /** Characters per sample. */
  sampleLength: number;
  /** Temperature of samples. */
  temperature: number;
}

const TEXT_DEFAULTS: TextOptions = { seqLength: 32, sampleEvery: 0, sampleLength: 200, temperature: 0.8 };

/** B windows at random offsets: inputs ids[s .. s+L), targets ids[s+1 .. s+L]. */
export function textBatch(rng: Rng, ids: Int32Array, B: number, L: number): { inputs: Int32Array[]; targets: Int32Array[] } {
  const inputs: Int32Array[] = [];
  const targets: Int32Array[] = [];
  const span = ids.length - L - 1;
  for (let b = 0; b < B; b++) {
    const s = rng.int(span + 1);
    inputs.push(ids.subarray(s, s + L));
    targets.push(ids.subarray(s + 1, s + L + 1));
  }
  return { inputs, targets };
}

/** The text of each id of a char vocabulary, index = id: PAD '', UNK U+FFFD, EOS a line break, then the characters. */
export function vocabTexts(vocab: Vocabulary): string[] {
  return Array.from({ length: vocab.size }, (_, id) => (id === PAD_ID ? '' : id === UNK_ID ? '\uFFFD' : id === EOS_ID ? '\n' : vocab.tokenOf(id)));
}

/**
 * A text session: batches from the text's ids (when it trains), samples through the vocabulary. Without a prompt a
 * sample starts after a line break (or the most frequent character when the text has none), as `simple-rnn sample`.
 */
function textSession(vocab: Vocabulary, ids: Int32Array, o: TextOptions, seed: number): TaskSession {
  const sample = (api: string, model: SimpleRNN, request: SampleRequest, step: number) => {
    const r = readOptions(api, request, SAMPLE_KEYS, 'request');
    const prompt = str(api, 'request.prompt', r.prompt, '');
    const length = int(api, 'request.length', r.length, 0, 1_000_000, o.sampleLength);
    const temperature = num(api, 'request.temperature', r.temperature, { min: 0, max: Infinity }, o.temperature);
    const topK = int(api, 'request.topK', r.topK, 0, 1_000_000, 0);
    const rng = new Rng(int(api, 'request.seed', r.seed, -(2 ** 31), 2 ** 32, step + 1));
    const chars = vocab.tokenize(prompt);
    const promptIds = chars.map((c, t) => {
      if (!vocab.has(c)) throw rangeError(api, `request.prompt[${t}]`, `= ${JSON.stringify(c)} is not in the training text's vocabulary`);
      return vocab.idOf(c);
    });
    if (promptIds.length === 0) promptIds.push(vocab.has('\n') ? vocab.idOf('\n') : Math.min(EOS_ID + 1, vocab.size - 1));
    let state: ArrayLike<number> = model.initialState();
    let probs: ArrayLike<number> = [];
    for (const id of promptIds) ({ state, output: probs } = model.step(state, id));
    const out: number[] = [];
    for (let n = 0; n < length; n++) {
      const id = sampleId(probs, temperature, topK, rng); // never PAD or UNK
      out.push(id);
      if (n + 1 < length) ({ state, output: probs } = model.step(state, id));
    }
    return { text: vocab.decodeText(out), temperature };
  };
  const due = (step: number) => o.sampleEvery > 0 && step % o.sampleEvery === 0;
  return {
    model: { vocabSize: vocab.size, outputSize: vocab.size, returnSequences: true, activation: 'tanh', outputActivation: 'softmax' },
    vocab: vocabTexts(vocab),
    batch(rng: Rng, B: number): TaskBatch {
      return { ...textBatch(rng, ids, B, o.seqLength), tokens: B * o.seqLength };
    },
    due,
    report(model, step): SampleEvent[] {
      if (!due(step)) return [];
      const { text } = sample('Trainer.start', model, { length: o.sampleLength, temperature: o.temperature, seed: seed + step }, step);
      return [{ type: 'sample', id: 0, step, temperature: o.temperature, text }];
    },
    finish: () => [],
    metadata: () => ({ task: 'text', vocabulary: vocab.toJSON() }),
    sample,
  };
}

/**
 * Why the text task cannot train or sample a model that reads backwards: a model option and its value, or null. A
 * bidirectional model's reverse direction (and a goBackwards model) reads each window from its end, so the output
 * at a character would have seen the characters it must predict, and such a model cannot run step by step.
 */
function readsBackwards(o: Readonly<Partial<Pick<SimpleRNNOptions, 'bidirectional' | 'goBackwards'>>>): string | null {
  if (o.bidirectional) return 'bidirectional';
  if (o.goBackwards) return 'goBackwards';
  return null;
}
const BACKWARDS_WHY = 'reads each window from its end, so it would see the characters it must predict, and it cannot be sampled step by step';

/** The text task: a character Vocabulary (src/text/) of the text, random windows of seqLength, periodic samples. */
export const textTask: TrainerTask<TextOptions> = {
  name: 'text',
  keys: ['seqLength', 'sampleEvery', 'sampleLength', 'temperature'],
  fixes: ['vocabSize', 'inputSize', 'outputSize', 'returnSequences', 'activation', 'outputActivation'],
  defaults: { hiddenSize: 128, learningRate: 0.1 },
  checkModel(api, modelOptions) {
    const k = readsBackwards(modelOptions);
    if (k) throw rangeError(api, `job.modelOptions.${k}`, `= true cannot train the text task: it predicts each next character, and such a model ${BACKWARDS_WHY}`);
  },
  resolve(api, j) {
    const d = TEXT_DEFAULTS;
    return {
      seqLength: int(api, 'job.seqLength', j.seqLength, 1, 100_000, d.seqLength),
      sampleEvery: int(api, 'job.sampleEvery', j.sampleEvery, 0, 1e9, d.sampleEvery),
      sampleLength: int(api, 'job.sampleLength', j.sampleLength, 1, 100_000, d.sampleLength),
      temperature: num(api, 'job.temperature', j.temperature, { min: 0, max: Infinity }, d.temperature),
    };
  },
  start(api, o, data, seed) {
    if (typeof data !== 'string') throw typeError(api, 'text', "a string (a text job trains on the text, start()'s second argument)", data);
    const vocab = Vocabulary.fromText(data, { level: 'char' });
    const ids = vocab.encode(data);
    if (ids.length < o.seqLength + 2) {
      throw rangeError(api, 'text', `has ${ids.length} characters; expected at least seqLength + 2 = ${o.seqLength + 2}`);
    }
    if (vocab.size < EOS_ID + 3) throw rangeError(api, 'text', 'has a single distinct character; expected at least 2');
    return textSession(vocab, ids, o, seed);
  },
  restore(api, model) {
    let vocab: Vocabulary;
    try {
      vocab = vocabularyFromMetadata(model.metadata);
    } catch {
      return null; // not a checkpoint with a vocabulary
    }
    if (vocab.tokenizer.level !== 'char') {
      throw rangeError(api, 'checkpoint', `has a ${vocab.tokenizer.level}-level vocabulary; only character models can be sampled here`);
    }
    const c = model.config;
    const k = readsBackwards(c);
    if (k) throw rangeError(api, 'checkpoint', `has a model with ${k}: true, which ${BACKWARDS_WHY}; a text model must read forward only`);
    if (c.vocabSize !== vocab.size || c.outputSize !== vocab.size || c.outputActivation !== 'softmax') {
      throw rangeError(api, 'checkpoint', `has a vocabulary of ${vocab.size} characters but the model has vocabSize ${c.vocabSize}, outputSize ${c.outputSize} (${c.outputActivation}); expected a language model over it`);
    }
    return textSession(vocab, new Int32Array(0), TEXT_DEFAULTS, model.config.seed);
  },
};

// ---- addition ----

/**
 * The addition task of `npm start` (src/demos/addition.ts encodes it): two decimal numbers digit by digit, least
 * significant first, one step per digit pair (20 one-hot inputs), the sum's digit at every step (10 classes).
 */
export interface AdditionJob extends JobBase {
  /** The addition task. */
  task: 'addition';
  /** Training numbers have 1..maxDigits digits. Default 8. */
  maxDigits?: number;
  /** Lengths (digits) tested by the `evaluation` events. Default [8, 16, 32, 64]. */
  testLengths?: number[];
  /** Sums per tested length. Default 100. */
  testCount?: number;
  /** Evaluate every this many steps (and at the end). Default 200. */
  evalEvery?: number;
  /** The evaluation's example sum comes from this tested length. Default: the longest. */
  exampleLength?: number;
}

/** An addition job's own options, resolved (the defaults of AdditionJob filled in). */
export interface AdditionTaskOptions {
  /** Training numbers have 1..maxDigits digits. */
  maxDigits: number;
  /** Lengths (digits) tested by the evaluations. */
  testLengths: number[];
  /** Sums per tested length. */
  testCount: number;
  /** Steps between evaluations (0: only at the end). */
  evalEvery: number;
  /** The tested length the evaluation's example comes from. */
  exampleLength: number;
}

function additionSession(o: AdditionTaskOptions, seed: number): TaskSession {
  const evaluate = (model: SimpleRNN, step: number): EvaluationEvent => {
    const rng = new Rng(seed + 7919); // the same test sums at every evaluation
    const accuracy: { length: number; accuracy: number }[] = [];
    let example: EvaluationEvent['example'];
    for (const n of o.testLengths) {
      const sums = Array.from({ length: o.testCount }, () => randomExample(rng, n));
      const encoded = sums.map(encodeAddition);
      const out = model.predict(encoded.map((e) => e.x)) as number[][][];
      let right = 0;
      encoded.forEach(({ y }, b) => {
        const pred = out[b].map(argmax);
        if (pred.every((d, t) => d === y[t])) right++;
        if (b === 0 && n === o.exampleLength) {
          example = { a: digitsToString(sums[b].a), b: digitsToString(sums[b].b), predicted: digitsToString(pred), expected: digitsToString(y) };
        }
      });
      accuracy.push({ length: n, accuracy: right / o.testCount });
    }
    return { type: 'evaluation', step, accuracy, example };
  };
  const due = (step: number) => o.evalEvery > 0 && step % o.evalEvery === 0;
  return {
    model: { inputSize: 20, outputSize: 10, returnSequences: true, activation: 'tanh', outputActivation: 'softmax' },
    batch(rng: Rng, B: number): TaskBatch {
      const inputs: Float32Array[] = [];
      const targets: Int32Array[] = [];
      let tokens = 0;
      for (let b = 0; b < B; b++) {
        const { x, y } = encodeAddition(randomExample(rng, 1 + rng.int(o.maxDigits)));
        inputs.push(x);
        targets.push(Int32Array.from(y));
        tokens += y.length;
      }
      return { inputs, targets, tokens };
    },
    due,
    report: (model, step) => (due(step) ? [evaluate(model, step)] : []),
    finish: (model, step) => (due(step) ? [] : [evaluate(model, step)]),
    metadata: () => ({ task: 'addition' }),
  };
}

/** The addition task: random sums of 1..maxDigits digits, evaluated on longer ones (exact sums per length). */
export const additionTask: TrainerTask<AdditionTaskOptions> = {
  name: 'addition',
  keys: ['maxDigits', 'testLengths', 'testCount', 'evalEvery', 'exampleLength'],
  fixes: ['vocabSize', 'inputSize', 'embeddingSize', 'outputSize', 'returnSequences', 'activation', 'outputActivation'],
  defaults: { hiddenSize: 64, learningRate: 0.01 },
  resolve(api, j) {
    const lengths = j.testLengths ?? [8, 16, 32, 64];
    if (!Array.isArray(lengths) || lengths.length === 0) throw typeError(api, 'job.testLengths', 'a non-empty array of integers in [1, 10000]', lengths);
    const testLengths = lengths.map((n, k) => int(api, `job.testLengths[${k}]`, n, 1, 10_000));
    return {
      maxDigits: int(api, 'job.maxDigits', j.maxDigits, 1, 1000, 8),
      testLengths,
      testCount: int(api, 'job.testCount', j.testCount, 1, 100_000, 100),
      evalEvery: int(api, 'job.evalEvery', j.evalEvery, 0, 1e9, 200),
      exampleLength: int(api, 'job.exampleLength', j.exampleLength, 1, 10_000, Math.max(...testLengths)),
    };
  },
  start(api, o, data, seed) {
    if (data !== undefined) throw typeError(api, 'data', 'undefined (an addition job makes its own sums)', data);
    return additionSession(o, seed);
  },
  restore(_api, model) {
    const m = model.metadata as { task?: unknown } | null | undefined;
    if (m?.task !== 'addition' || model.config.inputSize !== 20 || model.config.outputSize !== 10) return null;
    return additionSession({ maxDigits: 8, testLengths: [], testCount: 1, evalEvery: 0, exampleLength: 1 }, model.config.seed);
  },
};

/** The tasks of the package's worker scripts (simple-rnn/worker/web and simple-rnn/worker/node). */
export const demoTasks: readonly TrainerTask[] = [textTask as TrainerTask, additionTask as TrainerTask];

/** A job of the package's worker scripts. */
export type DemoJob = TextJob | AdditionJob;
