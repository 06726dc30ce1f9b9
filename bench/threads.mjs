// Multi-core training: ours (wasm) on 1 thread vs N threads, same seeded data and weights.
//   node bench/threads.mjs                    LM, CLS, CLS-pad25, BIG with threads = os.availableParallelism()
//   options: --only=BIG  --threads=2  --quick  --seconds=S (of timed pairs per config; default 10, --quick 3)  --out=path.json
//            --no-copies
//            --split=rows,columns             measure these splits (the threadSplit option), interleaved; default:
//                                             the model's default ('rows')
// The models start from the same seed, so step 0 must give the same loss (checked before timing). Steps alternate
// 1-thread / N-thread (with several splits: 1-thread, then each N-thread model), so each pair sees the same load of a
// shared machine; the speedup is the median of the pair ratios. Besides wall time it reports CPU time per step (process.cpuUsage covers every thread of the process) and
// the load average, since a busy machine takes cores from the N-thread run first, and the CPU time of the busiest
// thread per step (Linux /proc): the critical path of a parallel step, the wall time it would take on free cores.
// On a shared machine it also counts the CPU that other processes took during the timed pairs (/proc/stat minus this
// process), and gives the speedup over the 'clean' pairs, those during which other processes used no CPU tick.
// And each round ends with N independent one-thread copies of the model stepping at once, in N workers that share
// nothing (bench/copies-worker.mjs; --no-copies leaves them out): N steps in that round's time against one step alone
// is the host's own N-core speedup for this work at that minute, the ceiling of any split.
import { availableParallelism, cpus, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
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

/**
 * CPU ticks (1/100 s) that other processes used so far: all CPUs' busy ticks (/proc/stat) minus this process's (Linux;
 * null elsewhere). A pair of steps during which others used no tick ran on free cores: the 'clean' pairs.
 */
function othersTicks() {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const busy = cpu.reduce((x, y) => x + y, 0) - cpu[3] - (cpu[4] ?? 0); // all but idle and iowait
    const f = readFileSync('/proc/self/stat', 'utf8');
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return busy - Number(rest[11]) - Number(rest[12]);
  } catch {
    return null;
  }
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

/**
 * One config: a 1-thread model and one N-thread model per split in `splits` ('default': no threadSplit option), all
 * from the same seed, their steps interleaved round by round (1 thread, then each N-thread model, their order turned
 * every round), so that every model sees the same load. Returns one result per split, its pairs against the 1-thread
 * step of the same round.
 */
async function measure(cfg, N, budget, minPairs, splits, withCopies) {
  const data = makeData(cfg, new Rng(7));
  const opts = { ...cfg.model, seed: 11, optimizer: 'adam', learningRate: 1e-3 };
  const one = await SimpleRNN.create(opts);
  const many = [];
  const copies = withCopies ? await startCopies(cfg, opts, N) : null;
  try {
    for (const split of splits) {
      const m = await SimpleRNN.create({ ...opts, threads: N, ...(split === 'default' ? {} : { threadSplit: split }) });
      many.push(m);
      if (m.threads !== N) throw new Error(`asked for ${N} threads, got ${m.threads}: ${m.threadsFallback}`);
    }
    const l1 = one.trainBatch(data.inputs, data.targets);
    const lN = many.map((m) => m.trainBatch(data.inputs, data.targets));
    for (const l of lN) {
      const agree = Math.abs(l1 - l) <= 2e-5 + 1e-4 * Math.abs(l1);
      if (!agree) throw new Error(`${cfg.name}: step-0 losses differ: 1 thread ${l1}, ${N} threads ${l}`);
    }
    for (let k = 0; k < 2; k++) for (const m of [one, ...many]) m.trainBatch(data.inputs, data.targets);
    const a = [];
    const b = many.map(() => []);
    const ticksOne = new Map();
    const ticksMany = many.map(() => new Map());
    const others = []; // other processes' ticks during each round
    const copyRounds = []; // wall ms of a round of the N independent copies (one step each, at once)
    const t0 = performance.now();
    const o0 = othersTicks();
    while (a.length < minPairs || (performance.now() - t0 < budget * 1000 && a.length < 500)) {
      const o = othersTicks();
      let t = threadTicks();
      a.push(timed(() => one.trainBatch(data.inputs, data.targets)));
      addTicks(ticksOne, t);
      for (let q = 0; q < many.length; q++) {
        const j = (q + a.length) % many.length;
        t = threadTicks();
        b[j].push(timed(() => many[j].trainBatch(data.inputs, data.targets)));
        addTicks(ticksMany[j], t);
      }
      if (copies) copyRounds.push(copies.round());
      others.push(o === null ? NaN : othersTicks() - o);
    }
    const elapsed = performance.now() - t0;
    const othersCores = o0 === null ? null : ((othersTicks() - o0) * 10) / elapsed;
    const clean = a.map((_, k) => k).filter((k) => others[k] === 0);
    // critical path: the busiest thread's CPU per step (10 ms ticks summed over all steps)
    const busiest = (m) => (m.size ? (Math.max(...m.values()) * 10) / a.length : NaN);
    const critOne = busiest(ticksOne);
    const ms1 = median(a.map((t) => t.wall));
    return many.map((m, j) => {
      const msN = median(b[j].map((t) => t.wall));
      const ratios = a.map((t, k) => t.wall / b[j][k].wall);
      const critMany = busiest(ticksMany[j]);
      return {
        config: cfg.name, desc: cfg.desc, threads: N, split: m.threadSplit, pairs: a.length, stepLoss: { one: l1, many: lN[j] },
        ms: { one: ms1, many: msN }, cpuMs: { one: median(a.map((t) => t.cpu)), many: median(b[j].map((t) => t.cpu)) },
        tokensPerSec: { one: (cfg.tokens / ms1) * 1000, many: (cfg.tokens / msN) * 1000 },
        speedup: median(ratios),
        speedupSpread: [Math.min(...ratios), Math.max(...ratios)],
        busiestThreadCpuMs: { one: critOne, many: critMany },
        cpuSpeedup: critOne / critMany,
        // other processes' CPU over the timed rounds (in cores), and the speedup over the rounds they left alone
        othersCores,
        cleanPairs: clean.length,
        cleanSpeedup: clean.length ? median(clean.map((k) => ratios[k])) : null,
        // the host's own N-core speedup on this step: N independent one-thread copies at once (nothing shared) did N
        // steps in copyRounds[k] where one step alone took a[k]; ours ÷ that is how close the split comes to it
        ...(copies ? (() => {
          const ceiling = median(a.map((t, k) => (N * t.wall) / copyRounds[k]));
          return { copies: { ms: median(copyRounds), speedup: ceiling, oursOverCopies: median(ratios) / ceiling } };
        })() : {}),
        // with several splits: how many times faster than the first split's model, step by step in the same rounds
        ...(j > 0 ? { vsFirst: { split: many[0].threadSplit, speedup: median(b[0].map((t, k) => t.wall / b[j][k].wall)) } } : {}),
      };
    });
  } finally {
    one.dispose();
    for (const m of many) m.dispose();
    await copies?.stop();
  }
}

/**
 * N workers, each with a one-thread model of its own (bench/copies-worker.mjs): round() starts one step on every copy
 * at once and returns the wall milliseconds until the last is done. What N cores of this host give when the work
 * shares nothing: the ceiling of any split, on this machine, at this minute.
 */
async function startCopies(cfg, opts, N) {
  const ctrl = new SharedArrayBuffer(4 * (1 + N));
  const c = new Int32Array(ctrl);
  const workers = Array.from({ length: N }, (_, slot) => new Worker(new URL('./copies-worker.mjs', import.meta.url), { workerData: { name: cfg.name, opts, slot, ctrl } }));
  await Promise.all(workers.map((w) => new Promise((ok, fail) => (w.once('message', ok), w.once('error', fail)))));
  let gen = 0;
  return {
    round() {
      const t0 = performance.now();
      Atomics.store(c, 0, ++gen);
      Atomics.notify(c, 0);
      for (let slot = 0; slot < N; slot++) {
        for (let d = Atomics.load(c, 1 + slot); d !== gen; d = Atomics.load(c, 1 + slot)) Atomics.wait(c, 1 + slot, d, 1000);
      }
      return performance.now() - t0;
    },
    async stop() {
      Atomics.store(c, 0, -1);
      Atomics.notify(c, 0);
      await Promise.all(workers.map((w) => new Promise((ok) => w.once('exit', ok))));
    },
  };
}

/**
 * Runs the threads rows (bench/run.mjs calls this too): 1 vs `threads` threads on the train configs in `only`.
 * Prints a table with `log`; returns { machine, results }.
 */
export async function benchThreads({ only = TRAIN, threads = Math.max(2, availableParallelism()), quick = false, splits = ['default'], seconds, copies = true, log = console.log } = {}) {
  const N = threads;
  const budget = seconds ?? (quick ? 3 : 10); // seconds of timed pairs per config
  const minPairs = quick ? 3 : 6;
  const machine = { cpu: cpus()[0]?.model, cores: availableParallelism(), node: process.version, date: new Date().toISOString(), loadavgBefore: loadavg() };
  log(`threads: ours (wasm) 1 vs ${N} threads, steps alternating; ${machine.cores} cores (${machine.cpu}), ${machine.node}, load average ${machine.loadavgBefore.map((x) => x.toFixed(2)).join(' ')}`);
  log('config     | split   | 1 thread ms/step (tok/s) | N threads ms/step (tok/s) | speedup (min..max)   | CPU ms/step 1 / N | busiest thread CPU ms/step 1 / N = speedup | others (cores) | speedup on clean pairs (n)');
  const results = [];
  for (const cfg of CONFIGS.filter((c) => c.kind === 'train' && only.includes(c.name))) for (const r of await measure(cfg, N, budget, minPairs, splits, copies)) {
    results.push(r);
    log(
      `${cfg.name.padEnd(10)} | ${r.split.padEnd(7)} | ${fmt(r.ms.one).padStart(7)} (${Math.round(r.tokensPerSec.one)})`.padEnd(47) +
      ` | ${fmt(r.ms.many).padStart(7)} (${Math.round(r.tokensPerSec.many)})`.padEnd(28) +
      ` | ${r.speedup.toFixed(2)}x (${r.speedupSpread[0].toFixed(2)}..${r.speedupSpread[1].toFixed(2)})`.padEnd(23) +
      ` | ${fmt(r.cpuMs.one)} / ${fmt(r.cpuMs.many)}`.padEnd(20) +
      ` | ${fmt(r.busiestThreadCpuMs.one)} / ${fmt(r.busiestThreadCpuMs.many)} = ${r.cpuSpeedup.toFixed(2)}x`.padEnd(43) +
      ` | ${r.othersCores === null ? '-' : r.othersCores.toFixed(2)}`.padEnd(17) +
      ` | ${r.cleanSpeedup === null ? '-' : r.cleanSpeedup.toFixed(2) + 'x'} (${r.cleanPairs}/${r.pairs})` +
      (r.copies ? ` | ${N} copies ${r.copies.speedup.toFixed(2)}x (ours ${(100 * r.copies.oursOverCopies).toFixed(0)}% of it)` : '') +
      (r.vsFirst ? ` | ${r.vsFirst.speedup.toFixed(2)}x the ${r.vsFirst.split} split, step by step` : ''),
    );
  }
  machine.loadavgAfter = loadavg();
  log(`load average after: ${machine.loadavgAfter.map((x) => x.toFixed(2)).join(' ')} (above ${machine.cores}, other processes took cores from the ${N}-thread run)`);
  return { machine, results };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const only = opt('only')?.split(',') ?? TRAIN;
  const splits = opt('split')?.split(',') ?? ['default'];
  const r = await benchThreads({
    only, threads: opt('threads') ? Number(opt('threads')) : undefined, quick: args.includes('--quick'), splits,
    seconds: opt('seconds') ? Number(opt('seconds')) : undefined, copies: !args.includes('--no-copies'),
  });
  const out = opt('out') ?? join(here, 'results', `threads-${r.machine.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ ...r, command: `node bench/threads.mjs ${args.join(' ')}`.trim() }, null, 2));
  console.log(`JSON: ${out}`);
}
