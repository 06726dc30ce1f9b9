// Time to quality: validation loss against training time for a character language model on tinyshakespeare.
//   node bench/time-to-quality.mjs --preset=fast --minutes=15      one recipe; the curve is printed and saved
//   node bench/time-to-quality.mjs --preset=cli --minutes=3 --hidden=256 --threads=2    a preset with flags changed
//   node bench/time-to-quality.mjs --chart                          docs/time-to-quality.svg from the saved results
//   node bench/time-to-quality.mjs --score=model.rnn                a `simple-rnn train` checkpoint, scored alike
//   node bench/time-to-quality.mjs --table                          a markdown table of the saved results
//   node bench/time-to-quality.mjs --list                           the presets
// Recipe flags (each overrides the preset; the names are simple-rnn train's): --hidden=H[,H] --layers=L --seq=T
//   --batch=B --chunks=C --lr=X --clip=X --threads=N --dropout=X --recurrent-dropout=X --optimizer=NAME --decay=cosine|none (see below)
//   --simd=strict|relaxed (the wasm build that trains; scoring stays on a strict one-thread model).
//   Others: --marks=S,S,... (seconds) --name=LABEL --out=FILE.json --chart-files=A.json,...
//
// The protocol (fixed; docs/time-to-quality.md):
// - Text: tinyshakespeare (optional, if present: bench/configs.mjs SHAKESPEARE or SIMPLE_RNN_TEXT). Without it the
//   script says so and exits 0 without training. The vocabulary is the text's distinct characters, sorted (65).
// - Split as `simple-rnn train --val-split 0.1` cuts it: the last floor(n/10) characters validate, the first
//   n - floor(n/10) train.
// - Validation: the first 512 consecutive, non-overlapping windows of 64 characters of the held-out part. Window k
//   (k = 0..511) feeds held-out characters 64k .. 64k+63 as inputs and predicts characters 64k+1 .. 64k+64, from the
//   zero state. The loss is the mean of -ln p(target) over all 512 x 64 = 32768 predictions, in nats per character.
// - Training runs as `simple-rnn train` runs it (src/cli/train.ts, src/cli/lm.ts): the training characters are cut
//   into segments of B x T x C characters; each segment is one model.fitStream call (B tracks, chunks of T steps,
//   the state carried across the C chunks of a segment, epochs: 1); segments run in order, an epoch is all of them.
//   The model is created with the flags' settings (seed 1, wasm backend). Two differences from the command: the
//   vocabulary has the text's 65 characters (train adds <pad> <unk> <eos>: 68 ids, which never occur), and the
//   command's own validation passes, samples and checkpoints are not run.
// - Training time is the wall-clock time of training alone. At each mark (default every 15 s up to 2 minutes, then
//   every minute, and 7.5 minutes) the first chunk that ends past it stops the clock; a copy of the weights is scored
//   on a one-thread model; the clock runs on. So scoring is excluded from the time, and so is the CPU time it takes.
//   The process's CPU time (every thread's) in training is recorded beside the wall time.
// - --decay=cosine: the learning rate of each segment is lr * (0.1 + 0.9 (1 + cos(pi e / budget)) / 2) where e is the
//   training time so far (a time-based cosine from lr to lr/10 over the run): `simple-rnn train --decay cosine` with
//   --time, which bounds the run by its training seconds the same way.
import { cpus, loadavg } from 'node:os';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHAKESPEARE } from './configs.mjs';
import { flag, opt } from './util.mjs';
import { REFERENCE, TARGETS, ttqChart } from './ttq-chart.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const results = join(here, 'results');
const log = (...a) => console.log(...a);

/** `simple-rnn train`'s default learning rate for each update rule (src/cli/train.ts DEFAULT_LR). */
const DEFAULT_LR = { sgd: 1, momentum: 0.1, nesterov: 0.1, adam: 0.002, adamw: 0.002, rmsprop: 0.001, adagrad: 0.1 };
/** `simple-rnn train`'s defaults (src/cli/train.ts RUN_DEFAULTS and DEFAULT_LR), as recipe fields. */
const CLI_DEFAULTS = { hiddenSize: [128], layers: 1, seqLength: 64, batchSize: 32, chunks: 8, optimizer: 'adam', lr: 0.002, clipNorm: 5, threads: 1, dropout: 0, recurrentDropout: 0, decay: 'none' };
/**
 * The recipes. Each field is a `simple-rnn train` flag (hiddenSize: --hidden-size, seqLength: --seq-length, ...,
 * decay: --decay).
 */
