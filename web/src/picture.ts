// SVG pieces for the pictures of a trace: a state heatmap (rows = units, columns = steps), a curve on a log axis and
// on a linear one, a vector as bars, all on columns t = 1..T of one shared x scale. Drawing only: no model.
const NS = 'http://www.w3.org/2000/svg';

export function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A character as it can be read in one column: a space is ␣, a line break ↵, a tab ⇥. */
export const visible = (c: string): string => (c === ' ' ? '\u2423' : c === '\n' ? '\u21b5' : c === '\t' ? '\u21e5' : c);

type RGB = [number, number, number];
// ColorBrewer RdBu (reversed: negative blue, 0 white, positive red), as `simple-rnn inspect` draws states
const DIVERGING: RGB[] = [[33, 102, 172], [103, 169, 207], [247, 247, 247], [239, 138, 98], [178, 24, 43]];

/** A value on [-1, 1] (tanh states): blue, white at 0, red. */
export function stateColor(v: number): string {
  const u = (Math.min(1, Math.max(-1, Number.isFinite(v) ? v : 0)) + 1) / 2;
  const x = u * (DIVERGING.length - 1);
  const k = Math.min(DIVERGING.length - 2, Math.floor(x));
  const f = x - k;
  const c = DIVERGING[k].map((a, j) => Math.round(a + (DIVERGING[k + 1][j] - a) * f));
  return `rgb(${c.join(',')})`;
}

/** The columns of a picture: T steps across [x, x + w]. */
export class Columns {
  readonly cw: number;
  constructor(readonly x: number, readonly w: number, readonly T: number) {
    this.cw = w / Math.max(1, T);
  }
  /** Left edge of column t (1-based). */
  left(t: number): number {
    return this.x + (t - 1) * this.cw;
  }
  /** Centre of column t. */
  mid(t: number): number {
    return this.left(t) + this.cw / 2;
  }
}

/** states[t-1][h] as an H x T grid of rect.cell (row h, column t) in [y, y + h]. Returns the row height. */
export function heatmap(g: SVGGElement, cols: Columns, states: ArrayLike<number>[], y: number, height: number): number {
  const H = states[0]?.length ?? 0;
  const rh = height / Math.max(1, H);
  const frag = document.createDocumentFragment();
  for (let t = 1; t <= states.length; t++) {
    const s = states[t - 1];
    for (let h = 0; h < H; h++) {
      frag.append(el('rect', {
        class: 'cell', x: cols.left(t).toFixed(2), y: (y + h * rh).toFixed(2), width: cols.cw.toFixed(2), height: rh.toFixed(2), fill: stateColor(s[h]),
      }));
    }
  }
  g.append(frag);
  g.append(el('rect', { class: 'frame', x: cols.x, y, width: cols.w, height }));
  return rh;
}

/**
 * A fresh picture in svg: cleared, tagged with its steps and rows (data-steps, data-rows), a caption over the state
 * heatmap of states[t-1] (t = 1..steps) in [top, top + height]. Returns the picture's group and the heatmap's row height.
 */
export function statePicture(
  svg: SVGSVGElement, cols: Columns, states: ArrayLike<number>[], top: number, height: number, caption: string,
): { g: SVGGElement; rh: number } {
  svg.replaceChildren();
  svg.dataset.steps = String(states.length);
  svg.dataset.rows = String(states[0]?.length ?? 0);
  const g = el('g', {});
  svg.append(g);
  g.append(el('text', { class: 'axis-label', x: cols.x, y: top - 6 }, caption));
  const hm = el('g', { class: 'heatmap' });
  g.append(hm);
  return { g, rh: heatmap(hm, cols, states, top, height) };
}

/** Whole decades around [lo, hi] (both > 0): the axis ends and ticks (1, 2, 5 within a single decade). */
export function logAxis(lo: number, hi: number): { y0: number; y1: number; ticks: number[] } {
  const e0 = Math.floor(Math.log10(lo));
  const e1 = Math.max(e0 + 1, Math.ceil(Math.log10(hi)));
  const stride = Math.ceil((e1 - e0) / 6);
  const ticks: number[] = [];
  for (let e = e0; e <= e1; e += stride) for (const m of e1 - e0 === 1 ? [1, 2, 5] : [1]) if (m * 10 ** e <= 10 ** e1) ticks.push(m * 10 ** e);
  return { y0: 10 ** e0, y1: 10 ** e1, ticks };
}

