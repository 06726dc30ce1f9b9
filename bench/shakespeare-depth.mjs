// 1 layer against 2 layers on tinyshakespeare at equal training time: validation loss (nats per character).
//   node bench/shakespeare-depth.mjs                 60 s of training each (about 2.5 minutes in all on an idle core)
//   node bench/shakespeare-depth.mjs --budget=90     the run of docs/deep.md
//   options: --budget=SECONDS  --clock=cpu|wall  --every=SECONDS  --hidden=H  --seq=T  --batch=B  --lr=X  --layers=1,2
//            --out=path.json
// Both models train with fitStream (truncated BPTT, B parallel tracks, chunks of T steps) on the first 90% of the
// text and are scored with evaluateStream (one track, carried state) on the last 10%. They train one after the other;
// each one stops when its chunks have taken the budget. --clock=cpu (default) counts the CPU time of its chunks
// (process.cpuUsage around each chunk: the model is single-threaded, so on an idle core this is its wall time, and on
// a loaded machine it is the time it actually computed); --clock=wall counts their wall time, preemption included.
// Both are reported. (Taking turns chunk by chunk in one process was tried and dropped: fitStream yields to the event
// loop before every chunk, so the time measured between two onBatchEnd calls could include the other model's chunk.)
// Every `--every` seconds of its training a copy of the weights is scored on the first 20k characters of the
// validation text (not counted in the budget).
// Without tinyshakespeare the text is generated (seeded), and the output says so.
import { cpus, loadavg } from 'node:os';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHAKESPEARE } from './configs.mjs';
import { lib } from './lib.mjs';
const { SimpleRNN, Rng } = lib;

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, d) => {
  const v = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return v === undefined ? d : v;
};
const BUDGET = Number(opt('budget', 60));
const EVERY = Number(opt('every', 15));
const H = Number(opt('hidden', 128));
const SEQ = Number(opt('seq', 64));
const BATCH = Number(opt('batch', 32));
const LR = Number(opt('lr', 2e-3));
const CLOCK = opt('clock', 'cpu');
if (CLOCK !== 'cpu' && CLOCK !== 'wall') throw new Error(`--clock=${CLOCK}: expected cpu or wall`);
const CLIP = 5;

// ---------- the text ----------
let text;
let source;
if (existsSync(SHAKESPEARE)) {
  text = readFileSync(SHAKESPEARE, 'utf8');
  source = `tinyshakespeare (${text.length} chars)`;
} else {
  // a seeded order-2 character process over 65 symbols, so that there is something to learn
  const rng = new Rng(5);
  const n = 1 << 20;
  const a = new Array(n);
  const table = Array.from({ length: 65 * 65 }, () => Array.from({ length: 4 }, () => rng.int(65)));
  a[0] = 0;
  a[1] = 1;
  for (let k = 2; k < n; k++) a[k] = rng.uniform() < 0.8 ? table[a[k - 2] * 65 + a[k - 1]][rng.int(4)] : rng.int(65);
  text = a.map((c) => String.fromCharCode(48 + c)).join('');
  source = `generated text (seeded order-2 process over 65 symbols, ${n} chars; tinyshakespeare not found)`;
}
const chars = [...new Set(text)].sort();
const V = chars.length;
const id = new Map(chars.map((c, k) => [c, k]));
const ids = Int32Array.from(text, (c) => id.get(c));
const cut = Math.floor(ids.length * 0.9);
const trainTokens = ids.subarray(0, cut);
const valTokens = ids.subarray(cut);
const valProbe = valTokens.subarray(0, 20000);

const log = (...a) => console.log(...a);
const load1 = () => Number(loadavg()[0].toFixed(2));

function lscpuModel() {
  try {
    return /Model name:\s*(.*)/.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1]?.trim() ?? null;
  } catch {
    return null;
  }
}

const MODELS = [
  { name: '1 layer', options: { layers: 1, hiddenSize: H } },
  { name: '2 layers', options: { layers: 2, hiddenSize: H } },
].filter((m) => !opt('layers') || opt('layers').split(',').includes(String(m.options.layers)));
const common = { vocabSize: V, outputSize: V, returnSequences: true, seed: 1, optimizer: 'adam', learningRate: LR, clipNorm: CLIP };

/** A copy of the model's weights, scored on a validation stream (the training model is left alone). */
async function score(run, tokens) {
  const copy = await SimpleRNN.create({ ...common, ...run.options });
  copy.setParams(run.model.getParams());
  const r = copy.evaluateStream(tokens, { seqLength: SEQ });
  copy.dispose();
  return r.loss;
}

