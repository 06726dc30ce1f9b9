// The picture of `simple-rnn inspect`: one trace (src/trace.ts) in, one SVG document out. Three panels share the
// columns t = 1..steps: the state s^t as a heatmap (rows h) with the input tokens under it, the output distribution
// per step, and ‖∂L/∂s^t‖ on a log axis; pad steps are hatched, over a state that shows through unchanged. Pure:
// no files, no model.
import type { Trace } from '../trace.js';
import { formatNumber, niceTicks } from './plot.js';

/** What the picture shows: the trace, and the words for it (the command knows the model and its tokenizer). */
export interface PictureInput {
  trace: Trace;
  title: string;
  subtitle?: string;
  /** f_s: tanh and sigmoid states are drawn on the fixed scale [-1, 1], relu and linear ones on ±max|s|. */
  activation: string;
  /** The input of each real step, as text (trace.length of them). */
  tokens: string[];
  /** The name of each output class (index = class id). */
  classes: string[];
  /** The target class of each output (one per trace.outputs entry), when there is one. */
  targets?: number[];
  /** Output rows: every class in class order ('all', for a few classes), or the k most probable at each step. */
  outputRows: 'all' | number;
  /** Heading of the output panel, and a note after it (what is outlined). */
  outputTitle: string;
  outputNote?: string;
}

// ---- text ----

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/**
 * Free text (a title, a quoted input) as XML 1.0 can hold it: control characters become their Unicode control
 * pictures (␊ for a line break, XML allows none of them, escaped or not), U+FFFE/U+FFFF and lone surrogates U+FFFD.
 */
export function printable(s: string): string {
  return s
    .replace(/[\u0000-\u001f]/g, (c) => String.fromCharCode(0x2400 + c.charCodeAt(0)))
    .replace(/\u007f/g, '\u2421')
    .replace(/[\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** A token as it can be read on its own: a space is ␣, a line break ↵, a tab ⇥, the rest as printable() makes it. */
export function visible(s: string): string {
  return printable(s.replace(/ /g, '\u2423').replace(/\n/g, '\u21b5').replace(/\t/g, '\u21e5'));
}

const SUP: Record<string, string> = { t: '\u1d57', '0': '\u2070', '1': '\u00b9', '2': '\u00b2', '3': '\u00b3', '4': '\u2074', '5': '\u2075', '6': '\u2076', '7': '\u2077', '8': '\u2078', '9': '\u2079' };

/** s^t written with a superscript, as a title or a terminal can show it: sup('t') = 'ᵗ', sup(12) = '¹²'. */
export const sup = (v: string | number): string => Array.from(String(v), (c) => SUP[c] ?? c).join('');

/** Lines of at most `room` characters, broken at spaces (a longer word is cut). */
export function wrap(text: string, room: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && Array.from(lines[last]).length + 1 + Array.from(word).length <= room) lines[last] += ' ' + word;
    else lines.push(clip(word, room));
  }
  return lines;
}

/** At most n code points, with … when cut. */
export function clip(s: string, n: number): string {
  const cps = Array.from(s);
  if (cps.length <= n) return s;
  return n <= 1 ? '…' : cps.slice(0, n - 1).join('') + '…';
}

// ---- colours ----

type RGB = [number, number, number];
// ColorBrewer RdBu (5 classes, reversed: negative blue, positive red) and Blues
const DIVERGING: RGB[] = [[33, 102, 172], [103, 169, 207], [247, 247, 247], [239, 138, 98], [178, 24, 43]];
const SEQUENTIAL: RGB[] = [[247, 251, 255], [158, 202, 225], [49, 130, 189], [8, 48, 107]];

function ramp(stops: RGB[], u: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(u) ? u : 0.5)) * (stops.length - 1);
  const k = Math.min(stops.length - 2, Math.floor(x));
  const f = x - k;
  const c = stops[k].map((a, j) => Math.round(a + (stops[k + 1][j] - a) * f));
  return '#' + c.map((v) => v.toString(16).padStart(2, '0')).join('');
}

/** A state value on [-m, m]: blue, white at 0, red. */
export const stateColor = (v: number, m: number): string => ramp(DIVERGING, (v / m + 1) / 2);
/** A probability: near white at 0, dark blue at 1. */
export const probColor = (p: number): string => ramp(SEQUENTIAL, p);

