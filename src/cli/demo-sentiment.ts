// `simple-rnn demo sentiment`: the sentiment of real review sentences (UCI, data/sentiment/), the RNN beside a
// bag-of-words baseline on the same 5 folds; `--data grammar` runs the generated-sentence version instead.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GRAMMAR_DEFAULTS, runGrammarSentiment, type GrammarResult } from '../demos/sentiment-grammar.js';
import {
  SENTIMENT_DEFAULTS, runSentiment, sentimentCheckpointMetadata, type Prediction, type SentimentOptions, type SentimentResult, type TrainedMember,
} from '../demos/sentiment.js';
import { parseLabelledSentences, SENTIMENT_FILES, SENTIMENT_SOURCES, type LabelledSentence } from '../demos/sentiment-data.js';
import { UsageError, type Command, type Values } from './args.js';
import { checkFiles, readText, writeAtomic } from './files.js';
import { smooth, svgChart, textPlot } from './plot.js';
import { Progress, duration, si } from './progress.js';
import { OPTIMIZER_TYPES } from '../optim.js';
import { onInterrupt } from './signals.js';

const u = SENTIMENT_DEFAULTS;
const g = GRAMMAR_DEFAULTS;
const both = (a: unknown, b: unknown) => ` [default: ${a}; grammar ${b}]`;
// Options used by one data source only have no table default, so that giving one to the other source is an error.
const options = {
  data: { kind: 'string', default: 'uci', choices: ['uci', 'grammar'], help: 'uci: 3,000 real review sentences, 5-fold CV beside a bag-of-words baseline; grammar: generated sentences' },
  dataDir: { kind: 'string', value: 'DIR', help: "uci: folder holding the three UCI files [default: the package's data/sentiment/]" },
  folds: { kind: 'int', min: 1, max: u.folds, help: `uci: run the first N of the ${u.folds} folds (the split stays the same) [default: ${u.folds}]` },
  quick: { kind: 'boolean', help: 'uci: a smoke test: fold 1 only, one model per direction, 6 epochs' },
  members: { kind: 'int', min: 1, max: 64, help: `uci: models per reading direction in each fold's ensemble [default: ${u.members}]` },
  directions: { kind: 'string', choices: ['both', 'forward'], help: `uci: members read forwards and backwards, or forwards only [default: ${u.directions}]` },
  epochs: { kind: 'int', min: 1, help: 'passes over the training sentences' + both(u.epochs, g.epochs) },
  embeddingSize: { kind: 'int', min: 1, max: 1024, help: 'D, size of a word vector' + both(u.embeddingSize, g.embeddingSize) },
  hiddenSize: { kind: 'int', min: 1, max: 4096, help: 'H, size of the state' + both(u.hiddenSize, g.hiddenSize) },
  activation: { kind: 'string', choices: ['relu', 'tanh'], help: `uci: f_s, the state activation [default: ${u.activation}]` },
  batchSize: { kind: 'int', min: 1, max: 4096, help: 'sentences per minibatch (grouped by length)' + both(u.batchSize, g.batchSize) },
  optimizer: { kind: 'string', choices: OPTIMIZER_TYPES, help: `grammar: update rule (uci: adamw) [default: ${g.optimizer}]` },
  lr: { kind: 'float', min: 1e-9, help: 'learning rate (uci: decayed to 0 by a cosine)' + both(u.learningRate, g.learningRate) },
  weightDecay: { kind: 'float', min: 0, help: 'weight decay (decoupled with adamw)' + both(u.weightDecay, g.weightDecay) },
  wordDropout: { kind: 'float', min: 0, max: 0.95, help: `uci: chance that a training token becomes <unk>, fresh each epoch [default: ${u.wordDropout}]` },
  minCount: { kind: 'int', min: 1, help: `uci: words seen fewer times in the training folds become <unk> [default: ${u.minCount}]` },
  bowL2: { kind: 'float', min: 0, help: `uci: L2 strength of the bag-of-words baseline [default: ${u.bowL2}]` },
  foldSeed: { kind: 'int', help: `uci: seed of the fold split [default: ${u.foldSeed}]` },
  threads: { kind: 'int', min: 1, max: 64, help: `uci: training threads per model (results depend on the count) [default: ${u.threads}]` },
  train: { kind: 'int', min: 1, help: `grammar: training sentences [default: ${g.trainCount}]` },
  test: { kind: 'int', min: 1, help: `grammar: held-out sentences (none occurs in training) [default: ${g.testCount}]` },
  words: { kind: 'string', value: 'W,W,...', help: `grammar: words whose nearest neighbours are shown [default: ${g.probeWords.join(',')}]` },
  seed: { kind: 'int', default: 1, help: 'seed of the models (and of the generated sentences)' },
  backend: { kind: 'string', default: 'wasm', choices: ['wasm', 'js'], help: 'wasm (SIMD) or js (the pure-JS reference)' },
  plot: { kind: 'string', value: 'FILE.svg', help: 'write the loss curves as an SVG chart' },
  save: { kind: 'string', value: 'FILE', help: "uci: write fold 1's first forward RNN as a checkpoint with its vocabulary and class names (for simple-rnn inspect)" },
} as const;

