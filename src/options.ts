// The validator kit: every options object of the public API is read and checked here, with the error grammar of
// src/errors.ts. An options object is read once into a plain snapshot (a getter runs once, a Proxy is asked once per
// key), unknown keys are refused with the accepted ones listed (and a close match suggested), and each value is
// checked by one of the small validators below. Resolvers (src/config.ts, src/optim.ts, src/train.ts, ...) build
// their resolved values from these and never read the caller's object again.
import { rangeError, typeError } from './errors.js';

/** Edit distance, for "did you mean" (small strings only). */
function distance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let r = 1; r <= m; r++) {
    const cur = [r];
    for (let c = 1; c <= n; c++) {
      cur[c] = Math.min(prev[c] + 1, cur[c - 1] + 1, prev[c - 1] + (a[r - 1] === b[c - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[n];
}

/** The accepted key closest to `key` (same letters ignoring case, or at most 2 edits away), or null. */
export function closestKey(key: string, allowed: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of allowed) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : distance(key, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return bestD <= Math.min(2, Math.floor(key.length / 3)) || bestD === 0 ? best : null;
}

/** Refuses a key that is not in `allowed`: `SimpleRNN.create: options.learningrate is not an option; ...`. */
export function checkKeys(api: string, o: object, allowed: readonly string[], field = 'options', what = 'an option'): void {
  for (const k of Object.keys(o)) {
    if (allowed.includes(k)) continue;
    const near = closestKey(k, allowed);
    const hint = near ? `; did you mean ${near}?` : '';
    const expected = allowed.length ? `expected one of ${allowed.join(', ')}` : 'expected no other key';
    throw rangeError(api, `${field}.${k}`, `is not ${what}; ${expected}${hint}`);
  }
}

/** Own enumerable keys and their values, each read once, into a plain object (no key is checked). */
export function snapshot(o: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) out[k] = (o as Record<string, unknown>)[k];
  return out;
}

/**
 * Reads an options object once: `undefined` gives {} (every option takes its default), anything but a plain object
 * is a TypeError, an unknown key a RangeError, and each known key is read exactly once into the returned snapshot.
 */
export function readOptions<K extends string>(
  api: string, o: unknown, allowed: readonly K[], field = 'options', what = 'an option',
): Partial<Record<K, unknown>> {
  if (o === undefined) return {};
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    throw typeError(api, field, `an options object { ${allowed.join(', ')} }`, o);
  }
  const keys = Object.keys(o);
  checkKeys(api, Object.fromEntries(keys.map((k) => [k, 0])), allowed, field, what);
  const out: Partial<Record<K, unknown>> = {};
  for (const k of keys) {
    const v = (o as Record<string, unknown>)[k];
    if (v !== undefined) out[k as K] = v;
  }
  return out;
}

/** An integer in [lo, hi], or `dflt` when v is undefined and a default is given. */
export function int(api: string, field: string, v: unknown, lo: number, hi: number, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  const range = hi === Infinity ? `>= ${lo}` : `in [${lo}, ${hi}]`;
  if (typeof v !== 'number') throw typeError(api, field, `an integer ${range}`, v);
  if (!Number.isInteger(v) || v < lo || v > hi) throw rangeError(api, field, `= ${v} is out of range; expected an integer ${range}`);
  return v;
}

/** A numeric range: [min, max] with either end open; max may be Infinity. */
export interface Range {
  min: number;
  max: number;
  minOpen?: boolean;
  maxOpen?: boolean;
}

function inRange(v: number, r: Range): boolean {
  return Number.isFinite(v) && (r.minOpen ? v > r.min : v >= r.min) && (r.maxOpen ? v < r.max : v <= r.max);
}

function rangeText(r: Range): string {
  return `${r.minOpen ? '(' : '['}${r.min}, ${r.max === Infinity ? '∞' : r.max}${r.maxOpen || r.max === Infinity ? ')' : ']'}`;
}

/** A finite number in the range, or `dflt` when v is undefined and a default is given. */
export function num(api: string, field: string, v: unknown, r: Range, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'number') throw typeError(api, field, `a number in ${rangeText(r)}`, v);
  if (!inRange(v, r)) throw rangeError(api, field, `= ${v} is out of range; expected a number in ${rangeText(r)}`);
  return v;
}

/**
 * A number used as float32 by the kernels: in the range both as given and after rounding to float32, so that 1e39
 * (Infinity in f32), 1e-50 for a range open at 0 (0 in f32) or 0.99999999 for one open at 1 (1 in f32) are refused
 * by name instead of poisoning a kernel. Returns the number as given.
 */
export function f32(api: string, field: string, v: unknown, r: Range, dflt?: number): number {
  const x = num(api, field, v, r, dflt);
  const y = Math.fround(x);
  if (!inRange(y, r)) {
    throw rangeError(api, field, `= ${x} is out of range as a float32 (it rounds to ${y}); expected a float32 number in ${rangeText(r)}`);
  }
  return x;
}

/** A boolean, or `dflt` when v is undefined. */
export function bool(api: string, field: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw typeError(api, field, 'a boolean', v);
  return v;
}

/** One of the given strings, or `dflt` when v is undefined and a default is given. */
export function oneOf<T extends string>(api: string, field: string, v: unknown, values: readonly T[], dflt?: T): T {
  if (v === undefined && dflt !== undefined) return dflt;
  if (!values.includes(v as T)) {
    const names = values.map((x) => `'${x}'`);
    throw typeError(api, field, names.length === 2 ? `${names[0]} or ${names[1]}` : `one of ${names.join(', ')}`, v);
  }
  return v as T;
}

/** A function, or undefined when v is undefined. */
export function fn<F extends (...args: never[]) => unknown>(api: string, field: string, v: unknown): F | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'function') throw typeError(api, field, 'a function', v);
  return v as F;
}

/** A string, or `dflt` when v is undefined and a default is given. */
export function str(api: string, field: string, v: unknown, dflt?: string): string {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'string') throw typeError(api, field, 'a string', v);
  return v;
}