/** A run: fitStream until its chunks' time (CPU or wall) reaches the budget. */
function startRun(run) {
  run.wall = 0;
  run.cpu = 0;
  run.chunks = 0;
  run.curve = [];
  run.nextProbe = EVERY;
  run.controller = new AbortController();
  let t = performance.now();
  let c = process.cpuUsage();
  run.done = run.model.fitStream(trainTokens, {
    seqLength: SEQ, batchSize: BATCH, epochs: 1000, signal: run.controller.signal,
    callbacks: {
      onBatchEnd: async (_b, logs) => {
        run.wall += (performance.now() - t) / 1000;
        const d = process.cpuUsage(c);
        run.cpu += (d.user + d.system) / 1e6;
        run.chunks++;
        run.lastLoss = logs.loss;
        const spent = CLOCK === 'cpu' ? run.cpu : run.wall;
        if (spent >= run.nextProbe) {
          run.curve.push({ seconds: Number(spent.toFixed(2)), wallSeconds: Number(run.wall.toFixed(2)), cpuSeconds: Number(run.cpu.toFixed(2)), tokens: run.chunks * SEQ * BATCH, probeLoss: await score(run, valProbe), trainLoss: logs.loss });
          run.nextProbe += EVERY;
        }
        if (spent >= BUDGET) run.controller.abort(new Error('budget'));
        t = performance.now();
        c = process.cpuUsage();
      },
    },
  }).catch((e) => {
    if (!run.controller.signal.aborted) throw e;
  });
}

const machine = {
  cpu: lscpuModel() ?? cpus()[0]?.model, cores: cpus().length, node: process.version, date: new Date().toISOString(),
  loadavgBefore: loadavg().map((x) => Number(x.toFixed(2))),
};
log(`tinyshakespeare depth: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load average ${machine.loadavgBefore.join(' ')}`);
log(`data: ${source}; V=${V}; train ${trainTokens.length} chars (first 90%), validation ${valTokens.length} chars (last 10%)`);
log(`fitStream: seqLength ${SEQ}, batchSize ${BATCH} tracks, adam lr ${LR}, clipNorm ${CLIP}, seed 1; budget ${BUDGET} s of training each (${CLOCK} time), one after the other`);
const t0 = performance.now();
const runs = [];
for (const m of MODELS) {
  const model = await SimpleRNN.create({ ...common, ...m.options });
  runs.push({ ...m, model, params: model.trainableCount, initialLoss: model.evaluateStream(valProbe, { seqLength: SEQ }).loss });
}
for (const r of runs) {
  r.loadBefore = load1();
  startRun(r);
  await r.done;
  r.loadAfter = load1();
  log(`  ${r.name}: trained ${r.chunks} chunks in ${r.wall.toFixed(1)} s wall, ${r.cpu.toFixed(1)} s CPU; load average (1 min) ${r.loadBefore} -> ${r.loadAfter}`);
}
log(`trained in ${((performance.now() - t0) / 1000).toFixed(0)} s (both); scoring on the whole validation text ...`);
for (const r of runs) {
  r.valLoss = r.model.evaluateStream(valTokens, { seqLength: SEQ }).loss;
  r.model.dispose();
}
machine.loadavgAfter = loadavg().map((x) => Number(x.toFixed(2)));
log(`  ${'model'.padEnd(9)} ${'H'.padStart(4)} ${'params'.padStart(7)} ${'chunks'.padStart(7)} ${'tokens'.padStart(9)} ${`tokens/${CLOCK}-s`.padStart(12)} ${'wall s'.padStart(7)} ${'cpu s'.padStart(6)} ${'val nats/char'.padStart(14)} ${'(bits/char)'.padStart(11)}  probe curve (val[0..20k] nats/char at ${CLOCK} s of training)`);
for (const r of runs) {
  const tokens = r.chunks * SEQ * BATCH;
  r.tokens = tokens;
  r.tokensPerSec = tokens / (CLOCK === 'cpu' ? r.cpu : r.wall);
  const curve = r.curve.map((p) => `${p.seconds.toFixed(0)}s ${p.probeLoss.toFixed(3)}`).join(', ');
  log(`  ${r.name.padEnd(9)} ${String(H).padStart(4)} ${String(r.params).padStart(7)} ${String(r.chunks).padStart(7)} ${String(tokens).padStart(9)} ${Math.round(r.tokensPerSec).toString().padStart(12)} ${r.wall.toFixed(1).padStart(7)} ${r.cpu.toFixed(1).padStart(6)} ${r.valLoss.toFixed(4).padStart(14)} ${(r.valLoss / Math.LN2).toFixed(3).padStart(11)}  ${curve}`);
}
const secs = (performance.now() - t0) / 1000;
log(`finished in ${secs.toFixed(0)} s; load average ${machine.loadavgAfter.join(' ')}`);
const outPath = opt('out') ?? join(here, 'results', `shakespeare-depth-${machine.date.replace(/[:.]/g, '-')}.json`);
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, JSON.stringify({
  machine, command: `node bench/shakespeare-depth.mjs ${args.join(' ')}`.trim(), data: source, vocabSize: V,
  trainChars: trainTokens.length, valChars: valTokens.length,
  settings: { budgetSeconds: BUDGET, clock: CLOCK, seqLength: SEQ, batchSize: BATCH, learningRate: LR, clipNorm: CLIP, optimizer: 'adam', seed: 1, probeChars: valProbe.length },
  runs: runs.map((r) => ({ name: r.name, options: r.options, params: r.params, chunks: r.chunks, tokens: r.tokens, tokensPerSec: r.tokensPerSec, wallSeconds: r.wall, cpuSeconds: r.cpu, loadavg: [r.loadBefore, r.loadAfter], initialProbeLoss: r.initialLoss, valLoss: r.valLoss, curve: r.curve })),
  seconds: secs,
}, null, 2));
log(`JSON: ${outPath}`);