// ---- layout ----

const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
const INK = '#1f2328';
const MUTED = '#59636e';
const f1 = (v: number) => (Math.round(v * 10) / 10).toString();
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Integer step ticks in [1, steps], at round positions. */
function stepTicks(steps: number): number[] {
  const t = niceTicks(1, Math.max(2, steps), Math.min(10, steps)).filter((v) => Number.isInteger(v) && v >= 1 && v <= steps);
  if (!t.includes(1)) t.unshift(1);
  return t;
}

/** Whole decades of a log axis around [lo, hi] (both > 0), ticks at powers of ten (and 2 and 5 within one decade). */
function logAxis(lo: number, hi: number): { y0: number; y1: number; ticks: number[] } {
  let e0 = Math.floor(Math.log10(lo));
  let e1 = Math.ceil(Math.log10(hi));
  if (e1 <= e0) e1 = e0 + 1;
  const decades = e1 - e0;
  const stride = decades > 10 ? Math.ceil(decades / 8) : 1;
  const ticks: number[] = [];
  for (let e = e0; e <= e1; e += stride) {
    for (const m of decades === 1 ? [1, 2, 5] : [1]) {
      const v = Number((m * 10 ** e).toPrecision(6));
      if (v >= 10 ** e0 * 0.999 && v <= 10 ** e1 * 1.001) ticks.push(v);
    }
  }
  return { y0: 10 ** e0, y1: 10 ** e1, ticks };
}

/** The k largest entries of p, largest first (ties: the smaller class first). */
export function topClasses(p: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: p.length }, (_, c) => c)
    .sort((a, b) => p[b] - p[a] || a - b)
    .slice(0, k);
}

