// The benchmark: every contender on the same seeded data, one thread, in one run.
//   npm run bench                 full run (a few minutes)
//   npm run bench -- --quick      fewer repeats, a smaller scaling table (under 2 minutes)
//   options: --only=LM,BIG  --no-scaling  --no-contenders  --no-threads  --out=path.json
//   --no-threads leaves out the 1-vs-N-threads rows of ours (bench/threads.mjs, also runnable alone)
//   --no-relaxed leaves out the strict-vs-relaxed-SIMD rows of BIG and LM (bench/relaxed.mjs, also runnable alone)
//   --no-onnxruntime leaves out the inference rows against onnxruntime-web (bench/onnxruntime.mjs, also runnable alone)
//   --no-torch leaves out PyTorch (bench/torch.mjs and bench/streaming.mjs, also runnable alone); torch runs when
//   `/usr/bin/python3 -c "import torch"` works (or --python=PATH), on OpenBLAS (--allow-reference-blas: any BLAS)
// Contenders: ours (wasm), ours (js), TF.js cpu and wasm backends, brain.js (LM only), and a peak micro-kernel; then
// PyTorch (nn.RNN on OpenBLAS, 1 and 2 threads, on the goal sizes of TORCH_CONFIGS) and the per-token streaming rows.
// LM-2L and CLS-bi are the deep and bidirectional configurations; bench/deep.mjs sets them beside their single-layer
// parts (cost ÷ sum of the parts).
// Before timing, the contenders that accept our weights (TF.js) must agree on the step-0 loss (inference: on the
// outputs). Every contender is warmed up, then timed over repeated steps; the table gives medians with the spread.
import { cpus, loadavg } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lib } from './lib.mjs';
const { SimpleRNN, Rng } = lib;
import { CONFIGS, corpus, makeData, stepFlops } from './configs.mjs';
import { measurePeak } from './peak.mjs';
import { benchThreads } from './threads.mjs';
import { benchRelaxed } from './relaxed.mjs';
import { tfjsContender } from './tfjs.mjs';
import { DEFAULT_PYTHON, benchTorch } from './torch.mjs';
import { benchStreaming } from './streaming.mjs';
import { benchOnnxruntime } from './onnxruntime.mjs';
import { flag, fmt, kfmt, opt, stats } from './util.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const QUICK = flag('quick');
const ONLY = opt('only')?.split(',');
const OPTIMIZER = 'adam';
const LR = 1e-3;
/** Seconds of timed steps per contender per config (at least MIN_STEPS steps). */
const BUDGET = QUICK ? 1.2 : 4;
const MIN_STEPS = QUICK ? 2 : 5;

const log = (...a) => console.log(...a);

// ---------- timing ----------

/**
 * Warm up, then time steps until the budget is spent: per-step times (ms). step may be async. With `ref` (ours
 * wasm), every step of the contender is followed by one timed step of ref, so that each pair sees the same load of
 * the shared machine: `paired` holds contender time / ref time per pair.
 */
async function timeSteps(step, { warmup = 2, budget = BUDGET, minSteps = MIN_STEPS, maxSteps = 200, ref = null } = {}) {
  for (let k = 0; k < warmup; k++) await step();
  const times = [];
  const paired = [];
  const t0 = performance.now();
  while (times.length < minSteps || (performance.now() - t0 < budget * 1000 && times.length < maxSteps)) {
    let s = performance.now();
    await step();
    const t = performance.now() - s;
    times.push(t);
    if (ref) {
      s = performance.now();
      await ref();
      paired.push(t / (performance.now() - s));
    }
  }
  if (ref) times.paired = paired;
  return times;
}

// ---------- contenders ----------