type Opts = Values<typeof options>;
const UCI_ONLY = ['dataDir', 'folds', 'quick', 'members', 'directions', 'activation', 'wordDropout', 'minCount', 'bowL2', 'foldSeed', 'threads', 'save'] as const;
const GRAMMAR_ONLY = ['train', 'test', 'words', 'optimizer'] as const;

export const sentimentCommand: Command<typeof options> = {
  name: 'demo sentiment',
  usage: 'demo sentiment [options]',
  summary:
    'Classifies the sentiment of 3,000 real review sentences (UCI "Sentiment Labelled Sentences": amazon, imdb,\n' +
    'yelp; CC BY 4.0, data/sentiment/) with 5-fold cross-validation, stratified by site and label: per fold an\n' +
    'ensemble of small RNNs over word embeddings, reading forwards and backwards, beside a bag-of-words logistic\n' +
    'regression trained on the same folds. Prints the accuracy of both per fold, where they disagree, and a few\n' +
    'misclassified sentences. --data grammar: generated sentences with negation and "but" traps instead.',
  options,
  epilog:
    'Examples:\n  simple-rnn demo sentiment                 the full run (about 30 s on 2 cores)\n' +
    '  simple-rnn demo sentiment --quick         fold 1, one model per direction\n' +
    '  simple-rnn demo sentiment --save sentiment.rnn   the full run, and one of its RNNs to look inside with\n' +
    '    simple-rnn inspect --model sentiment.rnn --text "the food was not good at all" --out not-good.svg\n' +
    '  simple-rnn demo sentiment --data grammar --epochs 20 --words good,awful,film --plot sentiment.svg',
};

/** Where data/sentiment/ is: next to dist/ in the package (dist/cli.js), or at the repository root (src/cli/). */
export function findSentimentDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['..', '../..']) {
    const dir = resolve(here, up, 'data', 'sentiment');
    if (existsSync(join(dir, SENTIMENT_FILES.amazon))) return dir;
  }
  return null;
}

/** The 3,000 sentences of the three UCI files in `dir` (amazon, imdb, yelp, each in file order). */
export function loadSentimentData(dir: string): LabelledSentence[] {
  return SENTIMENT_SOURCES.flatMap((source) => {
    const path = join(dir, SENTIMENT_FILES[source]);
    const text = readText('text', '--data-dir', path);
    try {
      return parseLabelledSentences(text, source);
    } catch (e) {
      throw new UsageError(`--data-dir ${dir}: ${(e as Error).message}`, 1);
    }
  });
}

function refuse(o: Opts, keys: readonly (keyof Opts)[], data: string): void {
  for (const k of keys) {
    if (o[k] !== undefined && o[k] !== false) {
      const name = `--${String(k).replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`;
      throw new UsageError(`demo sentiment: ${name} does not apply to --data ${data} (see simple-rnn demo sentiment --help)`);
    }
  }
}

