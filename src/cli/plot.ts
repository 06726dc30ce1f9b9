// Loss curves for people: an SVG chart (--plot FILE.svg) and a small block-character plot for the terminal.
// Both pick a log y axis when the curve spans more than a decade and a half, since training losses fall geometrically.

export interface Series {
  name: string;
  /** [x, y] pairs; non-finite y values are skipped. */
  points: [number, number][];
  color: string;
  /** Line width in px. Default 2. */
  width?: number;
  opacity?: number;
  /** Draw a dot at each point (for sparse series such as per-epoch validation). */
  markers?: boolean;
  /** Hide from the legend (e.g. the raw, unsmoothed curve under its smoothed one). */
  legend?: boolean;
}

export interface ChartOptions {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** 'auto' (default): log when max/min > 30. */
  yScale?: 'auto' | 'linear' | 'log';
}

/**
 * Centred moving average over 2h+1 points, h = fraction of the curve's length: unlike an exponential average it does
 * not lag behind a falling loss. Near the ends the window shrinks symmetrically.
 */
export function smooth(points: [number, number][], fraction = 0.01): [number, number][] {
  const n = points.length;
  const h = Math.max(1, Math.round(n * fraction));
  const prefix = new Float64Array(n + 1);
  for (let k = 0; k < n; k++) prefix[k + 1] = prefix[k] + points[k][1];
  return points.map(([x], k) => {
    const w = Math.min(h, k, n - 1 - k);
    return [x, (prefix[k + w + 1] - prefix[k - w]) / (2 * w + 1)];
  });
}

/** At most `max` points: means over equal runs of x order (keeps the shape of a long noisy curve, small files). */
export function downsample(points: [number, number][], max = 800): [number, number][] {
  if (points.length <= max) return points;
  const out: [number, number][] = [];
  const per = points.length / max;
  for (let k = 0; k < max; k++) {
    const a = Math.floor(k * per);
    const b = Math.max(a + 1, Math.floor((k + 1) * per));
    let sx = 0;
    let sy = 0;
    for (let j = a; j < b; j++) {
      sx += points[j][0];
      sy += points[j][1];
    }
    out.push([sx / (b - a), sy / (b - a)]);
  }
  return out;
}