const PRESETS = {
  cli: { about: '`simple-rnn train` with its defaults', ...CLI_DEFAULTS },
  reference: { about: "the TF.js reference's configuration: H=256, T=64, B=32, Adam 2e-3, one thread", ...CLI_DEFAULTS, hiddenSize: [256] },
  fast: {
    about: 'H=256, T=32, recurrent dropout 0.1, 2 threads, Adam 4e-3 annealed (cosine, to lr/10) over the run',
    ...CLI_DEFAULTS, hiddenSize: [256], seqLength: 32, lr: 0.004, threads: 2, decay: 'cosine', recurrentDropout: 0.1,
  },
};

const VALIDATION = { windows: 512, length: 64 };

// ---------- flags ----------
function recipeOf() {
  const name = opt('preset') ?? 'cli';
  const base = PRESETS[name];
  if (!base) throw new Error(`--preset=${name}: expected one of ${Object.keys(PRESETS).join(', ')}`);
  const r = { ...base };
  const overrides = {};
  const num = (f, key, parse = Number) => {
    const v = opt(f);
    if (v === undefined) return;
    const x = parse(v);
    if (Array.isArray(x) ? x.some((y) => !Number.isFinite(y)) : !Number.isFinite(x)) throw new Error(`--${f}=${v}: expected a number`);
    r[key] = overrides[key] = x;
  };
  num('hidden', 'hiddenSize', (v) => v.split(',').map(Number));
  num('layers', 'layers');
  num('seq', 'seqLength');
  num('batch', 'batchSize');
  num('chunks', 'chunks');
  num('lr', 'lr');
  num('clip', 'clipNorm');
  num('threads', 'threads');
  num('dropout', 'dropout');
  num('recurrent-dropout', 'recurrentDropout');
  if (opt('optimizer') !== undefined) {
    if (!(opt('optimizer') in DEFAULT_LR)) throw new Error(`--optimizer=${opt('optimizer')}: expected one of ${Object.keys(DEFAULT_LR).join(', ')}`);
    r.optimizer = overrides.optimizer = opt('optimizer');
    if (opt('lr') === undefined) r.lr = DEFAULT_LR[r.optimizer]; // train's default rate for that rule
  }
  if (opt('decay') !== undefined) {
    if (!['none', 'cosine'].includes(opt('decay'))) throw new Error(`--decay=${opt('decay')}: expected none or cosine`);
    r.decay = overrides.decay = opt('decay');
  }
  if (opt('simd') !== undefined) {
    if (!['strict', 'relaxed'].includes(opt('simd'))) throw new Error(`--simd=${opt('simd')}: expected strict or relaxed`);
    r.simd = overrides.simd = opt('simd');
  }
  if (opt('layers') === undefined && r.hiddenSize.length > 1) r.layers = r.hiddenSize.length;
  delete r.about;
  return { name, about: base.about, recipe: r, overrides };
}

/** The equivalent command line. */
function commandOf(r, minutes) {
  const d = CLI_DEFAULTS;
  const parts = ['simple-rnn train --text input.txt', `--time ${minutes}m`];
  if (r.hiddenSize.join() !== d.hiddenSize.join()) parts.push(`--hidden-size ${r.hiddenSize.join(',')}`);
  const f = { layers: '--layers', seqLength: '--seq-length', batchSize: '--batch-size', chunks: '--chunks', optimizer: '--optimizer', lr: '--lr', clipNorm: '--clip-norm', threads: '--threads', dropout: '--dropout', recurrentDropout: '--recurrent-dropout' };
  for (const [k, name] of Object.entries(f)) if (r[k] !== d[k]) parts.push(`${name} ${r[k]}`);
  if (r.decay !== 'none') parts.push(`--decay ${r.decay}`);
  if (r.simd === 'relaxed') parts.push('--simd relaxed');
  return parts.join(' ');
}

