// Reads the importers' inputs once: JSON objects and arrays (a hole, a length that lies, or nesting too deep is refused
// by name), typed arrays and byte buffers through the built-in getters (a subclass or a Proxy cannot lie about a
// length or an offset), so that a getter, a Proxy or another thread writing shared memory sees each value read once.
import { rangeError } from '../errors.js';
import { BUFFERS, DV, TA } from '../builtins.js';

/** Most items in a JSON list the importers read (layers, weight specs, manifest groups and paths, weight buffers). */
export const MAX_ITEMS = 4096;
/** Most dimensions of a weight's shape. */
export const MAX_RANK = 32;
/** Deepest nesting walked (inbound_nodes: Keras 3 puts a layer's name about 6 levels down). */
export const MAX_DEPTH = 64;

/** A hole: an index an array's length covers but that the array does not hold (or holds only on its prototype). */
export const HOLE: unique symbol = Symbol('hole');

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The TypeError for a hole, in the error grammar: `field must be <expected>; got a hole (...)`. */
export function holeError(api: string, field: string, expected: string): TypeError {
  return new TypeError(`SimpleRNN.${api}: ${field} must be ${expected}; got a hole (the array is sparse or its length says more than it holds)`);
}

/** Item k of an array, read once, or HOLE. */
export function item(a: readonly unknown[], k: number): unknown {
  return Object.hasOwn(a, k) ? a[k] : HOLE;
}

/** An array's length, read once: a non-negative safe integer up to `max`, or a RangeError naming the field. */
export function lengthOf(api: string, field: string, a: readonly unknown[], max: number): number {
  const n: unknown = a.length; // a Proxy may say anything
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw rangeError(api, field, `has length ${String(n)}; expected an array`);
  if (n > max) throw rangeError(api, field, `has length ${n}; expected at most ${max} items`);
  return n;
}

/** The items of a JSON array, each read once, as a plain array; a hole is a TypeError naming its index. */
export function readList(api: string, field: string, a: readonly unknown[], expected: string, max = MAX_ITEMS): unknown[] {
  const n = lengthOf(api, field, a, max);
  const out = new Array<unknown>(n);
  for (let k = 0; k < n; k++) {
    const v = item(a, k);
    if (v === HOLE) throw holeError(api, `${field}[${k}]`, expected);
    out[k] = v;
  }
  return out;
}

/** A JSON object's own fields, each read at most once however often it is asked for (a getter runs once). */
export function fieldsOf(o: object): (key: string) => unknown {
  const seen = new Map<string, unknown>();
  return (key) => {
    if (!seen.has(key)) seen.set(key, Object.hasOwn(o, key) ? (o as Obj)[key] : undefined);
    return seen.get(key);
  };
}

/**
 * Every string inside v (object values and array items, each read once), walked without recursion; an object met
 * twice (shared, or a cycle) is walked once. Nesting deeper than MAX_DEPTH is a RangeError naming the field.
 */
export function stringsIn(api: string, field: string, v: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<object>();
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length) {
    const [x, depth] = stack.pop()!;
    if (typeof x === 'string') out.push(x);
    if (x === null || typeof x !== 'object' || seen.has(x)) continue;
    if (depth >= MAX_DEPTH) throw rangeError(api, field, `is nested deeper than ${MAX_DEPTH} levels`);
    seen.add(x);
    for (const k of Object.keys(x)) stack.push([(x as Obj)[k], depth + 1]);
  }
  return out;
}

// ---- typed arrays and bytes, through the built-in getters ----


/** A Float32Array or Float64Array (on any buffer, shared too) and its length now; null for anything else, a Proxy of one too. */
export function floatArray(v: unknown): { array: Float32Array | Float64Array; length: number } | null {
  const tag = TA.tag.call(v); // undefined unless v is a typed array itself
  if (tag !== 'Float32Array' && tag !== 'Float64Array') return null;
  return { array: v as Float32Array | Float64Array, length: TA.length.call(v) as number };
}

/**
 * The bytes of an ArrayBuffer, a SharedArrayBuffer or an ArrayBufferView, as a fixed-length Uint8Array over the same
 * memory (no copy; a detached buffer has 0 bytes), or null for anything else.
 */
export function bytesOf(v: unknown): Uint8Array | null {
  for (const byteLength of BUFFERS) {
    let n: number;
    try {
      n = byteLength.call(v) as number;
    } catch {
      continue; // not this kind of buffer
    }
    return n ? new Uint8Array(v as ArrayBuffer, 0, n) : new Uint8Array(0);
  }
  if (!ArrayBuffer.isView(v)) return null;
  const g = TA.tag.call(v) === undefined ? DV : TA;
  const n = g.bytes.call(v) as number;
  return n ? new Uint8Array(g.buffer.call(v) as ArrayBuffer, g.offset.call(v) as number, n) : new Uint8Array(0);
}

/** An IEEE half (float16 bits) as a number (exact): TF.js float16 weights and safetensors F16 tensors. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Whether this host stores numbers little-endian, as weights files do: then a typed array over their bytes reads them as they are. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
