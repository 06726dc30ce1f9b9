// Progress for long jobs. On a terminal: a cli-progress bar on stderr that redraws in place, with log lines printed
// above it. Piped (CI, tests, a README transcript): no bar; a plain status line every `lineEvery` seconds and at the
// end, so logs stay readable.
import cliProgress from 'cli-progress';

export interface ProgressOptions {
  /** Shown before the bar, e.g. 'train'. */
  label: string;
  /** Total in the bar's unit (steps). */
  total: number;
  /** cli-progress format tokens after the bar, e.g. 'loss {loss} | {speed}'. {value} {total} {eta_formatted} work too. */
  fields: string;
  /** Seconds between plain status lines when stderr is not a terminal. Default 10; 0 prints only the last. */
  lineEvery?: number;
  stream?: NodeJS.WriteStream;
}

export type Payload = Record<string, string | number>;

export class Progress {
  private readonly tty: boolean;
  private readonly multi: cliProgress.MultiBar | null = null;
  private readonly bar: cliProgress.SingleBar | null = null;
  private readonly stream: NodeJS.WriteStream;
  private lastLine = 0;
  private readonly started = performance.now();
  private value = 0;
  private payload: Payload = {};
  private stopped = false;

  constructor(private readonly opt: ProgressOptions) {
    this.stream = opt.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY) && !process.env.CI;
    this.lastLine = performance.now();
    if (this.tty) {
      this.multi = new cliProgress.MultiBar(
        {
          format: `${opt.label} |{bar}| {percentage}% | ${opt.fields}`,
          barCompleteChar: '█',
          barIncompleteChar: '░',
          barsize: 24,
          hideCursor: true,
          stream: this.stream,
          etaBuffer: 50,
          fps: 10,
        },
        cliProgress.Presets.shades_classic,
      );
      // every custom field starts as '-', so the first frame does not show the raw {tokens}
      const builtIn = new Set(['bar', 'percentage', 'value', 'total', 'eta', 'eta_formatted', 'duration', 'duration_formatted']);
      for (const [, k] of opt.fields.matchAll(/\{(\w+)\}/g)) if (!builtIn.has(k)) this.payload[k] = '-';
      this.bar = this.multi.create(opt.total, 0, this.payload);
    }
  }

  /** Sets the bar to `value` (NaN: keeps it) with these payload fields. */
  update(value: number, payload: Payload): void {
    if (!Number.isNaN(value)) this.value = value;
    this.payload = { ...this.payload, ...payload };
    if (this.bar) {
      this.bar.update(this.value, this.payload);
      return;
    }
    const every = this.opt.lineEvery ?? 10;
    const now = performance.now();
    if (every > 0 && now - this.lastLine >= every * 1000) {
      this.lastLine = now;
      this.writePlain();
    }
  }

  setTotal(total: number): void {
    this.opt.total = total;
    this.bar?.setTotal(total);
  }

  /** A line of output (a sample, an epoch summary) printed above the bar, or to stdout when piped. */
  log(line: string): void {
    if (this.multi && !this.stopped) this.multi.log(line + '\n');
    else process.stdout.write(line + '\n');
  }

  /** Final redraw, then the bar stays on screen (or one last plain line). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.multi) this.multi.stop();
    else this.writePlain();
  }

  private lastWritten = '';

  /** A plain status line, unless it would repeat the previous one. */
  private writePlain(): void {
    const line = this.plainLine();
    if (line === this.lastWritten) return;
    this.lastWritten = line;
    this.stream.write(line + '\n');
  }

  private plainLine(): string {
    const pct = this.opt.total > 0 ? Math.floor((100 * this.value) / this.opt.total) : 0;
    const secs = (performance.now() - this.started) / 1000;
    const eta = this.value > 0 ? ((this.opt.total - this.value) * secs) / this.value : NaN;
    const fields = this.opt.fields.replace(/\{(\w+)\}/g, (_, k: string) => {
      if (k === 'value') return String(this.value);
      if (k === 'total') return String(this.opt.total);
      if (k === 'percentage') return String(pct);
      if (k === 'eta_formatted') return duration(eta);
      return String(this.payload[k] ?? '');
    });
    return `${this.opt.label} ${String(pct).padStart(3)}% | ${fields}`;
  }
}

/** 1234567 -> '1.23M', 5300 -> '5.3k'. */
export function si(v: number): string {
  if (!Number.isFinite(v)) return '-';
  if (v >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (v >= 1e3) return `${(v / 1e3).toPrecision(3)}k`;
  return v.toPrecision(3);
}

/** Seconds -> '42s', '3m05s', '1h02m'. */
export function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '-';
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Resolves on the next macrotask, letting timers (the bar) and signals (Ctrl-C) run. */
export const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
