// `simple-rnn train --text FILE`: a language model on a text file (characters; the tokenizer decides), trained by
// truncated BPTT with carried state (model.fitStream over the segments of lm.ts), with a progress bar, a validation
// split, samples now and then, atomic checkpoints, Ctrl-C that saves, and --resume that continues exactly. The model
// may be deep (--layers, a --hidden-size per layer, dropout); it reads forward only, as a next-token model must.
import { crc32 } from '../checkpoint.js';
import { MAX_LAYERS } from '../config.js';
import { SimpleRNN } from '../model.js';
import { OPTIMIZER_TYPES, type OptimizerType } from '../optim.js';
import { UsageError, flag, type Command, type Values } from './args.js';
import { checkFiles, readText, writeAtomic } from './files.js';
import { Segments, defaultPrompt, loadCheckpoint, windowedLoss } from './lm.js';
import { RUN_FLAGS, decayedRate, type RunModel, type TrainMetadata } from './metadata.js';
import { smooth, svgChart } from './plot.js';
import { Progress, duration, si } from './progress.js';
import { onInterrupt } from './signals.js';
import { LEVELS, buildTokenizer, type Tokenizer } from './tokenizer.js';
import { continueSentence } from '../text/lm.js';
import { loadPretrainedEmbeddings, parseWordVectors, type WordVectors } from '../text/vectors.js';

/** Learning rates that work for a character model with each update rule (the loss is a mean per token). */
const DEFAULT_LR: Record<OptimizerType, number> = {
  sgd: 1, momentum: 0.1, nesterov: 0.1, adam: 0.002, adamw: 0.002, rmsprop: 0.001, adagrad: 0.1,
};

// Options that shape the run have no default in the table, so that --resume can tell what was given (and refuse
// it: a resumed run keeps the settings it was started with). Their defaults are in RUN_DEFAULTS and in the help.
const RUN_DEFAULTS = { level: 'char', hiddenSize: 128, seqLength: 64, batchSize: 32, chunks: 8, optimizer: 'adam', clipNorm: 5, valSplit: 0.1, seed: 1 };

const options = {
  text: { kind: 'string', value: 'FILE', help: 'training text (UTF-8); its last --val-split is held out' },
  level: { kind: 'string', choices: LEVELS, help: 'what a token is: a character, or a word (see README "Words") [default: char]' },
  embeddingSize: { kind: 'int', min: 1, max: 4096, help: 'D, size of the trained token vectors (an embedding layer) [default: 64 for word, none for char]' },
  minCount: { kind: 'int', min: 1, help: 'tokens seen fewer times become <unk> [default: 2 for word, 1 for char]' },
  maxVocab: { kind: 'int', min: 4, help: 'at most this many ids (the most frequent tokens, <pad> <unk> <eos> included) [default: no limit]' },
  vectors: { kind: 'string', value: 'FILE', help: 'word level: start the embedding layer from pretrained vectors (GloVe / word2vec text format)' },
  freezeEmbeddings: { kind: 'boolean', help: 'keep the embedding layer fixed (pretrained --vectors)' },
  layers: RUN_FLAGS.layers,
  hiddenSize: RUN_FLAGS.hiddenSize,
  dropout: RUN_FLAGS.dropout,
  inputDropout: RUN_FLAGS.inputDropout,
  recurrentDropout: RUN_FLAGS.recurrentDropout,
  bidirectional: { kind: 'boolean', help: 'refused: a reverse direction would read each chunk from its end and see the tokens it must predict' },
  merge: { kind: 'string', choices: ['concat', 'sum', 'mul', 'ave'], help: 'how --bidirectional joins its directions (refused with it)' },
  seqLength: RUN_FLAGS.seqLength,
  batchSize: RUN_FLAGS.batchSize,
  chunks: RUN_FLAGS.chunks,
  optimizer: { kind: 'string', choices: OPTIMIZER_TYPES, help: 'update rule [default: adam]' },
  lr: { kind: 'float', min: 0, help: 'learning rate [default: 0.002 for adam/adamw, 0.001 rmsprop, 0.1 adagrad/momentum, 1 sgd]' },
  clipNorm: { kind: 'float', min: 0, help: 'clip the global gradient norm to this; 0: off [default: 5]' },
  clipValue: { kind: 'float', min: 0, help: 'clip every gradient element to [-v, v] [default: off]' },
  valSplit: RUN_FLAGS.valSplit,
  seed: RUN_FLAGS.seed,
  epochs: { kind: 'int', min: 1, help: 'stop after this many passes over the text in all [default: 10, unless --time or --steps]' },
  time: { kind: 'seconds', min: 0, help: 'stop after this much training time in this run, e.g. 90s, 10m, 1h' },
  steps: { kind: 'int', min: 1, help: 'stop once this many steps are done in all (counting those before --resume)' },
  checkpoint: { kind: 'string', default: 'model.rnn', value: 'FILE', help: 'the checkpoint, written atomically' },
  checkpointEvery: { kind: 'seconds', default: 60, min: 0, help: 'seconds between checkpoints (one is always written at the end)' },
  resume: { kind: 'boolean', help: 'continue the run saved in --checkpoint exactly where it stopped' },
  sampleEvery: { kind: 'seconds', default: 30, min: 0, help: 'seconds between printed samples; 0: none' },
  sampleLength: { kind: 'int', default: 200, min: 1, max: 100000, help: 'tokens per printed sample' },
  backend: { kind: 'string', choices: ['wasm', 'js'], help: 'wasm (SIMD) or js (the pure-JS reference) [default: wasm]' },
  threads: { kind: 'int', min: 1, max: 64, help: 'train data-parallel on this many threads (same results within f32 rounding) [default: 1]' },
  simd: { kind: 'string', choices: ['strict', 'relaxed'], help: 'relaxed: the relaxed-SIMD build, fused multiply-adds (1.15-1.3x faster; the last bits differ between CPUs) [default: strict]' },
  plot: { kind: 'string', value: 'FILE.svg', help: 'write the training and validation loss curves as an SVG chart' },
  decay: { kind: 'string', choices: ['none', 'cosine'], help: 'learning-rate curve: cosine anneals --lr to a tenth over the run (its --steps, --epochs or --time) [default: none]' },
  preset: { kind: 'string', choices: ['fast'], help: 'fast: --hidden-size 256 --seq-length 32 --lr 0.004 --decay cosine --recurrent-dropout 0.1 --threads 2 (given flags win; see docs/time-to-quality.md)' },
} as const;

