// The tagging demo (src/demos/tagging.ts): does x_t occur again later? Forward, 2-layer forward and bidirectional
// models at (nearly) the same parameter count, on the same seeded data; accuracy per tag on held-out sequences.
//   node bench/tagging.mjs              the defaults of runTagging (about half a minute on one idle core)
//   options: --seed=N  --epochs=N  --hidden=H  --out=path.json (default bench/results/tagging-DATE.json)
// The demo module is bundled from src/ with esbuild (tsup's) on the fly; the library it calls is the built dist/ (or
// SIMPLE_RNN_DIST, as in bench/lib.mjs).
import { cpus, loadavg, tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const opt = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

/** Imports a src/demos module with its imports of the library ('../model.js', '../random.js') taken from dist. */
export async function importDemo(file) {
  const esbuild = require('esbuild');
  const libPath = process.env.SIMPLE_RNN_DIST ? resolve(process.env.SIMPLE_RNN_DIST) : join(here, '..', 'dist', 'index.js');
  const dir = mkdtempSync(join(tmpdir(), 'simple-rnn-demo-'));
  const out = join(dir, 'demo.mjs');
  try {
    await esbuild.build({
      entryPoints: [join(here, '..', file)], bundle: true, format: 'esm', platform: 'neutral', outfile: out, logLevel: 'error',
      plugins: [{
        name: 'library-from-dist',
        setup(b) {
          b.onResolve({ filter: /^\.\.\/(model|random|index)\.js$/ }, () => ({ path: pathToFileURL(libPath).href, external: true }));
        },
      }],
    });
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function lscpuModel() {
  try {
    return /Model name:\s*(.*)/.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1]?.trim() ?? null;
  } catch {
    return null;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { runTagging } = await importDemo('src/demos/tagging.ts');
  const machine = {
    cpu: lscpuModel() ?? cpus()[0]?.model, cores: cpus().length, node: process.version, date: new Date().toISOString(),
    loadavgBefore: loadavg().map((x) => Number(x.toFixed(2))),
  };
  const options = {};
  if (opt('seed')) options.seed = Number(opt('seed'));
  if (opt('epochs')) options.epochs = Number(opt('epochs'));
  if (opt('hidden')) options.hiddenSize = Number(opt('hidden'));
  console.log(`tagging demo: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load average ${machine.loadavgBefore.join(' ')}`);
  const t0 = performance.now();
  const r = await runTagging(options, { onEpoch: (v, e, loss) => process.stdout.write(`\r  ${v.padEnd(14)} epoch ${e + 1}: loss ${loss.toFixed(4)}   `) });
  const secs = (performance.now() - t0) / 1000;
  machine.loadavgAfter = loadavg().map((x) => Number(x.toFixed(2)));
  const c = r.config;
  console.log(`\rtask: K=${c.symbols} symbols, lengths ${c.minLength}..${c.maxLength}; tag y_t = 1 if x_t occurs again later (${(100 * r.positiveRate).toFixed(1)}% of held-out tags are 1)`);
  console.log(`data: ${c.trainCount} training, ${c.testCount} held-out sequences (seed ${c.seed}); ${c.epochs} epochs, batch ${c.batchSize}, adam lr ${c.learningRate}, clipNorm ${c.clipNorm}`);
  console.log(`best accuracy of any forward-only model (exact): ${(100 * r.unidirectionalCeiling).toFixed(1)}%`);
  const b = r.buckets.map(([lo, hi]) => (lo === hi ? `n-t=${lo}` : `n-t ${lo}-${hi}`));
  console.log(`  ${'model'.padEnd(14)} ${'layers'.padStart(6)} ${'H'.padStart(3)} ${'params'.padStart(6)} ${'accuracy'.padStart(9)} ${'test loss'.padStart(9)} ${b.map((s) => s.padStart(10)).join(' ')} ${'train s'.padStart(8)}`);
  for (const v of r.variants) {
    console.log(`  ${v.variant.padEnd(14)} ${String(v.layers).padStart(6)} ${String(v.hiddenSize).padStart(3)} ${String(v.params).padStart(6)} ${`${(100 * v.accuracy).toFixed(1)}%`.padStart(9)} ${v.testLoss.toFixed(4).padStart(9)} ${v.accuracyByRemaining.map((a) => `${(100 * a).toFixed(1)}%`.padStart(10)).join(' ')} ${v.trainSeconds.toFixed(1).padStart(8)}`);
  }
  console.log(`finished in ${secs.toFixed(1)} s; load average ${machine.loadavgAfter.join(' ')}`);
  const outPath = opt('out') ?? join(here, 'results', `tagging-${machine.date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, JSON.stringify({ machine, command: `node bench/tagging.mjs ${args.join(' ')}`.trim(), seconds: secs, ...r }, null, 2));
  console.log(`JSON: ${outPath}`);
}