// inference: predict's typed output (one Float32Array per sequence), the counterpart of TF.js's predict + dataSync();
// nested: the number[][][] output, timed as its own row
async function ours(cfg, data, backend, nested = false) {
  const model = await SimpleRNN.create({ ...cfg.model, backend, seed: 1, optimizer: OPTIMIZER, learningRate: LR });
  let step;
  if (cfg.kind === 'train') step = () => model.trainBatch(data.inputs, data.targets);
  else if (cfg.kind === 'infer') step = nested ? () => model.predict(data.inputs) : () => model.predict(data.inputs, { output: 'typed' });
  else {
    const tokens = data.inputs[0];
    step = () => {
      let s = model.initialState();
      for (let t = 0; t < tokens.length; t++) s = model.step(s, tokens[t]).state;
      return s;
    };
  }
  return { model, step, dispose: () => model.dispose() };
}

/** The same network in TF.js layers, with our initial weights (bench/tfjs.mjs). */
const tfjs = (cfg, data, params, backend) => tfjsContender(cfg, data, params, backend, { optimizer: OPTIMIZER, learningRate: LR });

/** brain.js 1.6.1 recurrent.RNN: one sequence at a time, its own init, loss and update (no weights to set). */
function brainLm(cfg, data) {
  const brain = require('brain.js');
  const { ids } = corpus();
  const chars = Array.from({ length: cfg.model.vocabSize }); // the LM's alphabet size
  void ids;
  const seqs = data.inputs.map((s, b) => String.fromCharCode(...[...s, data.targets[b].at(-1)].map((c) => 65 + c)));
  const formatter = new brain.utilities.DataFormatter([...new Set(seqs.join('') + chars.map((_, k) => String.fromCharCode(65 + (k % 65))).join(''))]);
  const net = new brain.recurrent.RNN({ hiddenLayers: [cfg.model.hiddenSize], dataFormatter: formatter });
  const step = () => net.train(seqs, { iterations: 1, errorThresh: 0, log: false });
  return { step, dispose: () => {} };
}

// ---------- one config ----------