/** The presets: flags a --preset stands for (the flags given beside it win). */
const PRESETS: Record<string, Partial<TrainValues>> = {
  fast: { hiddenSize: [256], seqLength: 32, lr: 0.004, decay: 'cosine', recurrentDropout: 0.1, threads: 2 },
};

/** The cosine's floor: the rate at the end of the run, as a fraction of --lr. */
const DECAY_FLOOR = 0.1;

type TrainValues = Values<typeof options>;

export const trainCommand: Command<typeof options> = {
  name: 'train',
  usage: 'train --text FILE [options]',
  summary:
    'Trains a character-level (--level word: word-level) language model on a text file: batch-size parallel tracks\n' +
    'through the text, chunks of seq-length tokens with the state carried from chunk to chunk (truncated BPTT).\n' +
    'Stopping, checkpoints and Ctrl-C take effect between segments (batch-size x seq-length x chunks tokens),\n' +
    'which is what lets --resume continue exactly: the same steps as an uninterrupted run, bit for bit.',
  options,
  epilog:
    'Examples:\n' +
    '  simple-rnn train --text input.txt --time 5m --checkpoint shakespeare.rnn --plot loss.svg\n' +
    '  simple-rnn train --text input.txt --checkpoint shakespeare.rnn --resume --time 5m\n' +
    '  simple-rnn train --text input.txt --layers 2 --hidden-size 256,128 --dropout 0.2 --time 10m --checkpoint deep.rnn\n' +
    '  simple-rnn train --text input.txt --level word --min-count 3 --time 10m --checkpoint words.rnn',
};

const SHAPING = [
  'preset', 'decay', 'level', 'embeddingSize', 'minCount', 'maxVocab', 'vectors', 'freezeEmbeddings', 'layers', 'hiddenSize', 'dropout', 'inputDropout',
  'recurrentDropout', 'bidirectional', 'merge', 'seqLength', 'batchSize', 'chunks', 'optimizer', 'lr', 'clipNorm', 'clipValue', 'valSplit', 'seed',
] as const;

/**
 * The model's shape from the flags, checked before any file is read: the layers (given, or one per --hidden-size),
 * a size for each, and the dropout rates where they apply. A bidirectional model is refused: train fits a next-token
 * model on a stream with carried state (fitStream), and a reverse direction would read each chunk from its end, so it
 * would see the tokens it is asked to predict (and could neither carry a state nor generate).
 */
