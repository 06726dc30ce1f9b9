// The worker side of the protocol: runs one job at a time, reports progress, answers sample requests. It is the same
// code in a Web Worker and in a Node worker_thread; only the endpoint differs (web.ts, node.ts).
import { resolveBackend } from '../backends/wasm.js';
import { SimpleRNN, type Params, type SimpleRNNOptions } from '../model.js';
import { Rng } from '../random.js';
import { EOS_ID, PAD_ID, UNK_ID, Vocabulary, type VocabularyJSON } from '../text/vocabulary.js';
import type { AdditionJob, BackendChoice, HostMessage, Job, TextJob, WorkerEndpoint, WorkerMessage } from './protocol.js';
import { digitsToString, encodeAddition, randomExample } from '../demos/addition.js';
import { argmax, buildCorpus, textBatch, type Corpus } from './tasks.js';

const API = 'SimpleRNN.Trainer.start';

interface Resolved {
  task: Job['task'];
  steps: number;
  timeBudgetMs: number;
  batchSize: number;
  hiddenSize: number;
  learningRate: number;
  seed: number;
  backend: BackendChoice;
  modelOptions: Record<string, unknown>;
  progressIntervalMs: number;
  snapshotEvery: number;
  // text
  seqLength: number;
  sampleEvery: number;
  sampleLength: number;
  temperature: number;
  // addition
  maxDigits: number;
  testLengths: number[];
  testCount: number;
  evalEvery: number;
  exampleLength: number;
}

/** Fills in defaults and validates every field; throws naming the field. */
export function resolveJob(job: Job): Resolved {
  if (job === null || typeof job !== 'object') throw new TypeError(`${API}: job must be an object; got ${String(job)}`);
  if (job.task !== 'text' && job.task !== 'addition') {
    throw new TypeError(`${API}: job.task must be 'text' or 'addition'; got ${JSON.stringify((job as { task?: unknown }).task)}`);
  }
  const j = job as unknown as Partial<Omit<TextJob, 'task'> & Omit<AdditionJob, 'task'>> & Record<string, unknown>;
  const text = job.task === 'text';
  const int = (field: string, dflt: number, lo: number, hi: number): number => {
    const v = j[field] ?? dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
      throw new RangeError(`${API}: job.${field} = ${String(v)} is invalid; expected an integer in [${lo}, ${hi}]`);
    }
    return v;
  };
  const num = (field: string, dflt: number, lo: number, loOpen: boolean): number => {
    const v = j[field] ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || (loOpen ? v <= lo : v < lo)) {
      throw new RangeError(`${API}: job.${field} = ${String(v)} is invalid; expected a finite number ${loOpen ? '>' : '>='} ${lo}`);
    }
    return v;
  };
  const backend = j.backend ?? 'auto';
  if (backend !== 'auto' && backend !== 'wasm' && backend !== 'js') {
    throw new TypeError(`${API}: job.backend must be 'auto', 'wasm' or 'js'; got ${JSON.stringify(backend)}`);
  }
  const testLengths = j.testLengths ?? [8, 16, 32, 64];
  if (!Array.isArray(testLengths) || testLengths.length === 0 || testLengths.some((n) => !Number.isInteger(n) || n < 1 || n > 10_000)) {
    throw new RangeError(`${API}: job.testLengths must be a non-empty array of integers in [1, 10000]`);
  }
  const mo = j.modelOptions ?? {};
  if (mo === null || typeof mo !== 'object') throw new TypeError(`${API}: job.modelOptions must be an object`);
  return {
    task: job.task,
    steps: int('steps', 500, 1, 1e9),
    timeBudgetMs: j.timeBudgetMs === undefined ? Infinity : num('timeBudgetMs', 0, 0, true),
    batchSize: int('batchSize', 16, 1, 4096),
    hiddenSize: int('hiddenSize', text ? 128 : 64, 1, 4096),
    learningRate: num('learningRate', text ? 0.1 : 0.01, 0, true),
    seed: int('seed', 1, -(2 ** 31), 2 ** 32),
    backend,
    modelOptions: mo as Record<string, unknown>,
    progressIntervalMs: num('progressIntervalMs', 100, 1, false),
    snapshotEvery: int('snapshotEvery', 0, 0, 1e9),
    seqLength: int('seqLength', 32, 1, 100_000),
    sampleEvery: int('sampleEvery', 0, 0, 1e9),
    sampleLength: int('sampleLength', 200, 1, 100_000),
    temperature: num('temperature', 0.8, 0, false),
    maxDigits: int('maxDigits', 8, 1, 1000),
    testLengths,
    testCount: int('testCount', 100, 1, 100_000),
    evalEvery: int('evalEvery', 200, 0, 1e9),
    exampleLength: int('exampleLength', Math.max(...testLengths), 1, 10_000),
  };
}

const now = () => performance.now();

/**
 * The characters (index = token id) a checkpoint's metadata names: `vocab` (saved by a text job), or the character
 * Vocabulary of `simple-rnn train` (reserved ids: pad -> '', unk -> U+FFFD, eos -> a line break). Undefined when
 * there is none; a word-level vocabulary is an error (the text job samples characters).
 */