// ---------- the machine ----------
function machineInfo() {
  let lscpu = '';
  try {
    lscpu = execFileSync('lscpu', { encoding: 'utf8' });
  } catch {}
  const field = (name) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(lscpu)?.[1]?.trim() ?? null;
  return {
    cpu: field('Model name') ?? cpus()[0]?.model ?? null,
    cores: cpus().length,
    caches: { L1d: field('L1d cache'), L1i: field('L1i cache'), L2: field('L2 cache'), L3: field('L3 cache') },
    node: process.version,
    date: new Date().toISOString(),
  };
}
const loads = () => loadavg().map((x) => Number(x.toFixed(2)));

// ---------- the text and the validation windows ----------
function loadText() {
  if (!existsSync(SHAKESPEARE)) return null;
  const text = readFileSync(SHAKESPEARE, 'utf8');
  const chars = [...new Set(text)].sort();
  const id = new Map(chars.map((c, k) => [c, k]));
  const ids = Int32Array.from(text, (c) => id.get(c));
  const nVal = Math.floor(ids.length / 10);
  const train = ids.subarray(0, ids.length - nVal);
  const held = ids.subarray(ids.length - nVal);
  return { text, chars, train, held, ...windowsOf(held) };
}

/** The validation windows of a held-out part: window k feeds characters 64k .. 64k+63 and predicts 64k+1 .. 64k+64. */
function windowsOf(held) {
  const inputs = [];
  const targets = [];
  for (let k = 0; k < VALIDATION.windows; k++) {
    const at = k * VALIDATION.length;
    inputs.push(held.subarray(at, at + VALIDATION.length));
    targets.push(held.subarray(at + 1, at + 1 + VALIDATION.length));
  }
  if (targets.at(-1).length !== VALIDATION.length) throw new Error(`the held-out part has ${held.length} characters; the validation needs ${VALIDATION.windows * VALIDATION.length + 1}`);
  return { inputs, targets };
}

/** The protocol's loss of a model on validation windows: the mean over all 512 x 64 predictions, from the zero state. */
function validationLoss(model, windows) {
  return model.evaluate(windows.inputs, windows.targets, { batchSize: 64 }).loss;
}

