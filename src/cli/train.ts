// `simple-rnn train --text FILE`: a character-level language model, trained as char-rnn trains (parallel tracks
// through the text, chunks of --seq-length steps), with a progress bar, a validation split, samples now and then,
// atomic checkpoints, Ctrl-C that saves, and --resume.
import { SimpleRNN } from '../model.js';
import { Rng } from '../random.js';
import { UsageError, type Command, type Values } from './args.js';
import { checkWritable, readText, writeAtomic } from './files.js';
import { Tracks, sampleTokens, streamLoss } from './lm.js';
import { smooth, svgChart } from './plot.js';
import { Progress, duration, si, yieldToEventLoop } from './progress.js';
import { onInterrupt } from './signals.js';
import { LEVELS, buildTokenizer, type Tokenizer } from './tokenizer.js';

const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const;

const options = {
  text: { kind: 'string', value: 'FILE', help: 'training text (UTF-8); the last --val-split of it is held out' },
  level: { kind: 'string', default: 'char', choices: LEVELS, help: 'what a token is' },
  hiddenSize: { kind: 'int', default: 128, min: 1, max: 4096, help: 'H, size of the state' },
  seqLength: { kind: 'int', default: 64, min: 1, max: 100000, help: 'tokens per chunk (truncated BPTT length)' },
  batchSize: { kind: 'int', default: 32, min: 1, max: 4096, help: 'parallel tracks through the text' },
  lr: { kind: 'float', min: 0, help: 'learning rate [default: 0.5]' },
  optimizer: { kind: 'string', default: 'sgd', choices: OPTIMIZERS, help: 'update rule' },
  clipNorm: { kind: 'float', min: 0, help: 'clip the global gradient norm to this' },
  clipValue: { kind: 'float', min: 0, help: 'clip every gradient element to [-v, v]' },
  epochs: { kind: 'int', min: 1, help: 'passes over the training text [default: 10, unless --time or --steps]' },
  time: { kind: 'seconds', min: 0, help: 'time budget, e.g. 90s, 10m or 1h' },
  steps: { kind: 'int', min: 1, help: 'stop after this many steps in all (including those before --resume)' },
  checkpoint: { kind: 'string', default: 'model.rnn', value: 'FILE', help: 'checkpoint written atomically while training' },
  checkpointEvery: { kind: 'seconds', default: 60, min: 0, help: 'seconds between checkpoints (and one at the end)' },
  resume: { kind: 'boolean', help: 'continue the run saved in --checkpoint exactly where it stopped' },
  valSplit: { kind: 'float', default: 0.1, min: 0, max: 0.5, help: 'fraction of the text held out for validation' },
  sampleEvery: { kind: 'seconds', default: 30, min: 0, help: 'seconds between printed samples (0: none)' },
  sampleLength: { kind: 'int', default: 200, min: 1, max: 100000, help: 'tokens per printed sample' },
  seed: { kind: 'int', default: 1, help: 'seed of the initialisation and the samples' },
  backend: { kind: 'string', default: 'wasm', choices: ['wasm', 'js'], help: 'wasm (SIMD) or js (the pure-JS reference)' },
  plot: { kind: 'string', value: 'FILE.svg', help: 'write the loss curves as an SVG chart at the end' },
} as const;

export const trainCommand: Command<typeof options> = {
  name: 'train',
  usage: 'train --text FILE [options]',
  summary: 'Trains a character-level language model on a text file.',
  options,
  epilog:
    'Examples:\n' +
    '  simple-rnn train --text input.txt --time 5m --checkpoint shakespeare.rnn --plot loss.svg\n' +
    '  simple-rnn train --text input.txt --checkpoint shakespeare.rnn --resume --time 5m',
};

interface History {
  /** [step, mean training loss over the steps since the last entry] */
  train: [number, number][];
  /** [step, validation loss] */
  val: [number, number][];
}