export function vocabularyOf(meta: unknown): string[] | undefined {
  const m = meta as { vocab?: unknown; format?: unknown; vocabulary?: unknown } | null | undefined;
  if (Array.isArray(m?.vocab) && m.vocab.every((c) => typeof c === 'string')) return m.vocab as string[];
  if (m?.format !== 'simple-rnn/cli-train' || m.vocabulary === undefined) return undefined;
  const v = Vocabulary.fromJSON(m.vocabulary as VocabularyJSON);
  if (v.tokenizer.level !== 'char') {
    throw new RangeError(`SimpleRNN.Trainer.load: the checkpoint's vocabulary is ${v.tokenizer.level}-level; only character models can be sampled here`);
  }
  return Array.from({ length: v.size }, (_, id) => (id === PAD_ID ? '' : id === UNK_ID ? '\uFFFD' : id === EOS_ID ? '\n' : v.tokenOf(id)));
}

const yieldToMessages = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function paramBuffers(p: Params): ArrayBuffer[] {
  return Object.values(p).map((a) => (a as Float32Array).buffer as ArrayBuffer);
}

/** Runs the worker's message loop on an endpoint. */
export function serve(ep: WorkerEndpoint): void {
  let model: SimpleRNN | null = null;
  let corpus: Corpus | null = null;
  let job: Resolved | null = null;
  let running = false;
  let stopRequested = false;
  let disposeRequested = false;
  let step = 0;
  const disposeModel = () => {
    model?.dispose();
    model = null;
    corpus = null;
  };

  const post = (m: WorkerMessage, transfer?: Transferable[]) => ep.post(m, transfer);
  const fail = (e: unknown, id?: number) => {
    const err = e instanceof Error ? e : new Error(String(e));
    post({ type: 'error', name: err.name, message: err.message, ...(id === undefined ? {} : { id }) });
  };

  /** Text from model.generate (the wasm sampler). Without a prompt it starts after a newline (or the text's first character). */
  const sampleText = (prompt: string, length: number, temperature: number, seed: number, topK = 0): string => {
    if (!model || !corpus) throw new Error('SimpleRNN.Trainer.sample: no text model yet; start a text job first');
    const { vocab, tokens } = corpus;
    const id = new Map(vocab.map((c, k) => [c, k]));
    const promptIds = Array.from(prompt, (c, t) => {
      const k = id.get(c);
      if (k === undefined) throw new RangeError(`SimpleRNN.Trainer.sample: prompt[${t}] = ${JSON.stringify(c)} is not in the training text's vocabulary`);
      return k;
    });
    if (promptIds.length === 0) promptIds.push(id.get('\n') ?? (tokens.length > 0 ? tokens[0] : 0));
    const out = model.generate({ prompt: promptIds, length, temperature, topK, seed });
    return out.map((k) => vocab[k]).join('');
  };

  const evaluateAddition = (o: Resolved): WorkerMessage => {
    const rng = new Rng(o.seed + 7919); // the same test sums at every evaluation
    const accuracy: { length: number; accuracy: number }[] = [];
    let example: { a: string; b: string; predicted: string; expected: string } | undefined;
    for (const n of o.testLengths) {
      const sums = Array.from({ length: o.testCount }, () => randomExample(rng, n));
      const encoded = sums.map(encodeAddition);
      const out = model!.predict(encoded.map((e) => e.x)) as number[][][];
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

  const run = async (rawJob: Job, text: string | undefined): Promise<void> => {
    const o = resolveJob(rawJob);
    const { backend, reason } = resolveBackend(o.backend);
    const fixed: SimpleRNNOptions = { hiddenSize: o.hiddenSize, outputSize: 2, returnSequences: true, backend, seed: o.seed, learningRate: o.learningRate };
    if (o.task === 'text') {
      corpus = buildCorpus(text as string, o.seqLength);
      Object.assign(fixed, { vocabSize: corpus.vocab.length, outputSize: corpus.vocab.length });
    } else {
      corpus = null;
      Object.assign(fixed, { inputSize: 20, outputSize: 10 });
    }
    model?.dispose();
    model = null;
    const opts = { ...o.modelOptions, ...fixed, activation: 'tanh', outputActivation: 'softmax' } as SimpleRNNOptions;
    model = await SimpleRNN.create(opts);
    job = o;
    step = 0;
    post({ type: 'started', task: o.task, backend, backendReason: reason, paramCount: model.paramCount, vocab: corpus?.vocab, steps: o.steps });

    const rng = new Rng(o.seed + 1); // batches; the model's own rng is left to the model
    const t0 = now();
    let lastLoss = NaN;
    let endReason: 'completed' | 'stopped' | 'time' = 'completed';
    const periodic = (every: number) => every > 0 && step % every === 0;
    while (true) {
      if (stopRequested) {
        endReason = 'stopped';
        break;
      }
      if (step >= o.steps) break;
      if (now() - t0 >= o.timeBudgetMs) {
        endReason = 'time';
        break;
      }
      const sliceStart = now();
      let lossSum = 0;
      let n = 0;
      let tokens = 0;
      do {
        let loss: number;
        if (o.task === 'text') {
          const { inputs, targets } = textBatch(rng, corpus!.tokens, o.batchSize, o.seqLength);
          loss = model.trainBatch(inputs, targets);
          tokens += o.batchSize * o.seqLength;
        } else {
          const inputs: Float32Array[] = [];
          const targets: Int32Array[] = [];
          for (let b = 0; b < o.batchSize; b++) {
            const { x, y } = encodeAddition(randomExample(rng, 1 + rng.int(o.maxDigits)));
            inputs.push(x);
            targets.push(Int32Array.from(y));
            tokens += y.length;
          }
          loss = model.trainBatch(inputs, targets);
        }
        step++;
        n++;
        lossSum += loss;
        if (periodic(o.sampleEvery) || periodic(o.snapshotEvery) || (o.task === 'addition' && periodic(o.evalEvery))) break;
      } while (step < o.steps && now() - sliceStart < o.progressIntervalMs);
      const dt = (now() - sliceStart) / 1000;
      lastLoss = lossSum / n;
      post({ type: 'progress', step, steps: o.steps, loss: lastLoss, tokensPerSecond: dt > 0 ? tokens / dt : 0, elapsedMs: now() - t0 });
      if (o.task === 'text' && periodic(o.sampleEvery)) {
        post({ type: 'sample', id: 0, step, temperature: o.temperature, text: sampleText('', o.sampleLength, o.temperature, o.seed + step) });
      }
      if (o.task === 'addition' && periodic(o.evalEvery)) post(evaluateAddition(o));
      if (periodic(o.snapshotEvery)) {
        const params = model.getParams();
        post({ type: 'snapshot', step, params }, paramBuffers(params));
      }
      await yieldToMessages();
    }
    if (o.task === 'addition' && !periodic(o.evalEvery)) post(evaluateAddition(o));
    const params = model.getParams();
    const checkpoint = model.save({ task: o.task, vocab: corpus?.vocab });
    const transfer = [...paramBuffers(params), checkpoint.buffer as ArrayBuffer];
    post({
      type: 'done', reason: endReason, step, loss: lastLoss, elapsedMs: now() - t0,
      modelOptions: { ...opts }, params, checkpoint, vocab: corpus?.vocab,
    }, transfer);
  };

  const loadCheckpoint = async (bytes: Uint8Array) => {
    const next = await SimpleRNN.load(bytes);
    let vocab: string[] | undefined;
    try {
      vocab = vocabularyOf(next.metadata);
    } catch (e) {
      next.dispose();
      throw e;
    }
    if (vocab && vocab.length !== next.config.vocabSize) {
      next.dispose();
      throw new RangeError(`SimpleRNN.Trainer.load: the checkpoint's metadata has ${vocab.length} characters but the model has vocabSize ${next.config.vocabSize}`);
    }
    disposeModel();
    model = next;
    corpus = vocab ? { vocab, tokens: new Int32Array(0) } : null;
    step = next.stepCount;
    const { backend, seed, hiddenSize, outputSize, inputSize, vocabSize, returnSequences } = next.config;
    const modelOptions: SimpleRNNOptions = { backend, seed, hiddenSize, outputSize, returnSequences, ...(vocabSize ? { vocabSize } : { inputSize }) };
    return { type: 'loaded' as const, paramCount: next.paramCount, stepCount: step, vocab, modelOptions };
  };

  const handle = (msg: HostMessage) => {
    switch (msg?.type) {
      case 'start':
        if (running) {
          fail(new Error('SimpleRNN.Trainer.start: a job is already running in this worker; stop() it first'));
          return;
        }
        running = true;
        stopRequested = false;
        disposeRequested = false;
        run(msg.job, msg.text)
          .catch((e) => fail(e))
          .finally(() => {
            running = false;
            if (disposeRequested) disposeModel();
          });
        return;
      case 'stop':
        stopRequested = true;
        return;
      case 'sample':
        try {
          const temperature = msg.temperature ?? job?.temperature ?? 0.8;
          const text = sampleText(msg.prompt ?? '', msg.length ?? job?.sampleLength ?? 200, temperature, msg.seed ?? step + 1, msg.topK);
          post({ type: 'sample', id: msg.id, step, text, temperature });
        } catch (e) {
          fail(e, msg.id);
        }
        return;
      case 'load':
        if (running) {
          fail(new Error('SimpleRNN.Trainer.load: a job is running in this worker; stop() it first'), msg.id);
          return;
        }
        loadCheckpoint(msg.checkpoint).then(
          (e) => post({ ...e, id: msg.id }),
          (e) => fail(e, msg.id),
        );
        return;
      case 'dispose':
        stopRequested = true;
        if (running) disposeRequested = true; // the job ends at its next batch boundary, then the model is freed
        else disposeModel();
        return;
      default:
        fail(new TypeError(`SimpleRNN.Trainer: unknown message type ${JSON.stringify((msg as { type?: unknown })?.type)}`));
    }
  };
  ep.listen(handle);
}
