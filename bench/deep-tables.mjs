// Regenerates the tables of docs/deep.md from the stored results in bench/results/.
//
//   node bench/deep-tables.mjs           rewrite the tables in place
//   node bench/deep-tables.mjs --check   exit 1 (and say so) if a table differs from its results file
//
// A table lives between two marker comments, which name the results file(s) and what to render:
//   <!-- deep:NAME SECTION start -->
//   ... generated, do not edit ...
//   <!-- deep:NAME SECTION end -->
// NAME is bench/results/NAME.json (several names joined by commas for shakespeare). SECTION is one of
//   bench        bench/deep.mjs: each deep model beside its single-layer parts and TF.js wasm
//   tagging      bench/tagging.mjs: forward, 2-layer forward and bidirectional accuracy
//   shakespeare  bench/shakespeare-depth.mjs: 1 layer against 2 layers at equal training time
// Each table is preceded by the machine (CPU, cores, Node), the date, the command, the load and the results file.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS_DIR = join(ROOT, 'bench', 'results');
export const DOC = join(ROOT, 'docs', 'deep.md');
const MARKER = /<!-- deep:(\S+) (\S+) start -->\n[\s\S]*?<!-- deep:\1 \2 end -->/g;

const k = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0));
const f = (x, d = 1) => (x >= 100 ? x.toFixed(0) : x.toFixed(d));
const pct = (x) => `${(100 * x).toFixed(1)}%`;
const row = (cells) => `| ${cells.join(' | ')} |`;
const head = (cells) => [row(cells), row(cells.map(() => '---'))];
const utc = (iso) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

function readResult(name) {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`deep-tables: bad results name "${name}"`);
  return JSON.parse(readFileSync(join(RESULTS_DIR, `${name}.json`), 'utf8'));
}

function provenance(name, r, docFile) {
  const m = r.machine;
  const link = relative(dirname(docFile), join(RESULTS_DIR, `${name}.json`)).split('\\').join('/');
  const load = m.loadavgBefore ? `; load average (1 min) ${m.loadavgBefore[0]} before, ${m.loadavgAfter[0]} after` : '';
  return `${m.cpu}, ${m.cores} cores, Node ${m.node.replace(/^v/, '')}, ${utc(m.date)}; \`${r.command.replace(/\s+--out=\S+/g, '')}\`${load}; results: [${name}.json](${link}).`;
}

function bench(name, docFile) {
  const r = readResult(name);
  const out = [`Measured on ${provenance(name, r, docFile)} One thread, ${r.optimizer} (lr ${r.learningRate}).`, ''];
  out.push(...head(['model', 'what', 'ours: tokens/s', 'ms/step (p25-p75, n)', 'GFLOP/s', 'TF.js wasm: tokens/s', 'ours ÷ TF.js wasm (paired; medians)']));
  for (const c of r.results) {
    for (const x of c.rows) {
      const o = x.ours;
      const tf = x.tfjsWasm ? k(x.tfjsWasm.tokensPerSec) : '-';
      const ratio = x.oursOverTfjs ? `**${f(x.oursOverTfjs.paired.median, 2)}x**; ${f(x.oursOverTfjs.medians, 2)}x` : '-';
      const name = x.model === c.name ? `**${x.model}**` : x.model;
      out.push(row([name, x.desc, k(o.tokensPerSec), `${f(o.median, 2)} (${f(o.p25, 2)}-${f(o.p75, 2)}, ${o.n})`, f(o.gflops, 2), tf, ratio]));
    }
  }
  out.push('');
  out.push(...head(['deep model', 'time ÷ sum of its parts (per round: median, p25-p75, rounds)', 'ratio of medians', 'load (1 min)']));
  for (const c of r.results) {
    const p = c.overParts.paired;
    out.push(row([`${c.name} ÷ (${c.parts.join(' + ')})`, `**${p.median.toFixed(3)}** (${p.p25.toFixed(3)}-${p.p75.toFixed(3)}, ${p.n})`, c.overParts.medians.toFixed(3), `${c.loadavg[0]} → ${c.loadavg[1]}`]));
    if (c.overTwiceFirst) {
      const q = c.overTwiceFirst.paired;
      out.push(row([`${c.name} ÷ (2 × ${c.parts[0]})`, `${q.median.toFixed(3)} (${q.p25.toFixed(3)}-${q.p75.toFixed(3)}, ${q.n})`, c.overTwiceFirst.medians.toFixed(3), '']));
    }
  }
  const checks = r.results.flatMap((c) => c.notes).filter((n) => /step-0 loss/.test(n));
  if (checks.length) out.push('', `Step-0 losses, TF.js wasm against ours (same weights): ${checks.map((n) => n.replace(/: TF\.js wasm step-0 loss /, ' ').replace(/ vs ours /, ' vs ')).join('; ')}.`);
  return out.join('\n');
}