/** The SVG document of one trace: a standalone file, well-formed XML, every text escaped. */
export function inspectSvg(input: PictureInput): string {
  const tr = input.trace;
  const steps = tr.steps;
  const H = tr.states[0].length;
  const O = tr.outputs[0]?.length ?? 0;
  const cw = clamp(Math.round(840 / steps), 6, 28); // column width
  const ch = clamp(Math.floor(300 / H), 1, 14); // state row height
  const ML = 104;
  const MR = 124;
  const pw = steps * cw;
  const W = Math.max(ML + pw + MR, 720);
  const x = (t: number) => ML + (t - 1) * cw; // left edge of column t
  const xc = (t: number) => x(t) + cw / 2;
  const padCols = Array.from({ length: steps }, (_, k) => k + 1).filter((t) => tr.pad[t - 1]);
  const body: string[] = [];
  const defs: string[] = [];
  const push = (s: string) => body.push(s);
  /** A panel's heading in bold, its note after it when both fit on the line, else wrapped under it; the last line's y. */
  const heading = (yy: number, text: string, note?: string): number => {
    const room = W - 16 - ML;
    const bold = Array.from(text).length * 8;
    if (!note) {
      push(`<text x="${ML}" y="${yy}" font-size="13.5" font-weight="600" fill="${INK}">${esc(text)}</text>`);
      return yy;
    }
    if (bold + 12 + Array.from(note).length * 6.3 <= room) {
      push(`<text x="${ML}" y="${yy}" font-size="13.5" font-weight="600" fill="${INK}">${esc(text)}` +
        `<tspan font-weight="400" fill="${MUTED}" font-size="12">  ${esc(note)}</tspan></text>`);
      return yy;
    }
    push(`<text x="${ML}" y="${yy}" font-size="13.5" font-weight="600" fill="${INK}">${esc(text)}</text>`);
    for (const line of wrap(note, Math.floor(room / 6.3))) {
      yy += 15;
      push(`<text class="note" x="${ML}" y="${yy}" font-size="12" fill="${MUTED}">${esc(line)}</text>`);
    }
    return yy;
  };
  defs.push(
    `<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
      `<line x1="0" y1="0" x2="0" y2="6" stroke="#57606a" stroke-width="1.6" stroke-opacity="0.6"/></pattern>`,
  );
  let y = 30;
  // the title on at most two lines (about 10 px a character at 17 px bold), the rest cut
  const titleLines = wrap(printable(input.title), Math.floor((W - 32) / 10.2));
  if (titleLines.length > 2) titleLines.splice(1, titleLines.length - 1, clip(titleLines.slice(1).join(' '), Math.floor((W - 32) / 10.2)));
  titleLines.forEach((line, k) => {
    if (k > 0) y += 22;
    push(`<text class="title" x="16" y="${y}" font-size="17" font-weight="600" fill="${INK}">${esc(line)}</text>`);
  });
  if (input.subtitle) {
    // wrapped at its ' · ' separators (and spaces) to the picture's width (about 6.6 px a character at 12.5 px)
    const room = Math.floor((W - 32) / 6.6);
    const lines: string[] = [];
    for (const part of printable(input.subtitle).split(' · ')) {
      const last = lines.length - 1;
      if (last >= 0 && Array.from(lines[last]).length + 3 + Array.from(part).length <= room) lines[last] += ' · ' + part;
      else lines.push(...wrap(part, room)); // a part too long for a line is wrapped at its spaces
    }
    for (const line of lines) {
      y += 18;
      push(`<text class="subtitle" x="16" y="${y}" font-size="12.5" fill="${MUTED}">${esc(line)}</text>`);
    }
  }

  // ---- (1) the state: rows h, columns t ----
  y += 34;
  const bounded = input.activation === 'tanh' || input.activation === 'sigmoid';
  let m = 1;
  if (!bounded) {
    m = 0;
    for (let t = 1; t <= steps; t++) for (const v of tr.states[t]) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
    if (!(m > 0)) m = 1;
  }
  y = heading(y, `state s${sup('t')}`, `rows: units h = 1..${H}; columns: steps t = 1..${steps}; colour: the value of unit h after step t`);
  y += 8;
  const ticksT = stepTicks(steps);
  push(`<g font-size="10.5" fill="${MUTED}" text-anchor="middle">`);
  for (const t of ticksT) push(`<text x="${f1(xc(t))}" y="${y + 10}">${t}</text>`);
  push(`</g>`);
  y += 14;
  const hy = y; // heatmap top
  const hh = H * ch;
  // one group per step t, one rect per unit h (the shared x in the group's transform keeps the file small)
  push(`<g class="states" shape-rendering="crispEdges">`);
  for (let t = 1; t <= steps; t++) {
    const s = tr.states[t];
    let col = `<g class="col" data-t="${t}" transform="translate(${x(t)} ${hy})">`;
    for (let h = 0; h < H; h++) col += `<rect y="${h * ch}" width="${cw}" height="${ch}" fill="${stateColor(s[h], m)}"/>`;
    push(col + `</g>`);
  }
  push(`</g>`);
  for (const t of padCols) push(`<rect class="pad" x="${x(t)}" y="${hy}" width="${cw}" height="${hh}" fill="url(#hatch)"/>`);
  push(`<rect x="${ML}" y="${hy}" width="${pw}" height="${hh}" fill="none" stroke="#8c959f" stroke-width="1"/>`);
  push(`<g font-size="10.5" fill="${MUTED}" text-anchor="end">`);
  push(`<text x="${ML - 6}" y="${hy + Math.min(ch, hh) / 2 + 4}">h=1</text>`);
  if (H > 1) push(`<text x="${ML - 6}" y="${hy + hh - Math.min(ch, hh) / 2 + 4}">h=${H}</text>`);
  push(`</g>`);
  // colour scale, right of the heatmap
  const lx = ML + pw + 24;
  const lh = Math.max(hh, 72);
  defs.push(
    `<linearGradient id="stateScale" x1="0" y1="1" x2="0" y2="0">` +
      DIVERGING.map((_, k) => `<stop offset="${k / (DIVERGING.length - 1)}" stop-color="${stateColor(-m + (2 * m * k) / (DIVERGING.length - 1), m)}"/>`).join('') +
      `</linearGradient>`,
  );
  push(`<rect x="${lx}" y="${hy}" width="12" height="${lh}" fill="url(#stateScale)" stroke="#8c959f" stroke-width="0.5"/>`);
  push(`<g font-size="10.5" fill="${MUTED}">`);
  push(`<text x="${lx + 16}" y="${hy + 9}">${esc(formatNumber(m))}</text>`);
  push(`<text x="${lx + 16}" y="${hy + lh / 2 + 4}">0</text>`);
  push(`<text x="${lx + 16}" y="${hy + lh}">${esc(formatNumber(-m))}</text>`);
  push(`</g>`);
  // the tokens, under their columns
  y = hy + hh + 6;
  const labels = input.tokens.slice(0, tr.length).map((s) => clip(visible(s), 14));
  const longest = Math.max(1, ...labels.map((s) => Array.from(s).length));
  const rotate = longest * 6.8 > cw + 2;
  const tokH = rotate ? Math.min(longest, 14) * 6.6 + 8 : 16;
  push(`<g font-size="11.5" fill="${INK}" font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace">`);
  labels.forEach((s, k) => {
    const t = k + 1;
    if (rotate) push(`<text class="token" transform="translate(${f1(xc(t) + 4)} ${y + 2}) rotate(-90)" text-anchor="end">${esc(s)}</text>`);
    else push(`<text class="token" x="${f1(xc(t))}" y="${y + 11}" text-anchor="middle">${esc(s)}</text>`);
  });
  push(`</g>`);
  push(`<text x="${ML - 6}" y="${y + 11}" font-size="10.5" fill="${MUTED}" text-anchor="end">input</text>`);
  if (padCols.length > 0) {
    const a = x(padCols[0]);
    const span = padCols.length * cw;
    const what = span >= 150 ? 'pad: the state is carried' : span >= 24 ? 'pad' : '';
    push(`<rect class="pad-span" x="${a}" y="${y}" width="${span}" height="14" fill="url(#hatch)"/>`);
    if (what) push(`<text x="${f1(a + span / 2)}" y="${y + 11}" font-size="10.5" fill="${INK}" text-anchor="middle">${what}</text>`);
  }
  y += tokH + 24;

  // ---- (2) the outputs ----
  y = heading(y, input.outputTitle, input.outputNote);
  y += 10;
  const oy = y;
  const rows = input.outputRows === 'all' ? O : Math.min(input.outputRows, O);
  const rh = input.outputRows === 'all' ? clamp(Math.floor(160 / Math.max(1, O)), 8, 14) : 16;
  const perStep = tr.outputs.length === tr.length;
  const colOf = (k: number) => (perStep ? k + 1 : tr.length);
  // a class name inside its cell when at least two characters of it fit (or all of a shorter one)
  const room = Math.floor((cw - 2) / 6.4);
  const cellText = (label: string) => {
    const v = visible(label);
    return room >= Math.min(2, Array.from(v).length) && room >= 1 ? clip(v, room) : '';
  };
  const hasTargets = !!input.targets && input.targets.length === tr.outputs.length;
  const extra = input.outputRows !== 'all' && hasTargets ? 1 : 0; // a row for the target
  const oh = (rows + extra) * rh + (extra ? 4 : 0);
  push(`<g class="outputs" font-size="10.5" text-anchor="middle">`);
  tr.outputs.forEach((p, k) => {
    const t = colOf(k);
    const target = hasTargets ? input.targets![k] : -1;
    const order = input.outputRows === 'all' ? Array.from({ length: O }, (_, c) => c) : topClasses(p, rows);
    order.forEach((c, r) => {
      const cy = oy + r * rh;
      const name = input.classes[c] ?? String(c);
      push(`<rect class="out" x="${x(t)}" y="${cy}" width="${cw}" height="${rh}" fill="${probColor(p[c])}" stroke="#ffffff" stroke-width="0.5">` +
        `<title>${esc(`t=${t}: ${visible(name)} ${p[c].toFixed(3)}`)}</title></rect>`);
      if (input.outputRows !== 'all') {
        const txt = cellText(name);
        if (txt) push(`<text x="${f1(xc(t))}" y="${cy + rh - 4.5}" fill="${p[c] > 0.45 ? '#ffffff' : INK}" font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace">${esc(txt)}</text>`);
      }
      if (c === target) push(`<rect class="target" x="${x(t) + 1}" y="${cy + 1}" width="${cw - 2}" height="${rh - 2}" fill="none" stroke="#bf8700" stroke-width="2"/>`);
    });
    if (extra) {
      const cy = oy + rows * rh + 4;
      const name = input.classes[target] ?? String(target);
      push(`<rect class="out-target" x="${x(t)}" y="${cy}" width="${cw}" height="${rh}" fill="${probColor(p[target])}" stroke="#bf8700" stroke-width="1">` +
        `<title>${esc(`t=${t}: target ${visible(name)} ${p[target].toFixed(3)}`)}</title></rect>`);
      const txt = cellText(name);
      if (txt) push(`<text x="${f1(xc(t))}" y="${cy + rh - 4.5}" fill="${p[target] > 0.45 ? '#ffffff' : INK}" font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace">${esc(txt)}</text>`);
    }
  });
  push(`</g>`);
  for (const t of padCols) push(`<rect class="pad-out" x="${x(t)}" y="${oy}" width="${cw}" height="${oh}" fill="#f6f8fa"/><rect x="${x(t)}" y="${oy}" width="${cw}" height="${oh}" fill="url(#hatch)"/>`);
  push(`<rect x="${ML}" y="${oy}" width="${pw}" height="${oh}" fill="none" stroke="#d0d7de" stroke-width="1"/>`);
  push(`<g font-size="10.5" fill="${MUTED}" text-anchor="end">`);
  if (input.outputRows === 'all') {
    const every = Math.ceil(11 / rh);
    for (let c = 0; c < O; c += every) push(`<text x="${ML - 6}" y="${oy + c * rh + rh / 2 + 3.5}">${esc(clip(visible(input.classes[c] ?? String(c)), 12))}</text>`);
  } else {
    for (let r = 0; r < rows; r++) push(`<text x="${ML - 6}" y="${oy + r * rh + rh / 2 + 3.5}">${r === 0 ? 'most likely' : `#${r + 1}`}</text>`);
    if (extra) push(`<text x="${ML - 6}" y="${oy + rows * rh + 4 + rh / 2 + 3.5}" fill="#9a6700">target</text>`);
  }
  push(`</g>`);
  // probability scale
  defs.push(`<linearGradient id="probScale" x1="0" y1="1" x2="0" y2="0">` +
    [0, 0.25, 0.5, 0.75, 1].map((p) => `<stop offset="${p}" stop-color="${probColor(p)}"/>`).join('') + `</linearGradient>`);
  const ph = Math.max(oh, 48);
  push(`<rect x="${lx}" y="${oy}" width="12" height="${ph}" fill="url(#probScale)" stroke="#8c959f" stroke-width="0.5"/>`);
  push(`<g font-size="10.5" fill="${MUTED}"><text x="${lx + 16}" y="${oy + 9}">p = 1</text><text x="${lx + 16}" y="${oy + ph}">0</text></g>`);
  y = oy + Math.max(oh, ph) + 34;

  // ---- (3) the gradient through time ----
  const g = tr.stateGradNorms;
  if (!g) {
    y = heading(y, `‖∂L/∂s${sup('t')}‖`, 'no target, so no loss and no gradient');
    y += 20;
  } else {
    y = heading(y, `‖∂L/∂s${sup('t')}‖ through time`, `the gradient of the loss reaching the state at step t, on a log axis; dashed: ‖∂L/∂z${sup('t')}‖, the same after f_s'`);
    y += 12;
    const gy = y;
    const gh = 170;
    const zeroY = gy + gh + 14; // the lane under the axis for steps the gradient does not reach (0 cannot be on a log axis)
    const dz = tr.preActivationGradNorms ?? [];
    const positive = [...g, ...dz].filter((v) => Number.isFinite(v) && v > 0);
    const axis = positive.length ? logAxis(Math.min(...positive), Math.max(...positive)) : { y0: 1e-8, y1: 1, ticks: [1e-8, 1e-4, 1] };
    const sy = (v: number) => gy + (1 - (Math.log(v) - Math.log(axis.y0)) / (Math.log(axis.y1) - Math.log(axis.y0))) * gh;
    for (const t of padCols) push(`<rect class="pad-band" x="${x(t)}" y="${gy}" width="${cw}" height="${gh}" fill="url(#hatch)" opacity="0.5"/>`);
    push(`<g font-size="10.5" fill="${MUTED}" text-anchor="end">`);
    for (const v of axis.ticks) {
      const yy = sy(v);
      push(`<line x1="${ML}" x2="${ML + pw}" y1="${f1(yy)}" y2="${f1(yy)}" stroke="#e6e8eb" stroke-width="1"/>`);
      push(`<text class="ytick" x="${ML - 6}" y="${f1(yy + 3.5)}">${esc(formatNumber(v))}</text>`);
    }
    push(`</g>`);
    push(`<rect x="${ML}" y="${gy}" width="${pw}" height="${gh}" fill="none" stroke="#8c959f" stroke-width="1"/>`);
    push(`<text transform="translate(${ML - 56} ${gy + gh / 2}) rotate(-90)" font-size="11.5" text-anchor="middle" fill="${INK}">norm (log scale)</text>`);
    const line = (vals: number[], skipPads: boolean) => {
      let d = '';
      let open = false;
      vals.forEach((v, k) => {
        const ok = Number.isFinite(v) && v > 0 && !(skipPads && tr.pad[k]);
        if (!ok) {
          open = false;
          return;
        }
        d += `${open ? 'L' : 'M'}${f1(xc(k + 1))},${f1(sy(v))} `;
        open = true;
      });
      return d.trim();
    };
    const dzLine = line(dz, true);
    if (dzLine) push(`<path class="dz-line" d="${dzLine}" fill="none" stroke="#bc4c00" stroke-width="1.4" stroke-dasharray="4 3" stroke-opacity="0.8"/>`);
    const gLine = line(g, false);
    if (gLine) push(`<path class="grad-line" d="${gLine}" fill="none" stroke="#0969da" stroke-width="2" stroke-linejoin="round"/>`);
    const r = clamp(cw / 4, 1.5, 3.2);
    push(`<g class="grad-points">`);
    g.forEach((v, k) => {
      const t = k + 1;
      const tip = `<title>${esc(`t=${t}: ‖∂L/∂s${sup('t')}‖ = ${Number.isFinite(v) ? v.toExponential(3) : String(v)}`)}</title>`;
      if (Number.isFinite(v) && v > 0) {
        push(`<circle class="grad" data-t="${t}" data-value="${v}" cx="${f1(xc(t))}" cy="${f1(sy(v))}" r="${r}" fill="#0969da" stroke="#ffffff" stroke-width="0.8">${tip}</circle>`);
      } else {
        // 0 (nothing reaches a pad after the last output) or not finite: hollow, in the lane under the axis
        push(`<circle class="grad zero" data-t="${t}" data-value="${v}" cx="${f1(xc(t))}" cy="${zeroY}" r="${r}" fill="#ffffff" stroke="#8c959f" stroke-width="1">${tip}</circle>`);
      }
    });
    push(`</g>`);
    // legend, in the right margin
    push(`<g font-size="11" fill="${INK}">` +
      `<line x1="${lx}" x2="${lx + 18}" y1="${gy + 8}" y2="${gy + 8}" stroke="#0969da" stroke-width="2"/>` +
      `<circle cx="${lx + 9}" cy="${gy + 8}" r="3" fill="#0969da"/>` +
      `<text x="${lx + 22}" y="${gy + 12}">‖∂L/∂s${sup('t')}‖</text>` +
      (dzLine
        ? `<line x1="${lx}" x2="${lx + 18}" y1="${gy + 26}" y2="${gy + 26}" stroke="#bc4c00" stroke-width="1.4" stroke-dasharray="4 3"/>` +
          `<text x="${lx + 22}" y="${gy + 30}">‖∂L/∂z${sup('t')}‖</text>`
        : '') +
      `</g>`);
    if (g.some((v) => !(Number.isFinite(v) && v > 0))) {
      push(`<text x="${ML - 6}" y="${zeroY + 3.5}" font-size="10.5" fill="${MUTED}" text-anchor="end">0</text>`);
    }
    y = gy + gh + 20;
    push(`<g font-size="10.5" fill="${MUTED}" text-anchor="middle">`);
    for (const t of ticksT) push(`<text x="${f1(xc(t))}" y="${y + 14}">${t}</text>`);
    push(`</g>`);
    push(`<text x="${ML + pw / 2}" y="${y + 32}" font-size="11.5" text-anchor="middle" fill="${INK}">step t</text>`);
    y += 36;
  }
  const Hgt = Math.ceil(y + 14);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${Hgt}" viewBox="0 0 ${W} ${Hgt}" font-family="${FONT}">\n` +
    `<defs>${defs.join('')}</defs>\n` +
    `<rect x="0" y="0" width="${W}" height="${Hgt}" fill="#ffffff"/>\n` +
    body.join('\n') +
    `\n</svg>\n`
  );
}