// ---------- a run ----------
async function run(lib, data, spec, minutes) {
  const { SimpleRNN } = lib;
  const r = spec.recipe;
  const budget = minutes * 60;
  const marks = (opt('marks')?.split(',').map(Number) ?? defaultMarks(budget)).filter((s) => s <= budget);
  if (marks.at(-1) !== budget) marks.push(budget);
  const V = data.chars.length;
  const modelOptions = {
    vocabSize: V, outputSize: V, returnSequences: true, seed: 1,
    hiddenSize: r.hiddenSize.length === 1 ? r.hiddenSize[0] : r.hiddenSize, layers: r.layers,
    ...(r.dropout > 0 ? { dropout: r.dropout } : {}),
    ...(r.recurrentDropout > 0 ? { recurrentDropout: r.recurrentDropout } : {}),
    optimizer: r.optimizer, learningRate: r.lr, ...(r.clipNorm > 0 ? { clipNorm: r.clipNorm } : {}),
  };
  const model = await SimpleRNN.create({ ...modelOptions, threads: r.threads, ...(r.simd === 'relaxed' ? { simd: 'relaxed' } : {}) });
  if (r.threads > 1 && model.threads !== r.threads) log(`warning: ${model.threads} thread(s): ${model.threadsFallback}`);
  if (r.simd === 'relaxed' && model.simd !== 'relaxed') log(`warning: strict SIMD: ${model.simdFallback}`);
  const judge = await SimpleRNN.create({ ...modelOptions, threads: 1 });
  const size = r.batchSize * r.seqLength * r.chunks;
  const n = data.train.length - 1;
  const full = Math.floor(n / size);
  const count = full + (n - full * size >= r.batchSize * r.seqLength ? 1 : 0);
  const segment = (k) => data.train.subarray(k * size, Math.min(data.train.length, k * size + size + 1));
  const stepsPerEpoch = Array.from({ length: count }, (_, k) => Math.ceil(Math.floor((segment(k).length - 1) / r.batchSize) / r.seqLength)).reduce((a, b) => a + b, 0);

  log(`recipe ${spec.name}${Object.keys(spec.overrides).length ? ` + ${JSON.stringify(spec.overrides)}` : ''}: ${describe(r)}; ${model.paramCount} parameters, ${stepsPerEpoch} steps per epoch`);
  log(`  as a command: ${commandOf(r, minutes)}`);
  const curve = [];
  let paused = 0;
  let pausedCpu = 0;
  let steps = 0;
  let ema = NaN;
  let next = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const cpuNow = () => {
    const d = process.cpuUsage(c0);
    return (d.user + d.system) / 1e6;
  };
  const clock = () => (performance.now() - t0) / 1000 - paused;
  const probe = () => {
    const p0 = performance.now();
    const pc = cpuNow();
    const seconds = clock();
    const cpuSeconds = pc - pausedCpu;
    judge.setParams(model.getParams());
    const loss = validationLoss(judge, data);
    const point = { seconds: round(seconds, 2), cpuSeconds: round(cpuSeconds, 2), steps, tokens: steps * r.batchSize * r.seqLength, epoch: round(steps / stepsPerEpoch, 2), loss: round(loss, 4), trainLoss: Number.isNaN(ema) ? null : round(ema, 4), learningRate: model.currentLearningRate, load1: loads()[0] };
    curve.push(point);
    log(`  ${clockText(seconds).padStart(6)}  val ${loss.toFixed(4)}  train ${Number.isNaN(ema) ? '  -   ' : ema.toFixed(3)}  step ${String(steps).padStart(6)}  epoch ${point.epoch.toFixed(2).padStart(5)}  ${Math.round(point.tokens / Math.max(seconds, 1e-9)).toString().padStart(6)} tok/s  cpu ${cpuSeconds.toFixed(0).padStart(4)} s  load ${point.load1}`);
    paused += (performance.now() - p0) / 1000;
    pausedCpu += cpuNow() - pc;
  };
  probe(); // the untrained model, at 0 s (its scoring is excluded like every other)
  const controller = new AbortController();
  let seg = 0;
  try {
    while (clock() < budget) {
      const decay = r.decay === 'cosine' ? { learningRate: r.lr * (0.1 + 0.45 * (1 + Math.cos(Math.PI * Math.min(1, clock() / budget)))) } : {};
      await model.fitStream(segment(seg % count), {
        seqLength: r.seqLength, batchSize: r.batchSize, epochs: 1, ...decay, signal: controller.signal,
        callbacks: {
          onBatchEnd: (_b, logs) => {
            steps++;
            if (!logs.skipped) ema = Number.isNaN(ema) ? logs.loss : 0.9 * ema + 0.1 * logs.loss;
            const s = clock();
            if (s >= marks[next]) {
              probe();
              next++;
              if (next === marks.length) controller.abort(new Error('budget'));
            }
          },
        },
      });
      seg++;
    }
  } catch (e) {
    if (!controller.signal.aborted) throw e;
  }
  const out = { curve, steps, epochs: round(steps / stepsPerEpoch, 3), params: model.paramCount, threads: model.threads, threadsFallback: model.threadsFallback ?? null, stepsPerEpoch, modelOptions };
  model.dispose();
  judge.dispose();
  return out;
}

function defaultMarks(budget) {
  const m = [];
  for (let s = 15; s <= Math.min(120, budget); s += 15) m.push(s);
  for (let s = 180; s <= budget; s += 60) m.push(s);
  if (budget >= 450) m.push(450);
  return [...new Set(m)].sort((a, b) => a - b);
}

