// Relaxed SIMD (create option simd: 'relaxed') against the strict build on the bench configs: one model of each on the
// same seeded data and weights, train steps alternating (strict, relaxed, relaxed, strict, ...) so both see the same machine
// load. Prints ms/step, tokens/s and the per-pair ratio strict/relaxed (median and spread).
//   node bench/relaxed.mjs [--only=BIG,LM] [--quick] [--out=path.json]      (also called by bench/run.mjs)
// In Node 20 the library turns on --experimental-wasm-relaxed-simd itself when simd: 'relaxed' is asked for; where
// relaxed SIMD cannot run the model falls back and this prints why (no relaxed row).
import { availableParallelism, cpus, loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lib } from './lib.mjs';
const { SimpleRNN, Rng } = lib;
import { CONFIGS, makeData } from './configs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

export async function benchRelaxed({ only = ['BIG', 'LM'], quick = false, log = console.log } = {}) {
  const budget = quick ? 3 : 8; // seconds of timed pairs per config
  const minPairs = quick ? 4 : 8;
  const machine = { cpu: cpus()[0]?.model, cores: availableParallelism(), node: process.version, date: new Date().toISOString(), loadavgBefore: loadavg() };
  log(`relaxed SIMD: ours (wasm, 1 thread) strict vs simd: 'relaxed', steps alternating; ${machine.cpu}, ${machine.node}`);
  const results = [];
  for (const cfg of CONFIGS.filter((c) => c.kind === 'train' && only.includes(c.name))) {
    const data = makeData(cfg, new Rng(7));
    const opts = { ...cfg.model, seed: 1, optimizer: 'adam', learningRate: 1e-3 };
    const strict = await SimpleRNN.create(opts);
    const relaxed = await SimpleRNN.create({ ...opts, simd: 'relaxed' });
    if (relaxed.simd !== 'relaxed') {
      log(`${cfg.name.padEnd(10)} | no relaxed row: ${relaxed.simdFallback}`);
      results.push({ name: cfg.name, fallback: relaxed.simdFallback });
      strict.dispose();
      relaxed.dispose();
      continue;
    }
    const step = (m) => m.trainBatch(data.inputs, data.targets);
    const loss0 = [step(strict), step(relaxed)]; // agree before timing: same weights, same batch
    if (Math.abs(loss0[0] - loss0[1]) > 1e-4 * Math.max(1, Math.abs(loss0[0]))) throw new Error(`${cfg.name}: step-0 losses differ: ${loss0}`);
    for (let w = 0; w < 2; w++) [strict, relaxed].forEach(step);
    const ts = { strict: [], relaxed: [] };
    const ratio = [];
    const t0 = performance.now();
    while (ratio.length < minPairs || performance.now() - t0 < budget * 1000) {
      // the order inside a pair alternates too, so neither build always runs on a cache the other warmed
      const timed = (m) => {
        const s = performance.now();
        step(m);
        return performance.now() - s;
      };
      let a, b;
      if (ratio.length % 2 === 0) (a = timed(strict)), (b = timed(relaxed));
      else (b = timed(relaxed)), (a = timed(strict));
      ts.strict.push(a);
      ts.relaxed.push(b);
      ratio.push(a / b);
      if (ratio.length >= 200) break;
    }
    const r = {
      name: cfg.name, desc: cfg.desc, pairs: ratio.length, loss0,
      ms: { strict: median(ts.strict), relaxed: median(ts.relaxed) },
      tokensPerSec: { strict: (cfg.tokens * 1000) / median(ts.strict), relaxed: (cfg.tokens * 1000) / median(ts.relaxed) },
      speedup: median(ratio), speedupSpread: [Math.min(...ratio), Math.max(...ratio)],
    };
    results.push(r);
    log(
      `${cfg.name.padEnd(10)} | strict ${fmt(r.ms.strict)} ms/step (${Math.round(r.tokensPerSec.strict)} tok/s) | relaxed ${fmt(r.ms.relaxed)} ms/step (${Math.round(r.tokensPerSec.relaxed)} tok/s)` +
        ` | ${r.speedup.toFixed(2)}x (${r.speedupSpread[0].toFixed(2)}..${r.speedupSpread[1].toFixed(2)}, ${r.pairs} pairs)`,
    );
    strict.dispose();
    relaxed.dispose();
  }
  machine.loadavgAfter = loadavg();
  return { machine, results };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const opt = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const r = await benchRelaxed({ only: opt('only')?.split(',') ?? ['BIG', 'LM'], quick: args.includes('--quick') });
  const out = opt('out') ?? join(here, 'results', `relaxed-${r.machine.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ ...r, command: `node bench/relaxed.mjs ${args.join(' ')}`.trim() }, null, 2));
  console.log(`JSON: ${out}`);
}
