// Regenerates the performance tables of docs/performance.md from the stored results in bench/results/.
//
//   node scripts/perf-tables.mjs           rewrite the tables in place
//   node scripts/perf-tables.mjs --check   exit 1 (and say where) if a table differs from its results file
//
// A table lives between two marker comments, which name the results file(s) and what to render:
//   <!-- perf:NAME SECTION start -->
//   ... generated, do not edit ...
//   <!-- perf:NAME SECTION end -->
// NAME is bench/results/NAME.json (for threads and relaxed, several names joined by commas). SECTION is one of
//   summary     one row per configuration: ours (wasm) and how many times faster than each other contender
//   contenders  every contender of every configuration (the full table of bench/run.mjs)
//   scaling     ours (wasm) along H, T and B
//   threads     1 thread against N threads (bench/threads.mjs)
//   relaxed     the strict build against the relaxed-SIMD build (bench/relaxed.mjs)
//   torch       PyTorch (its BLAS named) against ours, 1 and 2 threads (bench/torch.mjs, or the torch part of a run)
//   streaming   µs per token of step() and generate() beside torch's per-token loops (bench/streaming.mjs)
//   onnxruntime onnxruntime-web against ours: batched predict and per-token streaming (bench/onnxruntime.mjs)
// Each table is preceded by the machine (CPU, cores, Node), the date, the command and a link to the results file.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS_DIR = join(ROOT, 'bench', 'results');
export const DOC = join(ROOT, 'docs', 'performance.md');
export const SECTIONS = ['summary', 'contenders', 'scaling', 'threads', 'relaxed', 'torch', 'streaming', 'onnxruntime'];

const MARKER = /<!-- perf:(\S+) (\S+) start -->\n[\s\S]*?<!-- perf:\1 \2 end -->/g;

// ---------- number formats (those of bench/table.mjs) ----------
const k = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0));
const f = (x, d = 1) => (x >= 100 ? x.toFixed(0) : x.toFixed(d));
const times = (x) => `${f(x, 2)}x`;
const utc = (iso) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
const row = (cells) => `| ${cells.join(' | ')} |`;
const head = (cells) => [row(cells), row(cells.map(() => '---'))];

const utcSeconds = (iso) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

/** The command as run, in backticks, without --out=PATH (the results file itself is where it went); a note after it
 *  in parentheses stays outside the backticks. */
function command(c) {
  const [, cmd, note] = /^(.*?)(?:\s+(\(.*\)))?$/.exec(c.replace(/\s+--out=\S+/g, ''));
  return `\`${cmd}\`${note ? ` ${note}` : ''}`;
}

export function readResult(name) {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`perf-tables: bad results name "${name}"`);
  return JSON.parse(readFileSync(join(RESULTS_DIR, `${name}.json`), 'utf8'));
}

/** "Machine: ... ; command ...; results [file](link)." for one results file, linked relative to docFile. */
function provenance(name, r, docFile, seconds = false) {
  const m = r.machine;
  const link = relative(dirname(docFile), join(RESULTS_DIR, `${name}.json`)).split('\\').join('/');
  const load = m.loadavgBefore ? `; load average (1 min) ${m.loadavgBefore[0]} before, ${m.loadavgAfter[0]} after` : '';
  return `${m.cpu}, ${m.cores} cores, Node ${m.node.replace(/^v/, '')}, ${(seconds ? utcSeconds : utc)(m.date)}; ${command(r.command)}${load}; results: [${name}.json](${link}).`;
}

function peakLine(r) {
  return `Peak measured in the same run: ${r.peak.gflops.toFixed(1)} GFLOP/s (${r.peak.detail}); optimizer ${r.optimizer} (lr ${r.learningRate}).`;
}

function loadLine(r) {
  return `Load average (1 min) during each configuration: ${r.results.map((c) => `${c.name} ${c.loadavg.map((v) => v.toFixed(1)).join('→')}`).join(', ')}.`;
}

function needs(r, field, name, section) {
  if (!r[field] || (Array.isArray(r[field]) && r[field].length === 0)) {
    throw new Error(`perf-tables: ${name}.json has no ${field}, which the ${section} table needs`);
  }
}