async function benchConfig(cfg, peak) {
  const data = makeData(cfg, new Rng(7));
  const flops = stepFlops(cfg, data.lens);
  const rows = [];
  const notes = [];
  const la0 = loadavg()[0];

  // correctness first: the contenders that take our weights compute the same step-0 loss / outputs
  const ref = await ours(cfg, data, 'wasm');
  const params = ref.model.getParams();
  const refOut = cfg.kind === 'train' ? ref.model.computeGradients(data.inputs, data.targets).loss : cfg.kind === 'infer' ? ref.model.predict(data.inputs) : null;
  const check = async (name, c) => {
    if (cfg.kind === 'train') {
      const l = await c.step();
      const loss = typeof l === 'number' ? l : Array.isArray(l) ? l[0] : l;
      const ok = Math.abs(loss - refOut) <= 1e-4 * Math.max(1, Math.abs(refOut));
      notes.push(`${name}: step-0 loss ${loss.toFixed(6)} vs ours ${refOut.toFixed(6)} ${ok ? 'agree' : 'DISAGREE'}`);
      if (!ok) throw new Error(`bench ${cfg.name}: ${name} computes a different loss (${loss} vs ${refOut})`);
    } else {
      const v = await c.step();
      const ourFlat = refOut.flat(2);
      // TF.js returns (B, T, O) with padding rows; ours returns real steps per sequence in the caller's order
      let maxd = 0;
      const { B, T } = cfg;
      const O = cfg.model.outputSize;
      refOut.forEach((seqOut, b) => seqOut.forEach((row, t) => row.forEach((p, o) => (maxd = Math.max(maxd, Math.abs(p - v[(b * T + t) * O + o]))))));
      const ok = maxd <= 1e-4;
      notes.push(`${name}: outputs max |diff| ${maxd.toExponential(2)} vs ours ${ok ? 'agree' : 'DISAGREE'} (${ourFlat.length} values)`);
      if (!ok) throw new Error(`bench ${cfg.name}: ${name} computes different outputs (max diff ${maxd})`);
    }
  };

  const contenders = [['ours wasm', () => ref]];
  if (cfg.kind === 'infer') {
    // the typed output (timed) holds the same numbers as the nested one (the reference of the TF.js check)
    const typed = ref.step();
    const same = typed.every((a, b) => a.length === refOut[b].length * cfg.model.outputSize && a.every((v, j) => v === refOut[b][Math.floor(j / cfg.model.outputSize)][j % cfg.model.outputSize]));
    if (!same) throw new Error(`bench ${cfg.name}: predict's typed output differs from its nested output`);
    notes.push("ours wasm: predict(inputs, { output: 'typed' }) (one Float32Array per sequence), equal to the nested output; TF.js's timed step is predict + dataSync() (one Float32Array)");
    contenders.push(['ours nested', () => ours(cfg, data, 'wasm', true)]);
  }
  // --quick leaves out the contenders that take seconds per step on the large configs (plain JS on BIG and on the
  // second CLS, and on the bidirectional CLS): on an idle machine of this class that keeps the whole run short
  const heavy = QUICK && (cfg.name === 'BIG' || cfg.name === 'CLS-pad25' || cfg.name === 'CLS-bi');
  if (!flag('no-contenders') && cfg.kind === 'stream') {
    contenders.push(['ours js', () => ours(cfg, data, 'js')]);
    notes.push('streaming: TF.js and brain.js have no per-token step with carried state that matches; ours only');
  } else if (!flag('no-contenders')) {
    if (!heavy) contenders.push(['ours js', () => ours(cfg, data, 'js')]);
    if (!heavy) contenders.push(['TF.js cpu', () => tfjs(cfg, data, params, 'cpu')]);
    contenders.push(['TF.js wasm', () => tfjs(cfg, data, params, 'wasm')]);
    if (cfg.name === 'LM') contenders.push(['brain.js RNN', () => brainLm(cfg, data)]);
    if (heavy) notes.push('--quick: ours js and TF.js cpu left out of this config (seconds per step); the full run has them');
  }
  for (const [name, make] of contenders) {
    const c = await make();
    if (name.startsWith('TF.js')) await check(name, c);
    if (name === 'ours js' && cfg.kind === 'train') {
      // same code, other backend: the step-0 loss agrees with the wasm one within f32 + tanh-approximation error
      const l = c.model.computeGradients(data.inputs, data.targets)?.loss;
      if (cfg.kind === 'train') notes.push(`ours js: step-0 loss ${l.toFixed(6)} vs wasm ${refOut.toFixed(6)}`);
    }
    if (name === 'brain.js RNN') notes.push('brain.js RNN: its own weights, loss and optimizer (no way to set weights): not loss-checked; trains one sequence at a time');
    const slow = name !== 'ours wasm';
    const times = await timeSteps(c.step, { warmup: slow ? 1 : 3, minSteps: slow ? (QUICK ? 1 : 3) : MIN_STEPS, ref: slow ? ref.step : null });
    const st = stats(times);
    const row = { contender: name, ...st, tokensPerSec: (cfg.tokens / st.median) * 1e3, stepsPerSec: 1e3 / st.median, gflops: flops / st.median / 1e6 };
    if (times.paired) row.pairedRatio = stats(times.paired);
    rows.push(row);
    if (c !== ref) c.dispose();
  }
  // ours wasm again at the end: the load of the shared machine may have changed while the slow contenders ran
  const again = stats(await timeSteps(ref.step, { warmup: 1 }));
  const first = rows[0];
  notes.push(`ours wasm re-timed after the others: median ${again.median.toFixed(2)} ms (first ${first.median.toFixed(2)} ms)`);
  if (again.median < first.median) Object.assign(first, again, { tokensPerSec: (cfg.tokens / again.median) * 1e3, stepsPerSec: 1e3 / again.median, gflops: flops / again.median / 1e6 });
  ref.dispose();
  for (const r of rows) {
    r.pctPeak = (100 * r.gflops) / peak.gflops;
    r.oursRatio = first.tokensPerSec / r.tokensPerSec;
  }
  if (cfg.kind === 'stream') for (const r of rows) r.usPerToken = (r.median * 1e3) / cfg.tokens;
  return { name: cfg.name, desc: cfg.desc, kind: cfg.kind, B: cfg.B, T: cfg.T, tokens: cfg.tokens, flopsPerStep: flops, rows, notes, loadavg: [la0, loadavg()[0]] };
}

