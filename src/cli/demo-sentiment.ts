// `simple-rnn demo sentiment`: sentiment of generated sentences from word embeddings, with accuracy on held-out
// sentences and the nearest neighbours of a few words in the trained embedding space.
import { SENTIMENT_DEFAULTS, runSentiment, type SentimentResult } from '../demos/sentiment.js';
import type { Command, Values } from './args.js';
import { checkWritable, writeAtomic } from './files.js';
import { smooth, svgChart, textPlot } from './plot.js';
import { Progress, duration, si } from './progress.js';
import { OPTIMIZER_TYPES } from '../optim.js';
import { onInterrupt } from './signals.js';

const d = SENTIMENT_DEFAULTS;
const options = {
  epochs: { kind: 'int', default: d.epochs, min: 1, help: 'passes over the training sentences' },
  train: { kind: 'int', default: d.trainCount, min: 1, help: 'training sentences' },
  test: { kind: 'int', default: d.testCount, min: 1, help: 'held-out sentences (none occurs in training)' },
  embeddingSize: { kind: 'int', default: d.embeddingSize, min: 1, max: 1024, help: 'D, size of a word vector' },
  hiddenSize: { kind: 'int', default: d.hiddenSize, min: 1, max: 4096, help: 'H, size of the state' },
  batchSize: { kind: 'int', default: d.batchSize, min: 1, max: 4096, help: 'sentences per minibatch (grouped by length)' },
  optimizer: { kind: 'string', default: d.optimizer, choices: OPTIMIZER_TYPES, help: 'update rule' },
  lr: { kind: 'float', default: d.learningRate, min: 1e-9, help: 'learning rate' },
  weightDecay: { kind: 'float', default: d.weightDecay, min: 0, help: 'weight decay (decoupled with adamw)' },
  words: { kind: 'string', default: d.probeWords.join(','), value: 'W,W,...', help: 'words whose nearest neighbours are shown' },
  seed: { kind: 'int', default: d.seed, help: 'seed of the initialisation and the sentences' },
  backend: { kind: 'string', default: 'wasm', choices: ['wasm', 'js'], help: 'wasm (SIMD) or js (the pure-JS reference)' },
  plot: { kind: 'string', value: 'FILE.svg', help: 'write the loss curves as an SVG chart' },
} as const;

export const sentimentCommand: Command<typeof options> = {
  name: 'demo sentiment',
  usage: 'demo sentiment [options]',
  summary:
    'Classifies the sentiment of generated sentences ("the plot was not very good", "the acting was great but the\n' +
    'ending was dull") from word embeddings: a word vocabulary, a trainable embedding layer, many-to-one over\n' +
    'variable lengths in minibatches grouped by length. Reports accuracy on held-out sentences and the nearest\n' +
    'neighbours of a few words in the trained embedding space.',
  options,
  epilog: 'Example:\n  simple-rnn demo sentiment --epochs 20 --words good,awful,film --plot sentiment.svg',
};