export async function runSentimentCommand(o: Opts): Promise<number> {
  checkFiles('demo sentiment', [{ flag: '--plot', path: o.plot, write: true }, { flag: '--save', path: o.save, write: true }]);
  if (o.data === 'grammar') {
    refuse(o, UCI_ONLY, 'grammar');
    return runGrammar(o);
  }
  refuse(o, GRAMMAR_ONLY, 'uci');
  if (o.quick && o.folds !== undefined) throw new UsageError('demo sentiment: --quick runs one fold; drop --folds or --quick');
  const dir = o.dataDir ?? findSentimentDir();
  if (dir === null) throw new UsageError('demo sentiment: cannot find data/sentiment/ next to the package; pass --data-dir DIR (the folder with the three UCI files)', 1);
  const data = loadSentimentData(dir);
  const cfg: SentimentOptions = {
    runFolds: o.quick ? 1 : o.folds,
    members: o.quick ? 1 : o.members,
    epochs: o.epochs ?? (o.quick ? 6 : undefined),
    directions: o.directions as SentimentOptions['directions'],
    embeddingSize: o.embeddingSize, hiddenSize: o.hiddenSize, activation: o.activation as SentimentOptions['activation'],
    batchSize: o.batchSize, learningRate: o.lr, weightDecay: o.weightDecay, wordDropout: o.wordDropout, minCount: o.minCount,
    bowL2: o.bowL2, foldSeed: o.foldSeed, threads: o.threads, seed: o.seed, backend: o.backend as 'wasm' | 'js',
  };
  for (const k of Object.keys(cfg) as (keyof SentimentOptions)[]) if (cfg[k] === undefined) delete cfg[k];
  const c = { ...SENTIMENT_DEFAULTS, runFolds: SENTIMENT_DEFAULTS.folds, ...cfg };
  const out = process.stdout;
  out.write(header(data.length, c));
  let progress: Progress | null = null;
  const abort = new AbortController();
  const release = onInterrupt(() => abort.abort());
  const t0 = performance.now();
  let ema = NaN;
  let r: SentimentResult;
  let saved: { member: TrainedMember; bytes: Uint8Array } | null = null;
  try {
    r = await runSentiment(data, cfg, {
      // the checkpoint: fold 1's first forward reader (inspect feeds the tokens in order, as it reads them)
      onMember: (m) => {
        if (o.save && m.fold === 0 && m.reading === 'forward' && m.member === 0) saved = { member: m, bytes: m.model.save(sentimentCheckpointMetadata(m)) };
      },
      onStep: (step, total, loss) => {
        progress ??= new Progress({ label: 'sentiment', total, fields: 'step {value}/{total} | loss {loss} | {fold} | {speed} steps/s | ETA {eta_formatted}' });
        ema = Number.isNaN(ema) ? loss : 0.98 * ema + 0.02 * loss;
        progress.update(step, { loss: ema.toFixed(3), speed: si(step / ((performance.now() - t0) / 1000)) });
      },
      onFold: (f) => {
        const line = `fold ${f.fold + 1}: RNN ${pct(f.rnn)}, bag of words ${pct(f.bow)} (${duration(f.rnnSeconds + f.bowSeconds)})`;
        if (progress) {
          progress.update(Number.NaN, { fold: `fold ${f.fold + 1} done` });
          progress.log(line);
        } else out.write(line + '\n');
      },
      signal: abort.signal,
    });
  } finally {
    (progress as Progress | null)?.stop();
    release();
  }
  if (r.aborted) out.write(`Interrupted: ${r.folds.length} of ${c.runFolds} folds done.\n`);
  out.write('\n' + sentimentReport(r) + '\n');
  if (o.plot && r.folds.length > 0) {
    writeAtomic('--plot', o.plot, cvChart(r));
    out.write(`Wrote the loss curves to ${o.plot}\n`);
  }
  if (o.save) out.write(saveCheckpoint(o.save, saved));
  out.write(`Ran in ${duration(r.seconds)} (${r.steps} training steps, ${si(r.steps / r.seconds)} steps/s).\n`);
  return r.aborted ? 130 : 0;
}