function printConfig(r) {
  log(`\n${r.name}: ${r.desc}; ${r.tokens} tokens/step, ${(r.flopsPerStep / 1e6).toFixed(1)} MFLOP/step (GEMMs)`);
  log(`  ${'contender'.padEnd(13)} ${'tokens/s'.padStart(9)} ${'steps/s'.padStart(8)} ${'ms/step (p25-p75, n)'.padStart(26)} ${'GFLOP/s'.padStart(8)} ${'% peak'.padStart(7)} ${'ours wasm ÷ it'.padStart(15)} ${'paired (p25-p75)'.padStart(22)}`);
  for (const x of r.rows) {
    const pr = x.pairedRatio ? `${fmt(x.pairedRatio.median, 2)}x (${fmt(x.pairedRatio.p25, 2)}-${fmt(x.pairedRatio.p75, 2)})` : '';
    log(`  ${x.contender.padEnd(13)} ${kfmt(x.tokensPerSec).padStart(9)} ${fmt(x.stepsPerSec, 2).padStart(8)} ${`${fmt(x.median, 2)} (${fmt(x.p25, 2)}-${fmt(x.p75, 2)}, ${x.n})`.padStart(26)} ${fmt(x.gflops, 2).padStart(8)} ${fmt(x.pctPeak).padStart(6)}% ${`${fmt(x.oursRatio, 2)}x`.padStart(15)} ${pr.padStart(22)}`);
  }
  log('  (ours wasm ÷ it: ratio of the medians; paired: median over steps of its time ÷ the time of one ours-wasm step run');
  log('   right after it, which cancels the load of the shared machine)');
  if (r.kind === 'stream') for (const x of r.rows) log(`  - ${x.contender}: ${x.usPerToken.toFixed(2)} µs per token (step() call, state copied in and out)`);
  for (const n of r.notes) log(`  - ${n}`);
  log(`  - load average (1 min) ${r.loadavg[0].toFixed(2)} -> ${r.loadavg[1].toFixed(2)} on ${cpus().length} cores`);
}

// ---------- scaling ----------

async function scaling(peak) {
  const base = { H: 256, T: 32, B: 32 };
  const grid = QUICK
    ? { H: [64, 256, 1024], T: [8, 64, 256], B: [1, 32, 256] }
    : { H: [64, 128, 256, 512, 1024], T: [8, 16, 32, 64, 128, 256], B: [1, 4, 16, 32, 64, 128, 256] };
  const out = [];
  for (const axis of ['H', 'T', 'B']) {
    for (const v of grid[axis]) {
      const p = { ...base, [axis]: v };
      const cfg = { name: 'scale', kind: 'train', model: { inputSize: 32, hiddenSize: p.H, outputSize: 2 }, T: p.T, B: p.B, pad: 0 };
      const data = makeData(cfg, new Rng(3));
      const model = await SimpleRNN.create({ ...cfg.model, seed: 1, optimizer: OPTIMIZER, learningRate: LR });
      const st = stats(await timeSteps(() => model.trainBatch(data.inputs, data.targets), { warmup: 1, budget: QUICK ? 0.4 : 1.5, minSteps: QUICK ? 2 : 4 }));
      model.dispose();
      const flops = stepFlops(cfg, data.lens);
      // the best step (not the median): the curve's shape is what matters here, and the best step is the one the
      // other processes of a shared machine disturbed least
      const row = { axis, ...p, msPerStep: st.min, msMedian: st.median, n: st.n, tokensPerSec: (cfg.tokens / st.min) * 1e3, gflops: flops / st.min / 1e6 };
      row.pctPeak = (100 * row.gflops) / peak.gflops;
      out.push(row);
      log(`  ${axis}=${String(v).padEnd(5)} (H=${p.H}, T=${p.T}, B=${p.B})  best ${fmt(st.min, 2).padStart(8)} ms/step (median ${fmt(st.median, 2)}, n ${st.n})  ${kfmt(row.tokensPerSec).padStart(7)} tokens/s  ${fmt(row.gflops, 1).padStart(5)} GFLOP/s  ${fmt(row.pctPeak).padStart(4)}% of peak`);
    }
  }
  return out;
}

