// Deep and bidirectional models against the single-layer models they are made of, and against TF.js wasm, in one run.
//   node bench/deep.mjs                 LM-2L and CLS-bi (a few minutes on a loaded 2-core machine)
//   node bench/deep.mjs --quick         shorter timing budgets (about a minute on an idle machine)
//   options: --only=LM-2L,CLS-bi  --no-tfjs  --out=path.json
// For each deep config (bench/configs.mjs): LM-2L = LM (layer 0) + LM-top (layer 1 alone); CLS-bi = CLS-fwd +
// CLS-rev (each direction alone, goBackwards for the reverse one). Before timing, TF.js (the same architecture in
// tf.layers with our initial weights, bench/tfjs.mjs) must compute the same step-0 loss as ours for the deep config and
// for each part. Ours are timed in rounds: one trainBatch of the deep model and one of each part, back to back (the
// order rotates every round), so every round sees the same load of the shared machine; "÷ parts" is the median over
// rounds of deep time ÷ the sum of the parts' times. TF.js wasm steps are each followed by one step of ours (paired).
import { cpus, loadavg } from 'node:os';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lib } from './lib.mjs';
import { CONFIGS, DEEP_PARTS, PART_CONFIGS, corpus, makeData, stepFlops } from './configs.mjs';
import { tfjsContender } from './tfjs.mjs';
import { flag, fmt, kfmt, opt, stats } from './util.mjs';
const { SimpleRNN, Rng } = lib;

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const QUICK = flag('quick');
const ONLY = opt('only')?.split(',');
const OPTIMIZER = 'adam';
const LR = 1e-3;
/** Seconds of interleaved rounds of ours per deep config; of TF.js steps per model (at least TF_STEPS steps). */
const BUDGET = QUICK ? 3 : 8;
const TF_BUDGET = QUICK ? 2 : 10;
const TF_STEPS = QUICK ? 2 : 3;

const log = (...a) => console.log(...a);
const load1 = () => Number(loadavg()[0].toFixed(2));

const byName = new Map([...CONFIGS, ...PART_CONFIGS].map((c) => [c.name, c]));

async function oursModel(cfg, data) {
  const model = await SimpleRNN.create({ ...cfg.model, seed: 1, optimizer: OPTIMIZER, learningRate: LR });
  return { model, step: () => model.trainBatch(data.inputs, data.targets), loss0: model.computeGradients(data.inputs, data.targets).loss };
}

/** TF.js on `backend` with our initial weights: its step-0 loss must equal ours (else the bench stops). */
async function tfjsChecked(cfg, data, ours, backend, notes) {
  const c = await tfjsContender(cfg, data, ours.model.getParams(), backend, { optimizer: OPTIMIZER, learningRate: LR });
  const l = await c.step();
  const loss = typeof l === 'number' ? l : l[0];
  const ok = Math.abs(loss - ours.loss0) <= 1e-4 * Math.max(1, Math.abs(ours.loss0));
  notes.push(`${cfg.name}: TF.js ${backend} step-0 loss ${loss.toFixed(6)} vs ours ${ours.loss0.toFixed(6)} ${ok ? 'agree' : 'DISAGREE'}`);
  if (!ok) throw new Error(`bench deep ${cfg.name}: TF.js ${backend} computes a different loss (${loss} vs ${ours.loss0})`);
  return c;
}

async function time(f) {
  const s = performance.now();
  await f();
  return performance.now() - s;
}

async function benchDeep(name) {
  const la0 = load1();
  const notes = [];
  const names = [name, ...DEEP_PARTS[name]];
  const cfgs = names.map((n) => byName.get(n));
  // every model of the group gets the same seeded data (same shapes: same tokens, same dense inputs)
  const datas = cfgs.map((c) => makeData(c, new Rng(7)));
  const models = [];
  for (let k = 0; k < cfgs.length; k++) models.push(await oursModel(cfgs[k], datas[k]));

  // TF.js first: the loss check, then (wasm) timed steps, each paired with one step of ours on the same model
  const tf = {};
  if (!flag('no-tfjs')) {
    for (let k = 0; k < cfgs.length; k++) {
      const c = await tfjsChecked(cfgs[k], datas[k], models[k], 'wasm', notes);
      await c.step(); // warm-up
      const times = [];
      const paired = [];
      const t0 = performance.now();
      for (let s = 0; s < 50 && (s < TF_STEPS || performance.now() - t0 < TF_BUDGET * 1000); s++) {
        const t = await time(c.step);
        times.push(t);
        paired.push(t / (await time(models[k].step)));
      }
      tf[names[k]] = { times: stats(times), paired: stats(paired) };
      c.dispose();
    }
  }

  // ours: interleaved rounds of (deep, part 1, part 2), the order rotating
  for (const m of models) for (let w = 0; w < 3; w++) await m.step();
  const times = names.map(() => []);
  const ratio = [];
  const ratioTwice = [];
  const t0 = performance.now();
  for (let r = 0; r < 400 && (r < 8 || performance.now() - t0 < BUDGET * 1000); r++) {
    const t = new Array(names.length);
    for (let j = 0; j < names.length; j++) {
      const k = (j + r) % names.length;
      t[k] = await time(models[k].step);
    }
    t.forEach((x, k) => times[k].push(x));
    ratio.push(t[0] / (t[1] + t[2]));
    ratioTwice.push(t[0] / (2 * t[1]));
  }
  for (const m of models) m.model.dispose();

  const rows = names.map((n, k) => {
    const st = stats(times[k]);
    const cfg = cfgs[k];
    const flops = stepFlops(cfg, datas[k].lens);
    const row = { model: n, desc: cfg.desc, tokens: cfg.tokens, flopsPerStep: flops, ours: { ...st, tokensPerSec: (cfg.tokens / st.median) * 1e3, gflops: flops / st.median / 1e6 } };
    if (tf[n]) {
      row.tfjsWasm = { ...tf[n].times, tokensPerSec: (cfg.tokens / tf[n].times.median) * 1e3 };
      row.oursOverTfjs = { medians: tf[n].times.median / st.median, paired: tf[n].paired };
    }
    return row;
  });
  const sumParts = rows[1].ours.median + rows[2].ours.median;
  const result = {
    name, desc: cfgs[0].desc, parts: names.slice(1), rows,
    overParts: { paired: stats(ratio), medians: rows[0].ours.median / sumParts },
    loadavg: [la0, load1()],
    notes,
  };
  if (name === 'LM-2L') result.overTwiceFirst = { paired: stats(ratioTwice), medians: rows[0].ours.median / (2 * rows[1].ours.median) };
  return result;
}