export async function runTrain(o: Values<typeof options>): Promise<number> {
  if (!o.text) throw new UsageError('train: --text FILE is required (see simple-rnn train --help)');
  checkWritable('checkpoint', o.checkpoint);
  if (o.plot) checkWritable('plot', o.plot);
  const text = readText('text', o.text);
  const tok: Tokenizer = buildTokenizer(o.level, text);
  const ids = tok.encode(text);
  const nVal = Math.floor(ids.length * o.valSplit);
  const trainIds = ids.subarray(0, ids.length - nVal);
  const valIds = ids.subarray(ids.length - nVal);
  const tracks = new Tracks(trainIds, o.batchSize, o.seqLength);
  if (tracks.stepsPerEpoch < 1) {
    throw new UsageError(
      `train: ${o.text} has ${trainIds.length} training ${tok.unit}s, too few for --batch-size ${o.batchSize} x --seq-length ${o.seqLength} ` +
        `(needs at least ${o.batchSize * o.seqLength + 1}); lower them`,
    );
  }
  const lr = o.lr ?? 0.5;
  const model = await SimpleRNN.create({
    vocabSize: tok.vocabSize, hiddenSize: o.hiddenSize, outputSize: tok.vocabSize, returnSequences: true,
    seed: o.seed, backend: o.backend as 'wasm' | 'js', learningRate: lr,
  });
  const history: History = { train: [], val: [] };
  const epochs = o.epochs ?? (o.time !== undefined || o.steps !== undefined ? Infinity : 10);
  const maxSteps = Math.min(o.steps ?? Infinity, epochs * tracks.stepsPerEpoch);
  const budget = o.time ?? Infinity;
  const out = process.stdout;
  out.write(
    `${o.text}: ${si(ids.length)} ${tok.unit}s, vocabulary ${tok.vocabSize}; training on ${si(trainIds.length)}, ` +
      `validating on ${si(valIds.length)}\n` +
      `model: H=${o.hiddenSize}, ${si(model.paramCount)} parameters; ${o.optimizer} lr ${lr}, ` +
      `${o.batchSize} tracks x ${o.seqLength} steps, ${tracks.stepsPerEpoch} steps per epoch\n`,
  );
  const total = Number.isFinite(maxSteps) ? maxSteps : Math.max(1, tracks.stepsPerEpoch);
  const progress = new Progress({
    label: 'train',
    total,
    fields: `epoch {epoch} | step {value}/{total} | loss {loss} nats/${tok.unit} | val {val} | {speed} tok/s | ETA {eta}`,
  });
  const abort = new AbortController();
  const release = onInterrupt(() => abort.abort());
  const sampleRng = new Rng(o.seed + 1);
  const t0 = performance.now();
  let lastSample = t0;
  let lastYield = t0;
  let step = 0;
  let windowLoss = 0;
  let windowSteps = 0;
  let ema = NaN;
  let val = NaN;
  const validate = () => {
    if (valIds.length > 1) {
      val = streamLoss(model, valIds, o.seqLength);
      history.val.push([step, val]);
    }
  };
  const sample = () => {
    const start = trainIds.subarray(0, 1);
    const s = tok.decode(sampleTokens(model, start, o.sampleLength, 0.8, 0, sampleRng));
    progress.log(`--- sample at step ${step} (temperature 0.8) ---\n${tok.decode(start)}${s}\n---`);
  };
  try {
    while (step < maxSteps && !abort.signal.aborted) {
      const { inputs, targets } = tracks.chunk(step % tracks.stepsPerEpoch);
      const loss = model.trainBatch(inputs, targets);
      step++;
      windowLoss += loss;
      windowSteps++;
      ema = Number.isNaN(ema) ? loss : 0.98 * ema + 0.02 * loss;
      if (step % tracks.stepsPerEpoch === 0) validate();
      const now = performance.now();
      const secs = (now - t0) / 1000;
      if (windowSteps >= 10 || step === maxSteps) {
        history.train.push([step, windowLoss / windowSteps]);
        windowLoss = 0;
        windowSteps = 0;
      }
      const perStep = secs / step;
      const eta = Math.min(budget - secs, (maxSteps - step) * perStep);
      progress.update(Number.isFinite(maxSteps) ? step : step % total, {
        epoch: Math.floor(step / tracks.stepsPerEpoch) + 1,
        loss: ema.toFixed(3),
        val: Number.isNaN(val) ? '-' : val.toFixed(3),
        speed: si((step * o.batchSize * o.seqLength) / secs),
        eta: duration(eta),
      });
      if (o.sampleEvery > 0 && now - lastSample >= o.sampleEvery * 1000) {
        sample();
        lastSample = performance.now();
      }
      if (secs >= budget) break;
      if (now - lastYield > 50) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
    if (history.val.at(-1)?.[0] !== step) validate();
  } finally {
    progress.stop();
    release();
  }
  const secs = (performance.now() - t0) / 1000;
  out.write(
    `${abort.signal.aborted ? 'Interrupted' : 'Done'} after ${step} steps (${duration(secs)}, ` +
      `${si((step * o.batchSize * o.seqLength) / secs)} tokens/s): training loss ${ema.toFixed(3)} nats/${tok.unit}` +
      (Number.isNaN(val) ? '' : `, validation ${val.toFixed(3)} (perplexity ${Math.exp(val).toFixed(2)})`) + '\n',
  );
  if (o.plot) {
    writeAtomic('plot', o.plot, trainChart(history, tok.unit, `${o.text}, H=${o.hiddenSize}, ${o.optimizer}, ${o.batchSize}x${o.seqLength}`));
    out.write(`Wrote the loss curves to ${o.plot}\n`);
  }
  model.dispose();
  return abort.signal.aborted ? 130 : 0;
}

export function trainChart(h: History, unit: string, subtitle: string): string {
  return svgChart(
    [
      { name: 'training loss', points: h.train, color: '#0969da', width: 1, opacity: 0.3, legend: false },
      { name: 'training loss (smoothed)', points: smooth(h.train, 0.9), color: '#0969da', width: 2.2 },
      { name: 'validation loss', points: h.val, color: '#cf222e', width: 2, markers: h.val.length <= 60 },
    ],
    { title: 'Language model training', subtitle, xLabel: 'training step', yLabel: `loss (nats per ${unit})`, yScale: 'linear' },
  );
}
