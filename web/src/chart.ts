// A small SVG line chart: nice ticks, grid lines, axis labels, one or more series. No dependencies.
const NS = 'http://www.w3.org/2000/svg';

export interface Series {
  points: [number, number][];
  color: string;
  label: string;
}

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 10000) return `${+(v / 1000).toFixed(1)}k`;
  if (a >= 100) return v.toFixed(0);
  if (a >= 1) return +v.toFixed(2) + '';
  return +v.toPrecision(2) + '';
}

export class LineChart {
  private readonly w: number;
  private readonly h: number;
  constructor(private readonly svg: SVGSVGElement, private readonly o: { xLabel: string; yLabel: string }) {
    const vb = svg.viewBox.baseVal;
    this.w = vb.width;
    this.h = vb.height;
    this.render([]);
  }

  render(series: Series[]): void {
    const { svg, w, h } = this;
    const m = { l: 48, r: 14, t: 26, b: 32 };
    svg.replaceChildren();
    const all = series.flatMap((s) => s.points);
    const xMax = Math.max(10, ...all.map((p) => p[0]));
    const ys = all.map((p) => p[1]).filter(Number.isFinite);
    let yLo = ys.length ? Math.min(...ys) : 0;
    let yHi = ys.length ? Math.max(...ys) : 1;
    if (yHi - yLo < 1e-6) {
      yHi += 0.5;
      yLo = Math.max(0, yLo - 0.5);
    }
    yLo = Math.max(0, yLo - (yHi - yLo) * 0.05);
    const X = (x: number) => m.l + (x / xMax) * (w - m.l - m.r);
    const Y = (y: number) => h - m.b - ((y - yLo) / (yHi - yLo)) * (h - m.t - m.b);
    const grid = el('g', { class: 'grid' });
    for (const v of ticks(yLo, yHi, 4)) {
      grid.append(el('line', { x1: m.l, x2: w - m.r, y1: Y(v), y2: Y(v) }));
      grid.append(el('text', { x: m.l - 6, y: Y(v) + 4, 'text-anchor': 'end' }, fmt(v)));
    }
    for (const v of ticks(0, xMax, 5)) {
      grid.append(el('line', { x1: X(v), x2: X(v), y1: m.t, y2: h - m.b, class: 'minor' }));
      grid.append(el('text', { x: X(v), y: h - m.b + 16, 'text-anchor': 'middle' }, fmt(v)));
    }
    svg.append(grid);
    svg.append(el('text', { x: w - m.r, y: h - 4, 'text-anchor': 'end', class: 'axis-label' }, this.o.xLabel));
    svg.append(el('text', { x: m.l, y: 15, class: 'axis-label' }, this.o.yLabel));
    svg.append(el('line', { x1: m.l, x2: m.l, y1: m.t, y2: h - m.b, class: 'axis' }));
    svg.append(el('line', { x1: m.l, x2: w - m.r, y1: h - m.b, y2: h - m.b, class: 'axis' }));
    series.forEach((s, k) => {
      const pts = s.points.filter((p) => Number.isFinite(p[1]));
      if (pts.length === 0) return;
      svg.append(el('polyline', { points: pts.map((p) => `${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(' '), stroke: s.color, class: 'line' }));
      const last = pts[pts.length - 1];
      svg.append(el('circle', { cx: X(last[0]), cy: Y(last[1]), r: 3, fill: s.color }));
      if (series.length > 1) svg.append(el('text', { x: w - m.r - 4, y: m.t + 12 + 14 * k, 'text-anchor': 'end', fill: s.color, class: 'legend' }, s.label));
    });
  }
}