function printDeep(r) {
  log(`\n${r.name}: ${r.desc}`);
  log(`  ${'model'.padEnd(8)} ${'ours tokens/s'.padStart(13)} ${'ms/step (p25-p75, n)'.padStart(26)} ${'GFLOP/s'.padStart(8)} ${'TF.js wasm tokens/s'.padStart(20)} ${'ours ÷ TF.js (medians; paired)'.padStart(32)}`);
  for (const x of r.rows) {
    const o = x.ours;
    const tfCell = x.tfjsWasm ? kfmt(x.tfjsWasm.tokensPerSec) : '-';
    const ratio = x.oursOverTfjs ? `${fmt(x.oursOverTfjs.medians, 2)}x; ${fmt(x.oursOverTfjs.paired.median, 2)}x` : '-';
    log(`  ${x.model.padEnd(8)} ${kfmt(o.tokensPerSec).padStart(13)} ${`${fmt(o.median, 2)} (${fmt(o.p25, 2)}-${fmt(o.p75, 2)}, ${o.n})`.padStart(26)} ${fmt(o.gflops, 2).padStart(8)} ${tfCell.padStart(20)} ${ratio.padStart(32)}`);
  }
  const p = r.overParts.paired;
  log(`  ${r.name} time ÷ (${r.parts.join(' + ')}) time: ${p.median.toFixed(3)} per round (p25-p75 ${p.p25.toFixed(3)}-${p.p75.toFixed(3)}, n ${p.n}); ratio of medians ${r.overParts.medians.toFixed(3)}  (target <= 1.1)`);
  if (r.overTwiceFirst) {
    const q = r.overTwiceFirst.paired;
    log(`  ${r.name} time ÷ (2 x ${r.parts[0]}) time: ${q.median.toFixed(3)} per round (p25-p75 ${q.p25.toFixed(3)}-${q.p75.toFixed(3)}); ratio of medians ${r.overTwiceFirst.medians.toFixed(3)}`);
  }
  for (const n of r.notes) log(`  - ${n}`);
  log(`  - load average (1 min) ${r.loadavg[0]} -> ${r.loadavg[1]} on ${cpus().length} cores`);
}

function lscpuModel() {
  try {
    return /Model name:\s*(.*)/.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1]?.trim() ?? null;
  } catch {
    return null;
  }
}

const t0 = performance.now();
const machine = {
  cpu: lscpuModel() ?? cpus()[0]?.model, cores: cpus().length, node: process.version, platform: `${process.platform} ${process.arch}`,
  date: new Date().toISOString(), loadavgBefore: loadavg().map((x) => Number(x.toFixed(2))),
};
log(`simple-rnn deep bench${QUICK ? ' --quick' : ''}: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; one thread; optimizer ${OPTIMIZER} (lr ${LR})`);
log(`data: ${corpus(new Rng(1)).source}; load average now ${machine.loadavgBefore.join(' ')}`);
const results = [];
for (const name of Object.keys(DEEP_PARTS).filter((n) => !ONLY || ONLY.includes(n))) {
  const r = await benchDeep(name);
  printDeep(r);
  results.push(r);
}
machine.loadavgAfter = loadavg().map((x) => Number(x.toFixed(2)));
const secs = (performance.now() - t0) / 1000;
log(`\nfinished in ${secs.toFixed(0)} s; load average ${machine.loadavgAfter.join(' ')}`);
const outPath = opt('out') ?? join(here, 'results', `deep-${QUICK ? 'quick-' : ''}${machine.date.replace(/[:.]/g, '-')}.json`);
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(outPath, JSON.stringify({ machine, quick: QUICK, optimizer: OPTIMIZER, learningRate: LR, budgetSeconds: BUDGET, tfjsBudgetSeconds: TF_BUDGET, results, seconds: secs, command: `node bench/deep.mjs ${args.join(' ')}`.trim() }, null, 2));
log(`JSON: ${outPath}`);