function summary(r, name) {
  needs(r, 'results', name, 'summary');
  const others = [...new Set(r.results.flatMap((c) => c.rows.map((x) => x.contender)))].filter((c) => c !== 'ours wasm');
  const out = head(['config', 'ours wasm: tokens/s', 'GFLOP/s (% of peak)', ...others.map((c) => `÷ ${c} (medians / paired)`)]);
  for (const c of r.results) {
    const ours = c.rows.find((x) => x.contender === 'ours wasm');
    const cells = others.map((o) => {
      const x = c.rows.find((y) => y.contender === o);
      if (!x) return '-';
      return x.pairedRatio ? `${times(x.oursRatio)} / ${times(x.pairedRatio.median)}` : times(x.oursRatio);
    });
    out.push(row([`${c.name}: ${c.desc}`, k(ours.tokensPerSec), `${f(ours.gflops)} (${f(ours.pctPeak)}%)`, ...cells]));
  }
  return [peakLine(r), '', ...out, '', loadLine(r)];
}

function contenders(r, name) {
  needs(r, 'results', name, 'contenders');
  const out = head(['config', 'contender', 'tokens/s', 'best step: tokens/s', 'steps/s', 'ms/step median (p25-p75, n)', 'GFLOP/s', '% of peak', 'ours wasm ÷ it (medians)', 'paired']);
  for (const c of r.results) {
    for (const x of c.rows) {
      out.push(row([
        c.name, x.contender, k(x.tokensPerSec), k((c.tokens / x.min) * 1e3), f(x.stepsPerSec, 2),
        `${f(x.median, 2)} (${f(x.p25, 2)}-${f(x.p75, 2)}, ${x.n})`, f(x.gflops, 2), `${f(x.pctPeak)}%`,
        x.contender === 'ours wasm' ? '1' : times(x.oursRatio), x.pairedRatio ? times(x.pairedRatio.median) : '',
      ]));
    }
  }
  const configs = r.results.map((c) => `${c.name}: ${c.desc}`).join('; ');
  return [peakLine(r), '', ...out, '', `Configurations: ${configs}.`, '', loadLine(r)];
}

function scaling(r, name) {
  needs(r, 'scaling', name, 'scaling');
  const out = head(['axis', 'H', 'T', 'B', 'ms/step (best; median)', 'tokens/s', 'GFLOP/s', '% of peak']);
  for (const s of r.scaling) {
    out.push(row([s.axis, s.H, s.T, s.B, `${f(s.msPerStep, 2)}${s.msMedian ? `; ${f(s.msMedian, 2)}` : ''}`, k(s.tokensPerSec), f(s.gflops), `${f(s.pctPeak)}%`]));
  }
  return [peakLine(r), '', ...out];
}

/**
 * Threads results: a threads-*.json, or the threads part of a bench-*.json. Results that name their split (runs of
 * bench/threads.mjs since the column split) add the split, the other processes' CPU and the clean-pair speedup, and
 * runs of several splits how each compares with the first, step by step; runs with the independent copies their speedup
 * (the host's own N-core ceiling) and ours as a share of it.
 */
function threads(rs, names) {
  const n = rs.length > 1;
  const all = rs.map((r0) => (r0.threads?.results ? r0.threads : r0));
  const split = all.some((r) => r.results?.some((c) => c.split));
  const vs = all.some((r) => r.results?.some((c) => c.vsFirst));
  const cp = all.some((r) => r.results?.some((c) => c.copies));
  const out = head([
    ...(n ? ['run'] : []), 'config', 'threads', ...(split ? ['split'] : []), '1 thread ms/step', 'N threads ms/step', 'speedup (median of pair ratios)',
    "speedup, busiest thread's CPU", ...(split ? ['other processes (cores)', 'speedup on clean pairs (pairs)'] : []), 'pairs',
    ...(cp ? ['N independent copies at once: their speedup (ours ÷ it)'] : []),
    ...(vs ? ['over the first split, step by step'] : []),
  ]);
  all.forEach((r, i) => {
    needs(r, 'results', names[i], 'threads');
    for (const c of r.results) {
      out.push(row([
        ...(n ? [utcSeconds(r.machine.date)] : []), `${c.config}: ${c.desc}`, c.threads,
        ...(split ? [c.split] : []), f(c.ms.one, 2), f(c.ms.many, 2),
        times(c.speedup), c.cpuSpeedup ? times(c.cpuSpeedup) : '-',
        ...(split ? [c.othersCores == null ? '-' : c.othersCores.toFixed(2), c.cleanSpeedup == null ? `- (0)` : `${times(c.cleanSpeedup)} (${c.cleanPairs})`] : []),
        c.pairs,
        ...(cp ? [c.copies ? `${times(c.copies.speedup)} (${Math.round(100 * c.copies.oursOverCopies)}%)` : '-'] : []),
        ...(vs ? [c.vsFirst ? `${times(c.vsFirst.speedup)} (${c.vsFirst.split})` : '-'] : []),
      ]));
    }
  });
  return out;
}