// ---------- main ----------

const t0 = performance.now();
const machine = { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, platform: `${process.platform} ${process.arch}`, date: new Date().toISOString() };
log(`simple-rnn bench${QUICK ? ' --quick' : ''}: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; one thread; optimizer ${OPTIMIZER} (lr ${LR})`);
log(`data: ${corpus(new Rng(1)).source}; TF.js runs on its cpu and wasm (XNNPACK, SIMD, one thread) backends:`);
log('  its native binding (@tensorflow/tfjs-node) cannot be installed here. Load average now: ' + loadavg().map((x) => x.toFixed(2)).join(' '));
const peak = await measurePeak(QUICK ? 0.6 : 2);
log(`peak: ${peak.gflops.toFixed(1)} GFLOP/s wasm SIMD on one core (${peak.detail})`);
const results = [];
for (const cfg of CONFIGS.filter((c) => !ONLY || ONLY.includes(c.name))) {
  const r = await benchConfig(cfg, peak);
  printConfig(r);
  results.push(r);
}
let scale = null;
if (!flag('no-scaling')) {
  log('\nscaling (ours wasm, dense I=32, final 2-class softmax; one axis at a time from H=256, T=32, B=32; best step):');
  scale = await scaling(peak);
}
let threads = null;
if (!flag('no-threads')) {
  log('');
  threads = await benchThreads({ only: ['LM', 'CLS', 'CLS-pad25', 'BIG'].filter((n) => !ONLY || ONLY.includes(n)), quick: QUICK, log });
}
let relaxed = null;
if (!flag('no-relaxed')) {
  log('');
  relaxed = await benchRelaxed({ only: ['BIG', 'LM'].filter((n) => !ONLY || ONLY.includes(n)), quick: QUICK, log });
}
let torch = null;
let streaming = null;
if (!flag('no-torch')) {
  // a torch that is missing or on the reference BLAS is skipped with its reason; a failure (a worker that crashed or
  // hung, outputs that disagree) is printed and recorded, and the run ends with exit code 1 after saving the rest
  const python = opt('python') ?? DEFAULT_PYTHON;
  const allowReferenceBlas = flag('allow-reference-blas');
  log('');
  try {
    torch = await benchTorch({ only: ONLY, quick: QUICK, python, allowReferenceBlas, relaxed: !flag('no-relaxed'), log });
  } catch (e) {
    log(`torch contender failed: ${e.message}`);
    torch = { error: e.message };
    process.exitCode = 1;
  }
  log('');
  try {
    const why = torch.skipped ?? (torch.error && 'the torch contender failed above');
    streaming = await benchStreaming({ quick: QUICK, torch: !why, skipReason: why, python, allowReferenceBlas, log });
  } catch (e) {
    log(`streaming rows failed: ${e.message}`);
    streaming = { error: e.message };
    process.exitCode = 1;
  }
}
let onnxruntime = null;
if (!flag('no-onnxruntime')) {
  log('');
  try {
    onnxruntime = await benchOnnxruntime({ quick: QUICK, only: ONLY, relaxed: !flag('no-relaxed'), log });
  } catch (e) {
    log(`onnxruntime rows failed: ${e.message}`);
    onnxruntime = { error: e.message };
    process.exitCode = 1;
  }
}
const secs = (performance.now() - t0) / 1000;
log(`\nfinished in ${secs.toFixed(0)} s; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const outPath = opt('out') ?? join(here, 'results', `bench-${QUICK ? 'quick-' : ''}${machine.date.replace(/[:.]/g, '-')}.json`);
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, JSON.stringify({ machine, quick: QUICK, optimizer: OPTIMIZER, learningRate: LR, peak, results, scaling: scale, threads, relaxed, torch, streaming, onnxruntime, seconds: secs, command: `node bench/run.mjs ${args.join(' ')}`.trim() }, null, 2));
log(`JSON: ${outPath}`);