const round = (x, d) => Number(x.toFixed(d));
const clockText = (s) => (s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`);
const describe = (r) => `${r.layers > 1 ? `${r.layers} layers, ` : ''}H=${r.hiddenSize.join(',')}${r.dropout ? `, dropout ${r.dropout}` : ''}${r.recurrentDropout ? `, recurrent dropout ${r.recurrentDropout}` : ''}, T=${r.seqLength}, B=${r.batchSize}, chunks ${r.chunks}, ${r.optimizer} lr ${r.lr}${r.decay !== 'none' ? ` (${r.decay} to lr/10 over the run)` : ''}, clip-norm ${r.clipNorm || 'off'}, ${r.threads} thread${r.threads > 1 ? 's' : ''}${r.simd === 'relaxed' ? ', relaxed SIMD' : ''}`;

/** The loss at a time, read off a curve by linear interpolation between its points (null past its end). */
function lossAt(curve, seconds) {
  for (let k = 1; k < curve.length; k++) {
    const a = curve[k - 1];
    const b = curve[k];
    if (b.seconds >= seconds) return a.loss + ((b.loss - a.loss) * (seconds - a.seconds)) / (b.seconds - a.seconds);
  }
  return null;
}

/** The first time a curve reaches a loss (linear between its points), or null. */
function timeTo(curve, loss) {
  for (let k = 1; k < curve.length; k++) {
    const a = curve[k - 1];
    const b = curve[k];
    if (b.loss <= loss) return a.seconds + ((b.seconds - a.seconds) * (a.loss - loss)) / (a.loss - b.loss);
  }
  return null;
}

// ---------- the commands ----------
async function main() {
  if (flag('list')) {
    for (const [name, p] of Object.entries(PRESETS)) log(`${name.padEnd(10)} ${p.about}\n${''.padEnd(10)} ${commandOf(p, 15)}`);
    return;
  }
  if (flag('chart')) return chart();
  if (flag('table')) return table();
  const data = loadText();
  if (!data) {
    log(`time-to-quality: tinyshakespeare not found (${SHAKESPEARE}; set SIMPLE_RNN_TEXT to its path): skipped, nothing trained`);
    return;
  }
  const { lib } = await import('./lib.mjs');
  if (opt('score')) return score(lib, data, opt('score'));
  const spec = recipeOf();
  const minutes = Number(opt('minutes') ?? 3);
  if (!(minutes > 0)) throw new Error(`--minutes=${opt('minutes')}: expected a positive number`);
  const machine = machineInfo();
  machine.loadavgBefore = loads();
  log(`time to quality: ${machine.cpu} (${machine.cores} cores; L2 ${machine.caches.L2}, L3 ${machine.caches.L3}), Node ${machine.node}; load average ${machine.loadavgBefore.join(' ')}`);
  log(`data: tinyshakespeare, ${data.text.length} chars, V=${data.chars.length}; training on ${data.train.length}, validation = the first ${VALIDATION.windows} windows of ${VALIDATION.length} of the last ${data.held.length}`);
  const result = await run(lib, data, spec, minutes);
  machine.loadavgAfter = loads();
  const c = result.curve;
  const last = c.at(-1);
  log(`trained ${clockText(last.seconds)} (${last.cpuSeconds.toFixed(0)} s of CPU: ${(last.cpuSeconds / last.seconds).toFixed(2)} cores busy on average), ${result.steps} steps, ${result.epochs} epochs; load average ${machine.loadavgAfter.join(' ')}`);
  const at = (m) => lossAt(c, m * 60);
  log(`loss at 1 / 3 / 7.5 / 15 min: ${[1, 3, 7.5, 15].map((m) => at(m)?.toFixed(3) ?? '-').join(' / ')}; time to ${TARGETS.early.loss}: ${fmtTime(timeTo(c, TARGETS.early.loss))}, to ${TARGETS.late.loss}: ${fmtTime(timeTo(c, TARGETS.late.loss))}`);
  const label = opt('name') ?? (Object.keys(spec.overrides).length ? `${spec.name}+${Object.entries(spec.overrides).map(([k, v]) => `${k}=${v}`).join(',')}` : spec.name);
  const outPath = opt('out') ?? join(results, `ttq-${spec.name}-${machine.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, JSON.stringify({
    bench: 'time-to-quality', label, preset: spec.name, about: spec.about, overrides: spec.overrides, recipe: spec.recipe, command: commandOf(spec.recipe, minutes),
    invoked: `node bench/time-to-quality.mjs ${process.argv.slice(2).join(' ')}`.trim(), minutes, machine,
    data: { text: 'tinyshakespeare', chars: data.text.length, vocabSize: data.chars.length, trainChars: data.train.length, heldOutChars: data.held.length, validation: `first ${VALIDATION.windows} windows of ${VALIDATION.length} of the held-out part, zero state` },
    ...result,
  }, null, 2) + '\n');
  log(`JSON: ${relative(process.cwd(), outPath)}`);
}

const fmtTime = (s) => (s === null ? 'not reached' : clockText(s));