/** Relaxed-SIMD results: relaxed-*.json files, or the relaxed part of a bench-*.json. */
function relaxed(rs, names) {
  const n = rs.length > 1;
  const out = head([...(n ? ['run'] : []), 'config', 'strict ms/step', 'relaxed ms/step', 'speedup (median of pair ratios)', 'range of pair ratios', 'pairs']);
  rs.forEach((r0, i) => {
    const r = r0.relaxed?.results ? r0.relaxed : r0;
    needs(r, 'results', names[i], 'relaxed');
    for (const c of r.results) {
      out.push(row([
        ...(n ? [utcSeconds(r.machine.date)] : []), `${c.name}: ${c.desc}`, f(c.ms.strict, 2), f(c.ms.relaxed, 2), times(c.speedup),
        `${f(c.speedupSpread[0], 2)}-${f(c.speedupSpread[1], 2)}`, c.pairs,
      ]));
    }
  });
  return out;
}

/** PyTorch against ours: a torch-*.json file, or the torch part of a bench-*.json. */
function torchTable(r0, name) {
  const r = r0.torch?.rows ? r0.torch : r0;
  needs(r, 'rows', name, 'torch');
  const threadsRun = [...new Set(r.rows.map((x) => x.threads))].sort((a, b) => a - b);
  const cells = ['config'];
  // ours on the relaxed-SIMD build, at the thread counts where the run timed it (its first runs: one thread only)
  const relaxedAt = new Set(r.rows.filter((x) => x.relaxed).map((x) => x.threads));
  for (const n of threadsRun) {
    cells.push(`torch ${n}T tokens/s`, `ours ${n}T tokens/s`, `ours ÷ torch ${n}T (paired median)`);
    if (relaxedAt.has(n)) cells.push(`ours relaxed SIMD ${n}T tokens/s`, `relaxed ÷ torch ${n}T (paired median)`);
  }
  const out = head(cells);
  for (const cfg of [...new Set(r.rows.map((x) => x.name))]) {
    const line = [cfg];
    for (const n of threadsRun) {
      const x = r.rows.find((y) => y.name === cfg && y.threads === n);
      line.push(...(x ? [k(x.tokensPerSec.torch), k(x.tokensPerSec.ours), times(x.paired.median)] : ['-', '-', '-']));
      if (relaxedAt.has(n)) line.push(...(x?.relaxed ? [k(x.relaxed.tokensPerSec), times(x.relaxed.paired.median)] : ['-', '-']));
    }
    out.push(row(line));
  }
  const blas = Object.entries(r.workers ?? {}).map(([n, w]) => `${n} thread(s): sgemm_ from \`${w.ready.blas.sgemmFile}\`, torch.mm ${w.gemm.map((g) => `${g.M}x${g.K}x${g.N} ${f(g.gflops)}`).join(', ')} GFLOP/s`);
  return [...out, '', `${r.label ?? 'torch'} ${r.torch ?? ''}; ${blas.join('; ')}. Step-0 losses agreed within ${Math.max(...r.rows.map((x) => x.checks.loss0.rel)).toExponential(1)} (relative).`];
}

/** Streaming µs per token: a streaming-*.json file, or the streaming part of a bench-*.json. */
function streamingTable(r0, name) {
  const r = r0.streaming?.rows ? r0.streaming : r0;
  needs(r, 'rows', name, 'streaming');
  const out = head(['H', 'mode', 'ours µs/token', 'torch RNNCell µs/token', 'torch addmm µs/token', 'fastest torch ÷ ours']);
  for (const x of r.rows) {
    for (const mode of ['step', 'generate']) {
      const ours = x.usPerToken[mode === 'step' ? 'ours step()' : 'ours generate()'].median;
      const cell = x.usPerToken[`torch RNNCell ${mode}`]?.median;
      const mm = x.usPerToken[`torch addmm ${mode}`]?.median;
      const best = Math.min(cell ?? Infinity, mm ?? Infinity);
      out.push(row([x.H, mode, f(ours, 2), cell ? f(cell, 2) : '-', mm ? f(mm, 2) : '-', Number.isFinite(best) ? times(best / ours) : '-']));
    }
  }
  return [...out, '', r.torch ? `torch ${r.torch.version} on ${r.torch.blas}.` : `torch rows skipped: ${r.skipped}.`];
}

