// Multi-core training (issue 4 "Multi-core"): ours (wasm) on 1 thread vs N threads, same seeded data and weights.
//   node bench/threads.mjs                    LM, CLS, CLS-pad25, BIG with threads = os.availableParallelism()
//   options: --only=BIG  --threads=2  --quick  --out=path.json
// Both models start from the same seed, so step 0 must give the same loss (checked before timing). Steps alternate
// 1-thread / N-thread, so each pair sees the same load of a shared machine; the speedup is the median of the pair
// ratios. Besides wall time it reports CPU time per step (process.cpuUsage covers every thread of the process) and
// the load average, since a busy machine takes cores from the N-thread run first.
import { availableParallelism, cpus, loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lib } from './lib.mjs';
import { CONFIGS, makeData } from './configs.mjs';
const { SimpleRNN, Rng } = lib;

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const TRAIN = ['LM', 'CLS', 'CLS-pad25', 'BIG'];

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(2));

/** Wall and CPU milliseconds of one call. */
function timed(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

async function measure(cfg, N, budget, minPairs) {
  const data = makeData(cfg, new Rng(7));
  const opts = { ...cfg.model, seed: 11, optimizer: 'adam', learningRate: 1e-3 };
  const one = await SimpleRNN.create(opts);
  const many = await SimpleRNN.create({ ...opts, threads: N });
  try {
    if (many.threads !== N) throw new Error(`asked for ${N} threads, got ${many.threads}: ${many.threadsFallback}`);
    const l1 = one.trainBatch(data.inputs, data.targets);
    const lN = many.trainBatch(data.inputs, data.targets);
    const agree = Math.abs(l1 - lN) <= 2e-5 + 1e-4 * Math.abs(l1);
    if (!agree) throw new Error(`${cfg.name}: step-0 losses differ: 1 thread ${l1}, ${N} threads ${lN}`);
    for (let k = 0; k < 2; k++) {
      one.trainBatch(data.inputs, data.targets);
      many.trainBatch(data.inputs, data.targets);
    }
    const a = [];
    const b = [];
    const t0 = performance.now();
    while (a.length < minPairs || (performance.now() - t0 < budget * 1000 && a.length < 500)) {
      a.push(timed(() => one.trainBatch(data.inputs, data.targets)));
      b.push(timed(() => many.trainBatch(data.inputs, data.targets)));
    }
    const ms1 = median(a.map((t) => t.wall));
    const msN = median(b.map((t) => t.wall));
    return {
      config: cfg.name, desc: cfg.desc, threads: N, pairs: a.length, stepLoss: { one: l1, many: lN },
      ms: { one: ms1, many: msN }, cpuMs: { one: median(a.map((t) => t.cpu)), many: median(b.map((t) => t.cpu)) },
      tokensPerSec: { one: (cfg.tokens / ms1) * 1000, many: (cfg.tokens / msN) * 1000 },
      speedup: median(a.map((t, k) => t.wall / b[k].wall)),
      speedupSpread: [Math.min(...a.map((t, k) => t.wall / b[k].wall)), Math.max(...a.map((t, k) => t.wall / b[k].wall))],
    };
  } finally {
    one.dispose();
    many.dispose();
  }
}

/**
 * Runs the threads rows (bench/run.mjs calls this too): 1 vs `threads` threads on the train configs in `only`.
 * Prints a table with `log`; returns { machine, results }.
 */
export async function benchThreads({ only = TRAIN, threads = Math.max(2, availableParallelism()), quick = false, log = console.log } = {}) {
  const N = threads;
  const budget = quick ? 3 : 10; // seconds of timed pairs per config
  const minPairs = quick ? 3 : 6;
  const machine = { cpu: cpus()[0]?.model, cores: availableParallelism(), node: process.version, date: new Date().toISOString(), loadavgBefore: loadavg() };
  log(`threads: ours (wasm) 1 vs ${N} threads, steps alternating; ${machine.cores} cores (${machine.cpu}), ${machine.node}, load average ${machine.loadavgBefore.map((x) => x.toFixed(2)).join(' ')}`);
  log('config     | 1 thread ms/step (tok/s) | N threads ms/step (tok/s) | speedup (min..max)   | CPU ms/step 1 / N');
  const results = [];
  for (const cfg of CONFIGS.filter((c) => c.kind === 'train' && only.includes(c.name))) {
    const r = await measure(cfg, N, budget, minPairs);
    results.push(r);
    log(
      `${cfg.name.padEnd(10)} | ${fmt(r.ms.one).padStart(7)} (${Math.round(r.tokensPerSec.one)})`.padEnd(37) +
      ` | ${fmt(r.ms.many).padStart(7)} (${Math.round(r.tokensPerSec.many)})`.padEnd(28) +
      ` | ${r.speedup.toFixed(2)}x (${r.speedupSpread[0].toFixed(2)}..${r.speedupSpread[1].toFixed(2)})`.padEnd(23) +
      ` | ${fmt(r.cpuMs.one)} / ${fmt(r.cpuMs.many)}`,
    );
  }
  machine.loadavgAfter = loadavg();
  log(`load average after: ${machine.loadavgAfter.map((x) => x.toFixed(2)).join(' ')} (above ${machine.cores}, other processes took cores from the ${N}-thread run)`);
  return { machine, results };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const only = opt('only')?.split(',') ?? TRAIN;
  const r = await benchThreads({ only, threads: opt('threads') ? Number(opt('threads')) : undefined, quick: args.includes('--quick') });
  const out = opt('out') ?? join(here, 'results', `threads-${r.machine.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ ...r, command: `node bench/threads.mjs ${args.join(' ')}`.trim() }, null, 2));
  console.log(`JSON: ${out}`);
}
