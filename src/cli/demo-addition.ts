// `simple-rnn demo addition` (and `npm start`): trains the digit-by-digit adder and prints accuracy per length next
// to the training loss curve.
import { ADDITION_DEFAULTS, runAddition, type AdditionResult } from '../demos/addition.js';
import { MAX_LAYERS } from '../config.js';
import { OPTIMIZER_TYPES as OPTIMIZERS } from '../optim.js';
import { UsageError, type Command, type Values } from './args.js';
import { checkWritable, writeAtomic } from './files.js';
import { smooth, svgChart, textPlot } from './plot.js';
import { Progress, duration, si } from './progress.js';
import { onInterrupt } from './signals.js';

const d = ADDITION_DEFAULTS;
const options = {
  epochs: { kind: 'int', default: d.epochs, min: 1, help: 'passes over the training sums' },
  train: { kind: 'int', default: d.trainCount, min: 1, help: 'training sums' },
  trainDigits: { kind: 'int', default: d.trainDigits, min: 1, max: 1000, help: 'longest training number, in digits' },
  batchSize: { kind: 'int', default: d.batchSize, min: 1, max: 4096, help: 'sums per minibatch (grouped by length)' },
  hiddenSize: { kind: 'int', default: d.hiddenSize, min: 1, max: 4096, help: 'H, size of the state (of every layer)' },
  layers: { kind: 'int', default: d.layers, min: 1, max: MAX_LAYERS, help: 'layers stacked' },
  bidirectional: { kind: 'boolean', help: 'every layer also reads the digits most significant first (a reverse direction)' },
  optimizer: { kind: 'string', default: d.optimizer, choices: OPTIMIZERS, help: 'update rule' },
  lr: { kind: 'float', default: d.learningRate, min: 1e-9, help: 'peak learning rate (cosine decay to 0)' },
  clipNorm: { kind: 'float', default: d.clipNorm, min: 1e-9, help: 'clip the global gradient norm to this' },
  test: { kind: 'string', default: d.testLengths.join(','), value: 'N,N,...', help: 'lengths to test, in digits' },
  testCount: { kind: 'int', default: d.testCount, min: 1, help: 'sums tested per length' },
  seed: { kind: 'int', default: d.seed, help: 'seed of the initialisation and the data' },
  backend: { kind: 'string', default: 'wasm', choices: ['wasm', 'js'], help: 'wasm (SIMD) or js (the pure-JS reference)' },
  plot: { kind: 'string', value: 'FILE.svg', help: 'write the loss curves as an SVG chart' },
} as const;

export const additionCommand: Command<typeof options> = {
  name: 'demo addition',
  usage: 'demo addition [options]',
  summary:
    'Trains an RNN to add two numbers digit by digit (least significant first, one step per digit pair, an output\n' +
    'digit at every step) on numbers of at most 8 digits, then tests it on 16, 32, 64 and 100 digits.\n' +
    'A sum counts as right only when every digit is. This is what `npm start` runs.',
  options,
  epilog: 'Example:\n  simple-rnn demo addition --epochs 3 --test 20,200 --plot addition.svg',
};

/** `H=64`, or `2 layers, H=64, bidirectional`. */
const shape = (c: { layers: number; hiddenSize: number; bidirectional: boolean }): string =>
  `${c.layers > 1 ? `${c.layers} layers, ` : ''}H=${c.hiddenSize}${c.bidirectional ? ', bidirectional' : ''}`;

function parseLengths(text: string): number[] {
  const lengths = text.split(',').map((s) => Number(s.trim()));
  if (lengths.some((n) => !Number.isInteger(n) || n < 1 || n > 100000)) {
    throw new UsageError(`demo addition: --test must be a comma-separated list of lengths such as 16,32,64; got "${text}"`);
  }
  return lengths;
}