function runModelOf(o: TrainValues): RunModel {
  if (o.bidirectional || o.merge !== undefined) {
    throw new UsageError(
      `train: ${o.bidirectional ? '--bidirectional' : '--merge (it joins the directions of --bidirectional)'} is refused: train fits a next-token model ` +
        'on a stream with carried state, and a reverse direction would read each chunk from its end, seeing the tokens it must predict; use --layers for depth',
    );
  }
  const sizes = o.hiddenSize ?? [RUN_DEFAULTS.hiddenSize];
  if (sizes.length > MAX_LAYERS) throw new UsageError(`train: --hidden-size gives ${sizes.length} sizes; a model has at most ${MAX_LAYERS} layers`);
  const layers = o.layers ?? sizes.length;
  if (sizes.length > 1 && sizes.length !== layers) {
    throw new UsageError(`train: --hidden-size ${sizes.join(',')} gives ${sizes.length} sizes but --layers is ${layers}; give one size for every layer, or one per layer`);
  }
  const dropout = o.dropout ?? 0;
  if (dropout > 0 && layers < 2) {
    throw new UsageError('train: --dropout drops the states passed between layers, so it needs --layers 2 or more; with one layer use --recurrent-dropout');
  }
  const inputDropout = o.inputDropout ?? 0;
  if (inputDropout > 0 && o.level !== 'word' && o.embeddingSize === undefined) {
    throw new UsageError('train: --input-dropout drops token vectors, so it needs an embedding layer (--level word, or --embedding-size N)');
  }
  return { layers, hiddenSize: sizes.length === 1 ? sizes[0] : sizes, dropout, inputDropout, recurrentDropout: o.recurrentDropout ?? 0 };
}

/** The model settings for the model line and the plot: `H=128`, or `2 layers, H=256,128, dropout 0.2`. */
function describeModel(c: Pick<SimpleRNN['config'], 'layers' | 'hiddenSize' | 'dropout' | 'inputDropout' | 'recurrentDropout'>): string {
  const parts = [`${c.layers > 1 ? `${c.layers} layers, ` : ''}H=${[c.hiddenSize].flat().join(',')}`];
  if (c.dropout) parts.push(`dropout ${c.dropout}`);
  if (c.inputDropout) parts.push(`input dropout ${c.inputDropout}`);
  if (c.recurrentDropout) parts.push(`recurrent dropout ${c.recurrentDropout}`);
  return parts.join(', ');
}

interface Run {
  model: SimpleRNN;
  tokenizer: Tokenizer;
  meta: TrainMetadata;
}

