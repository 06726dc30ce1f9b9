// Inside the adder: the page loads the trained checkpoint, correlates every state unit with the carry over random
// sums (./carry.ts) and draws one traced sum: the state heatmap with the unit most correlated with the carry
// outlined, each unit's r beside its row, the digits and the true carry under the columns, and that unit's
// activation over the steps against the carry. The same network before training (create with the job's seed) is
// measured the same way, so the number has something to be compared with.
import { Rng, SimpleRNN, type SimpleRNNOptions, type Trace } from 'simple-rnn';
import { carryCorrelation, encodeSum, randomSum, type CarryCorrelation, type Sum } from './carry';
import { Columns, el, statePicture, unitCurve } from './picture';

/** Sums the correlation is measured on, and their digits (the training lengths are 1..8). */
export const CORR_SUMS = 200;
export const CORR_DIGITS = 8;
/** Digits of the traced example: longer than any training sum. */
export const EXAMPLE_DIGITS = 12;

const fmtR = (r: number) => (r < 0 ? '−' : '') + Math.abs(r).toFixed(2);

export class AdderInside {
  private model: SimpleRNN | undefined;
  private corr: CarryCorrelation | undefined;
  private seed = 1;
  private example = 0;
  private generation = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly svg: SVGSVGElement,
    private readonly summary: HTMLElement,
    private readonly next: HTMLButtonElement,
  ) {
    next.addEventListener('click', () => {
      this.example++;
      this.draw();
    });
  }

  /** A trained adder (the Trainer's result): find its carry unit and draw a sum. */
  async show(result: { checkpoint: Uint8Array; modelOptions: SimpleRNNOptions }, seed: number): Promise<void> {
    const gen = ++this.generation;
    const model = await SimpleRNN.load(result.checkpoint, { backend: 'auto' });
    const before = await SimpleRNN.create({ ...result.modelOptions, backend: model.config.backend });
    if (gen !== this.generation) {
      model.dispose();
      before.dispose();
      return;
    }
    this.model?.dispose();
    this.model = model;
    this.seed = seed;
    this.example = 0;
    const dataSeed = seed * 7919 + 101; // the same sums for the trained and the untrained network
    const t0 = performance.now();
    this.corr = carryCorrelation(model, new Rng(dataSeed), CORR_SUMS, CORR_DIGITS);
    const ms = performance.now() - t0;
    const untrained = carryCorrelation(before, new Rng(dataSeed), CORR_SUMS, CORR_DIGITS);
    before.dispose();
    const { unit, r, samples } = this.corr;
    const second = r.map((v, h) => [Math.abs(v), h]).filter(([v, h]) => h !== unit && Number.isFinite(v)).sort((a, b) => b[0] - a[0])[0];
    const r0 = untrained.r[untrained.unit];
    // data-unit-index: 0-based (the page shows unit h + 1, as the rows are numbered 1..H)
    Object.assign(this.root.dataset, { state: 'ready', unitIndex: String(unit), r: String(r[unit]), r0: String(r0) });
    this.summary.innerHTML =
      `<p><b>Unit ${unit + 1}</b> of ${r.length} follows the carry: <b class="r">r = ${fmtR(r[unit])}</b> ` +
      `(Pearson, over ${samples.toLocaleString('en-US')} digit steps of ${CORR_SUMS} random ${CORR_DIGITS}-digit sums; ${ms.toFixed(0)} ms of traces)` +
      `${r[unit] < 0 ? ': it goes negative when a carry is pending' : ''}.` +
      (second ? ` The next best is unit ${second[1] + 1} with |r| = ${second[0].toFixed(2)}.` : '') + '</p>' +
      `<p class="muted">The same network before training: best |r| = ${Math.abs(r0).toFixed(2)} (unit ${untrained.unit + 1}).</p>`;
    this.next.disabled = false;
    this.draw();
  }

  private draw(): void {
    if (!this.model || !this.corr) return;
    const sum: Sum = randomSum(new Rng(this.seed * 31 + 7 + this.example), EXAMPLE_DIGITS);
    const { x, y, carry } = encodeSum(sum);
    const trace: Trace = this.model.trace(x);
    const predicted = trace.outputs.map((p) => p.indexOf(Math.max(...p)));
    const { r, unit } = this.corr;
    const T = trace.steps;
    const H = trace.states[0].length;
    const cols = new Columns(64, 500, T);
    const top = 20;
    const hh = 192;
    const caption = `state s\u1d57: ${H} units (rows) after each digit pair (columns, least significant first)`;
    const { g, rh } = statePicture(this.svg, cols, trace.states.slice(1), top, hh, caption);
    const rowY = top + unit * rh;
    const rx = cols.x + cols.w + 76; // the r column: bars of |r| <= 1 span rx ± 56
    g.append(el('rect', { class: 'carry-row', x: cols.x - 3, y: rowY - 1.5, width: rx + 60 - cols.x, height: rh + 3 }));
    g.append(el('text', { class: 'unit-label', x: cols.x - 6, y: rowY + rh / 2 + 4, 'text-anchor': 'end' }, `unit ${unit + 1}`));

    // r of every unit beside its row
    g.append(el('text', { class: 'axis-label', x: rx, y: top - 6, 'text-anchor': 'middle' }, 'r with the carry'));
    g.append(el('line', { class: 'tick zero', x1: rx, x2: rx, y1: top, y2: top + hh }));
    for (let h = 0; h < H; h++) {
      const v = Number.isFinite(r[h]) ? r[h] : 0;
      g.append(el('rect', {
        class: h === unit ? 'rbar best' : 'rbar', x: (v < 0 ? rx + v * 56 : rx).toFixed(2), y: (top + h * rh + rh * 0.1).toFixed(2),
        width: Math.abs(v * 56).toFixed(2), height: (rh * 0.8).toFixed(2), 'data-unit': h,
      }));
    }
    for (const v of [-1, 1]) g.append(el('text', { class: 'axis-text', x: rx + v * 56, y: top + hh + 12, 'text-anchor': 'middle' }, String(v)));

    // the digits and the true carry under the columns
    const rows: [string, (t: number) => string][] = [
      ['a', (t) => (t <= sum.a.length ? String(sum.a[t - 1]) : '')],
      ['b', (t) => (t <= sum.b.length ? String(sum.b[t - 1]) : '')],
      ['sum', (t) => String(predicted[t - 1])],
      ['carry', (t) => String(carry[t - 1])],
    ];
    rows.forEach(([label, text], k) => {
      const yy = top + hh + 17 + k * 16;
      g.append(el('text', { class: 'axis-text', x: cols.x - 6, y: yy, 'text-anchor': 'end' }, label));
      for (let t = 1; t <= T; t++) {
        const cls = label === 'carry' ? (carry[t - 1] ? 'digit carry-on' : 'digit carry-off') : label === 'sum' && predicted[t - 1] !== y[t - 1] ? 'digit wrong' : 'digit';
        g.append(el('text', { class: cls, x: cols.mid(t), y: yy, 'text-anchor': 'middle' }, text(t)));
      }
    });

    // the unit's activation against the carry (shaded)
    const cy = top + hh + 100;
    const ch = 80;
    g.append(el('text', { class: 'axis-label', x: cols.x, y: cy - 8 }, `s\u1d57 of unit ${unit + 1} (line) and the true carry after each step (shaded)`));
    for (let t = 1; t <= T; t++) {
      if (carry[t - 1]) g.append(el('rect', { class: 'carry-band', x: cols.left(t).toFixed(2), y: cy, width: cols.cw.toFixed(2), height: ch }));
    }
    unitCurve(g, cols, trace.states.slice(1).map((s) => s[unit]), cy, ch, 'unit-curve');
    const right = predicted.every((d, t) => d === y[t]);
    this.root.dataset.exampleRight = String(right);
  }
}