/** Writes --save (fold 1's first forward RNN, if it finished) and says what it holds and how to look inside. */
function saveCheckpoint(path: string, saved: { member: TrainedMember; bytes: Uint8Array } | null): string {
  if (saved === null) return `Not saved to ${path}: the run stopped before fold 1's first forward RNN was trained.\n`;
  writeAtomic('--save', path, saved.bytes);
  const m = saved.member;
  return [
    `Saved fold 1's first forward RNN (seed ${m.seed}; ${pct(m.accuracy)} alone on fold 1's ${m.testCount} test sentences) to ${path},`,
    `with its vocabulary (${m.vocabulary.size} ids) and the class names; look inside it with`,
    `  simple-rnn inspect --model ${path} --text "the food was not good at all" --out not-good.svg`,
    '',
  ].join('\n');
}

const pct = (a: number) => `${(100 * a).toFixed(1)}%`;

function header(n: number, c: Required<SentimentOptions>): string {
  const dirs = c.directions === 'both' ? `${c.members} forward + ${c.members} backward` : `${c.members} forward`;
  const run = c.runFolds === c.folds ? `all ${c.folds} folds` : `fold${c.runFolds > 1 ? `s 1-${c.runFolds}` : ' 1'} of ${c.folds}`;
  return [
    `Sentiment of ${n} real review sentences (UCI Sentiment Labelled Sentences: amazon, imdb, yelp).`,
    `${c.folds}-fold cross-validation, stratified by site and label (fold seed ${c.foldSeed}); running ${run}.`,
    `RNN: ${dirs} model${c.members * (c.directions === 'both' ? 2 : 1) > 1 ? 's' : ''} per fold, probabilities averaged: D=${c.embeddingSize}, ` +
      `H=${c.hiddenSize}, ${c.activation}, adamw lr ${c.learningRate} (cosine), weight decay ${c.weightDecay}, word dropout ${c.wordDropout},`,
    `     ${c.epochs} epochs, batch ${c.batchSize}, words seen < ${c.minCount} times -> <unk>, seed ${c.seed}.`,
    `Baseline: bag-of-words logistic regression (word presence, L2 ${c.bowL2}) on the same folds.`,
    '',
  ].join('\n');
}

function quote(p: Prediction): string {
  const t = p.text.length > 110 ? p.text.slice(0, 107) + '...' : p.text;
  return `  ${p.rnn.toFixed(2)}  ${p.bow.toFixed(2)}  ${p.label ? 'positive' : 'negative'}  "${t}" (${p.source} line ${p.line})`;
}