/** onnxruntime-web against ours: an onnxruntime-*.json file, or the onnxruntime part of a bench-*.json. */
function onnxruntimeTable(r0, name) {
  const rows = Array.isArray(r0.onnxruntime) ? r0.onnxruntime : r0.rows;
  if (!Array.isArray(rows) || rows.length === 0) throw new Error(`perf-tables: ${name}.json has no onnxruntime rows`);
  // runs since the relaxed-SIMD rows: ours on that build against ORT too (batched rows)
  const rel = rows.some((x) => x.relaxed);
  const out = head(['config', 'ours', 'onnxruntime-web', 'ours ahead by (paired median)', 'max \\|difference\\|', ...(rel ? ['ours relaxed SIMD', 'relaxed ahead by (paired median)'] : [])]);
  for (const x of rows) {
    const r = rel ? (x.relaxed ? [`${k(x.relaxed.oursTokensPerSec)} tokens/s`, times(x.relaxed.ratio.median)] : ['-', '-']) : [];
    if (x.oursTokensPerSec !== undefined) out.push(row([`${x.name}: ${x.desc}`, `${k(x.oursTokensPerSec)} tokens/s`, `${k(x.ortTokensPerSec)} tokens/s`, times(x.ratio.median), x.maxDiff.toExponential(1), ...r]));
    else out.push(row([`${x.name}: ${x.desc}`, `${f(x.oursUsPerToken.median, 2)} µs/token`, `${f(x.ortUsPerToken.median, 2)} µs/token`, times(x.ratio.median), x.maxDiff.toExponential(1), ...r]));
  }
  return out;
}

/** The markdown of one region: provenance line(s), then the table(s). */
export function render(nameList, section, docFile = DOC) {
  if (!SECTIONS.includes(section)) throw new Error(`perf-tables: unknown section "${section}"; expected one of ${SECTIONS.join(', ')}`);
  const names = nameList.split(',');
  const rs = names.map(readResult);
  if (names.length > 1 && !['threads', 'relaxed'].includes(section)) {
    throw new Error(`perf-tables: the ${section} table takes one results file; got ${names.length}`);
  }
  const from = rs.map((r, i) => `${rs.length > 1 ? '- ' : 'Measured on '}${provenance(names[i], r, docFile, rs.length > 1)}`);
  const lead = rs.length > 1 ? ['Measured on:', '', ...from] : from;
  const body =
    section === 'summary' ? summary(rs[0], names[0]) :
    section === 'contenders' ? contenders(rs[0], names[0]) :
    section === 'scaling' ? scaling(rs[0], names[0]) :
    section === 'threads' ? threads(rs, names) :
    section === 'torch' ? torchTable(rs[0], names[0]) :
    section === 'streaming' ? streamingTable(rs[0], names[0]) :
    section === 'onnxruntime' ? onnxruntimeTable(rs[0], names[0]) : relaxed(rs, names);
  return ['<!-- generated by node scripts/perf-tables.mjs from bench/results/; edit the results, not this table -->', ...lead, '', ...body].join('\n');
}

/** The document with every marked region regenerated, and the regions found. */
export function regenerate(text, docFile = DOC) {
  const regions = [];
  const next = text.replace(MARKER, (_, name, section) => {
    regions.push({ name, section });
    return `<!-- perf:${name} ${section} start -->\n${render(name, section, docFile)}\n<!-- perf:${name} ${section} end -->`;
  });
  return { text: next, regions };
}

function main() {
  const check = process.argv.includes('--check');
  const text = readFileSync(DOC, 'utf8');
  const { text: next, regions } = regenerate(text);
  if (regions.length === 0) {
    console.error(`perf-tables: no <!-- perf:NAME SECTION start --> markers in ${relative(ROOT, DOC)}`);
    process.exit(1);
  }
  const list = regions.map((r) => `${r.name} ${r.section}`).join(', ');
  if (check) {
    if (next !== text) {
      console.error(`perf-tables: ${relative(ROOT, DOC)} is out of date; run node scripts/perf-tables.mjs`);
      process.exit(1);
    }
    console.log(`perf-tables: ${regions.length} tables up to date (${list})`);
    return;
  }
  if (next !== text) writeFileSync(DOC, next);
  console.log(`perf-tables: ${next === text ? 'unchanged' : 'rewrote'} ${relative(ROOT, DOC)}: ${regions.length} tables (${list})`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