/** Round tick positions for a linear axis: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  const decades = Math.log10(hi / lo);
  const mantissas = decades <= 2 ? [1, 2, 5] : [1];
  const stride = decades > 8 ? 2 : 1;
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e += stride) {
    for (const m of mantissas) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) ticks.push(Number(v.toPrecision(6)));
    }
  }
  return ticks;
}

export function formatNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  if (a >= 1000) return `${Number((v / 1000).toPrecision(3))}k`;
  return String(Number(v.toPrecision(3)));
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A standalone SVG document: title, axes with round ticks and grid, one path per series, a legend. */
export function svgChart(series: Series[], opt: ChartOptions): string {
  const W = opt.width ?? 760;
  const H = opt.height ?? 420;
  const m = { left: 70, right: 24, top: opt.subtitle ? 64 : 48, bottom: 54 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  let x0 = Math.min(...all.map((p) => p[0]));
  let x1 = Math.max(...all.map((p) => p[0]));
  if (!(x1 > x0)) [x0, x1] = [x0 - 1 || 0, x0 + 1];
  const ys = all.map((p) => p[1]);
  let y0 = Math.min(...ys);
  let y1 = Math.max(...ys);
  const log = opt.yScale === 'log' || (opt.yScale !== 'linear' && y0 > 0 && y1 / y0 > 30);
  let yTicks: number[];
  if (log) {
    y0 = 10 ** (Math.floor(Math.log10(Math.min(...ys)) * 4) / 4);
    y1 = 10 ** (Math.ceil(Math.log10(y1) * 4) / 4);
    yTicks = logTicks(y0, y1);
  } else {
    if (!(y1 > y0)) [y0, y1] = [y0 - 1, y0 + 1];
    const pad = (y1 - y0) * 0.05;
    y0 = y0 >= 0 && y0 - pad < 0 ? 0 : y0 - pad;
    y1 += pad;
    yTicks = niceTicks(y0, y1);
  }
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = log
    ? (y: number) => m.top + (1 - (Math.log(y) - Math.log(y0)) / (Math.log(y1) - Math.log(y0))) * ph
    : (y: number) => m.top + (1 - (y - y0) / (y1 - y0)) * ph;
  const f = (v: number) => v.toFixed(1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif">`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${m.left}" y="28" font-size="18" font-weight="600" fill="#1f2328">${esc(opt.title)}</text>`);
  if (opt.subtitle) out.push(`<text x="${m.left}" y="48" font-size="12.5" fill="#59636e">${esc(opt.subtitle)}</text>`);
  // grid and ticks
  out.push(`<g font-size="11.5" fill="#59636e">`);
  for (const t of yTicks) {
    const y = sy(t);
    if (y < m.top - 0.5 || y > m.top + ph + 0.5) continue;
    out.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${f(y)}" y2="${f(y)}" stroke="#e6e8eb" stroke-width="1"/>`);
    out.push(`<text x="${m.left - 8}" y="${f(y + 4)}" text-anchor="end">${esc(formatNumber(t))}</text>`);
  }
  for (const t of niceTicks(x0, x1, 7)) {
    const x = sx(t);
    out.push(`<line x1="${f(x)}" x2="${f(x)}" y1="${m.top}" y2="${m.top + ph}" stroke="#f0f1f3" stroke-width="1"/>`);
    out.push(`<text x="${f(x)}" y="${m.top + ph + 18}" text-anchor="middle">${esc(formatNumber(t))}</text>`);
  }
  out.push(`</g>`);
  out.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#8c959f" stroke-width="1"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${H - 12}" font-size="12.5" text-anchor="middle" fill="#1f2328">${esc(opt.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" font-size="12.5" text-anchor="middle" fill="#1f2328">${esc(opt.yLabel + (log ? ' (log scale)' : ''))}</text>`);
  // curves, clipped to the plot area
  out.push(`<defs><clipPath id="plot"><rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}"/></clipPath></defs>`);
  out.push(`<g clip-path="url(#plot)" fill="none" stroke-linejoin="round" stroke-linecap="round">`);
  for (const s of series) {
    const pts = downsample(s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!log || y > 0)));
    if (pts.length === 0) continue;
    const d = pts.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${f(sx(x))},${f(sy(y))}`).join(' ');
    out.push(`<path d="${d}" stroke="${s.color}" stroke-width="${s.width ?? 2}" stroke-opacity="${s.opacity ?? 1}"/>`);
    if (s.markers) for (const [x, y] of pts) out.push(`<circle cx="${f(sx(x))}" cy="${f(sy(y))}" r="3" fill="${s.color}" stroke="#ffffff" stroke-width="1"/>`);
  }
  out.push(`</g>`);
  // legend, top right inside the plot
  const shown = series.filter((s) => s.legend !== false && s.points.length > 0);
  if (shown.length > 0) {
    const lw = Math.max(...shown.map((s) => s.name.length)) * 7 + 44;
    const lx = m.left + pw - lw - 10;
    const ly = m.top + 10;
    out.push(`<rect x="${lx}" y="${ly}" width="${lw}" height="${shown.length * 20 + 8}" rx="4" fill="#ffffff" fill-opacity="0.9" stroke="#d0d7de"/>`);
    shown.forEach((s, k) => {
      const y = ly + 18 + k * 20;
      out.push(`<line x1="${lx + 10}" x2="${lx + 32}" y1="${y - 4}" y2="${y - 4}" stroke="${s.color}" stroke-width="3"/>`);
      out.push(`<text x="${lx + 38}" y="${y}" font-size="12" fill="#1f2328">${esc(s.name)}</text>`);
    });
  }
  out.push(`</svg>`);
  return out.join('\n') + '\n';
}

const BLOCKS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** A block-character plot of a curve (log y when it spans more than a decade): `height` rows, labels on the left. */
export function textPlot(values: number[], width = 40, height = 6): string[] {
  const v = values.filter((y) => Number.isFinite(y));
  if (v.length === 0) return [];
  // column c shows the mean of its share of the values
  const cols: number[] = [];
  const n = Math.min(width, v.length);
  for (let c = 0; c < n; c++) {
    const a = Math.floor((c * v.length) / n);
    const b = Math.max(a + 1, Math.floor(((c + 1) * v.length) / n));
    let s = 0;
    for (let j = a; j < b; j++) s += v[j];
    cols.push(s / (b - a));
  }
  const lo = Math.min(...cols);
  const hi = Math.max(...cols);
  const log = lo > 0 && hi / lo > 30;
  const tf = (y: number) => (log ? Math.log(y) : y);
  const span = tf(hi) - tf(lo) || 1;
  const eighths = cols.map((y) => Math.max(1, Math.round(((tf(y) - tf(lo)) / span) * (height * 8 - 1)) + 1));
  const label = (y: number) => formatNumber(y).padStart(7);
  const lines: string[] = [];
  for (let r = height - 1; r >= 0; r--) {
    let row = '';
    for (const e of eighths) row += BLOCKS[Math.max(0, Math.min(8, e - r * 8))];
    const tag = r === height - 1 ? label(hi) : r === 0 ? label(lo) : ' '.repeat(7);
    lines.push(`${tag} ┤${row}`);
  }
  return lines;
}

/** One-line sparkline of the whole curve. */
export function sparkline(values: number[], width = 40): string {
  return textPlot(values, width, 1)[0]?.slice(9) ?? '';
}