export async function runSentimentCommand(o: Values<typeof options>): Promise<number> {
  if (o.plot) checkWritable('plot', o.plot);
  const out = process.stdout;
  out.write(
    `Sentiment of generated sentences: ${o.train} for training, ${o.test} held out; word embeddings D=${o.embeddingSize}, ` +
      `H=${o.hiddenSize}, ${o.optimizer} lr ${o.lr}, weight decay ${o.weightDecay}, seed ${o.seed}.\n`,
  );
  let progress: Progress | null = null;
  const abort = new AbortController();
  const release = onInterrupt(() => abort.abort());
  const t0 = performance.now();
  let ema = NaN;
  let r: SentimentResult;
  try {
    r = await runSentiment(
      {
        trainCount: o.train, testCount: o.test, embeddingSize: o.embeddingSize, hiddenSize: o.hiddenSize, epochs: o.epochs,
        batchSize: o.batchSize, optimizer: o.optimizer as (typeof OPTIMIZER_TYPES)[number], learningRate: o.lr, weightDecay: o.weightDecay, seed: o.seed, backend: o.backend as 'wasm' | 'js',
        probeWords: o.words.split(',').map((w) => w.trim().toLowerCase()).filter(Boolean),
      },
      {
        onStep: (step, total, loss) => {
          progress ??= new Progress({ label: 'sentiment', total, fields: 'step {value}/{total} | loss {loss} | held-out acc {acc} | {speed} steps/s | ETA {eta_formatted}' });
          ema = Number.isNaN(ema) ? loss : 0.95 * ema + 0.05 * loss;
          progress.update(step, { loss: ema.toFixed(4), speed: si(step / ((performance.now() - t0) / 1000)) });
        },
        onEpoch: (_epoch, _train, _test, acc) => progress?.update(Number.NaN, { acc: `${(100 * acc).toFixed(1)}%` }),
        signal: abort.signal,
      },
    );
  } finally {
    (progress as Progress | null)?.stop();
    release();
  }
  out.write('\n' + report(r) + '\n');
  if (o.plot) {
    writeAtomic('plot', o.plot, sentimentChart(r));
    out.write(`Wrote the loss curves to ${o.plot}\n`);
  }
  out.write(`Trained in ${duration(r.trainSeconds)} (${r.steps} steps, ${si(r.steps / r.trainSeconds)} steps/s).\n`);
  return r.aborted ? 130 : 0;
}

export function report(r: SentimentResult): string {
  const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}%`;
  const lines: string[] = [];
  const total = r.byKind.reduce((a, k) => a + k.total, 0);
  const correct = r.byKind.reduce((a, k) => a + k.correct, 0);
  const table = [
    'held-out sentences        right      accuracy',
    ...r.byKind.map((k) => `  ${k.kind.padEnd(22)}${`${k.correct}/${k.total}`.padStart(9)}   ${pct(k.correct, k.total).padStart(8)}`),
    `  ${'all'.padEnd(22)}${`${correct}/${total}`.padStart(9)}   ${pct(correct, total).padStart(8)}`,
    `  (training sentences: ${(100 * r.trainAccuracy).toFixed(1)}%)`,
  ];
  const plot = ['training loss', ...textPlot(r.losses.map((p) => p[1]), 30, 4)];
  const width = Math.max(...table.map((l) => l.length)) + 4;
  for (let k = 0; k < Math.max(table.length, plot.length); k++) lines.push(((table[k] ?? '').padEnd(width) + (plot[k] ?? '')).trimEnd());
  lines.push('', `Vocabulary: ${r.vocabularySize} ids (words of the training sentences and <pad> <unk> <eos>); minibatches grouped by`);
  lines.push(`length, so ${(100 * r.paddingFraction).toFixed(1)}% of the time steps were padding.`);
  lines.push('', 'Nearest neighbours in the trained embedding space (cosine):');
  for (const n of r.neighbours) {
    lines.push(`  ${n.word.padEnd(10)} ${n.nearest.map((x) => `${x.word} ${x.cosine.toFixed(2)}`).join(', ')}`);
  }
  lines.push('', 'Held-out examples (probability of positive):');
  for (const e of r.examples) {
    const ok = (e.positive > 0.5 ? 1 : 0) === e.label;
    lines.push(`  ${e.positive.toFixed(2)}  ${e.label ? 'positive' : 'negative'} ${ok ? ' ' : 'x'} "${e.text}"`);
  }
  return lines.join('\n');
}

export function sentimentChart(r: SentimentResult): string {
  return svgChart(
    [
      { name: 'training loss', points: r.losses, color: '#0969da', width: 1, opacity: 0.25, legend: false },
      { name: 'training loss (smoothed)', points: smooth(r.losses, 0.01), color: '#0969da', width: 2.2 },
      { name: 'held-out loss', points: r.testLosses, color: '#cf222e', width: 2, markers: true },
    ],
    {
      title: 'Sentiment from word embeddings',
      subtitle: `D=${r.config.embeddingSize}, H=${r.config.hiddenSize}; held-out accuracy ${(100 * r.testAccuracy).toFixed(1)}%`,
      xLabel: 'training step (minibatch)',
      yLabel: 'cross-entropy (nats)',
    },
  );
}
