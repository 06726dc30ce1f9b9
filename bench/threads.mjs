// Multi-core training: ours (wasm) on 1 thread vs N threads, same seeded data and weights.
//   node bench/threads.mjs                    LM, CLS, CLS-pad25, BIG with threads = os.availableParallelism()
//   options: --only=BIG  --threads=2  --quick  --out=path.json
// Both models start from the same seed, so step 0 must give the same loss (checked before timing). Steps alternate
// 1-thread / N-thread, so each pair sees the same load of a shared machine; the speedup is the median of the pair
// ratios. Besides wall time it reports CPU time per step (process.cpuUsage covers every thread of the process) and
// the load average, since a busy machine takes cores from the N-thread run first, and the CPU time of the busiest
// thread per step (Linux /proc): the critical path of a parallel step, the wall time it would take on free cores.
import { availableParallelism, cpus, loadavg } from 'node:os';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
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

/**
 * CPU ticks (1/100 s) per thread of this process, from /proc/self/task/<tid>/stat (Linux; null elsewhere). On a loaded
 * machine wall time says little about what 2 threads would do on 2 free cores; the busiest thread's CPU time per step
 * does: it is the critical path of the parallel step (the model's thread waits for the others without using CPU).
 */
function threadTicks() {
  if (!existsSync('/proc/self/task')) return null;
  const ticks = new Map();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const f = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
      ticks.set(tid, Number(rest[11]) + Number(rest[12])); // utime + stime (fields 14, 15)
    } catch {
      // the thread ended
    }
  }
  return ticks;
}

/** Adds the per-thread CPU ticks spent since `before` into `acc`. */
function addTicks(acc, before) {
  const now = threadTicks();
  if (!now || !before) return;
  for (const [tid, t] of now) acc.set(tid, (acc.get(tid) ?? 0) + t - (before.get(tid) ?? t));
}

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
    const ticksOne = new Map();
    const ticksMany = new Map();
    const t0 = performance.now();
    while (a.length < minPairs || (performance.now() - t0 < budget * 1000 && a.length < 500)) {
      let t = threadTicks();
      a.push(timed(() => one.trainBatch(data.inputs, data.targets)));
      addTicks(ticksOne, t);
      t = threadTicks();
      b.push(timed(() => many.trainBatch(data.inputs, data.targets)));
      addTicks(ticksMany, t);
    }
    // critical path: the busiest thread's CPU per step (10 ms ticks summed over all steps)
    const busiest = (m) => (m.size ? (Math.max(...m.values()) * 10) / a.length : NaN);
    const critOne = busiest(ticksOne);
    const critMany = busiest(ticksMany);
    const ms1 = median(a.map((t) => t.wall));
    const msN = median(b.map((t) => t.wall));
    return {
      config: cfg.name, desc: cfg.desc, threads: N, pairs: a.length, stepLoss: { one: l1, many: lN },
      ms: { one: ms1, many: msN }, cpuMs: { one: median(a.map((t) => t.cpu)), many: median(b.map((t) => t.cpu)) },
      tokensPerSec: { one: (cfg.tokens / ms1) * 1000, many: (cfg.tokens / msN) * 1000 },
      speedup: median(a.map((t, k) => t.wall / b[k].wall)),
      speedupSpread: [Math.min(...a.map((t, k) => t.wall / b[k].wall)), Math.max(...a.map((t, k) => t.wall / b[k].wall))],
      busiestThreadCpuMs: { one: critOne, many: critMany },
      cpuSpeedup: critOne / critMany,
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
  log('config     | 1 thread ms/step (tok/s) | N threads ms/step (tok/s) | speedup (min..max)   | CPU ms/step 1 / N | busiest thread CPU ms/step 1 / N = speedup');
  const results = [];
  for (const cfg of CONFIGS.filter((c) => c.kind === 'train' && only.includes(c.name))) {
    const r = await measure(cfg, N, budget, minPairs);
    results.push(r);
    log(
      `${cfg.name.padEnd(10)} | ${fmt(r.ms.one).padStart(7)} (${Math.round(r.tokensPerSec.one)})`.padEnd(37) +
      ` | ${fmt(r.ms.many).padStart(7)} (${Math.round(r.tokensPerSec.many)})`.padEnd(28) +
      ` | ${r.speedup.toFixed(2)}x (${r.speedupSpread[0].toFixed(2)}..${r.speedupSpread[1].toFixed(2)})`.padEnd(23) +
      ` | ${fmt(r.cpuMs.one)} / ${fmt(r.cpuMs.many)}`.padEnd(20) +
      ` | ${fmt(r.busiestThreadCpuMs.one)} / ${fmt(r.busiestThreadCpuMs.many)} = ${r.cpuSpeedup.toFixed(2)}x`,
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