export function sentimentReport(r: SentimentResult): string {
  const L: string[] = [];
  const n = r.folds[0]?.members.length ?? 0;
  L.push(`fold  train  test     RNN     BoW   RNN-BoW   each RNN alone (${n})`);
  for (const f of r.folds) {
    const d = 100 * (f.rnn - f.bow);
    L.push(`${String(f.fold + 1).padStart(4)} ${String(f.trainCount).padStart(6)} ${String(f.testCount).padStart(5)}  ${pct(f.rnn).padStart(6)}  ${pct(f.bow).padStart(6)}  ` +
      `${(d >= 0 ? '+' : '') + d.toFixed(1)}`.padStart(8) + `   ${f.members.map((a) => (100 * a).toFixed(1)).join(' ')}`);
  }
  if (r.folds.length > 1) {
    const s = (x: { mean: number; std: number }) => `${(100 * x.mean).toFixed(1)} ± ${(100 * x.std).toFixed(1)}`;
    const d = 100 * r.difference.mean;
    L.push(`mean ± sd          ${s(r.rnn).padStart(10)}  ${s(r.bow).padStart(10)}  ${(d >= 0 ? '+' : '') + d.toFixed(1)} ± ${(100 * r.difference.std).toFixed(1)}`);
    L.push(`range            ${(100 * r.rnn.min).toFixed(1)}-${(100 * r.rnn.max).toFixed(1)}   ${(100 * r.bow.min).toFixed(1)}-${(100 * r.bow.max).toFixed(1)}`);
  }
  if (n > 1) {
    const sd = r.folds.length > 1 ? ` ± ${(100 * r.single.std).toFixed(1)}` : '';
    L.push(`One RNN alone (the mean of each fold's ${n}): ${(100 * r.single.mean).toFixed(1)}%${sd}; the ensemble adds ${(100 * (r.rnn.mean - r.single.mean)).toFixed(1)} points.`);
  }
  const a = r.agreement;
  const total = a.both + a.rnnOnly + a.bowOnly + a.neither;
  L.push('', `On the ${total} test sentences: both right ${a.both}, only the RNN ${a.rnnOnly}, only the bag of words ${a.bowOnly}, neither ${a.neither}`);
  L.push(`(sign test on ${a.rnnOnly} vs ${a.bowOnly}: p = ${r.signTestP.toFixed(2)}; below 0.05 would be a clear difference).`);
  L.push('', 'site       sentences     RNN     BoW');
  for (const s of r.bySource) if (s.total) L.push(`  ${s.source.padEnd(8)} ${String(s.total).padStart(9)}  ${pct(s.rnn / s.total).padStart(6)}  ${pct(s.bow / s.total).padStart(6)}`);
  const ng = r.negated;
  if (ng.total) L.push(`  ${'negated'.padEnd(8)} ${String(ng.total).padStart(9)}  ${pct(ng.rnn / ng.total).padStart(6)}  ${pct(ng.bow / ng.total).padStart(6)}   (with not, no, never, n't, nothing, ...)`);
  const groups: [string, Prediction[]][] = [
    ['With a negation, the RNN right and the bag of words wrong:', r.examples.rnnRightBowWrong],
    ['With a negation, the bag of words right and the RNN wrong:', r.examples.bowRightRnnWrong],
    ['Both wrong, and both sure of it (some labels are arguable):', r.examples.bothWrong],
  ];
  L.push('', 'Sentences to look at (probability of positive: RNN, BoW; then the label):');
  for (const [title, list] of groups) {
    if (!list.length) continue;
    L.push(` ${title}`);
    for (const p of list) L.push(quote(p));
  }
  return L.join('\n');
}

const FOLD_COLORS = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bc4c00', '#6e7781', '#bf3989', '#0550ae'];

export function cvChart(r: SentimentResult): string {
  return svgChart(
    r.folds.map((f, k) => ({
      name: `fold ${f.fold + 1}: RNN ${pct(f.rnn)}, BoW ${pct(f.bow)}`,
      points: f.epochLoss.map((l, e) => [e + 1, l] as [number, number]),
      color: FOLD_COLORS[k % FOLD_COLORS.length],
      markers: true,
    })),
    {
      title: 'Sentiment of real review sentences: RNN training loss per fold',
      subtitle: `mean over the ${r.folds[0].members.length} models of each fold (word dropout on); RNN ${pct(r.rnn.mean)} vs bag of words ${pct(r.bow.mean)}`,
      xLabel: 'epoch',
      yLabel: 'cross-entropy (nats)',
    },
  );
}

// ---- --data grammar: the generated sentences ----