function tagging(name, docFile) {
  const r = readResult(name);
  const c = r.config;
  const out = [`Measured on ${provenance(name, r, docFile)}`, ''];
  out.push(`K=${c.symbols} symbols, lengths ${c.minLength}..${c.maxLength}, ${c.trainCount} training and ${c.testCount} held-out sequences (seed ${c.seed}), ${c.epochs} epochs of batch ${c.batchSize}, adam lr ${c.learningRate}, clipNorm ${c.clipNorm}; ${pct(r.positiveRate)} of the held-out tags are 1. Best accuracy of any forward-only model (exact): **${pct(r.unidirectionalCeiling)}**. Run time ${f(r.seconds)} s.`);
  out.push('');
  const b = r.buckets.map(([lo, hi]) => (lo === hi ? `n−t = ${lo}` : `n−t ${lo}-${hi}`));
  out.push(...head(['model', 'layers', 'H', 'trainable params', 'accuracy per tag', 'held-out loss (nats/tag)', ...b, 'train s']));
  for (const v of r.variants) {
    out.push(row([v.variant, v.layers, v.hiddenSize + (v.bidirectional ? ' per direction' : ''), v.params, `**${pct(v.accuracy)}**`, v.testLoss.toFixed(4), ...v.accuracyByRemaining.map(pct), f(v.trainSeconds)]));
  }
  return out.join('\n');
}

function shakespeare(names, docFile) {
  const out = [];
  for (const name of names.split(',')) {
    const r = readResult(name);
    const s = r.settings;
    out.push(`Measured on ${provenance(name, r, docFile)}`, '');
    out.push(`${r.data}: train on the first ${r.trainChars} characters, score on the last ${r.valChars}; fitStream with seqLength ${s.seqLength}, batchSize ${s.batchSize}, ${s.optimizer} lr ${s.learningRate}, clipNorm ${s.clipNorm}, seed ${s.seed}; **${s.budgetSeconds} s of ${s.clock === 'cpu' ? 'CPU' : 'wall'} time each**, one model after the other.`);
    out.push('');
    out.push(...head(['model', 'H', 'trainable params', 'tokens trained', `tokens per ${s.clock === 'cpu' ? 'CPU' : 'wall'} s`, 'wall s', 'CPU s', 'validation nats/char (bits)', `probe: first ${s.probeChars} validation chars, nats/char at s of training`]));
    for (const x of r.runs) {
      const curve = x.curve.map((p) => `${f(p.seconds, 0)} s: ${p.probeLoss.toFixed(3)}`).join(', ');
      out.push(row([x.name, x.options.hiddenSize, x.params, k(x.tokens), k(x.tokensPerSec), f(x.wallSeconds), f(x.cpuSeconds), `**${x.valLoss.toFixed(4)}** (${(x.valLoss / Math.LN2).toFixed(3)})`, curve]));
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}

const SECTIONS = { bench, tagging, shakespeare };

export function regenerate(text, docFile = DOC) {
  const regions = [];
  const next = text.replace(MARKER, (_, name, section) => {
    if (!SECTIONS[section]) throw new Error(`deep-tables: unknown section "${section}" (expected ${Object.keys(SECTIONS).join(', ')})`);
    regions.push({ name, section });
    return `<!-- deep:${name} ${section} start -->\n<!-- generated by node bench/deep-tables.mjs from bench/results/; edit the results, not this table -->\n${SECTIONS[section](name, docFile)}\n<!-- deep:${name} ${section} end -->`;
  });
  return { text: next, regions };
}

function main() {
  const check = process.argv.includes('--check');
  const text = readFileSync(DOC, 'utf8');
  const { text: next, regions } = regenerate(text);
  const list = regions.map((r) => `${r.name} ${r.section}`).join(', ');
  if (check) {
    if (next !== text) {
      console.error(`deep-tables: ${relative(ROOT, DOC)} is out of date; run node bench/deep-tables.mjs`);
      process.exit(1);
    }
    console.log(`deep-tables: ${regions.length} tables up to date (${list})`);
    return;
  }
  if (next !== text) writeFileSync(DOC, next);
  console.log(`deep-tables: ${next === text ? 'unchanged' : 'rewrote'} ${relative(ROOT, DOC)}: ${regions.length} tables (${list})`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