export async function runAdditionCommand(o: Values<typeof options>): Promise<number> {
  const testLengths = parseLengths(o.test);
  if (o.plot) checkWritable('--plot', o.plot);
  const cfg = {
    trainCount: o.train, epochs: o.epochs, trainDigits: o.trainDigits, batchSize: o.batchSize, hiddenSize: o.hiddenSize,
    layers: o.layers, bidirectional: o.bidirectional ?? false,
    optimizer: o.optimizer as (typeof OPTIMIZERS)[number], learningRate: o.lr, clipNorm: o.clipNorm,
    testLengths, testCount: o.testCount, seed: o.seed, backend: o.backend as 'wasm' | 'js',
  };
  const out = process.stdout;
  out.write(`Learning to add digit by digit (least significant first, one step per digit pair).\n`);
  out.write(
    `Training on ${cfg.trainCount} sums of 1-${cfg.trainDigits} digit numbers, ${cfg.epochs} epochs: ` +
      `${cfg.optimizer} lr ${cfg.learningRate} (cosine), ${shape(cfg)}, ${cfg.backend}, seed ${cfg.seed}.\n`,
  );
  let progress: Progress | null = null;
  const abort = new AbortController();
  const release = onInterrupt(() => abort.abort());
  const t0 = performance.now();
  let ema = NaN;
  let result: AdditionResult;
  try {
    result = await runAddition(cfg, {
      onStep: (step, total, loss) => {
        progress ??= new Progress({ label: 'addition', total, fields: 'step {value}/{total} | loss {loss} | {speed} steps/s | ETA {eta_formatted}' });
        ema = Number.isNaN(ema) ? loss : 0.95 * ema + 0.05 * loss;
        progress.update(step, { loss: ema.toFixed(4), speed: si(step / ((performance.now() - t0) / 1000)) });
      },
      signal: abort.signal,
    });
  } finally {
    (progress as Progress | null)?.stop();
    release();
  }
  if (result.aborted) out.write(`Interrupted after ${result.steps} steps; testing what it learned so far.\n`);
  out.write('\n' + report(result) + '\n');
  if (o.plot) {
    writeAtomic('--plot', o.plot, additionChart(result));
    out.write(`Wrote the loss curves to ${o.plot}\n`);
  }
  const all = result.accuracy.every((r) => r.correct === r.total);
  out.write(
    `Trained in ${duration(result.trainSeconds)} (${si(result.steps / result.trainSeconds)} steps/s); ` +
      (all ? 'every sum of every tested length is exactly right.\n' : 'not every sum is right yet (try more --epochs).\n'),
  );
  if (process.argv.length <= 2) out.write('More: simple-rnn --help (train, sample, eval, demo sentiment, bench).\n');
  return result.aborted ? 130 : 0;
}

/** The accuracy table with the loss curve beside it, and one long example. */
export function report(r: AdditionResult): string {
  const table = [
    ' digits   exact sums          digits right',
    ...r.accuracy.map((a) => {
      const pct = ((100 * a.correct) / a.total).toFixed(a.correct === a.total || a.correct === 0 ? 0 : 1);
      return `${String(a.digits).padStart(7)}   ${`${a.correct}/${a.total}`.padStart(9)} ${`${pct}%`.padStart(6)}   ${(100 * a.digitAccuracy).toFixed(3).padStart(8)}%`;
    }),
    '',
    `  trained on 1-${r.config.trainDigits} digits`,
  ];
  const plot = ['training loss (nats/digit)', ...textPlot(r.losses, 36, 5), `${' '.repeat(9)}step 1${String(r.steps).padStart(30)}`];
  const lines: string[] = [];
  const width = Math.max(...table.map((l) => l.length)) + 4;
  for (let k = 0; k < Math.max(table.length, plot.length); k++) {
    lines.push(((table[k] ?? '').padEnd(width) + (plot[k] ?? '')).trimEnd());
  }
  const ex = r.examples.find((e) => e.a.length >= 24 && e.a.length <= 40) ?? r.examples[0];
  if (ex) {
    const w = ex.predicted.length;
    lines.push('', `Example, ${ex.a.length} digits:`);
    lines.push(`    ${ex.a.padStart(w)}`, `  + ${ex.b.padStart(w)}`, `  = ${ex.predicted}  ${ex.correct ? '(right)' : '(wrong)'}`);
  }
  return lines.join('\n');
}

export function additionChart(r: AdditionResult): string {
  const train = r.losses.map((y, k) => [k + 1, y] as [number, number]);
  const longest = Math.max(...r.config.testLengths, r.config.trainDigits);
  const acc = r.accuracy.map((a) => `${a.digits}: ${((100 * a.correct) / a.total).toFixed(0)}%`).join(', ');
  return svgChart(
    [
      { name: 'training loss (per batch)', points: train, color: '#0969da', width: 1, opacity: 0.25, legend: false },
      { name: 'training loss (smoothed)', points: smooth(train, 0.01), color: '#0969da', width: 2.2 },
      { name: `held-out, 1-${r.config.trainDigits} digits`, points: r.validation, color: '#1a7f37', width: 2, markers: r.validation.length <= 60 },
      { name: `held-out, ${longest} digits`, points: r.longValidation, color: '#cf222e', width: 2, markers: r.longValidation.length <= 60 },
    ],
    {
      title: 'An RNN learns to add, digit by digit',
      subtitle: `trained on 1-${r.config.trainDigits} digits, ${shape(r.config)} · exact sums by length — ${acc}`,
      xLabel: 'training step (minibatch)',
      yLabel: 'cross-entropy per digit (nats)',
    },
  );
}
