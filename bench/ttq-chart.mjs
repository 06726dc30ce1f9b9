// The time-to-quality chart: validation loss against training minutes (log axis) for saved runs, with the TF.js
// reference points and the two targets, as a standalone SVG (bench/time-to-quality.mjs --chart).

/** TF.js (wasm backend, one thread): simpleRNN H=256, T=64, B=32, Adam 2e-3; loss by the same protocol. */
export const REFERENCE = [
  { minutes: 1.5, loss: 2.58 },
  { minutes: 3, loss: 2.27 },
  { minutes: 7.5, loss: 2.09 },
  { minutes: 12, loss: 2.0 },
  { minutes: 15, loss: 1.943 },
];

/** The targets: the reference's 15-minute loss within 1 minute, and 1.60 within 15 minutes. */
export const TARGETS = { early: { minutes: 1, loss: 1.943 }, late: { minutes: 15, loss: 1.6 } };

const COLORS = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bc4c00', '#0a7e8c', '#bf3989', '#57606a'];
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An SVG chart of runs ({ label, curve: [{ seconds, loss }], machine }) against the reference and the targets. */
export function ttqChart(runs, { width = 780 } = {}) {
  const m = { left: 62, right: 16, top: 72, bottom: 60 + 17 * (runs.length + 1) };
  const height = m.top + 360 + m.bottom;
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const x0 = Math.log(0.2);
  const x1 = Math.log(16);
  const y0 = 1.4;
  const y1 = 3.0;
  const X = (minutes) => m.left + ((Math.log(minutes) - x0) / (x1 - x0)) * w;
  const Y = (loss) => m.top + ((y1 - Math.min(y1, Math.max(y0, loss))) / (y1 - y0)) * h;
  const f = (v) => v.toFixed(1);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${m.left}" y="22" font-size="15" font-weight="600">Time to quality: tinyshakespeare, character model</text>`);
  out.push(`<text x="${m.left}" y="40" fill="#57606a">validation loss: the first 512 windows of 64 held-out characters, each from the zero state</text>`);
  // grid and axes
  for (let v = y0; v <= y1 + 1e-9; v += 0.2) {
    out.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${f(Y(v))}" y2="${f(Y(v))}" stroke="#d0d7de" stroke-width="0.6"/>`);
    out.push(`<text x="${m.left - 6}" y="${f(Y(v) + 4)}" text-anchor="end">${v.toFixed(1)}</text>`);
  }
  for (const t of [0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15]) {
    out.push(`<line x1="${f(X(t))}" x2="${f(X(t))}" y1="${m.top}" y2="${m.top + h}" stroke="#d0d7de" stroke-width="0.6"/>`);
    out.push(`<text x="${f(X(t))}" y="${m.top + h + 16}" text-anchor="middle">${t}</text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${w}" height="${h}" fill="none" stroke="#8c959f"/>`);
  out.push(`<text x="${m.left + w / 2}" y="${m.top + h + 34}" text-anchor="middle">training time (minutes, log scale)</text>`);
  out.push(`<text transform="translate(16 ${m.top + h / 2}) rotate(-90)" text-anchor="middle">loss (nats per character)</text>`);
  // targets
  for (const t of [TARGETS.early, TARGETS.late]) {
    out.push(`<line x1="${m.left}" x2="${f(X(t.minutes))}" y1="${f(Y(t.loss))}" y2="${f(Y(t.loss))}" stroke="#6e7781" stroke-dasharray="2 3"/>`);
    out.push(`<line x1="${f(X(t.minutes))}" x2="${f(X(t.minutes))}" y1="${f(Y(t.loss))}" y2="${m.top + h}" stroke="#6e7781" stroke-dasharray="2 3"/>`);
    out.push(`<circle cx="${f(X(t.minutes))}" cy="${f(Y(t.loss))}" r="5" fill="none" stroke="#24292f" stroke-width="1.6"/>`);
    const below = t === TARGETS.late; // the late target's label under its line, clear of the curves that reach it
    out.push(`<text x="${f(X(t.minutes) - 8)}" y="${f(Y(t.loss) + (below ? 16 : -8))}" text-anchor="end" fill="#24292f">target ${t.loss} by ${t.minutes} min</text>`);
  }
  // the reference
  const ref = REFERENCE.map((p) => `${f(X(p.minutes))},${f(Y(p.loss))}`).join(' ');
  out.push(`<polyline points="${ref}" fill="none" stroke="#24292f" stroke-width="1.4" stroke-dasharray="6 4"/>`);
  for (const p of REFERENCE) out.push(`<rect x="${f(X(p.minutes) - 3.5)}" y="${f(Y(p.loss) - 3.5)}" width="7" height="7" fill="#24292f"/>`);
  // the runs
  runs.forEach((r, k) => {
    const c = COLORS[k % COLORS.length];
    const pts = r.curve.filter((p) => p.seconds >= 12).map((p) => `${f(X(p.seconds / 60))},${f(Y(p.loss))}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${c}" stroke-width="2"/>`);
    for (const p of r.curve.filter((q) => q.seconds >= 12)) out.push(`<circle cx="${f(X(p.seconds / 60))}" cy="${f(Y(p.loss))}" r="2.4" fill="${c}"/>`);
  });
  // legend, below the plot
  const items = [{ label: 'TF.js wasm: H=256, T=64, lr 0.002, 1 thread (reference)', color: '#24292f', dash: true }, ...runs.map((r, k) => ({ label: `${describeRun(r) || r.label} (${r.minutes}-min run, load ${r.machine.loadavgBefore[0]}-${r.machine.loadavgAfter[0]})`, color: COLORS[k % COLORS.length] }))];
  items.forEach((it, k) => {
    const y = m.top + h + 56 + k * 17;
    const x = m.left;
    out.push(`<line x1="${x}" x2="${x + 22}" y1="${y - 4}" y2="${y - 4}" stroke="${it.color}" stroke-width="2"${it.dash ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${x + 28}" y="${y}">${esc(it.label)}</text>`);
  });
  const cpu = runs[0]?.machine ? `${runs[0].machine.cpu}, ${runs[0].machine.cores} cores, Node ${runs[0].machine.node}` : '';
  if (cpu) out.push(`<text x="${m.left}" y="58" fill="#57606a">${esc(cpu)}; wall-clock time of training, scoring excluded</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** A short description of a run's recipe for the legend. */
function describeRun(r) {
  const x = r.recipe;
  if (!x) return '';
  const parts = [`${x.layers > 1 ? `${x.layers} layers, ` : ''}H=${x.hiddenSize.join(',')}`, `T=${x.seqLength}`];
  if (x.batchSize !== 32) parts.push(`B=${x.batchSize}`);
  if (x.chunks !== 8) parts.push(`chunks ${x.chunks}`);
  if (x.dropout) parts.push(`dropout ${x.dropout}`);
  if (x.recurrentDropout) parts.push(`recurrent dropout ${x.recurrentDropout}`);
  parts.push(`lr ${x.lr}${x.decay !== 'none' ? ` ${x.decay}` : ''}`, `${x.threads} thread${x.threads > 1 ? 's' : ''}`);
  return parts.join(', ');
}