/** Scores a checkpoint of `simple-rnn train` (character level) by the protocol. */
async function score(lib, data, file) {
  const { SimpleRNN, Vocabulary } = lib;
  const model = await SimpleRNN.load(new Uint8Array(readFileSync(file)));
  try {
    const vocab = Vocabulary.fromJSON(model.metadata.vocabulary);
    const ids = vocab.encode(data.text); // the command's ids for the same characters
    if (ids.length !== data.text.length || vocab.tokenizer.level !== 'char') throw new Error(`${file}: not a character-level model of simple-rnn train`);
    const cursor = model.metadata.cursor;
    const loss = validationLoss(model, windowsOf(ids.subarray(ids.length - data.held.length)));
    log(`${file}: step ${cursor?.steps}, ${cursor?.seconds?.toFixed(1)} s of training (the command's clock); protocol loss ${loss.toFixed(4)} nats/char`);
  } finally {
    model.dispose();
  }
}

/** The loss after a number of trained characters (linear between points), or null: a measure the machine's load does not change. */
function lossAtTokens(curve, tokens) {
  return lossAt(curve.map((p) => ({ seconds: p.tokens, loss: p.loss })), tokens);
}

/** A markdown table of saved results (--chart-files, or every ttq-*.json), oldest first. */
function table() {
  const files = opt('chart-files')?.split(',') ?? readdirSync(results).filter((f) => /^ttq-.*\.json$/.test(f)).map((f) => join(results, f));
  const runs = files.map((f) => ({ file: f, ...JSON.parse(readFileSync(f, 'utf8')) })).filter((j) => j.bench === 'time-to-quality').sort((a, b) => a.machine.date.localeCompare(b.machine.date));
  const x = (v, d = 3) => (v === null || v === undefined ? '-' : v.toFixed(d));
  log('| run | recipe | minutes | load before, after | CPU s per wall s | steps in 1 min | val at 0.5 / 1 / 2 / 3 min | at 7.5 / 15 min | at 1.4M chars trained | to 1.943 | to 1.60 |');
  log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of runs) {
    const c = r.curve;
    const last = c.at(-1);
    const steps1 = c.find((p) => p.seconds >= 60)?.steps;
    const at = (m) => x(lossAt(c, m * 60));
    log(`| [${r.label}](${relative(join(here, '..', 'docs'), r.file)}) | ${describe(r.recipe)} | ${r.minutes} | ${r.machine.loadavgBefore[0]}, ${r.machine.loadavgAfter[0]} | ${(last.cpuSeconds / last.seconds).toFixed(2)} | ${steps1 ?? '-'} | ${[0.5, 1, 2, 3].map(at).join(' / ')} | ${at(7.5)} / ${at(15)} | ${x(lossAtTokens(c, 1.4e6))} | ${fmtTime(timeTo(c, TARGETS.early.loss))} | ${fmtTime(timeTo(c, TARGETS.late.loss))} |`);
  }
}

function chart() {
  const files = opt('chart-files')?.split(',') ?? readdirSync(results).filter((f) => /^ttq-.*\.json$/.test(f)).map((f) => join(results, f));
  const all = files.map((f) => JSON.parse(readFileSync(f, 'utf8'))).filter((j) => j.bench === 'time-to-quality');
  // without --chart-files: the latest run of each preset as it is and each length (runs with overrides are the search's)
  const latest = new Map();
  for (const j of all) {
    if (!opt('chart-files') && Object.keys(j.overrides ?? {}).length) continue;
    const key = `${j.label} ${j.minutes}`;
    const old = latest.get(key);
    if (!old || old.machine.date < j.machine.date) latest.set(key, j);
  }
  const runs = [...latest.values()];
  const out = opt('chart-out') ?? join(here, '..', 'docs', 'time-to-quality.svg');
  writeFileSync(out, ttqChart(runs));
  log(`chart of ${runs.map((r) => `${r.label} (${r.minutes} min, ${r.machine.date.slice(0, 16)})`).join(', ')} and the TF.js reference (${REFERENCE.map((p) => `${p.minutes} min ${p.loss}`).join(', ')}): ${relative(process.cwd(), out)}`);
}

try {
  await main();
} catch (e) {
  if (process.env.SIMPLE_RNN_DEBUG) throw e;
  console.error(`time-to-quality: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 2;
}