const fmtTick = (v: number) => (v >= 1e4 || v < 1e-3 ? v.toExponential(0).replace('e+', 'e') : String(+v.toPrecision(3)));

/** values[t-1] on a log axis in [y, y + height]: a polyline.curve with one point per column. */
export function logCurve(g: SVGGElement, cols: Columns, values: number[], y: number, height: number, label: string): void {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  if (pos.length === 0) return;
  const ax = logAxis(Math.min(...pos), Math.max(...pos));
  const Y = (v: number) => y + height - ((Math.log10(v) - Math.log10(ax.y0)) / (Math.log10(ax.y1) - Math.log10(ax.y0))) * height;
  for (const v of ax.ticks) {
    g.append(el('line', { class: 'tick', x1: cols.x, x2: cols.x + cols.w, y1: Y(v), y2: Y(v) }));
    g.append(el('text', { class: 'axis-text', x: cols.x - 4, y: Y(v) + 3.5, 'text-anchor': 'end' }, fmtTick(v)));
  }
  g.append(el('text', { class: 'axis-label', x: cols.x, y: y - 5 }, label));
  const pts = values.map((v, k) => (v > 0 && Number.isFinite(v) ? `${cols.mid(k + 1).toFixed(1)},${Y(v).toFixed(1)}` : '')).filter(Boolean);
  g.append(el('polyline', { class: 'curve', points: pts.join(' ') }));
}

/** values[t-1] in [-1, 1] on a linear axis in [y, y + height]: a polyline with a dot per column; returns its Y. */
export function unitCurve(g: SVGGElement, cols: Columns, values: number[], y: number, height: number, cls: string): (v: number) => number {
  const Y = (v: number) => y + ((1 - v) / 2) * height;
  for (const v of [-1, 0, 1]) {
    g.append(el('line', { class: v === 0 ? 'tick zero' : 'tick', x1: cols.x, x2: cols.x + cols.w, y1: Y(v), y2: Y(v) }));
    g.append(el('text', { class: 'axis-text', x: cols.x - 4, y: Y(v) + 3.5, 'text-anchor': 'end' }, String(v)));
  }
  g.append(el('polyline', { class: cls, points: values.map((v, k) => `${cols.mid(k + 1).toFixed(1)},${Y(v).toFixed(1)}`).join(' ') }));
  for (const [k, v] of values.entries()) g.append(el('circle', { class: cls + '-dot', cx: cols.mid(k + 1).toFixed(1), cy: Y(v).toFixed(1), r: 2.2 }));
  return Y;
}

/** A vector as H bars around 0 on [-1, 1] (rect.bar), filling an SVG's viewBox. */
export function vectorBars(svg: SVGSVGElement, v: ArrayLike<number>): void {
  const { width: W, height: Hh } = svg.viewBox.baseVal;
  svg.replaceChildren();
  const bw = W / Math.max(1, v.length);
  const mid = Hh / 2;
  svg.append(el('line', { class: 'tick zero', x1: 0, x2: W, y1: mid, y2: mid }));
  for (let h = 0; h < v.length; h++) {
    const a = Math.max(-1, Math.min(1, v[h]));
    svg.append(el('rect', {
      class: 'bar', x: (h * bw).toFixed(2), width: Math.max(0.5, bw - (bw > 3 ? 0.6 : 0)).toFixed(2),
      y: (a >= 0 ? mid - a * mid : mid).toFixed(2), height: Math.abs(a * mid).toFixed(2), fill: stateColor(a),
    }));
  }
}

/** Transparent rect.col-hit per column over [y, y + height] (data-t = t) for hover, and the cursor rect. */
export function hitColumns(g: SVGGElement, cols: Columns, y: number, height: number, onEnter: (t: number) => void): SVGRectElement {
  const cursor = el('rect', { class: 'cursor', x: 0, y, width: cols.cw, height, visibility: 'hidden' });
  g.append(cursor);
  for (let t = 1; t <= cols.T; t++) {
    const r = el('rect', { class: 'col-hit', x: cols.left(t).toFixed(2), y, width: cols.cw.toFixed(2), height, 'data-t': t });
    r.addEventListener('mouseenter', () => {
      cursor.setAttribute('x', cols.left(t).toFixed(2));
      cursor.setAttribute('visibility', 'visible');
      onEnter(t);
    });
    g.append(r);
  }
  return cursor;
}
