// Renders a bench/results/*.json as the markdown tables of the README's Performance section:
//   node bench/table.mjs bench/results/bench-....json
import { readFileSync } from 'node:fs';

const r = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const k = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0));
const f = (x, d = 1) => (x >= 100 ? x.toFixed(0) : x.toFixed(d));
const out = [];
out.push(`Machine: ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, ${r.machine.date.slice(0, 16)}Z; command \`${r.command}\`;`);
out.push(`optimizer ${r.optimizer} (lr ${r.learningRate}); peak ${r.peak.gflops.toFixed(1)} GFLOP/s (${r.peak.detail}).`);
out.push('');
out.push('| config | contender | tokens/s | best step: tokens/s | steps/s | ms/step median (p25-p75, n) | GFLOP/s | % of peak | ours wasm ÷ it (medians) | paired |');
out.push('|---|---|---|---|---|---|---|---|---|---|');
for (const c of r.results) {
  for (const x of c.rows) {
    const pr = x.pairedRatio ? `${f(x.pairedRatio.median, 2)}x` : '';
    out.push(`| ${c.name} | ${x.contender} | ${k(x.tokensPerSec)} | ${k((c.tokens / x.min) * 1e3)} | ${f(x.stepsPerSec, 2)} | ${f(x.median, 2)} (${f(x.p25, 2)}-${f(x.p75, 2)}, ${x.n}) | ${f(x.gflops, 2)} | ${f(x.pctPeak)}% | ${x.contender === 'ours wasm' ? '1' : `${f(x.oursRatio, 2)}x`} | ${pr} |`);
  }
}
out.push('');
out.push('Load average (1 min) during each config: ' + r.results.map((c) => `${c.name} ${c.loadavg.map((v) => v.toFixed(1)).join('→')}`).join(', ') + '.');
if (r.scaling) {
  out.push('');
  out.push('| axis | H | T | B | ms/step (best; median) | tokens/s | GFLOP/s | % of peak |');
  out.push('|---|---|---|---|---|---|---|---|');
  for (const s of r.scaling) out.push(`| ${s.axis} | ${s.H} | ${s.T} | ${s.B} | ${f(s.msPerStep, 2)}${s.msMedian ? `; ${f(s.msMedian, 2)}` : ''} | ${k(s.tokensPerSec)} | ${f(s.gflops)} | ${f(s.pctPeak)}% |`);
}
console.log(out.join('\n'));
