// Inside the character model: the page loads the trained checkpoint (SimpleRNN.load, on this thread) and traces a
// short text with it, the target being the text shifted by one. The picture: the state s^t of every unit (rows) after
// each character (columns), the characters, and ‖∂L/∂s^t‖ on a log axis; hovering a column shows that state vector
// and the most likely next characters there.
import { SimpleRNN, vocabularyFromMetadata, type Trace, type Vocabulary } from 'simple-rnn';
import { Columns, el, hitColumns, logCurve, statePicture, vectorBars, visible } from './picture';

/** The longest text traced (characters): the columns stay readable. */
export const MAX_TRACE = 80;

const SUP: Record<string, string> = { '0': '\u2070', '1': '\u00b9', '2': '\u00b2', '3': '\u00b3', '4': '\u2074', '5': '\u2075', '6': '\u2076', '7': '\u2077', '8': '\u2078', '9': '\u2079' };
export const sup = (n: number): string => Array.from(String(n), (c) => SUP[c] ?? c).join('');
const pct = (p: number) => `${(p * 100).toFixed(p >= 0.995 ? 0 : 1)}%`;

interface Traced {
  chars: string[];
  ids: number[];
  trace: Trace;
}

export class TextInside {
  private model: SimpleRNN | undefined;
  private vocab: Vocabulary | undefined;
  private traced: Traced | undefined;
  private generation = 0;
  private timer = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly input: HTMLInputElement,
    private readonly layerSelect: HTMLSelectElement,
    private readonly info: HTMLElement,
    private readonly svg: SVGSVGElement,
    private readonly readout: HTMLElement,
  ) {
    input.maxLength = MAX_TRACE;
    input.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = window.setTimeout(() => this.run(), 120);
    });
    layerSelect.addEventListener('change', () => this.draw());
  }

  /** Loads checkpoint bytes on the page and traces the box's text (or the start of `text` when it does not fit). */
  async show(checkpoint: Uint8Array, text: string): Promise<void> {
    const gen = ++this.generation;
    const model = await SimpleRNN.load(checkpoint, { backend: 'auto' });
    if (gen !== this.generation) {
      model.dispose();
      return;
    }
    this.model?.dispose();
    this.model = model;
    this.vocab = vocabularyFromMetadata(model.metadata);
    const layers = model.config.layers;
    this.layerSelect.replaceChildren(...Array.from({ length: layers }, (_, l) =>
      new Option(`layer ${l + 1}${l === 0 ? ' (reads the characters)' : ''}${l === layers - 1 ? ' (read by the output)' : ''}`, String(l))));
    this.layerSelect.value = String(layers - 1); // the state the prediction is made from
    this.layerSelect.hidden = layers === 1;
    if (this.unknown(this.input.value) !== null || Array.from(this.input.value).length < 2) this.input.value = this.opening(text);
    this.run();
  }

  /** The first character of s the vocabulary lacks, or null. */
  private unknown(s: string): string | null {
    return this.vocab!.tokenize(s).find((c) => !this.vocab!.has(c)) ?? null;
  }

  /** The start of a text as a default trace: its known characters, one line, cut at a space before MAX_TRACE. */
  private opening(text: string): string {
    const known = this.vocab!.tokenize(text.replace(/\s+/g, ' ').trim()).filter((c) => this.vocab!.has(c)).slice(0, 48);
    const s = known.join('');
    const cut = s.lastIndexOf(' ', 47);
    return cut > 20 ? s.slice(0, cut) : s;
  }

  private run(): void {
    if (!this.model || !this.vocab) return;
    const chars = this.vocab.tokenize(this.input.value);
    const bad = this.unknown(this.input.value);
    this.traced = undefined;
    this.readout.classList.add('muted');
    this.readout.replaceChildren('Hover a character of the picture to see the state there and what the model predicts next.');
    delete this.readout.dataset.t;
    if (bad !== null || chars.length < 2) {
      this.root.dataset.state = 'invalid';
      this.info.textContent = bad !== null ? `${JSON.stringify(bad)} is not in the model's vocabulary: trace text made of the training text's characters.` : 'Type at least 2 characters.';
      this.svg.replaceChildren();
      return;
    }
    const ids = chars.map((c) => this.vocab!.idOf(c));
    const t0 = performance.now();
    const trace = this.model.trace(Int32Array.from(ids.slice(0, -1)), { target: Int32Array.from(ids.slice(1)) });
    const ms = performance.now() - t0;
    this.traced = { chars, ids, trace };
    this.info.textContent = `${trace.steps} steps (each character predicts the next) · loss ${trace.loss!.toFixed(3)} nats/char · ` +
      `traced in ${ms.toFixed(0)} ms on this page`;
    this.root.dataset.state = 'ready';
    this.draw();
  }

  private layer() {
    const { trace } = this.traced!;
    const l = Number(this.layerSelect.value) || 0;
    return trace.layers.find((x) => x.layer === l && x.direction === 'forward') ?? trace.layers[0];
  }

  private draw(): void {
    if (!this.traced) return;
    const { chars, trace } = this.traced;
    const layer = this.layer();
    const T = trace.steps;
    const H = layer.states[0].length;
    const cols = new Columns(44, 668, T);
    const top = 20;
    const hh = 200;
    const caption = `state s\u1d57 of layer ${layer.layer + 1}: ${H} units (rows) after each character (columns), blue −1 · white 0 · red +1`;
    const { g } = statePicture(this.svg, cols, layer.states.slice(1), top, hh, caption);
    g.append(el('text', { class: 'axis-text', x: cols.x - 4, y: top + 8, 'text-anchor': 'end' }, '1'));
    g.append(el('text', { class: 'axis-text', x: cols.x - 4, y: top + hh, 'text-anchor': 'end' }, String(H)));
    g.append(el('text', { class: 'axis-text', x: 12, y: top + hh / 2, 'text-anchor': 'middle', transform: `rotate(-90 12 ${top + hh / 2})` }, 'unit'));
    const fs = Math.min(13, Math.max(7, cols.cw * 0.95));
    for (let t = 1; t <= T; t++) {
      g.append(el('text', { class: chars[t - 1] === ' ' ? 'char space' : 'char', x: cols.mid(t), y: top + hh + 16, 'text-anchor': 'middle', 'font-size': fs.toFixed(1) }, visible(chars[t - 1])));
    }
    const gy = top + hh + 48;
    logCurve(g, cols, layer.stateGradNorms!, gy, 84, '‖∂L/∂s\u1d57‖ on a log scale: how much the loss of the whole text depends on the state at each step');
    hitColumns(g, cols, top, gy + 84 - top, (t) => this.show1(t));
  }

  /** The readout of step t: the character read, the state vector, the most likely next characters. */
  private show1(t: number): void {
    if (!this.traced || !this.vocab) return;
    const { chars, ids, trace } = this.traced;
    const s = this.layer().states[t];
    const p = trace.outputs[t - 1];
    const next = ids[t];
    const name = (id: number) => (id < 3 ? this.vocab!.tokenOf(id) : visible(this.vocab!.tokenOf(id)));
    const order = Array.from(p, (_, c) => c).sort((a, b) => p[b] - p[a] || a - b);
    const rank = order.indexOf(next) + 1;
    const ro = this.readout;
    ro.classList.remove('muted');
    ro.dataset.t = String(t);
    const head = document.createElement('div');
    head.className = 'ro-head';
    head.innerHTML = `<b>step ${t}</b>: read <code></code>, next is <code></code>: p = ${pct(p[next])} (rank ${rank}), −ln p = ${(-Math.log(p[next])).toFixed(2)}`;
    const [read, nxt] = head.querySelectorAll('code');
    read.textContent = visible(chars[t - 1]);
    nxt.textContent = visible(chars[t]);
    const cap1 = document.createElement('div');
    cap1.className = 'ro-cap';
    cap1.textContent = `the state s${sup(t)}: ${s.length} units`;
    const bars = el('svg', { id: 'x-state', class: 'ro-state', viewBox: '0 0 320 64', preserveAspectRatio: 'none' });
    vectorBars(bars, s);
    const cap2 = document.createElement('div');
    cap2.className = 'ro-cap';
    cap2.textContent = 'most likely next characters';
    const list = document.createElement('ol');
    list.id = 'x-top';
    for (const c of order.slice(0, 6)) {
      const li = document.createElement('li');
      if (c === next) li.className = 'hit';
      li.dataset.p = String(p[c]);
      li.innerHTML = '<code></code><span class="pbar"><span></span></span><span class="p"></span>';
      li.querySelector('code')!.textContent = name(c);
      (li.querySelector('.pbar span') as HTMLElement).style.width = `${(p[c] * 100).toFixed(1)}%`;
      li.querySelector('.p')!.textContent = pct(p[c]);
      list.append(li);
    }
    ro.replaceChildren(head, cap1, bars, cap2, list);
  }
}