async function runGrammar(o: Opts): Promise<number> {
  const cfg = {
    trainCount: o.train ?? g.trainCount, testCount: o.test ?? g.testCount, embeddingSize: o.embeddingSize ?? g.embeddingSize,
    hiddenSize: o.hiddenSize ?? g.hiddenSize, epochs: o.epochs ?? g.epochs, batchSize: o.batchSize ?? g.batchSize,
    optimizer: (o.optimizer ?? g.optimizer) as (typeof OPTIMIZER_TYPES)[number], learningRate: o.lr ?? g.learningRate,
    weightDecay: o.weightDecay ?? g.weightDecay, seed: o.seed, backend: o.backend as 'wasm' | 'js',
    probeWords: (o.words ?? g.probeWords.join(',')).split(',').map((w) => w.trim().toLowerCase()).filter(Boolean),
  };
  const out = process.stdout;
  out.write(
    `Sentiment of generated sentences: ${cfg.trainCount} for training, ${cfg.testCount} held out; word embeddings D=${cfg.embeddingSize}, ` +
      `H=${cfg.hiddenSize}, ${cfg.optimizer} lr ${cfg.learningRate}, weight decay ${cfg.weightDecay}, seed ${cfg.seed}.\n`,
  );
  let progress: Progress | null = null;
  const abort = new AbortController();
  const release = onInterrupt(() => abort.abort());
  const t0 = performance.now();
  let ema = NaN;
  let r: GrammarResult;
  try {
    r = await runGrammarSentiment(cfg, {
      onStep: (step, total, loss) => {
        progress ??= new Progress({ label: 'sentiment', total, fields: 'step {value}/{total} | loss {loss} | held-out acc {acc} | {speed} steps/s | ETA {eta_formatted}' });
        ema = Number.isNaN(ema) ? loss : 0.95 * ema + 0.05 * loss;
        progress.update(step, { loss: ema.toFixed(4), speed: si(step / ((performance.now() - t0) / 1000)) });
      },
      onEpoch: (_epoch, _train, _test, acc) => progress?.update(Number.NaN, { acc: `${(100 * acc).toFixed(1)}%` }),
      signal: abort.signal,
    });
  } finally {
    (progress as Progress | null)?.stop();
    release();
  }
  out.write('\n' + grammarReport(r) + '\n');
  if (o.plot) {
    writeAtomic('--plot', o.plot, grammarChart(r));
    out.write(`Wrote the loss curves to ${o.plot}\n`);
  }
  out.write(`Trained in ${duration(r.trainSeconds)} (${r.steps} steps, ${si(r.steps / r.trainSeconds)} steps/s).\n`);
  return r.aborted ? 130 : 0;
}

export function grammarReport(r: GrammarResult): string {
  const pc = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}%`;
  const lines: string[] = [];
  const total = r.byKind.reduce((a, k) => a + k.total, 0);
  const correct = r.byKind.reduce((a, k) => a + k.correct, 0);
  const table = [
    'held-out sentences        right      accuracy',
    ...r.byKind.map((k) => `  ${k.kind.padEnd(22)}${`${k.correct}/${k.total}`.padStart(9)}   ${pc(k.correct, k.total).padStart(8)}`),
    `  ${'all'.padEnd(22)}${`${correct}/${total}`.padStart(9)}   ${pc(correct, total).padStart(8)}`,
    `  (training sentences: ${(100 * r.trainAccuracy).toFixed(1)}%)`,
  ];
  const plot = ['training loss', ...textPlot(r.losses.map((p) => p[1]), 30, 4)];
  const width = Math.max(...table.map((l) => l.length)) + 4;
  for (let k = 0; k < Math.max(table.length, plot.length); k++) lines.push(((table[k] ?? '').padEnd(width) + (plot[k] ?? '')).trimEnd());
  lines.push('', `Vocabulary: ${r.vocabularySize} ids (words of the training sentences and <pad> <unk> <eos>); minibatches grouped by`);
  lines.push(`length, so ${(100 * r.paddingFraction).toFixed(1)}% of the time steps were padding.`);
  lines.push('', 'Nearest neighbours in the trained embedding space (cosine):');
  for (const nb of r.neighbours) {
    lines.push(`  ${nb.word.padEnd(10)} ${nb.nearest.map((x) => `${x.word} ${x.cosine.toFixed(2)}`).join(', ')}`);
  }
  lines.push('', 'Held-out examples (probability of positive):');
  for (const e of r.examples) {
    const ok = (e.positive > 0.5 ? 1 : 0) === e.label;
    lines.push(`  ${e.positive.toFixed(2)}  ${e.label ? 'positive' : 'negative'} ${ok ? ' ' : 'x'} "${e.text}"`);
  }
  return lines.join('\n');
}

export function grammarChart(r: GrammarResult): string {
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