async function startRun(o: TrainValues, shape: RunModel, text: string, textCrc: number): Promise<Run> {
  const r = { ...RUN_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as typeof RUN_DEFAULTS & TrainValues;
  const word = r.level === 'word';
  const tokenizer = buildTokenizer(r.level, text, { minCount: r.minCount ?? (word ? 2 : 1), maxSize: r.maxVocab });
  const optimizer = r.optimizer as OptimizerType;
  let vectors: WordVectors | undefined;
  if (r.vectors !== undefined) {
    if (!word) throw new UsageError('train: --vectors needs --level word');
    vectors = parseWordVectors(readText('vectors', '--vectors', r.vectors), { vocabulary: tokenizer.vocab });
    if (r.embeddingSize !== undefined && r.embeddingSize !== vectors.dim) {
      throw new UsageError(`train: --embedding-size ${r.embeddingSize} differs from the size of the vectors in ${r.vectors} (${vectors.dim}); leave it out`);
    }
  }
  const embeddingSize = vectors?.dim ?? r.embeddingSize ?? (word ? 64 : undefined);
  if (r.freezeEmbeddings && !embeddingSize) throw new UsageError('train: --freeze-embeddings needs an embedding layer (--level word, or --embedding-size)');
  const model = await SimpleRNN.create({
    vocabSize: tokenizer.vocabSize, ...(embeddingSize ? { embeddingSize } : {}), ...(r.freezeEmbeddings ? { freezeEmbeddings: true } : {}),
    ...shape, outputSize: tokenizer.vocabSize, returnSequences: true,
    seed: r.seed, backend: (r.backend ?? 'wasm') as 'wasm' | 'js', threads: o.threads ?? 1, simd: (o.simd ?? 'strict') as 'strict' | 'relaxed',
    optimizer, learningRate: r.lr ?? DEFAULT_LR[optimizer],
    ...(r.clipNorm > 0 ? { clipNorm: r.clipNorm } : {}), ...(r.clipValue ? { clipValue: r.clipValue } : {}),
  });
  if (vectors) {
    const c = loadPretrainedEmbeddings(model, tokenizer.vocab, vectors);
    process.stdout.write(
      `${r.vectors}: vectors of size ${vectors.dim} for ${c.found} of ${c.total} words (${(100 * c.fraction).toFixed(1)}%)` +
        `${c.missing.length ? `; none for e.g. ${c.missing.slice(0, 5).join(', ')}` : ''}${r.freezeEmbeddings ? '; frozen' : ''}\n`,
    );
  }
  const meta: TrainMetadata = {
    format: 'simple-rnn/cli-train',
    version: 1,
    vocabulary: tokenizer.toJSON(),
    cursor: { segment: 0, steps: 0, seconds: 0 },
    run: {
      text: o.text!, textCrc, textTokens: 0, level: r.level, valSplit: r.valSplit, seqLength: r.seqLength,
      batchSize: r.batchSize, chunks: r.chunks, seed: r.seed, optimizer, ...shape,
    },
    history: { train: [], val: [] },
  };
  return { model, tokenizer, meta };
}

async function resumeRun(o: TrainValues, textCrc: number): Promise<Run> {
  const given = SHAPING.filter((k) => o[k] !== undefined).map((k) => `--${flag(k)}`);
  if (given.length > 0) {
    throw new UsageError(`train: --resume continues with the settings the run started with; drop ${given.join(', ')}`);
  }
  const run = await loadCheckpoint('--checkpoint', o.checkpoint, { backend: o.backend as 'wasm' | 'js' | undefined, threads: o.threads, simd: o.simd as 'strict' | 'relaxed' | undefined, resume: true });
  if (run.meta.run.textCrc !== textCrc) {
    run.model.dispose();
    throw new UsageError(`train: ${o.text} is not the text ${o.checkpoint} was trained on (${run.meta.run.text}); --resume needs the same text`, 1);
  }
  return run;
}

export async function runTrain(given: TrainValues): Promise<number> {
  if (!given.text) throw new UsageError('train: --text FILE is required (see simple-rnn train --help)');
  if (given.preset !== undefined && given.resume) throw new UsageError('train: --resume continues with the settings the run started with; drop --preset');
  const preset = given.preset !== undefined ? PRESETS[given.preset] : {};
  const o: TrainValues & { text: string } = { ...given, text: given.text };
  for (const [k, v] of Object.entries(preset)) if ((o as Record<string, unknown>)[k] === undefined) (o as Record<string, unknown>)[k] = v;
  const shape = o.resume ? null : runModelOf(o); // --resume refuses these flags (resumeRun)
  checkFiles('train', [
    { flag: '--text', path: o.text, read: true },
    { flag: '--vectors', path: o.vectors, read: true },
    { flag: '--checkpoint', path: o.checkpoint, read: o.resume, write: true },
    { flag: '--plot', path: o.plot, write: true },
  ]);
  const text = readText('text', '--text', o.text);
  const textCrc = crc32(new TextEncoder().encode(text));
  const { model, tokenizer: tok, meta } = o.resume ? await resumeRun(o, textCrc) : await startRun(o, shape!, text, textCrc);
  try {
    return await train(o, model, tok, meta, text);
  } finally {
    model.dispose();
  }
}

async function train(o: TrainValues, model: SimpleRNN, tok: Tokenizer, meta: TrainMetadata, text: string): Promise<number> {
  const run = meta.run;
  const cursor = meta.cursor;
  const history = meta.history;
  const ids = tok.encode(text);
  run.textTokens = ids.length;
  const nVal = Math.floor(ids.length * run.valSplit);
  const trainIds = ids.subarray(0, ids.length - nVal);
  const valIds = ids.subarray(ids.length - nVal);
  const seg = new Segments(trainIds, run.batchSize, run.seqLength, run.chunks);
  if (seg.count < 1) {
    throw new UsageError(
      `train: ${o.text} has ${trainIds.length} training ${tok.unit}s, too few for --batch-size ${run.batchSize} x --seq-length ${run.seqLength} ` +
        `(needs at least ${run.batchSize * run.seqLength + 1}); lower them`,
    );
  }
  const stepsPerEpoch = seg.stepsPerEpoch;
  const epochs = o.epochs ?? (o.time !== undefined || o.steps !== undefined ? Infinity : 10);
  const maxSteps = Math.min(o.steps ?? Infinity, epochs * stepsPerEpoch);
  const budget = o.time ?? Infinity;
  if (o.decay === 'cosine' && !o.resume) {
    // the curve is the run's: fixed here from its bounds, stored, and followed again by --resume
    run.decay = { type: 'cosine', lr: model.training.learningRate, floor: DECAY_FLOOR, maxSteps: Number.isFinite(maxSteps) ? maxSteps : 0, maxSeconds: Number.isFinite(budget) ? budget : 0 };
  }
  const window = run.seqLength * run.chunks; // the context a segment's tracks see
  const out = process.stdout;
  const t = model.training;
  out.write(
    `${o.text}: ${si(ids.length)} ${tok.unit}s, vocabulary ${tok.vocabSize}; training on ${si(trainIds.length)}, validating on ${si(valIds.length)}\n` +
      `model: ${describeModel(model.config)}, ${si(model.paramCount)} parameters; ${t.optimizer.type} lr ${run.decay ? `${run.decay.lr} with a cosine decay to ${run.decay.lr * run.decay.floor}` : t.learningRate}` +
      `${t.clipNorm ? `, clip-norm ${t.clipNorm}` : ''}${t.clipValue ? `, clip-value ${t.clipValue}` : ''}; ` +
      `${run.batchSize} tracks x ${run.seqLength} steps, ${stepsPerEpoch} steps per epoch` +
      `${model.threads > 1 ? `; ${model.threads} threads` : model.threadsFallback ? `; 1 thread (${model.threadsFallback})` : ''}` +
      `${model.simd === 'relaxed' ? '; relaxed SIMD' : model.simdFallback ? `; strict SIMD (${model.simdFallback})` : ''}\n` +
      (o.resume ? `resuming at step ${cursor.steps} (epoch ${Math.floor(cursor.segment / seg.count) + 1}) from ${o.checkpoint}\n` : ''),
  );
  if (cursor.steps >= maxSteps) {
    out.write(`Nothing to do: the run is already at step ${cursor.steps} (the limit is ${maxSteps}).\n`);
    return 0;
  }

  const progress = new Progress({ label: 'train', total: 1000, fields: `epoch {epoch} | step {step} | loss {loss} nats/${tok.unit} | val {val} | {speed} tok/s | ETA {eta}` });
  const abort = new AbortController();
  const release = onInterrupt(() => abort.abort());
  const t0 = performance.now();
  const seconds0 = cursor.seconds;
  const startSteps = cursor.steps;
  let lastCheckpoint = t0;
  let lastSample = t0;
  let ema = history.train.at(-1)?.[1] ?? NaN;
  let val = history.val.at(-1)?.[1] ?? NaN;
  let saved = false;
  const elapsed = () => (performance.now() - t0) / 1000;
  const tokensPerStep = run.batchSize * run.seqLength;
  const show = (step: number) => {
    const secs = elapsed();
    const perStep = secs / Math.max(1, step - startSteps);
    const eta = Math.min(budget - secs, (maxSteps - step) * perStep);
    const done = Number.isFinite(maxSteps) ? (step - startSteps) / (maxSteps - startSteps) : 0;
    const fraction = Math.max(done, Number.isFinite(budget) ? secs / budget : 0);
    progress.update(Math.min(1000, Math.round(1000 * fraction)), {
      epoch: Math.floor(step / stepsPerEpoch) + 1,
      step: Number.isFinite(maxSteps) ? `${step}/${maxSteps}` : step,
      loss: Number.isNaN(ema) ? '-' : ema.toFixed(3),
      val: Number.isNaN(val) ? '-' : val.toFixed(3),
      speed: si(((step - startSteps) * tokensPerStep) / secs),
      eta: duration(eta),
    });
  };
  const validate = () => {
    if (valIds.length < 2) return;
    val = windowedLoss(model, valIds, window);
    history.val.push([cursor.steps, val]);
  };
  const save = () => {
    cursor.seconds = seconds0 + elapsed();
    writeAtomic('--checkpoint', o.checkpoint, model.save(meta));
    lastCheckpoint = performance.now();
    saved = true;
  };
  const sample = () => {
    let text: string;
    if (tok.level === 'word') {
      // sentences from a sentence start, never <pad> or <unk> (as simple-rnn sample does for a word model)
      text = continueSentence(model, tok.vocab, '', { maxTokens: o.sampleLength, temperature: 0.8, seed: run.seed + cursor.steps, stopAtEos: false }).text;
    } else {
      const prompt = defaultPrompt(tok);
      const s = model.generate({ prompt, length: o.sampleLength, temperature: 0.8, seed: run.seed + cursor.steps });
      text = tok.decode(prompt) + tok.decode(s);
    }
    progress.log(`--- sample at step ${cursor.steps} (temperature 0.8) ---\n${text}\n---`);
  };

  try {
    if (cursor.steps === 0) validate();
    while (cursor.steps < maxSteps && !abort.signal.aborted && elapsed() < budget) {
      const k = cursor.segment % seg.count;
      let sum = 0;
      let n = 0;
      // --decay: this segment's rate on the run's curve (steps and seconds of training done before it)
      const lr = run.decay ? decayedRate(run.decay, cursor.steps, seconds0 + elapsed()) : undefined;
      await model.fitStream(seg.tokens(k), {
        seqLength: run.seqLength,
        batchSize: run.batchSize,
        epochs: 1,
        ...(lr !== undefined ? { learningRate: lr } : {}),
        callbacks: {
          onBatchEnd: (_batch, logs) => {
            if (!logs.skipped) {
              sum += logs.loss;
              n++;
              ema = Number.isNaN(ema) ? logs.loss : 0.9 * ema + 0.1 * logs.loss;
            }
            show(cursor.steps + logs.batch + 1);
          },
        },
      });
      cursor.segment++;
      cursor.steps += seg.steps(k);
      if (n > 0) history.train.push([cursor.steps, sum / n]);
      if (cursor.segment % seg.count === 0) validate();
      show(cursor.steps);
      const now = performance.now();
      if (o.sampleEvery > 0 && now - lastSample >= o.sampleEvery * 1000) {
        if (history.val.at(-1)?.[0] !== cursor.steps) validate();
        sample();
        lastSample = performance.now();
      }
      if (o.checkpointEvery > 0 && now - lastCheckpoint >= o.checkpointEvery * 1000) save();
    }
    if (history.val.at(-1)?.[0] !== cursor.steps) validate();
    show(cursor.steps);
  } finally {
    // after an error the segment in progress is half applied: keep the last checkpoint as it is
    progress.stop();
    release();
  }
  if (cursor.steps > startSteps || !saved) save();
  const secs = elapsed();
  const interrupted = abort.signal.aborted;
  out.write(
    `${interrupted ? 'Interrupted' : 'Stopped'} at step ${cursor.steps}, epoch ${Math.floor(cursor.segment / seg.count) + 1} ` +
      `(${duration(secs)} in this run, ${si(((cursor.steps - startSteps) * tokensPerStep) / secs)} tokens/s): ` +
      `training loss ${ema.toFixed(3)} nats/${tok.unit}` +
      (Number.isNaN(val) ? '' : `, validation ${val.toFixed(3)} (perplexity ${Math.exp(val).toFixed(2)})`) + '\n' +
      `Saved ${o.checkpoint}; continue with: simple-rnn train --text ${o.text} --checkpoint ${o.checkpoint} --resume\n`,
  );
  if (o.plot) {
    writeAtomic('--plot', o.plot, trainChart(history, tok.unit, `${run.text}: ${describeModel(model.config)}, ${run.optimizer}, ${run.batchSize} tracks x ${run.seqLength} steps`));
    out.write(`Wrote the loss curves to ${o.plot}\n`);
  }
  return interrupted ? 130 : 0;
}

export function trainChart(h: TrainMetadata['history'], unit: string, subtitle: string): string {
  return svgChart(
    [
      { name: 'training loss', points: h.train, color: '#0969da', width: 1, opacity: 0.3, legend: false },
      { name: 'training loss (smoothed)', points: smooth(h.train, 0.03), color: '#0969da', width: 2.2 },
      { name: 'validation loss', points: h.val, color: '#cf222e', width: 2, markers: h.val.length <= 60 },
    ],
    { title: 'Language model training', subtitle, xLabel: 'training step', yLabel: `loss (nats per ${unit})`, yScale: 'linear' },
  );
}
